"""The dbt project as Dagster assets: every seed and model an asset downstream of the raw
ingestion assets (dbt sources keep the default keys `[source, table]`, which are the ingestion
keys), and the dbt tests of each model one asset check, `dbt_tests` (`dbt_tests.py`).

One `dbt build` per run, with the warehouse file passed as dbt vars and the run's as-of time
and run id as environment variables (`run_context_env`), so a mart row names the Dagster run
and the dbt invocation that built it. The assets are made from the manifest when the
definitions are built (`dbt_assets_of`), not when this module is imported.
"""


import contextlib
import functools
import json
import os
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
from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from orchestration.assets import dbt_tests
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

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        """The model's one `dbt_tests` check for each test attached to it (dagster-dbt keeps
        one spec per name and asset), instead of a check per test."""
        if dbt_tests.tested_asset(manifest, self, unique_id, project) != asset_spec.key:
            return None
        return dbt_tests.model_check_spec(
            asset_spec.key, asset_spec.metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY])


class DbtBuildConfig(dg.Config):
    """Run configuration of the dbt step."""

    full_refresh: bool = False
    """Rebuild incremental models from scratch (after a change of seeds or thresholds)."""
    unit_tests: bool = False
    """Also run the dbt unit tests. They test SQL logic on fixed rows, not the day's data, so
    a production run skips them (dbt's advice); the test suite runs them."""


PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def build_vars(warehouse: WarehouseResource) -> dict[str, Any]:
    """The dbt vars of every run on one warehouse (dbt_project.yml documents each;
    profiles.yml reads them). What changes from run to run travels in `run_context_env`
    instead: dbt re-parses the whole project (~5 s) whenever the vars differ from the last
    parse's."""
    return {"warehouse_path": warehouse.path,
            "duckdb_memory_limit": warehouse.memory_limit,
            "duckdb_temp_directory": warehouse.temp_directory,
            "duckdb_max_temp_directory_size": warehouse.max_temp_directory_size}


def run_context_env(*, as_of: str, run_id: str) -> dict[str, str]:
    """The run's as-of time and id for the dbt process (macros/run_context.sql reads them at
    execution, never at parse time, so they leave dbt's partial parse valid). The
    `DBT_ENV_CUSTOM_ENV_` prefix also records them in the run's artefacts."""
    return {"DBT_ENV_CUSTOM_ENV_AS_OF": as_of, "DBT_ENV_CUSTOM_ENV_DAGSTER_RUN_ID": run_id}


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """`values` in this process's environment while the block runs (dagster-dbt copies the
    environment into the dbt process when it starts it, and takes no environment of its
    own), the previous values after."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@functools.cache
def dbt_assets_of(project: DbtProject = DBT_PROJECT) -> dg.AssetsDefinition:
    """The assets of `project`'s manifest (prepared first: `prepare_manifest`), made once."""
    prepare_manifest(project)
    manifest = json.loads(project.manifest_path.read_text())
    # dagster-dbt's per-test checks off: its per-test results become observations, which the
    # asset drops for the model checks of `translator.get_asset_check_spec`
    translator = ComplaintTraceTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))
    tests_by_asset = dbt_tests.tests_by_asset(manifest, translator)

    @dbt_assets(manifest=manifest, project=project, dagster_dbt_translator=translator)
    def complaint_trace_dbt_assets(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        pipeline: PipelineConfig,
        warehouse: WarehouseResource,
        config: DbtBuildConfig,
    ) -> Iterator[Any]:
        """Staging, intermediate and mart models of the complaint trace, seeds, and dbt
        tests."""
        args = ["build", "--vars", json.dumps(build_vars(warehouse))]
        if config.full_refresh:
            args.append("--full-refresh")
        if not config.unit_tests:
            args += ["--exclude-resource-type", "unit_test"]
        args += dbt_tests.checks_only_args(context)
        settings = pipeline.settings()
        target = dbt_run_target(settings.dbt_runs_dir, context.run.run_id,
                                settings.dbt_runs_kept)
        run_env = run_context_env(as_of=pipeline.as_of_text(), run_id=context.run.run_id)
        with environment(run_env):
            invocation = dbt.cli(args, context=context, target_path=target)
        failure = None
        try:
            for event in invocation.stream():
                if not dbt_tests.is_test_event(event):
                    yield event
        except DagsterDbtCliRuntimeError as exc:  # the failing tests are what one looks for
            failure = exc
        yield from dbt_tests.model_check_results(
            context.selected_asset_check_keys, tests_by_asset, manifest,
            target / "run_results.json")
        if failure is not None:
            raise failure

    return complaint_trace_dbt_assets


def dbt_run_target(runs_dir: Path, run_id: str, keep: int) -> Path:
    """This run's dbt target folder under the home, after removing all but the newest `keep`
    earlier ones (each run's artefacts take ~8 MB; a 15-minute schedule would pile them up).
    It starts with the newest earlier run's parse (`seed_partial_parse`)."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    earlier = sorted((p for p in runs_dir.iterdir() if p.is_dir() and p.name != run_id),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    target = runs_dir / run_id
    seed_partial_parse(target, earlier)
    for old in earlier[max(keep - 1, 0):]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def seed_partial_parse(target: Path, earlier_targets: list[Path]) -> None:
    """Copy the parse of the first of `earlier_targets` that has one into `target`, unless it
    has its own: dbt then re-reads only the files changed since (dbt's partial parsing), and
    re-parses all when the project, vars or profile differ. dagster-dbt would seed the target
    from the project folder's parse instead, which has no run's vars and never matches."""
    if (target / PARTIAL_PARSE_FILE).exists():
        return
    for earlier in earlier_targets:
        parse = earlier / PARTIAL_PARSE_FILE
        if parse.exists():
            target.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):  # pruned by a concurrent run
                shutil.copyfile(parse, target / PARTIAL_PARSE_FILE)
                return
