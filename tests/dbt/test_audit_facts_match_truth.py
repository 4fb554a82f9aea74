"""The simulator plants a case for every rule (and near misses that must not fire); loading its
feeds with the connectors and building the dbt project at the truth's as-of time must give
facts from which exactly the expected findings follow (precision and recall 1.0 per rule)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from complaint_trace.settings import DBT_PROJECT_DIR
from connectors import load_source
from tests.conftest import SimulatedRun
from tests.dbt.audit_rules import findings
from tests.dbt.dbt_runner import dbt

RULES = ("T1", "T2", "T3", "F1", "F2", "F3", "F4", "F5", "R1", "O1", "O2")
HIDDEN = {"msisdn", "dbt_invocation_id", "dagster_run_id"}


def built_facts(simulated: SimulatedRun, work: Path,
                project: Path = DBT_PROJECT_DIR) -> tuple[list[dict], list[dict]]:
    """The facts and the step rows (audit-rules §10) of a simulated landing, loaded by the
    connectors and built by `project` at the truth's as-of."""
    warehouse = work / "warehouse.duckdb"
    meta = json.loads((simulated.truth / "meta.json").read_text())
    with duckdb.connect(str(warehouse)) as con:
        for source in ("crm", "ticketing", "netops"):
            load_source(con, simulated.landing, source, meta["source_tz"], "truth-test")
    dbt("build", warehouse=warehouse, as_of=meta["as_of"], work=work, project=project)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return (_rows(con, "select * from main.fct_audit_facts"),
                _rows(con, "select * from main.fct_ticket_steps"))


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def simulated_build(simulated_landing: SimulatedRun,
                    tmp_path_factory) -> tuple[list[dict], list[dict]]:
    return built_facts(simulated_landing, tmp_path_factory.mktemp("dbt_truth"))


@pytest.fixture(scope="module")
def simulated_facts(simulated_build) -> list[dict]:
    return simulated_build[0]


def truth_of(truth_dir: Path, findings_file: str = "expected_findings.csv"
             ) -> tuple[set[tuple[str, str]], dict[str, str]]:
    with (truth_dir / findings_file).open() as f:
        expected = {(r["ticket_id"], r["rule_id"]) for r in csv.DictReader(f)}
    with (truth_dir / "scenarios.csv").open() as f:
        scenarios = {r["ticket_id"]: r["scenario"] for r in csv.DictReader(f)}
    return expected, scenarios


def explain(pairs: set[tuple[str, str]], facts: dict[str, dict], scenarios: dict) -> str:
    lines = []
    for ticket_id, rule in sorted(pairs):
        shown = {k: v for k, v in facts.get(ticket_id, {}).items()
                 if v is not None and k not in HIDDEN}
        lines.append(f"  {ticket_id} {rule} scenario={scenarios.get(ticket_id)}: {shown}")
    return "\n".join(lines)


def test_every_ticket_created_by_as_of_has_facts(simulated_facts, simulated_landing) -> None:
    _, scenarios = truth_of(simulated_landing.truth)
    assert set(scenarios) <= {f["ticket_id"] for f in simulated_facts}


@pytest.mark.parametrize("rule", RULES)
def test_rule_matches_truth_with_precision_and_recall_one(
    rule: str, simulated_build, simulated_landing: SimulatedRun
) -> None:
    simulated_facts, steps = simulated_build
    expected, scenarios = truth_of(simulated_landing.truth)
    expected = {pair for pair in expected if pair[1] == rule}
    found = {pair for pair in findings(simulated_facts, steps) if pair[1] == rule}
    assert expected, f"the simulated dataset plants no {rule} case; the test would prove nothing"
    by_id = {f["ticket_id"]: f for f in simulated_facts}
    assert found == expected, (
        f"{rule}: false positives\n{explain(found - expected, by_id, scenarios)}\n"
        f"{rule}: missed\n{explain(expected - found, by_id, scenarios)}"
    )
