"""A sensor that starts the whole graph when files land (or change) under the landing root."""

from datetime import UTC, datetime

import dagster as dg

from complaint_trace.contract import ENTITIES
from connectors.files import landing_fingerprint
from orchestration.jobs import as_of_run_config, complaint_trace_job
from orchestration.resources import PipelineConfig

_ACTIVE = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED,
           dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


@dg.sensor(
    job=complaint_trace_job,
    minimum_interval_seconds=60,
    description="Runs the whole graph when the landing root's files change (new, replaced).",
)
def landing_sensor(context: dg.SensorEvaluationContext, pipeline: PipelineConfig):
    """Cursor: digest of every landing file's path, size and mtime. The run itself loads only
    files whose SHA-256 is new, so a touched-but-identical file costs one cheap run."""
    count, fingerprint = landing_fingerprint(pipeline.landing_dir, ENTITIES)
    if count == 0:
        return dg.SkipReason(f"no landing files under {pipeline.landing_dir}")
    if fingerprint == context.cursor:
        return dg.SkipReason("no new or changed landing files")
    in_flight = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=complaint_trace_job.name, statuses=_ACTIVE), limit=1)
    if in_flight:
        # Leave the cursor alone: the next tick starts a run once this one has finished.
        return dg.SkipReason(f"run {in_flight[0].run_id} still in progress")
    context.update_cursor(fingerprint)
    as_of = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return dg.RunRequest(run_key=fingerprint, run_config=as_of_run_config(as_of),
                         tags={"landing_files": str(count), "as_of": as_of})


SENSORS = [landing_sensor]
