"""A sensor that starts the whole graph when files land (or change) under the landing root:
one run per new batch, as of that batch's delivery time."""

from datetime import UTC, datetime

import dagster as dg

from complaint_trace.contract import ENTITIES, Entity
from complaint_trace.delivery import slot_of, source_minutes
from complaint_trace.run_lock import held_elsewhere
from complaint_trace.settings import Settings
from connectors.files import LandingFile, landing_files, landing_fingerprint
from connectors.standard.feeds import LANDING_FOLDERS
from orchestration.jobs import as_of_run_config, complaint_trace_job
from orchestration.resources import PipelineConfig

_ACTIVE = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED,
           dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def delivery_as_of(pipeline: PipelineConfig, now: datetime,
                   listed: dict[Entity, list[LandingFile]] | None = None) -> datetime:
    """The as-of of a run over what has landed: the end of the newest delivery slot a file
    name states (`complaint_trace/delivery.py`), so T2/T3 fire as soon as a limit passes and a
    replayed history audits each batch as it was then; never later than `now` (a slot still
    being delivered), and `now` when no name states a slot. Naive UTC. `listed`: the landing
    files, when the caller has listed them already."""
    listed = listed if listed is not None else landing_files(pipeline.landing_dir, ENTITIES)
    newest = None
    for entity in ENTITIES:
        minutes = source_minutes(entity.source, pipeline.delivery_minutes)
        for file in listed[entity]:
            try:
                slot = slot_of(file.path.name, pipeline.source_tz, minutes)
            except ValueError:  # a slot name on a feed configured as daily: its time is unknown
                slot = None
            if slot is not None and (newest is None or slot.end > newest):
                newest = slot.end
    moment = now if newest is None else min(newest.astimezone(UTC).replace(tzinfo=None), now)
    return moment.replace(microsecond=0)


def make_landing_sensor(interval_seconds: int) -> dg.SensorDefinition:
    """The sensor, ticking every `interval_seconds` (`Settings.sensor_interval_seconds`)."""

    @dg.sensor(
        name="landing_sensor",
        job=complaint_trace_job,
        minimum_interval_seconds=interval_seconds,
        description="Runs the whole graph when the landing root's files change (new, replaced), "
                    "as of the newest delivery's time.",
    )
    def landing_sensor(context: dg.SensorEvaluationContext, pipeline: PipelineConfig):
        """Cursor: digest of every landing file's path, size and mtime. The run itself loads
        only files whose SHA-256 is new, so a touched-but-identical file costs one cheap run.
        Runs never overlap: while a run of the job is in flight, or another process (the CLI)
        holds the home's run lock, the tick waits and the cursor stays, so the next tick
        starts one."""
        return _tick(context, pipeline)

    return landing_sensor


def _tick(context: dg.SensorEvaluationContext, pipeline: PipelineConfig):
    listed = landing_files(pipeline.landing_dir, LANDING_FOLDERS)  # once per tick
    count, fingerprint = landing_fingerprint(pipeline.landing_dir, LANDING_FOLDERS, listed)
    if count == 0:
        return dg.SkipReason(f"no landing files under {pipeline.landing_dir}")
    if fingerprint == context.cursor:
        return dg.SkipReason("no new or changed landing files")
    in_flight = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=complaint_trace_job.name, statuses=_ACTIVE), limit=1)
    if in_flight:
        return dg.SkipReason(f"run {in_flight[0].run_id} still in progress")
    holder = held_elsewhere(pipeline.settings().home_dir)
    if holder:
        return dg.SkipReason(f"another process is running the pipeline on this home ({holder})")
    context.update_cursor(fingerprint)
    as_of = delivery_as_of(pipeline, datetime.now(UTC).replace(tzinfo=None), listed).strftime(
        "%Y-%m-%d %H:%M:%S")
    return dg.RunRequest(run_key=fingerprint, run_config=as_of_run_config(as_of),
                         tags={"landing_files": str(count), "as_of": as_of})


landing_sensor = make_landing_sensor(Settings.model_fields["sensor_interval_seconds"].default)
"""The sensor at the default interval (what `build_sensors` makes of default settings)."""


def build_sensors(settings: Settings) -> list[dg.SensorDefinition]:
    return [make_landing_sensor(settings.sensor_interval_seconds)]
