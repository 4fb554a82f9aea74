"""The step deadline rules' facts (audit-rules §10): `main.fct_ticket_steps`, one row per
ticket and step rule, pivoted onto the facts frame so the O-rules are expectations of the same
`audit_rules` suite as the others.

Each step rule's columns enter the frame under its id (`O1__step_clock_minutes`); a ticket with
no row for a rule (the step never started, or the rule's category does not apply) is not
audited by it.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from quality_checks.config import StepRule

STEPS_TABLE = "main.fct_ticket_steps"
# what the rule suite filters, compares and holds accountable, per step rule
STEP_FLAGS = ("is_audited",)
STEP_MEASURES = ("step_clock_minutes", "step_limit_minutes")
STEP_DEPARTMENTS = ("step_deadline_department", "owning_department")
STEP_EVIDENCE = ("rule_id", "priority", "from_action", "from_event_id", "step_started_at",
                 "to_action", "to_event_id", "step_done_at", "step_calendar",
                 "step_clock_minutes", "step_limit_minutes", "step_deadline_at")


def step_column(rule_id: str, column: str) -> str:
    """A step rule's column in the rule frame."""
    return f"{rule_id}__{column}"


def with_step_columns(con: duckdb.DuckDBPyConnection, facts: pd.DataFrame,
                      rules: Sequence[StepRule]) -> pd.DataFrame:
    """`facts` plus, per step rule, its flags, measures and departments for the same tickets
    (read for the facts' tickets only, so an incremental audit reads what it validates)."""
    if not rules:
        return facts
    columns = (*STEP_FLAGS, *STEP_MEASURES, *STEP_DEPARTMENTS)
    con.register("rule_frame_tickets", facts[["ticket_id"]])
    try:
        steps = con.execute(
            f"select ticket_id, rule_id, {', '.join(columns)} from {STEPS_TABLE} "
            "where ticket_id in (select ticket_id from rule_frame_tickets)").df()
    except duckdb.CatalogException as exc:
        raise RuntimeError(f"{STEPS_TABLE} not found: build the dbt models first") from exc
    finally:
        con.unregister("rule_frame_tickets")
    out = facts
    for rule in rules:
        rows = steps[steps["rule_id"] == rule.rule_id].drop(columns="rule_id")
        rows = rows.rename(columns={c: step_column(rule.rule_id, c) for c in columns})
        out = out.merge(rows, on="ticket_id", how="left", validate="one_to_one")
        for flag in STEP_FLAGS:  # no row: not audited by the rule
            name = step_column(rule.rule_id, flag)
            out[name] = out[name].astype("boolean").fillna(False).astype(bool)
        for measure in STEP_MEASURES:
            name = step_column(rule.rule_id, measure)
            out[name] = pd.to_numeric(out[name]).astype("float64")
    return out
