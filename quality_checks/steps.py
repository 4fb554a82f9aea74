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


def _step_columns_sql(rules: Sequence[StepRule]) -> str:
    """One row per ticket of `rule_frame_tickets` with every step rule's columns: a left join
    of `fct_ticket_steps` per rule (no row: not audited by it), typed as the rules compare."""
    selected, joins = ["t.ticket_id"], []
    for n, rule in enumerate(rules):
        alias = f"s{n}"
        joins.append(f"left join {STEPS_TABLE} as {alias} on {alias}.ticket_id = t.ticket_id "
                     f"and {alias}.rule_id = '{rule.rule_id}'")  # an alphanumeric id (config)
        selected += [f'coalesce({alias}.{c}, false) as "{step_column(rule.rule_id, c)}"'
                     for c in STEP_FLAGS]
        selected += [f'{alias}.{c}::double as "{step_column(rule.rule_id, c)}"'
                     for c in STEP_MEASURES]
        selected += [f'{alias}.{c} as "{step_column(rule.rule_id, c)}"' for c in STEP_DEPARTMENTS]
    return (f"select {', '.join(selected)} from rule_frame_tickets as t "
            + " ".join(joins))


def with_step_columns(con: duckdb.DuckDBPyConnection, facts: pd.DataFrame,
                      rules: Sequence[StepRule]) -> pd.DataFrame:
    """`facts` plus, per step rule, its flags, measures and departments for the same tickets
    (read for the facts' tickets only, so an incremental audit reads what it validates; one
    query for every rule, joined in DuckDB rather than merged per rule in pandas)."""
    if not rules:
        return facts
    con.register("rule_frame_tickets", facts[["ticket_id"]])
    try:
        steps = con.execute(_step_columns_sql(rules)).df()
    except duckdb.CatalogException as exc:
        raise RuntimeError(f"{STEPS_TABLE} not found: build the dbt models first") from exc
    finally:
        con.unregister("rule_frame_tickets")
    steps["ticket_id"] = steps["ticket_id"].astype(str)
    # one row per ticket and rule in `fct_ticket_steps` (its dbt test); a second would
    # duplicate a ticket here, and the merge refuses it
    out = facts.merge(steps, on="ticket_id", how="left", validate="one_to_one")
    for rule in rules:
        for flag in STEP_FLAGS:
            name = step_column(rule.rule_id, flag)
            out[name] = out[name].astype(bool)
    return out
