"""The dbt project as Dagster assets: every seed and model an asset downstream of the raw
ingestion assets (dbt sources keep the default keys `[source, table]`, which are the ingestion
keys), and every dbt test an asset check.

One `dbt build` per run, with the run's as-of time, its run id and the warehouse file passed
as dbt vars, so a mart row names the Dagster run and the dbt invocation that built it.
"""


import json
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from complaint_trace.settings import DBT_PROJECT_DIR, get_settings
from orchestration.resources import PipelineConfig, WarehouseResource

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """dbt as installed beside this interpreter (the venv need not be activated):
    `complaint-trace-dbt`, dbt's CLI in a process that ends with its run
    (complaint_trace/dbt_child.py), else plain `dbt`."""
    for name in ("complaint-trace-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.exists():
            return str(beside)
    return shutil.which("dbt") or "dbt"


def dbt_resource() -> DbtCliResource:
    """The `"dbt"` resource: the CLI over this project; the warehouse path travels as a var."""
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())


def _manifest_is_current(project: DbtProject) -> bool:
    """The manifest exists and is newer than every file it is parsed from."""
    if not project.manifest_path.exists():
        return False
    built = project.manifest_path.stat().st_mtime
    sources = [project.project_dir / "dbt_project.yml", project.project_dir / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        sources += (project.project_dir / folder).rglob("*")
    return all(path.stat().st_mtime <= built for path in sources if path.is_file())


def ensure_manifest(project: DbtProject = DBT_PROJECT) -> None:
    """Parse the project when its manifest is missing or older than the project's files (a
    fresh checkout, CI, a pull), or under `dagster dev`, so the asset graph never comes from a
    stale build artefact."""
    if _manifest_is_current(project) and not project.preparer.using_dagster_dev():
        return
    dbt_resource().cli(["parse", "--quiet"], target_path=project.target_path).wait()


ensure_manifest()


class ComplaintTraceTranslator(DagsterDbtTranslator):
    """dagster-dbt's default keys (sources keep `[source, table]`, the ingestion keys), with the
    dbt layer as the asset group so the UI shows staging, intermediate, marts and seeds apart."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "dbt_seeds"
        if dbt_resource_props["resource_type"] == "model":
            return f"dbt_{dbt_resource_props['fqn'][1]}"
        return super().get_group_name(dbt_resource_props)


class DbtBuildConfig(dg.Config):
    """Run configuration of the dbt step."""

    full_refresh: bool = False
    """Rebuild incremental models from scratch (after a change of seeds or thresholds)."""
    unit_tests: bool = False
    """Also run the dbt unit tests. They test SQL logic on fixed rows, not the day's data, so
    a production run skips them (dbt's advice); the test suite runs them."""


def build_vars(*, as_of: str, run_id: str, warehouse: WarehouseResource) -> dict[str, Any]:
    """The dbt vars of one run (dbt_project.yml documents each; profiles.yml reads the
    DuckDB settings)."""
    return {"as_of": as_of, "dagster_run_id": run_id, "warehouse_path": warehouse.path,
            "duckdb_memory_limit": warehouse.memory_limit,
            "duckdb_temp_directory": warehouse.temp_directory,
            "duckdb_max_temp_directory_size": warehouse.max_temp_directory_size}


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=ComplaintTraceTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def complaint_trace_dbt_assets(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    pipeline: PipelineConfig,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
) -> Iterator[Any]:
    """Staging, intermediate and mart models of the complaint trace, seeds, and dbt tests."""
    dbt_vars = build_vars(
        as_of=pipeline.as_of_text(), run_id=context.run.run_id, warehouse=warehouse
    )
    args = ["build", "--vars", json.dumps(dbt_vars)]
    if config.full_refresh:
        args.append("--full-refresh")
    if not config.unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    settings = get_settings(home=pipeline.home)
    target = dbt_run_target(settings.dbt_runs_dir, context.run.run_id, settings.dbt_runs_kept)
    yield from dbt.cli(args, context=context, target_path=target).stream()


def dbt_run_target(runs_dir: Path, run_id: str, keep: int) -> Path:
    """This run's dbt target folder under the home, after removing all but the newest `keep`
    earlier ones (each run's artefacts take ~8 MB; a 15-minute schedule would pile them up)."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    earlier = sorted((p for p in runs_dir.iterdir() if p.is_dir() and p.name != run_id),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in earlier[max(keep - 1, 0):]:
        shutil.rmtree(old, ignore_errors=True)
    return runs_dir / run_id


ASSETS: list = [complaint_trace_dbt_assets]
