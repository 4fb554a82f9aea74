"""The daily run of the whole graph.

The cron expression and its zone are settings: `COMPLAINT_TRACE_SCHEDULE_CRON` (default 02:00,
after the sources' nightly deliveries) in the source time zone (`COMPLAINT_TRACE_SOURCE_TZ`).
"""

from __future__ import annotations

from datetime import UTC

import dagster as dg

from complaint_trace.settings import get_settings
from orchestration.jobs import as_of_run_config, complaint_trace_job

SETTINGS = get_settings()


@dg.schedule(
    job=complaint_trace_job,
    cron_schedule=SETTINGS.schedule_cron,
    execution_timezone=SETTINGS.source_tz,
    description="Every day: ingest what landed, rebuild the models, audit, publish.",
)
def daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Audit as of the scheduled tick, so a late or retried tick gives the same answer."""
    as_of = context.scheduled_execution_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return dg.RunRequest(run_config=as_of_run_config(as_of), tags={"as_of": as_of})


SCHEDULES = [daily_schedule]
