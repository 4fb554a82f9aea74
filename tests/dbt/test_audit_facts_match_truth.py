"""The simulator plants a case for every rule (and near misses that must not fire); loading its
feeds with the connectors and building the dbt project at the truth's as-of time must give
facts from which exactly the expected findings follow (precision and recall 1.0 per rule)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from connectors import load_source
from tests.conftest import SimulatedRun
from tests.dbt.audit_rules import findings
from tests.dbt.dbt_runner import dbt

RULES = ("T1", "T2", "T3", "F1", "F2", "F3", "F4", "F5", "R1", "O1", "O2")
HIDDEN = {"msisdn", "dbt_invocation_id", "dagster_run_id"}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def simulated_build(simulated_landing: SimulatedRun,
                    tmp_path_factory) -> tuple[list[dict], list[dict]]:
    """The facts and the step rows (audit-rules §10) of the simulated landing."""
    work = tmp_path_factory.mktemp("dbt_truth")
    warehouse = work / "warehouse.duckdb"
    meta = json.loads((simulated_landing.truth / "meta.json").read_text())
    with duckdb.connect(str(warehouse)) as con:
        for source in ("crm", "ticketing", "netops"):
            load_source(con, simulated_landing.landing, source, meta["source_tz"], "truth-test")
    dbt("build", warehouse=warehouse, as_of=meta["as_of"], work=work)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return (_rows(con, "select * from main.fct_audit_facts"),
                _rows(con, "select * from main.fct_ticket_steps"))


@pytest.fixture(scope="module")
def simulated_facts(simulated_build) -> list[dict]:
    return simulated_build[0]


def _truth(truth_dir: Path) -> tuple[set[tuple[str, str]], dict[str, str]]:
    with (truth_dir / "expected_findings.csv").open() as f:
        expected = {(r["ticket_id"], r["rule_id"]) for r in csv.DictReader(f)}
    with (truth_dir / "scenarios.csv").open() as f:
        scenarios = {r["ticket_id"]: r["scenario"] for r in csv.DictReader(f)}
    return expected, scenarios


def _explain(pairs: set[tuple[str, str]], facts: dict[str, dict], scenarios: dict) -> str:
    lines = []
    for ticket_id, rule in sorted(pairs):
        shown = {k: v for k, v in facts.get(ticket_id, {}).items()
                 if v is not None and k not in HIDDEN}
        lines.append(f"  {ticket_id} {rule} scenario={scenarios.get(ticket_id)}: {shown}")
    return "\n".join(lines)


def test_every_ticket_created_by_as_of_has_facts(simulated_facts, simulated_landing) -> None:
    _, scenarios = _truth(simulated_landing.truth)
    assert set(scenarios) <= {f["ticket_id"] for f in simulated_facts}


@pytest.mark.parametrize("rule", RULES)
def test_rule_matches_truth_with_precision_and_recall_one(
    rule: str, simulated_build, simulated_landing: SimulatedRun
) -> None:
    simulated_facts, steps = simulated_build
    expected, scenarios = _truth(simulated_landing.truth)
    expected = {pair for pair in expected if pair[1] == rule}
    found = {pair for pair in findings(simulated_facts, steps) if pair[1] == rule}
    assert expected, f"the simulated dataset plants no {rule} case; the test would prove nothing"
    by_id = {f["ticket_id"]: f for f in simulated_facts}
    assert found == expected, (
        f"{rule}: false positives\n{_explain(found - expected, by_id, scenarios)}\n"
        f"{rule}: missed\n{_explain(expected - found, by_id, scenarios)}"
    )
