"""The audit rules T1-T3, F1-F5 and R1 applied to `fct_audit_facts` rows, and the step rules to
`fct_ticket_steps` rows, in plain Python, with the thresholds read from the dbt project's own
configuration (vars in dbt_project.yml, seed CSVs), independently of the SQL under test. Used
to compare the facts with the simulator's truth."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping

import yaml

from complaint_trace.settings import DBT_PROJECT_DIR


def project_vars() -> dict:
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def closure_codes() -> dict[str, dict[str, bool]]:
    with (DBT_PROJECT_DIR / "seeds" / "closure_codes.csv").open() as f:
        return {row.pop("closure_code"): {k: v == "true" for k, v in row.items()}
                for row in csv.DictReader(f)}


def _gt(value, limit) -> bool:
    return value is not None and limit is not None and value > limit


def rules_fired(fact: Mapping, dbt_vars: Mapping, codes: Mapping) -> set[str]:
    """Which rules fire on one ticket's facts (audit-rules §2, §5; exemptions from the seed)."""
    code = codes.get(fact["closure_code"] or "", {})
    exempt_timeouts = bool(fact["is_cancelled"]) or code.get("exempt_from_timeouts", False)
    fired: set[str] = set()
    if not exempt_timeouts:
        if _gt(fact["resolution_clock_minutes"], fact["resolution_limit_minutes"]):
            fired.add("T1")
        if (_gt(fact["first_contact_delay_minutes"], fact["first_contact_limit_minutes"])
                or fact["first_contact_deadline_passed_while_waiting"]):
            fired.add("T2")
        if fact["is_open_at_as_of"] and _gt(fact["clock_minutes_at_as_of"],
                                            fact["resolution_limit_minutes"]):
            fired.add("T3")
    if appeal_risk(fact, dbt_vars):
        fired.add("R1")
    if fact["resolved_at"] is None:
        return fired
    if code.get("claims_network_fix", False):
        if fact["f1_alarm_count"]:
            fired.add("F1")
        if (fact["f2_hours_with_data"] or 0) > 0 and \
                fact["f2_degraded_share"] >= dbt_vars["kpi_not_recovered_share"]:
            fired.add("F2")
    if not code.get("exempt_from_contact_check", False) and \
            not fact["has_contact_before_resolution"]:
        fired.add("F3")
    repeat_hours = dbt_vars["repeat_complaint_window_days"] * 24
    hours_to_next = fact["hours_to_next_same_family_ticket"]
    if fact["was_reopened"] or (hours_to_next is not None and hours_to_next <= repeat_hours):
        fired.add("F4")
    if fact["has_disputing_survey"]:
        fired.add("F5")
    return fired


def appeal_risk(fact: Mapping, dbt_vars: Mapping) -> bool:
    """R1 (audit-rules §11): not cancelled, and open at as-of the window or more after
    creation, or reopened or disputed by a survey within the window of creation (wall-clock
    days)."""
    days = dbt_vars["appeal_window_days"]
    within = [fact["days_to_first_reopen"], fact["days_to_disputing_survey"]]
    return not fact["is_cancelled"] and (
        (fact["days_open_at_as_of"] is not None and fact["days_open_at_as_of"] >= days)
        or any(d is not None and d <= days for d in within))


def step_policy() -> dict[str, dict[str, float]]:
    """Step rule -> priority -> limit in minutes (seed step_policy)."""
    with (DBT_PROJECT_DIR / "seeds" / "step_policy.csv").open() as f:
        return {row["rule_id"]: {p: float(row[f"{p}_minutes"])
                                 for p in ("urgent", "high", "normal", "low")}
                for row in csv.DictReader(f)}


def step_rules_fired(step: Mapping, fact: Mapping, codes: Mapping) -> bool:
    """§10: a step done, or still due on a ticket open at as-of, whose clock is over the
    seed's limit for the ticket's priority; cancelled and timeout-exempt tickets are not
    audited."""
    code = codes.get(fact["closure_code"] or "", {})
    if fact["is_cancelled"] or code.get("exempt_from_timeouts", False):
        return False
    if step["step_done_at"] is None and not fact["is_open_at_as_of"]:
        return False
    return step["step_clock_minutes"] > step_policy()[step["rule_id"]][fact["priority"]]


def findings(facts: Iterable[Mapping],
             steps: Iterable[Mapping] = ()) -> set[tuple[str, str]]:
    """(ticket_id, rule_id) for every rule that fires."""
    dbt_vars, codes = project_vars(), closure_codes()
    facts = list(facts)
    found = {(f["ticket_id"], rule) for f in facts for rule in rules_fired(f, dbt_vars, codes)}
    by_id = {f["ticket_id"]: f for f in facts}
    return found | {(s["ticket_id"], s["rule_id"]) for s in steps
                    if step_rules_fired(s, by_id[s["ticket_id"]], codes)}
