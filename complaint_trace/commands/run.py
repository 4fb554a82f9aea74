"""Run the whole pipeline headlessly (ingest, models, audit, publish) from the same Dagster
definitions the UI shows; exits non-zero with the failing step's reason."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from complaint_trace.run_lock import RunInProgress, run_lock
from complaint_trace.settings import Settings, get_settings

NAME = "run"
JOB_NAME = "complaint_trace_job"
_DAGSTER_YAML = "telemetry:\n  enabled: false\n"
DBT_DURATION = "Execution Duration"  # the metadata key dagster-dbt puts on every dbt node


def _settings(**options) -> Settings:
    try:
        settings = get_settings(**options)
        settings.as_of_utc  # noqa: B018 - resolve now so a bad --as-of fails before any work
    except ValidationError as exc:
        typer.echo(f"complaint-trace run: invalid option: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    if not settings.landing_dir.is_dir():
        typer.echo(f"complaint-trace run: landing root {settings.landing_dir} does not exist",
                   err=True)
        raise typer.Exit(code=2)
    return settings


def _dagster_home(settings: Settings) -> None:
    """`<home>/dagster` holds the run's events, so the run shows in `dagster dev`."""
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    config = settings.dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(_DAGSTER_YAML)


# The console shows Dagster's INFO events (the DEBUG stream stays in the run's event log).
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def failure_reason(error) -> str:
    """The root cause of a step failure (Dagster wraps the user's exception in its own)."""
    if error is None:
        return "no error recorded"
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def _numbers(metadata) -> str:
    return ", ".join(f"{k.removeprefix('dagster/')}={v.value}" for k, v in metadata.items()
                     if isinstance(v.value, int | float) and not isinstance(v.value, bool))


NAMED = ("blocking_failures", "upstream_blocking_failures", "failed_checks_named",
         "failed_files")  # check metadata that names what failed: shown on the summary line


def _named(metadata) -> str:
    named = []
    for key in NAMED:
        value = metadata[key].value if key in metadata else None
        if value:
            named.append(f"{key}: " + ("; ".join(map(str, value)) if isinstance(value, list)
                                       else str(value)))
    return "".join(f"\n    {line}" for line in named)


def _summarise(result) -> list[str]:
    """One line per materialised asset (its numeric metadata) and per failed check or step."""
    lines, dbt_seconds = [], []
    for event in result.all_events:
        if event.is_step_materialization:
            materialization = event.step_materialization_data.materialization
            if DBT_DURATION in materialization.metadata:  # one line for all dbt nodes
                dbt_seconds.append(materialization.metadata[DBT_DURATION].value)
                continue
            lines.append(f"  {materialization.asset_key.to_user_string()}: "
                         f"{_numbers(materialization.metadata)}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                lines.append(f"  check {evaluation.asset_key.to_user_string()}:"
                             f"{evaluation.check_name} {evaluation.severity.value}: "
                             f"{_numbers(evaluation.metadata)}{_named(evaluation.metadata)}")
        elif event.is_step_failure:
            reason = failure_reason(event.event_specific_data.error)
            lines.append(f"  step {event.step_key} FAILED: {reason}")
    if dbt_seconds:
        lines.append(f"  dbt: {len(dbt_seconds)} models and seeds built, "
                     f"{sum(dbt_seconds):.1f} s in total (per model: the run's metadata in the UI)")
    return lines


def command(
    landing: Annotated[Path | None, typer.Option(help="Landing root; default <home>/landing.")]
    = None,
    home: Annotated[Path | None, typer.Option(help="Home: warehouse, snapshots, DAGSTER_HOME.")]
    = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Audit as-of time (ISO 8601; naive = UTC); default now.")] = None,
    source_tz: Annotated[str | None, typer.Option(
        "--source-tz", help="Zone of naive source timestamps; default Asia/Shanghai.")] = None,
) -> None:
    settings = _settings(home=home, landing=landing, as_of=as_of, source_tz=source_tz)
    # every step audits as of the same moment, also when it is "now"
    settings = settings.model_copy(update={"as_of": settings.as_of_utc})
    as_of_text = settings.as_of_utc.strftime("%Y-%m-%d %H:%M:%S")
    _dagster_home(settings)
    from dagster import DagsterInstance

    from orchestration.definitions import build_definitions
    from quality_checks.gx_runner import data_docs_index

    job = build_definitions(settings).resolve_job_def(JOB_NAME)
    typer.echo(f"complaint-trace run: landing {settings.landing_dir}, home {settings.home_dir}, "
               f"as-of {as_of_text} UTC")
    run_id = str(uuid.uuid4())
    try:
        with run_lock(settings.home_dir, run_id), \
                DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            result = job.execute_in_process(
                run_config=RUN_CONFIG, instance=instance, run_id=run_id,
                raise_on_error=False, tags={"as_of": as_of_text, "launched_by": "cli"})
    except RunInProgress as exc:
        typer.echo(f"complaint-trace run: {exc}", err=True)
        raise typer.Exit(code=3) from exc
    typer.echo("\n".join(_summarise(result)))
    if settings.data_docs_dir.exists():  # the audit built them, even on a later step's failure
        typer.echo(f"  GX Data Docs: {data_docs_index(settings.data_docs_dir)}")
    if not result.success:
        typer.echo(f"complaint-trace run: run {result.run_id} FAILED", err=True)
        for event in result.all_events:
            if event.is_step_failure:
                reason = failure_reason(event.event_specific_data.error)
                typer.echo(f"  {event.step_key}: {reason}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"complaint-trace run: run {result.run_id} succeeded")
