"""Everything Dagster loads: `dagster dev -m orchestration.definitions`."""

from __future__ import annotations

import dagster as dg

from orchestration import checks, jobs, resources, schedules, sensors
from orchestration.assets import audit, crm, dbt, netops, serving, ticketing

defs = dg.Definitions(
    assets=[
        *crm.ASSETS,
        *ticketing.ASSETS,
        *netops.ASSETS,
        *dbt.ASSETS,
        *audit.ASSETS,
        *serving.ASSETS,
    ],
    asset_checks=[*checks.CHECKS],
    jobs=[jobs.complaint_trace_job],
    schedules=[*schedules.SCHEDULES],
    sensors=[*sensors.SENSORS],
    resources=resources.build_resources(),
    # every step writes the one DuckDB file and the run holds its home's lock: runs launched
    # from the UI for a few assets execute in one process too, as complaint_trace_job does
    executor=dg.in_process_executor,
)
