"""The dbt project seen from Dagster: one lineage with the ingestion assets, seeds as assets,
the dbt tests of each model one asset check, and a materialisation that passes the run's
as-of and run id."""

from __future__ import annotations

import dagster as dg
import duckdb

from connectors.standard.feeds import RAW_TABLE_FOLDERS
from orchestration.assets.dbt import dbt_assets_of
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
