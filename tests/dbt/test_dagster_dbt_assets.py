"""The dbt project seen from Dagster: one lineage with the ingestion assets, seeds as assets,
the dbt tests of each model one asset check, and a materialisation that passes the run's
as-of and run id."""

from __future__ import annotations

import json

import dagster as dg
import duckdb

from connectors.standard.feeds import RAW_TABLE_FOLDERS
from orchestration.assets.dbt import dbt_assets_of
from orchestration.dbt_project import DBT_PROJECT, dbt_resource, prepare_manifest
from orchestration.resources import PipelineConfig, WarehouseResource
from tests.dbt import handmade
from tests.dbt.conftest import BuiltWarehouse

MARTS = ("dim_tickets", "fct_ticket_cells", "fct_ticket_timeline",
         "fct_cell_degradation_episodes", "fct_audit_facts")


def test_dbt_sources_are_the_ingestion_asset_keys() -> None:
    dbt_assets = dbt_assets_of()
    upstream = set(dbt_assets.dependency_keys) - set(dbt_assets.keys)
    assert upstream == {dg.AssetKey([e.source, e.name]) for e in RAW_TABLE_FOLDERS}


def test_models_and_seeds_are_assets_and_each_model_s_tests_one_check() -> None:
    dbt_assets = dbt_assets_of()
    keys = {key.path[-1] for key in dbt_assets.keys}
    assert set(MARTS) | {"sla_policy", "kpi_thresholds", "closure_codes", "rule_catalog"} <= keys
    checks = {(check.asset_key.path[-1], check.name) for check in dbt_assets.check_keys}
    assert {(mart, "dbt_tests") for mart in MARTS} <= checks
    assert {name for _, name in checks} == {"dbt_tests"}


def test_materialize_builds_every_mart_with_the_run_lineage(
    handmade_build: BuiltWarehouse,
) -> None:
    with duckdb.connect(str(handmade_build.path), read_only=True) as con:
        for mart in MARTS:
            rows = con.execute(f"select count(*), min(dagster_run_id), max(dagster_run_id) "
                               f"from main.{mart}").fetchone()
            assert rows[0] > 0, mart
            assert rows[1:] == (handmade_build.run_id, handmade_build.run_id), mart


def _resources(build: BuiltWarehouse) -> dict:
    work = build.path.parent
    return {"dbt": dbt_resource(), "warehouse": WarehouseResource(path=str(build.path)),
            "pipeline": PipelineConfig(home=str(work), landing=str(work / "landing"),
                                       as_of=handmade.AS_OF)}


def test_a_check_selected_alone_runs_its_model_s_tests_and_builds_nothing(
    handmade_build: BuiltWarehouse,
) -> None:
    """The UI's "execute" on one model's `dbt_tests` check: dbt runs that model's tests only
    (as many as the manifest attaches to it), no model is rebuilt."""
    dbt_assets = dbt_assets_of()
    check = next(k for k in dbt_assets.check_keys if k.asset_key.path[-1] == "dim_tickets")
    model_id = dbt_assets.get_asset_spec(check.asset_key).metadata["dagster_dbt/unique_id"]
    manifest = json.loads(DBT_PROJECT.manifest_path.read_text())
    attached = [n for n in manifest["nodes"].values()
                if n["resource_type"] == "test" and n.get("attached_node") == model_id]
    assert attached
    result = dg.materialize([dbt_assets], resources=_resources(handmade_build),
                            selection=dg.AssetSelection.checks(check))
    assert result.success
    assert result.get_asset_materialization_events() == []
    (evaluation,) = result.get_asset_check_evaluations()
    assert (evaluation.asset_key, evaluation.check_name, evaluation.passed) == \
        (check.asset_key, "dbt_tests", True)
    assert evaluation.metadata["tests_run"].value == len(attached)


def test_models_with_the_checks_of_other_models_are_refused_with_the_reason(
    handmade_build: BuiltWarehouse,
) -> None:
    dbt_assets = dbt_assets_of()
    facts_check = next(k for k in dbt_assets.check_keys
                       if k.asset_key.path[-1] == "fct_audit_facts")
    dim = next(k for k in dbt_assets.keys if k.path[-1] == "dim_tickets")
    result = dg.materialize(
        [dbt_assets], resources=_resources(handmade_build), raise_on_error=False,
        selection=dg.AssetSelection.assets(dim).without_checks()
        | dg.AssetSelection.checks(facts_check))
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "selected without their models" in str(failure.event_specific_data.error)


def test_a_model_rebuilt_by_new_rows_only_reads_only_such_models() -> None:
    """A by-ticket model configured `changed_by='rows'` skips the tickets whose clock alone
    moved; were a by-ticket model it reads rebuilt for them, its rows would go stale
    (dbt_project/README.md, "What changed, defined once")."""
    prepare_manifest()
    nodes = json.loads(DBT_PROJECT.manifest_path.read_text())["nodes"]
    by_ticket = {uid: node for uid, node in nodes.items() if node["resource_type"] == "model"
                 and any("drop_changed_tickets" in hook["sql"]
                         for hook in node["config"].get("pre-hook", []))}
    rows_only = {uid for uid, node in by_ticket.items()
                 if node["config"]["meta"].get("changed_by") == "rows"}
    names = {by_ticket[uid]["name"] for uid in rows_only}
    assert {"int_tickets_linked_to_cells", "fct_ticket_cells"} <= names
    assert "int_tickets_clocked" not in names and len(rows_only) < len(by_ticket)
    for uid in rows_only:
        read = set(nodes[uid]["depends_on"]["nodes"]) & set(by_ticket)
        assert read <= rows_only, (nodes[uid]["name"], sorted(read - rows_only))
