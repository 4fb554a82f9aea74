"""Everything Dagster loads: `dagster dev -m orchestration.definitions`.

`defs` is built when Dagster loads the code location (`@dg.definitions`), from the settings
of that process's environment; a command builds them from its own `Settings` instead
(`build_definitions`). Importing this module reads nothing.
"""

from __future__ import annotations

import dagster as dg

from complaint_trace.settings import Settings, get_settings
from orchestration import checks, jobs, resources, schedules, sensors
from orchestration.assets import audit, crm, netops, serving, ticketing
from orchestration.assets.dbt import dbt_assets_of


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            *crm.ASSETS,
            *ticketing.ASSETS,
            *netops.ASSETS,
            dbt_assets_of(),
            *audit.audit_assets(),
            *serving.ASSETS,
        ],
        asset_checks=[*checks.CHECKS],
        jobs=[jobs.complaint_trace_job],
        schedules=schedules.build_schedules(settings),
        sensors=sensors.build_sensors(settings),
        resources=resources.build_resources(settings),
        # every step writes the one DuckDB file and the run holds its home's lock: runs
        # launched from the UI for a few assets execute in one process too, as
        # complaint_trace_job does
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(get_settings())
