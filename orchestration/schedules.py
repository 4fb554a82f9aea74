"""The daily run of the whole graph.

The cron expression and its zone are settings: `Settings.schedule_cron` (default 02:00, after
the sources' nightly deliveries) in the source time zone (`Settings.source_tz`).
"""

from __future__ import annotations

from datetime import UTC

import dagster as dg

from complaint_trace.settings import Settings
from orchestration.jobs import as_of_run_config, complaint_trace_job


def build_schedules(settings: Settings) -> list[dg.ScheduleDefinition]:
    @dg.schedule(
        job=complaint_trace_job,
        cron_schedule=settings.schedule_cron,
        execution_timezone=settings.source_tz,
        description="Every day: ingest what landed, rebuild the models, audit, publish.",
    )
    def daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        """Audit as of the scheduled tick, so a late or retried tick gives the same answer."""
        as_of = context.scheduled_execution_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return dg.RunRequest(run_config=as_of_run_config(as_of), tags={"as_of": as_of})

    return [daily_schedule]
