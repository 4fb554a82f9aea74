"""The audit checks and assets in a small Dagster graph: upstream assets stand in for the
ingestion and dbt steps and write hand-made tables; the real checks and audit assets run."""

from __future__ import annotations

from datetime import datetime

import dagster as dg
import duckdb
import pytest
from qc_factories import fact, load_facts, write_audit_config
from test_audit_rules import VARS
from test_integrity_suite import CLEAN, _create_staging, _ticket

from orchestration.assets.audit import audit_assets
from orchestration.checks import CHECKS
from orchestration.resources import PipelineConfig, WarehouseResource
from quality_checks.integrity import FACTS as FACTS_TABLE
from quality_checks.integrity import STAGING_TABLES

AS_OF = "2024-03-10 00:00:00"
FACTS = [fact("K1"), fact("K2", resolution_clock_minutes=2881.0,
                          resolution_deadline_department="tier2")]


def _graph(warehouse: str, staging: dict) -> list:
    @dg.asset(key=["ticketing", "tickets"])
    def raw_tickets() -> None:
        con = duckdb.connect(warehouse)
        _create_staging(con, staging)  # raw_ticketing.tickets (and staging, rebuilt below)
        con.close()

    @dg.multi_asset(
        # as in dbt: staging reads raw, the facts read staging
        specs=[dg.AssetSpec(list(t.asset), deps=[["ticketing", "tickets"]])
               for t in STAGING_TABLES if t is not FACTS_TABLE]
        + [dg.AssetSpec(list(FACTS_TABLE.asset),
                        deps=[list(t.asset) for t in STAGING_TABLES if t is not FACTS_TABLE])],
    )
    def dbt_build():
        con = load_facts(warehouse, FACTS)
        _create_staging(con, staging)
        write_audit_config(con, **VARS)
        con.close()
        for t in STAGING_TABLES:
            yield dg.MaterializeResult(asset_key=list(t.asset))

    return [raw_tickets, dbt_build, *audit_assets(), *CHECKS]


def _run(tmp_path, staging):
    home = tmp_path / "home"
    warehouse = str(tmp_path / "warehouse.duckdb")
    resources = {
        "warehouse": WarehouseResource(path=warehouse),
        "pipeline": PipelineConfig(home=str(home), landing=str(tmp_path), as_of=AS_OF),
    }
    result = dg.materialize(_graph(warehouse, staging), resources=resources,
                            raise_on_error=False)
    checks = {(e.asset_key.to_user_string(), e.check_name): e
              for e in result.get_asset_check_evaluations()}
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    return result, checks, materialised, home


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("dagster_clean"), CLEAN)


def test_rule_checks_report_breaking_tickets_as_warnings(clean_run):
    _, checks, _, home = clean_run
    t1 = checks[("audit/rule_outcomes", "rule_T1")]
    assert not t1.passed and t1.severity == dg.AssetCheckSeverity.WARN
    assert t1.metadata["sample_ticket_ids"].value == ["K2"]
    assert t1.metadata["data_docs"].value == str(home / "data_docs" / "index.html")
    assert checks[("audit/rule_outcomes", "rule_F1")].passed


def test_integrity_checks_pass_on_clean_sources_and_findings_are_published(clean_run):
    result, checks, materialised, home = clean_run
    assert checks[("stg_ticketing__tickets", "source_integrity")].passed
    assert checks[("ticketing/tickets", "raw_ticket_identity")].passed
    assert {"audit/findings", "audit/agg_audit_daily"} <= materialised
    meta = next(e for e in result.get_asset_materialization_events()
                if e.asset_key.to_user_string() == "audit/findings").materialization.metadata
    assert meta["findings_by_rule"].value == {"T1": 1}
    # GX ran once: the findings step took the rule_outcomes asset's output as its input
    assert meta["validated_by"].value == "the rule_outcomes step"
    assert (home / "data_docs" / "index.html").is_file()


def test_duplicate_ticket_blocks_the_audit_and_publish_steps(tmp_path):
    staging = {**CLEAN, "tickets": [*CLEAN["tickets"], _ticket("K2")], "raw_tickets": []}
    _, checks, materialised, _ = _run(tmp_path, staging)
    check = checks[("stg_ticketing__tickets", "source_integrity")]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["blocking_failures"].value == ["unique key"]
    facts = checks[("fct_audit_facts", "source_integrity")]
    assert not facts.passed and facts.severity == dg.AssetCheckSeverity.ERROR
    assert facts.metadata["upstream_blocking_failures"].value == [
        "stg_ticketing__tickets: unique key"]
    assert "audit/findings" not in materialised


def test_audit_as_of_comes_from_the_pipeline_config(clean_run):
    result, *_ = clean_run
    meta = next(e for e in result.get_asset_materialization_events()
                if e.asset_key.to_user_string() == "audit/findings").materialization.metadata
    assert meta["as_of"].value == datetime.fromisoformat(AS_OF).strftime("%Y-%m-%d %H:%M:%S")


def test_every_check_targets_an_asset_of_the_real_graph_and_gates_the_publish_step():
    from orchestration.definitions import defs

    loaded = defs()
    dg.Definitions.validate_loadable(loaded)
    graph = loaded.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    targets = {spec.asset_key for check in CHECKS for spec in check.check_specs}
    assert targets <= keys, f"checks on unknown assets: {targets - keys}"
    blocking_on_facts = [spec for check in CHECKS for spec in check.check_specs
                         if spec.asset_key == dg.AssetKey(["fct_audit_facts"]) and spec.blocking]
    assert blocking_on_facts, "no blocking check on the facts the audit and publish steps read"
    # the audit step reads the facts directly, so the blocking check gates it
    assert dg.AssetKey(["fct_audit_facts"]) in graph.get(
        dg.AssetKey(["audit", "findings"])).parent_keys
