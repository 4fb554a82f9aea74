"""An audit validates only the tickets whose facts changed since the last complete audit
(`quality_checks/scope.py`), and its findings and daily rollup equal a full audit of the same
facts; a change of rules, or facts rebuilt from scratch, audit every ticket again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import duckdb
import pandas as pd
import pytest
from qc_factories import CREATED, audit_config, fact, load_facts
from test_audit_rules import AS_OF, VARS

from quality_checks.audit import (
    read_rule_frame,
    run_audit,
    standing_findings,
    validate_changed_rules,
)
from quality_checks.rollup import write_agg_audit_daily
from quality_checks.rules import rule_checks

LATE = 2880.0 + 1  # one minute over the 48 h limit of a silver normal ticket


def _facts(con: duckdb.DuckDBPyConnection, rows: list[dict], build: dict[str, int]) -> None:
    """Replace the facts with `rows`, each stamped with the build that changed it last."""
    con.execute("delete from main.fct_audit_facts")
    con.execute("alter table main.fct_audit_facts add column if not exists "
                "changes_through bigint")
    con.execute("alter table main.fct_audit_facts add column if not exists "
                "dbt_invocation_id varchar")
    for row in rows:
        columns = [*row, "changes_through", "dbt_invocation_id"]
        con.execute(f"insert into main.fct_audit_facts ({', '.join(columns)}) values "
                    f"({', '.join('?' * len(columns))})",
                    [*row.values(), build[row["ticket_id"]], "full-build"])


def _state(con) -> tuple[set, list]:
    findings = set(con.execute("select ticket_id, rule_id, department, evidence, day "
                               "from audit.findings").fetchall())
    rollup = con.execute("select * from audit.agg_audit_daily order by all").fetchall()
    return findings, rollup


@pytest.fixture
def audit(tmp_path):
    cfg = audit_config(**VARS)
    con = load_facts(tmp_path / "warehouse.duckdb", [fact("K0")])

    def run(rows, build, run_id):
        _facts(con, rows, build)
        return run_audit(con, home_dir=tmp_path / "home", docs_dir=tmp_path / "home" / "dd",
                         run_id=run_id, as_of=AS_OF, cfg=cfg)
    yield con, cfg, run, tmp_path
    con.close()


def _day(days: int) -> dict:
    created = CREATED + timedelta(days=days)
    return {"created_at": created, "created_date_local": created.date()}


def test_only_changed_facts_are_validated_and_the_result_equals_a_full_audit(audit):
    con, cfg, run, tmp_path = audit
    first = [fact("K1"), fact("K2", resolution_clock_minutes=LATE, **_day(1)),
             fact("K3", **_day(2))]
    result = run(first, {"K1": 1, "K2": 1, "K3": 1}, "run-1")
    assert result.outcomes and max(o.element_count for o in result.outcomes) == 3
    # build 2 changed K3 (now late) and K2 (now in time); K1 is untouched
    second = [fact("K1"), fact("K2", **_day(1)),
              fact("K3", resolution_clock_minutes=LATE, **_day(2))]
    result = run(second, {"K1": 1, "K2": 2, "K3": 2}, "run-2")
    assert max(o.element_count for o in result.outcomes) == 2  # K2 and K3 only
    incremental = _state(con)
    assert {(t, r) for t, r, *_ in incremental[0]} == {("K3", "T1")}
    # the same facts audited from scratch
    con.execute("delete from audit.audit_state")
    run(second, {"K1": 1, "K2": 2, "K3": 2}, "run-full")
    assert _state(con) == incremental


def test_a_ticket_gone_from_the_facts_leaves_no_finding_and_no_count(audit):
    con, cfg, run, _ = audit
    run([fact("K1", resolution_clock_minutes=LATE), fact("K2", **_day(1))],
        {"K1": 1, "K2": 1}, "run-1")
    run([fact("K2", **_day(1))], {"K2": 1}, "run-2")
    findings, rollup = _state(con)
    assert findings == set()
    assert sum(r[3] for r in rollup if r[1] == "T1") == 1  # only K2 audited by T1


def test_standing_findings_keep_a_rule_broken_while_no_changed_ticket_breaks_it(audit):
    con, cfg, run, tmp_path = audit
    run([fact("K1", resolution_clock_minutes=LATE), fact("K2")], {"K1": 1, "K2": 1}, "run-1")
    _facts(con, [fact("K1", resolution_clock_minutes=LATE), fact("K2")], {"K1": 1, "K2": 2})
    validated = validate_changed_rules(con, cfg, home_dir=tmp_path / "home",
                                       docs_dir=tmp_path / "home" / "dd", run_id="run-2",
                                       as_of=AS_OF)
    assert validated.scope == ("K2",)
    assert standing_findings(con, validated) == {"T1": ["K1"]}


def test_changed_rules_or_rebuilt_facts_audit_every_ticket(audit):
    con, cfg, run, tmp_path = audit
    run([fact("K1"), fact("K2")], {"K1": 3, "K2": 3}, "run-1")

    def scope(config, build):
        _facts(con, [fact("K1"), fact("K2")], build)
        return validate_changed_rules(con, config, home_dir=tmp_path / "home",
                                      docs_dir=tmp_path / "home" / "dd", run_id="r",
                                      as_of=AS_OF).scope
    assert scope(cfg, {"K1": 3, "K2": 4}) == ("K2",)
    stricter = replace(cfg, kpi_not_recovered_share=cfg.kpi_not_recovered_share - 0.1)
    assert scope(stricter, {"K1": 3, "K2": 4}) is None
    # a full refresh numbers the builds from 1 again
    assert scope(cfg, {"K1": 1, "K2": 1}) is None


def test_an_audit_of_no_facts_is_followed_by_an_audit_of_every_ticket(audit):
    con, cfg, run, _ = audit
    run([], {}, "run-1")
    result = run([fact("K1", resolution_clock_minutes=LATE)], {"K1": 1}, "run-2")
    assert max(o.element_count for o in result.outcomes) == 1
    assert {(t, r) for t, r, *_ in _state(con)[0]} == {("K1", "T1")}


def test_a_warehouse_with_the_keyed_rule_audits_of_earlier_versions_is_migrated(audit):
    con, cfg, run, tmp_path = audit
    rows, build = [fact("K1"), fact("K2", resolution_clock_minutes=LATE)], {"K1": 1, "K2": 1}
    run(rows, build, "unkeyed")
    expected = _state(con)
    con.execute("drop table audit.rule_audits")
    con.execute("""create table audit.rule_audits (ticket_id varchar not null,
        rule_id varchar not null, day date, department varchar,
        primary key (ticket_id, rule_id))""")
    con.execute("delete from audit.audit_state")  # audit every ticket again
    run(rows, build, "keyed")
    assert _state(con) == expected
    keys = con.execute("select count(*) from duckdb_constraints() where table_name = "
                       "'rule_audits' and constraint_type = 'PRIMARY KEY'").fetchall()[0][0]
    assert keys == 0


def test_a_ticket_twice_in_the_audited_facts_is_refused(audit):
    con, cfg, run, _ = audit
    run([fact("K1"), fact("K2")], {"K1": 1, "K2": 1}, "run-1")
    frame = read_rule_frame(con, cfg)
    with pytest.raises(RuntimeError, match="appears twice"):
        write_agg_audit_daily(con, pd.concat([frame, frame.tail(1)]), rule_checks(cfg))
