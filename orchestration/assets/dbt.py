"""The dbt project as Dagster assets: every seed and model an asset downstream of the raw
ingestion assets (dbt sources keep the default keys `[source, table]`, which are the ingestion
keys), and every dbt test an asset check.

One `dbt build` per run, with the run's as-of time, its run id and the warehouse file passed
as dbt vars, so a mart row names the Dagster run and the dbt invocation that built it. The
assets are made from the manifest when the definitions are built (`dbt_assets_of`), not when
this module is imported.
"""


import functools
import json
import shutil
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

from orchestration.dbt_project import DBT_PROJECT, prepare_manifest
from orchestration.resources import PipelineConfig, WarehouseResource


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


@functools.cache
def dbt_assets_of(project: DbtProject = DBT_PROJECT) -> dg.AssetsDefinition:
    """The assets of `project`'s manifest (prepared first: `prepare_manifest`), made once."""
    prepare_manifest(project)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
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
        """Staging, intermediate and mart models of the complaint trace, seeds, and dbt
        tests."""
        dbt_vars = build_vars(
            as_of=pipeline.as_of_text(), run_id=context.run.run_id, warehouse=warehouse
        )
        args = ["build", "--vars", json.dumps(dbt_vars)]
        if config.full_refresh:
            args.append("--full-refresh")
        if not config.unit_tests:
            args += ["--exclude-resource-type", "unit_test"]
        settings = pipeline.settings()
        target = dbt_run_target(settings.dbt_runs_dir, context.run.run_id,
                                settings.dbt_runs_kept)
        yield from dbt.cli(args, context=context, target_path=target).stream()

    return complaint_trace_dbt_assets


def dbt_run_target(runs_dir: Path, run_id: str, keep: int) -> Path:
    """This run's dbt target folder under the home, after removing all but the newest `keep`
    earlier ones (each run's artefacts take ~8 MB; a 15-minute schedule would pile them up)."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    earlier = sorted((p for p in runs_dir.iterdir() if p.is_dir() and p.name != run_id),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in earlier[max(keep - 1, 0):]:
        shutil.rmtree(old, ignore_errors=True)
    return runs_dir / run_id
