"""Each rule on hand-made facts: a row just over and just under every threshold.

The config is a test dbt project with non-default thresholds (share 0.4, window 5 days), so
a rule that used a literal instead of the configuration would fail here.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from qc_factories import CREATED, audit_config, fact, load_facts

from quality_checks.audit import run_audit
from quality_checks.config import AuditConfigError

AS_OF = datetime(2024, 3, 10, 0, 0, 0)
VARS = {
    "alarm_clear_grace_hours": 1, "kpi_recovery_window_hours": 24,
    "kpi_not_recovered_share": 0.4, "repeat_complaint_window_days": 5, "appeal_window_days": 15,
    "integrity_max_unknown_ticket_event_share": 0.02, "integrity_min_network_trace_share": 0.5,
}
OPEN = {"resolved_at": None, "resolving_event_id": None, "resolution_clock_minutes": None,
        "is_open_at_as_of": True, "resolving_department": None}
NO_CONTACT = {"first_contact_at": None, "first_contact_delay_minutes": None,
              "first_contact_source": None, "first_contact_record_id": None,
              "has_contact_before_resolution": False}
FIX = {"closure_code": "network_fixed", "claims_network_fix": True}


def _rows(cfg) -> tuple[list[dict], set[tuple[str, str]]]:
    """The facts and, written by hand, the (ticket, rule) pairs that must fire."""
    share, window_h = cfg.kpi_not_recovered_share, cfg.repeat_complaint_window_days * 24
    rows = [
        fact("clean"),
        fact("t1_over", resolution_clock_minutes=2881.0, resolution_deadline_department="tier2"),
        fact("t1_at_limit", resolution_clock_minutes=2880.0),
        fact("t1_duplicate", resolution_clock_minutes=9000.0, closure_code="duplicate",
             is_exempt_from_timeouts=True, is_exempt_from_contact_check=True),
        fact("t1_cancelled", resolution_clock_minutes=9000.0, is_cancelled=True),
        fact("t2_late", first_contact_delay_minutes=121.0),
        fact("t2_at_limit", first_contact_delay_minutes=120.0),
        fact("t2_never_contacted", **OPEN, **NO_CONTACT, clock_minutes_at_as_of=100.0,
             first_contact_deadline_passed_while_waiting=True),
        fact("t2_not_yet_due", **OPEN, **NO_CONTACT, clock_minutes_at_as_of=100.0),
        fact("t3_overdue", **OPEN, clock_minutes_at_as_of=2881.0,
             resolution_deadline_department=None, first_contact_deadline_department=None),
        fact("t1_in_time_no_deadline_owner", resolution_deadline_department=None,
             resolving_department="field_team"),
        fact("t3_at_limit", **OPEN, clock_minutes_at_as_of=2880.0),
        fact("f1_alarm", **FIX, f1_alarm_count=1, f1_alarm_ids=["A-1"], f1_cell_ids=["C-1"],
             f1_max_severity="major"),
        fact("f1_clean", **FIX),
        fact("f1_no_fix_claimed", f1_alarm_count=2, f1_alarm_ids=["A-2", "A-3"]),
        fact("f2_at_share", **FIX, f2_cell_id="C-2", f2_degraded_share=share,
             f2_hours_with_data=10, f2_degraded_hours=4),
        fact("f2_under_share", **FIX, f2_cell_id="C-2", f2_degraded_share=share - 0.01),
        fact("f2_no_fix_claimed", f2_degraded_share=0.9),
        fact("f2_no_hours_with_data", **FIX, f2_cell_id="C-3", f2_degraded_share=None),
        fact("f3_no_contact", resolved_at=CREATED + timedelta(minutes=20),
             resolution_clock_minutes=20.0, has_contact_before_resolution=False),
        fact("f3_unreachable", closure_code="customer_unreachable",
             is_exempt_from_contact_check=True, has_contact_before_resolution=False),
        fact("f4_at_window", next_same_family_ticket_id="later-1",
             hours_to_next_same_family_ticket=float(window_h)),
        fact("f4_after_window", next_same_family_ticket_id="later-2",
             hours_to_next_same_family_ticket=window_h + 0.5),
        fact("f4_reopened", was_reopened=True, reopen_event_id="E-r",
             reopened_at=CREATED + timedelta(days=16), days_to_first_reopen=16.0),
        fact("f5_disputed", has_disputing_survey=True,
             disputing_survey_at=CREATED + timedelta(days=1), days_to_disputing_survey=1.0),
        # R1 (§11): open 15 days or more; reopened or disputed within 15 days of creation
        fact("r1_open_at_window", **OPEN, clock_minutes_at_as_of=100.0,
             days_open_at_as_of=15.0, owning_department="complaints"),
        fact("r1_open_a_second_short", **OPEN, clock_minutes_at_as_of=100.0,
             days_open_at_as_of=15.0 - 1 / 86400),
        fact("r1_reopened_at_window", was_reopened=True, reopen_event_id="E-r1",
             reopened_at=CREATED + timedelta(days=15), days_to_first_reopen=15.0),
        fact("r1_reopened_a_second_late", was_reopened=True, reopen_event_id="E-r2",
             days_to_first_reopen=15.0 + 1 / 86400),
        fact("r1_disputed_at_window", has_disputing_survey=True,
             disputing_survey_at=CREATED + timedelta(days=15), days_to_disputing_survey=15.0),
        fact("r1_cancelled_open", **OPEN, clock_minutes_at_as_of=100.0, is_cancelled=True,
             days_open_at_as_of=20.0),
        fact("f5_open_disputed", **OPEN, clock_minutes_at_as_of=100.0,
             has_disputing_survey=True),
    ]
    expected = {
        ("t1_over", "T1"), ("t2_late", "T2"), ("t2_never_contacted", "T2"),
        ("t3_overdue", "T3"), ("f1_alarm", "F1"), ("f2_at_share", "F2"),
        ("f3_no_contact", "F3"), ("f4_at_window", "F4"), ("f4_reopened", "F4"),
        ("f5_disputed", "F5"), ("f5_disputed", "R1"), ("r1_open_at_window", "R1"),
        ("r1_reopened_at_window", "R1"), ("r1_reopened_at_window", "F4"),
        ("r1_reopened_a_second_late", "F4"), ("r1_disputed_at_window", "R1"),
        ("r1_disputed_at_window", "F5"),
    }
    return rows, expected


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    cfg = audit_config(**VARS)
    rows, expected = _rows(cfg)
    con = load_facts(root / "warehouse.duckdb", rows)
    result = run_audit(con, home_dir=root / "home", docs_dir=root / "home" / "data_docs",
                       run_id="run-1", as_of=AS_OF, cfg=cfg)
    yield con, result, expected, root
    con.close()


def _found(con) -> set[tuple[str, str]]:
    return set(con.execute("select ticket_id, rule_id from audit.findings").fetchall())


@pytest.mark.parametrize("rule_id", ["T1", "T2", "T3", "F1", "F2", "F3", "F4", "F5", "R1"])
def test_rule_fires_just_over_and_not_just_under_its_threshold(audited, rule_id):
    con, _, expected, _ = audited
    want = {t for t, r in expected if r == rule_id}
    got = {t for t, r in _found(con) if r == rule_id}
    assert got == want, f"{rule_id}: missing {sorted(want - got)}, extra {sorted(got - want)}"


def test_findings_carry_catalog_name_severity_and_accountable_department(audited):
    con, *_ = audited
    rows = con.execute(
        "select ticket_id, rule_id, rule_name, severity, department from audit.findings"
    ).fetchall()
    by_key = {(t, r): (n, s, d) for t, r, n, s, d in rows}
    assert by_key[("t1_over", "T1")] == ("resolve_timeout", "medium", "tier2")
    # R1: the department that owns the ticket at as-of (§11)
    assert by_key[("r1_open_at_window", "R1")] == ("appeal_risk", "high", "complaints")
    assert by_key[("t2_late", "T2")] == ("first_contact_timeout", "low", "frontline")
    assert by_key[("t3_overdue", "T3")] == ("overdue_open", "high", "unknown")
    assert by_key[("f1_alarm", "F1")] == ("alarm_active_at_resolution", "high", "network_ops")


def test_evidence_names_the_ids_times_values_and_limits(audited):
    con, *_ = audited
    evidence = dict(con.execute(
        "select ticket_id || '/' || rule_id, evidence from audit.findings"
    ).fetchall())
    f1 = json.loads(evidence["f1_alarm/F1"])
    assert f1["f1_alarm_ids"] == ["A-1"] and f1["f1_cell_ids"] == ["C-1"]
    assert f1["alarm_clear_grace_hours"] == 1.0
    assert f1["resolved_at"] == "2024-03-01T12:00:00Z" and "as_of" not in f1  # closed ticket
    assert json.loads(evidence["t3_overdue/T3"])["as_of"] == "2024-03-10T00:00:00Z"  # open
    t1 = json.loads(evidence["t1_over/T1"])
    assert (t1["resolution_clock_minutes"], t1["resolution_limit_minutes"]) == (2881.0, 2880.0)
    f2 = json.loads(evidence["f2_at_share/F2"])
    assert (f2["f2_cell_id"], f2["kpi_not_recovered_share"]) == ("C-2", 0.4)
    # a timeout names the SLA policy row whose limits it applied (audit-rules §8)
    for key in ("t1_over/T1", "t2_late/T2", "t3_overdue/T3"):
        assert json.loads(evidence[key])["policy_id"] == "default-normal-silver", key
    assert "policy_id" not in f1


def test_daily_rollup_counts_audited_tickets_and_findings(audited):
    con, result, expected, _ = audited
    per_rule = dict(con.execute(
        "select rule_id, sum(findings) from audit.agg_audit_daily group by rule_id"
    ).fetchall())
    assert per_rule == {r: sum(1 for _, e in expected if e == r) for r in per_rule}
    assert sum(per_rule.values()) == result.findings == len(expected)
    # T1 audits the resolved tickets that are neither cancelled nor exempt: count them here.
    rows, _ = _rows(audit_config(**VARS))
    t1_domain = [r for r in rows if r["resolved_at"] is not None and not r["is_cancelled"]
                 and not r["is_exempt_from_timeouts"]]
    audited_t1 = con.execute(
        "select sum(tickets_audited) from audit.agg_audit_daily where rule_id = 'T1'"
    ).fetchone()[0]
    assert audited_t1 == len(t1_domain)
    rate = con.execute(
        "select finding_rate from audit.agg_audit_daily where rule_id = 'T1'"
        " and department = 'tier2'"
    ).fetchone()[0]
    assert rate == 1.0


def test_rollup_attributes_tickets_that_kept_a_timeout_standard_to_their_resolver(audited):
    con, *_ = audited
    rows = con.execute(
        "select tickets_audited, findings from audit.agg_audit_daily"
        " where rule_id = 'T1' and department = 'field_team'"
    ).fetchall()
    assert rows == [(1, 0)]


def test_rerun_with_same_inputs_and_as_of_gives_the_same_findings(audited):
    con, _, _, root = audited
    columns = "ticket_id, rule_id, rule_name, severity, department, evidence, as_of, day"
    before = con.execute(f"select {columns} from audit.findings order by all").fetchall()
    cfg = audit_config(**VARS)
    run_audit(con, home_dir=root / "home", docs_dir=root / "home" / "data_docs",
              run_id="run-2", as_of=AS_OF, cfg=cfg)
    after = con.execute(f"select {columns} from audit.findings order by all").fetchall()
    assert after == before
    assert con.execute("select distinct run_id from audit.findings").fetchall() == [("run-2",)]


def test_data_docs_site_is_built_in_the_home_directory(audited):
    *_, root = audited
    index = root / "home" / "data_docs" / "index.html"
    assert index.is_file() and "audit_rules" in index.read_text()


def test_a_missing_var_is_a_clear_error(tmp_path):
    partial = {k: v for k, v in VARS.items() if k != "kpi_not_recovered_share"}
    with pytest.raises(AuditConfigError, match="kpi_not_recovered_share"):
        audit_config(**partial)
