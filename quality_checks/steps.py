"""The step deadline rules' facts (audit-rules §10): `main.fct_ticket_steps`, one row per
ticket and step rule, pivoted onto the facts frame so the O-rules are expectations of the same
`audit_rules` suite as the others.

Each step rule's columns enter the frame under its id (`O1__step_clock_minutes`); a ticket with
no row for a rule (the step never started, or the rule's category does not apply) is not
audited by it.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def step_columns_joined(rules: Sequence[StepRule]) -> tuple[list[str], list[str]]:
    """Per step rule, its flags, measures and departments as select expressions over a left
    join of `fct_ticket_steps` to the facts (aliased `facts`; no row: not audited by the
    rule), typed as the rules compare them: for `read_facts(joined=...)`, so the facts and
    their steps are one query and the frame is built once."""
    selected, joins = [], []
    for n, rule in enumerate(rules):
        alias = f"step_{n}"
        joins.append(f"left join {STEPS_TABLE} as {alias} on {alias}.ticket_id = facts.ticket_id"
                     f" and {alias}.rule_id = '{rule.rule_id}'")  # an alphanumeric id (config)
        selected += [f'coalesce({alias}.{c}, false) as "{step_column(rule.rule_id, c)}"'
                     for c in STEP_FLAGS]
        selected += [f'{alias}.{c}::double as "{step_column(rule.rule_id, c)}"'
                     for c in STEP_MEASURES]
        selected += [f'{alias}.{c} as "{step_column(rule.rule_id, c)}"' for c in STEP_DEPARTMENTS]
    return selected, joins
