"""Step deadline rules (audit-rules §10) end to end on hand-made tickets: the stock O1/O2 at,
just under and just over their limits, and a rule added by a seed row alone — `O3
first_site_visit` for network tickets on the `workdays` calendar — firing in the findings,
the rollup and the Dagster checks, with no code change.

All tickets are `normal` priority: O1 (created -> dispatched) 30 min, O2 (dispatched ->
accepted) 60 min; O3 (dispatched -> site_visit) 630 working minutes. Times are UTC; the
workdays ones are worked out from the 2026 China calendar (Fri 02-13 working, Sat 02-14 a
make-up day, the Spring Festival to 02-23; 08:30-17:30 local = 00:30-09:30 UTC)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.assets.audit import seeded_rule_ids
from quality_checks.audit import run_audit
from tests.dbt.dbt_runner import dbt
from tests.dbt.project_copy import project_with_seed_rows
from tests.dbt.raw_tables import insert_ticket, new_warehouse

AS_OF = "2026-03-01 00:00:00"
LOADED = datetime(2026, 3, 1, 0, 0, 0)
O3_ROW = ("O3,first_site_visit,dispatched,site_visit,network,workdays,medium,"
          "300,480,630,900,No site visit within the working time limit after dispatch\n")
DAY = "2026-02-02"  # a Monday


def _steps(con, ticket_id: str, *steps: tuple, created: str,
           category: str = "billing.dispute") -> None:
    """Events `(at, action, status, department[, closure code])`."""
    insert_ticket(con, ticket_id, created, "normal",
                  [(*step[:4], step[4] if len(step) > 4 else None) for step in steps],
                  loaded_at=LOADED, category=category)


def _load(con) -> None:
    def at(clock: str) -> str:
        return f"{DAY} {clock}"

    created = ("created", "acknowledged", "FRONT")
    resolved = ("resolved", "resolved", "FIELD", "explained")
    # O1 at, just over and just under 30 min (the last then late to accept: O2 only)
    _steps(con, "S001", (at("02:00:00"), *created), (at("02:30:00"), "dispatched",
           "acknowledged", "FIELD"), (at("03:00:00"), "accepted", "inProgress", "FIELD"),
           (at("05:00:00"), *resolved), created=at("02:00:00"))
    _steps(con, "S002", (at("02:00:00"), *created), (at("02:30:01"), "dispatched",
           "acknowledged", "FIELD"), (at("02:40:00"), "accepted", "inProgress", "FIELD"),
           (at("05:00:00"), *resolved), created=at("02:00:00"))
    _steps(con, "S003", (at("02:00:00"), *created), (at("02:29:59"), "dispatched",
           "acknowledged", "FIELD"), (at("03:30:00"), "accepted", "inProgress", "FIELD2"),
           (at("05:00:00"), *resolved), created=at("02:00:00"))
    # O2 exactly at its 60 min
    _steps(con, "S004", (at("02:00:00"), *created), (at("02:05:00"), "dispatched",
           "acknowledged", "FIELD"), (at("03:05:00"), "accepted", "inProgress", "FIELD"),
           (at("05:00:00"), *resolved), created=at("02:00:00"))
    # open, never dispatched, 31 min after creation at as-of: O1
    _steps(con, "S005", ("2026-02-28 23:29:00", *created), created="2026-02-28 23:29:00")
    # resolved, or cancelled, without dispatch: the step was not needed
    _steps(con, "S006", (at("02:00:00"), *created), (at("04:00:00"), *resolved),
           created=at("02:00:00"))
    _steps(con, "S007", (at("02:00:00"), *created),
           (at("04:00:00"), "cancelled", "cancelled", "FRONT"), created=at("02:00:00"))
    # accepted 3 h 15 min after dispatch, but 2 h 50 min of it pending: 25 min on the clock
    _steps(con, "S008", (at("02:00:00"), *created), (at("02:05:00"), "dispatched",
           "acknowledged", "FIELD"), (at("02:10:00"), "pending_customer", "pending", "FIELD"),
           (at("05:00:00"), "resumed", "inProgress", "FIELD"),
           (at("05:20:00"), "accepted", "inProgress", "FIELD"), (at("06:00:00"), *resolved),
           created=at("02:00:00"))
    # O3, network only, workdays: dispatched Fri 02-13 17:00 local; 30 min that day, 540 on
    # the make-up Saturday, then Tue 02-24 from 08:30: 630 reached at 09:30 local (01:30 UTC)
    visit = [("2026-02-13 08:50:00", *created),
             ("2026-02-13 09:00:00", "dispatched", "acknowledged", "FIELD"),
             ("2026-02-13 09:05:00", "accepted", "inProgress", "FIELD"),
             ("2026-02-24 01:00:00", "escalated", "inProgress", "NOC")]
    late = ("2026-02-24 01:31:00", "site_visit", "inProgress", "FIELD")
    in_time = ("2026-02-24 01:30:00", "site_visit", "inProgress", "FIELD")
    done = ("2026-02-24 03:00:00", *resolved)
    _steps(con, "N001", *visit, late, done, created="2026-02-13 08:50:00",
           category="network.coverage")
    _steps(con, "N002", *visit, in_time, done, created="2026-02-13 08:50:00",
           category="network.coverage")
    _steps(con, "B001", *visit, late, done, created="2026-02-13 08:50:00")


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("step_rules")
    project = project_with_seed_rows(tmp, {"step_policy": O3_ROW})
    warehouse = tmp / "warehouse.duckdb"
    with new_warehouse(warehouse) as con:
        _load(con)
    dbt("build", warehouse=warehouse, as_of=AS_OF, work=tmp, project=project,
        extra=("--exclude", "resource_type:unit_test"))
    with duckdb.connect(str(warehouse)) as con:
        run_audit(con, home_dir=tmp / "home", docs_dir=tmp / "home" / "data_docs",
                  run_id="step-test", as_of=datetime.fromisoformat(AS_OF))
    return warehouse, project


def _step_findings(warehouse: Path) -> dict[tuple[str, str], tuple[str, dict]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select ticket_id, rule_id, department, evidence from audit.findings "
                           "where rule_id like 'O%'").fetchall()
    return {(t, r): (d, json.loads(e)) for t, r, d, e in rows}


def test_each_step_rule_fires_just_over_and_not_at_or_under_its_limit(audited) -> None:
    found = _step_findings(audited[0])
    assert set(found) == {("S002", "O1"), ("S003", "O2"), ("S005", "O1"), ("N001", "O3")}
    # accountable: the owner when the step's deadline passed (the last event at or before it)
    assert {key: department for key, (department, _) in found.items()} == {
        ("S002", "O1"): "FRONT", ("S003", "O2"): "FIELD", ("S005", "O1"): "FRONT",
        ("N001", "O3"): "NOC"}
    evidence = found[("S002", "O1")][1]
    assert (evidence["step_clock_minutes"], evidence["step_limit_minutes"],
            evidence["step_done_at"]) == (30 + 1 / 60, 30, "2026-02-02T02:30:01Z")


def test_a_rule_added_by_a_seed_row_counts_working_minutes_and_reaches_the_rollup(
    audited,
) -> None:
    warehouse, project = audited
    evidence = _step_findings(warehouse)[("N001", "O3")][1]
    assert (evidence["step_calendar"], evidence["step_clock_minutes"],
            evidence["step_deadline_at"]) == ("workdays", 631.0, "2026-02-24T01:30:00Z")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        clocks = dict(con.execute("select ticket_id, step_clock_minutes from "
                                  "main.fct_ticket_steps where rule_id = 'O3'").fetchall())
        rollup = con.execute("select day, department, tickets_audited, findings "
                             "from audit.agg_audit_daily where rule_id = 'O3'").fetchall()
        names = dict(con.execute("select rule_id, rule_name from audit.findings").fetchall())
    assert clocks == {"N001": 631.0, "N002": 630.0}  # not the billing ticket
    # one audited day (the local creation date 02-13): N002 (FIELD, its owner: no deadline
    # passed) and N001 (NOC)
    assert sorted((str(d), dept, a, f) for d, dept, a, f in rollup) == [
        ("2026-02-13", "FIELD", 1, 0), ("2026-02-13", "NOC", 1, 1)]
    assert names["O3"] == "first_site_visit"
    assert seeded_rule_ids(project)[-3:] == ("O1", "O2", "O3")  # a Dagster check each


def test_pending_time_does_not_count_on_a_step_clock(audited) -> None:
    with duckdb.connect(str(audited[0]), read_only=True) as con:
        clock = con.execute("select step_clock_minutes, is_audited from main.fct_ticket_steps "
                            "where ticket_id = 'S008' and rule_id = 'O2'").fetchone()
        not_needed = con.execute("select ticket_id, is_audited from main.fct_ticket_steps "
                                 "where rule_id = 'O1' and ticket_id in ('S006', 'S007') "
                                 "order by 1").fetchall()
    assert clock == (25.0, True)
    assert not_needed == [("S006", False), ("S007", False)]
