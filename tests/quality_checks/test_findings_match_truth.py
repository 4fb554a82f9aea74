"""End to end: the simulated small dataset through `complaint-trace run` (connectors, dbt, GX
audit, publish); the findings equal the simulator's truth rule by rule, near misses included."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest
from typer.testing import CliRunner

from complaint_trace.cli import app

RULES = ("T1", "T2", "T3", "F1", "F2", "F3", "F4", "F5", "R1", "O1", "O2")


@pytest.fixture(scope="module")
def audited(pipeline_home):
    with duckdb.connect(str(pipeline_home.home / "warehouse.duckdb"), read_only=True) as con:
        found = set(con.execute("select ticket_id, rule_id from audit.findings").fetchall())
        agg = con.execute("select sum(findings) from audit.agg_audit_daily").fetchone()[0]
    with (pipeline_home.truth / "expected_findings.csv").open() as f:
        expected = {(r["ticket_id"], r["rule_id"]) for r in csv.DictReader(f)}
    with (pipeline_home.truth / "scenarios.csv").open() as f:
        scenarios = {r["ticket_id"]: r for r in csv.DictReader(f)}
    return found, expected, scenarios, agg


def _show(pairs, scenarios) -> str:
    return ", ".join(f"{t} ({scenarios.get(t, {}).get('scenario', '?')})" for t, _ in sorted(pairs))


@pytest.mark.parametrize("rule", RULES)
def test_findings_equal_the_simulator_truth(audited, rule):
    found, expected, scenarios, _ = audited
    want = {p for p in expected if p[1] == rule}
    got = {p for p in found if p[1] == rule}
    assert want, f"the simulated dataset plants no {rule} case; the test would prove nothing"
    assert got == want, (f"{rule}: false positives: {_show(got - want, scenarios)}; "
                         f"missed: {_show(want - got, scenarios)}")


def test_near_misses_are_planted_and_raise_no_unexpected_finding(audited):
    found, expected, scenarios, _ = audited
    near = {t for t, s in scenarios.items() if s["is_near_miss"].lower() in ("true", "1")}
    assert near, "the simulated dataset plants no near miss"
    wrong = {p for p in found - expected if p[0] in near}
    assert not wrong, f"near misses flagged: {_show(wrong, scenarios)}"


def test_rollup_and_cli_reconcile_with_the_findings_table(audited, pipeline_home):
    found, _, _, agg = audited
    assert agg == len(found)
    result = CliRunner().invoke(app, ["findings", "--home", str(pipeline_home.home)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(r["ticket_id"], r["rule_id"]) for r in rows} == found


def test_data_docs_show_the_rule_and_integrity_suites(pipeline_home):
    index = pipeline_home.home / "data_docs" / "index.html"
    text = index.read_text()
    assert "audit_rules" in text and "integrity.stg_ticketing__tickets" in text


def test_run_prints_where_the_data_docs_are(pipeline_home):
    index = pipeline_home.home / "data_docs" / "index.html"
    assert f"GX Data Docs: {index}" in pipeline_home.run_output
    # each rule's check line carries its counts, e.g. "rule_T1 WARN: ... tickets_breaking=3"
    assert "audit/rule_outcomes:rule_T1" in pipeline_home.run_output
    assert "tickets_breaking=" in pipeline_home.run_output
