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
)
