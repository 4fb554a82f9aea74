"""The dbt project seen from Dagster: one lineage with the ingestion assets, seeds as assets,
dbt tests as asset checks, and a materialisation that passes the run's as-of and run id."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from complaint_trace.contract import ENTITIES
from orchestration.assets.dbt import complaint_trace_dbt_assets, dbt_resource
from orchestration.resources import PipelineConfig, WarehouseResource
from tests.dbt import handmade
from tests.dbt.raw_tables import new_warehouse

MARTS = ("dim_tickets", "fct_ticket_cells", "fct_ticket_timeline",
         "fct_cell_degradation_episodes", "fct_audit_facts")


def test_dbt_sources_are_the_ingestion_asset_keys() -> None:
    upstream = set(complaint_trace_dbt_assets.dependency_keys) - set(
        complaint_trace_dbt_assets.keys)
    assert upstream == {dg.AssetKey([e.source, e.name]) for e in ENTITIES}


def test_models_and_seeds_are_assets_and_tests_are_checks() -> None:
    keys = {key.path[-1] for key in complaint_trace_dbt_assets.keys}
    assert set(MARTS) | {"sla_policy", "kpi_thresholds", "closure_codes", "rule_catalog"} <= keys
    checks = {check.name for check in complaint_trace_dbt_assets.check_keys}
    assert "unique_fct_audit_facts_ticket_id" in checks


def test_materialize_builds_the_marts_with_the_run_lineage(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    con = new_warehouse(warehouse)
    handmade.load(con)
    con.close()
    result = dg.materialize(
        [complaint_trace_dbt_assets],
        resources={
            "dbt": dbt_resource(),
            "warehouse": WarehouseResource(path=str(warehouse)),
            "pipeline": PipelineConfig(home=str(tmp_path), landing=str(tmp_path / "landing"),
                                       as_of=handmade.AS_OF),
        },
        selection=dg.AssetSelection.assets(complaint_trace_dbt_assets),
    )
    assert result.success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select count(*), min(dagster_run_id), max(dagster_run_id) "
                           "from main.fct_audit_facts").fetchone()
    assert rows == (5, result.run_id, result.run_id)
