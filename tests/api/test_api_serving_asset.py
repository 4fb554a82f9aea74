"""The `["serving", "snapshot"]` asset publishes from the warehouse resource and run id."""

from __future__ import annotations

from datetime import datetime

import dagster as dg
import duckdb

from orchestration.assets.serving import ASSETS, serving_snapshot
from orchestration.resources import PipelineConfig, WarehouseResource
from serving.layout import current_snapshot


def test_serving_asset_publishes_a_snapshot_stamped_with_the_run(api_home, tmp_path):
    result = dg.materialize(ASSETS, resources={
        "warehouse": WarehouseResource(path=str(api_home.warehouse)),
        "pipeline": PipelineConfig(home=str(api_home.settings.home_dir),
                                   landing=str(tmp_path / "landing"),
                                   as_of="2026-03-06 00:00:00"),
    })
    assert result.success
    current = current_snapshot(api_home.settings.snapshots_dir)
    assert current != api_home.first.path
    con = duckdb.connect(str(current), read_only=True)
    assert con.execute("select run_id, as_of from snapshot_meta").fetchone() == (
        result.run_id, datetime(2026, 3, 6))
    meta = result.asset_materializations_for_node(serving_snapshot.op.name)[0].metadata
    assert meta["rows main.dim_tickets"].value == 7


def test_serving_asset_depends_on_marts_and_audit():
    deps = {key.to_user_string() for key in serving_snapshot.dependency_keys}
    assert {"dim_tickets", "int_ticket_items_unioned", "fct_audit_facts", "audit/findings",
            "audit/agg_audit_daily"} <= deps


def test_a_failing_blocking_check_upstream_stops_the_publish(api_home, tmp_path):
    @dg.asset(key="dim_tickets")
    def dim_tickets() -> None:
        """Stand-in for the dbt model (the hand-made warehouse already holds it)."""

    @dg.asset_check(asset="dim_tickets", blocking=True)
    def duplicate_ticket_ids() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, metadata={"duplicates": 2})

    result = dg.materialize([dim_tickets, duplicate_ticket_ids, *ASSETS], raise_on_error=False,
                            resources={
        "warehouse": WarehouseResource(path=str(api_home.warehouse)),
        "pipeline": PipelineConfig(home=str(api_home.settings.home_dir),
                                   landing=str(tmp_path / "landing")),
    })
    assert not result.success
    assert not result.asset_materializations_for_node(serving_snapshot.op.name)
    assert current_snapshot(api_home.settings.snapshots_dir) == api_home.first.path
