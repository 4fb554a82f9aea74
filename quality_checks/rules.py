"""The audit rules T1–T3, F1–F5, R1 and the step rules of seed `step_policy` (audit-rules §2,
§5, §10, §11) as GX expectations over the facts.

Each rule is a small named group of expectations whose unexpected rows, united, are exactly
the tickets breaking that standard. `applies_to` is the rule's domain (the tickets it audits);
every expectation of the rule is restricted to it with a row condition, so the same domain
gives the denominator of `agg_audit_daily`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations import Expectation
from great_expectations.expectations.row_conditions import Column, Condition

from quality_checks.config import AuditConfig, RuleInfo, StepRule
from quality_checks.data_docs import RULE_LABEL
from quality_checks.facts import FACTS_TABLE
from quality_checks.steps import (
    STEP_DEPARTMENTS,
    STEP_EVIDENCE,
    STEPS_TABLE,
    step_column,
)

RESOLVED = Column("resolved_at").is_not_null()
# Cancelled tickets and `duplicate`-style codes are exempt from T1–T3 (§2).
NOT_EXEMPT = (Column("is_cancelled") == False) & (  # noqa: E712 - a GX condition, not a test
    Column("is_exempt_from_timeouts") == False  # noqa: E712
)
CLAIMS_FIX = Column("claims_network_fix") == True  # noqa: E712
NOT_CANCELLED = Column("is_cancelled") == False  # noqa: E712


@dataclass(frozen=True)
class RuleCheck:
    rule_id: str
    department_columns: tuple[str, ...]
    """The first names the accountable department (§6); the facts leave it null when the clock
    never reached the deadline, so for the audited tickets that kept the standard the next
    column names their owner (at resolution; for an open ticket, the latest owner the facts
    name). A breaking ticket always has the first."""
    applies_to: Condition
    build: Callable[[AuditConfig, Condition], list[Expectation]]
    evidence_columns: tuple[str, ...]
    evidence_limits: tuple[str, ...] = ()
    step: bool = False
    """A step rule (§10): its evidence and departments are columns of its rows in
    `fct_ticket_steps`, which enter the rule frame under its id (`steps.py`)."""

    @property
    def department_column(self) -> str:
        return self.department_columns[0]

    @property
    def source(self) -> str:
        """The table whose rows give the evidence and the departments."""
        return STEPS_TABLE if self.step else FACTS_TABLE

    def frame_column(self, column: str) -> str:
        """The rule frame's name of a column of `source`."""
        return step_column(self.rule_id, column) if self.step else column


def _within(limit: str, value: str, cond: Condition, note: str) -> Expectation:
    """`value <= limit` on the rows where both are known (a null is not yet a breach)."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=limit, column_B=value, or_equal=True, ignore_row_if="either_value_is_missing",
        row_condition=cond & Column(value).is_not_null(), notes=note,
    )


def _flag_false(column: str, cond: Condition, note: str) -> Expectation:
    return gxe.ExpectColumnValuesToBeInSet(
        column=column, value_set=[False], row_condition=cond, notes=note
    )


def _t1(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
    return [_within("resolution_limit_minutes", "resolution_clock_minutes", cond,
                    "Resolution clock (pending time excluded) within the SLA resolution limit.")]


def _t2(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
    return [
        _within("first_contact_limit_minutes", "first_contact_delay_minutes", cond,
                "Operator's first contact within the SLA first-contact limit."),
        _flag_false("first_contact_deadline_passed_while_waiting", cond,
                    "No ticket without a contact past its first-contact deadline."),
    ]


def _t3(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
    return [_within("resolution_limit_minutes", "clock_minutes_at_as_of", cond,
                    "No open ticket whose clock at the as-of time is past the resolution limit.")]


def _f1(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
    return [gxe.ExpectColumnValuesToBeBetween(
        column="f1_alarm_count", max_value=0, row_condition=cond,
        notes=f"No critical/major alarm on a linked cell left uncleared "
              f"{cfg.alarm_clear_grace_hours:g} h after a network-fix resolution.")]


def _f2(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
    return [gxe.ExpectColumnValuesToBeBetween(
        column="f2_degraded_share", max_value=cfg.kpi_not_recovered_share, strict_max=True,
        row_condition=cond & Column("f2_degraded_share").is_not_null(),
        notes=f"Linked cells degraded before the complaint are degraded in fewer than "
              f"{cfg.kpi_not_recovered_share:.0%} of their hours with data in the "
              f"{cfg.kpi_recovery_window_hours:g} h after a network-fix resolution.")]


def _f3(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
    return [gxe.ExpectColumnValuesToBeInSet(
        column="has_contact_before_resolution", value_set=[True], row_condition=cond,
        notes="The customer was contacted before the ticket was resolved.")]


def _f4(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="hours_to_next_same_family_ticket",
            min_value=cfg.repeat_complaint_window_hours, strict_min=True,
            row_condition=cond & Column("hours_to_next_same_family_ticket").is_not_null(),
            notes=f"No same-family complaint from the customer within "
                  f"{cfg.repeat_complaint_window_days:g} days after resolution."),
        _flag_false("was_reopened", cond, "The ticket was not reopened."),
    ]


def _f5(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
    return [_flag_false("has_disputing_survey", cond,
                        "No survey after resolution says the problem was not solved.")]


def _r1(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
    days = cfg.appeal_window_days

    def after_window(column: str, note: str) -> Expectation:  # a reopen or dispute within it
        return gxe.ExpectColumnValuesToBeBetween(
            column=column, min_value=days, strict_min=True,
            row_condition=cond & Column(column).is_not_null(), notes=note)

    return [
        gxe.ExpectColumnValuesToBeBetween(
            column="days_open_at_as_of", max_value=days, strict_max=True,
            row_condition=cond & Column("days_open_at_as_of").is_not_null(),
            notes=f"No ticket open at the as-of time {days:g} days or more after creation."),
        after_window("days_to_first_reopen",
                     f"No resolved ticket reopened within {days:g} days of creation."),
        after_window("days_to_disputing_survey",
                     f"No resolution disputed by a survey within {days:g} days of creation."),
    ]


_TIMES = ("created_at", "priority", "tier_at_creation", "policy_id")
RULE_CHECKS: tuple[RuleCheck, ...] = (
    RuleCheck("T1", ("resolution_deadline_department", "resolving_department"),
              NOT_EXEMPT & RESOLVED, _t1,
              (*_TIMES, "resolved_at", "resolving_event_id", "resolution_clock_minutes",
               "resolution_limit_minutes", "pending_minutes", "resolution_deadline_at")),
    RuleCheck("T2", ("first_contact_deadline_department",), NOT_EXEMPT, _t2,
              (*_TIMES, "first_contact_at", "first_contact_source", "first_contact_record_id",
               "first_contact_delay_minutes", "first_contact_limit_minutes",
               "first_contact_deadline_at", "first_contact_deadline_passed_while_waiting",
               "resolved_at")),
    RuleCheck("T3", ("resolution_deadline_department", "first_contact_deadline_department"),
              NOT_EXEMPT & (Column("is_open_at_as_of") == True), _t3,  # noqa: E712
              (*_TIMES, "clock_minutes_at_as_of", "resolution_limit_minutes", "pending_minutes",
               "resolution_deadline_at")),
    RuleCheck("F1", ("resolving_department",), RESOLVED & CLAIMS_FIX, _f1,
              ("resolved_at", "resolving_event_id", "closure_code", "f1_alarm_count",
               "f1_alarm_ids", "f1_cell_ids", "f1_max_severity"),
              ("alarm_clear_grace_hours",)),
    RuleCheck("F2", ("resolving_department",), RESOLVED & CLAIMS_FIX, _f2,
              ("resolved_at", "resolving_event_id", "closure_code", "f2_cell_id",
               "f2_degraded_share", "f2_hours_with_data", "f2_degraded_hours"),
              ("kpi_not_recovered_share", "kpi_recovery_window_hours")),
    RuleCheck("F3", ("resolving_department",),
              RESOLVED & (Column("is_exempt_from_contact_check") == False), _f3,  # noqa: E712
              ("resolved_at", "resolving_event_id", "closure_code", "first_contact_at",
               "first_contact_source", "first_contact_record_id")),
    RuleCheck("F4", ("resolving_department",), RESOLVED, _f4,
              ("resolved_at", "resolving_event_id", "category", "next_same_family_ticket_id",
               "hours_to_next_same_family_ticket", "was_reopened", "reopen_event_id"),
              ("repeat_complaint_window_days",)),
    RuleCheck("F5", ("resolving_department",), RESOLVED, _f5,
              ("resolved_at", "resolving_event_id", "closure_code", "disputing_survey_at")),
    RuleCheck("R1", ("owning_department",), NOT_CANCELLED, _r1,
              ("created_at", "is_open_at_as_of", "days_open_at_as_of", "resolved_at",
               "reopened_at", "reopen_event_id", "days_to_first_reopen", "disputing_survey_at",
               "days_to_disputing_survey"),
              ("appeal_window_days",)),
)


def step_rule_check(rule: StepRule) -> RuleCheck:
    """A step rule: the step clock within the limit of the ticket's priority, on the tickets
    whose step it audits (done, or still due while open; not exempt)."""
    clock, limit = (step_column(rule.rule_id, c) for c in ("step_clock_minutes",
                                                            "step_limit_minutes"))

    def build(cfg: AuditConfig, cond: Condition) -> list[Expectation]:
        return [_within(limit, clock, cond,
                        f"Step {rule.from_action} to {rule.to_action} within its limit "
                        f"({rule.calendar} minutes, the ticket's priority).")]

    return RuleCheck(rule.rule_id, STEP_DEPARTMENTS,
                     Column(step_column(rule.rule_id, "is_audited")) == True,  # noqa: E712
                     build, STEP_EVIDENCE, step=True)


def rule_checks(cfg: AuditConfig) -> tuple[RuleCheck, ...]:
    """Every rule the audit applies: the fixed ones, then one per `step_policy` row."""
    return (*RULE_CHECKS, *(step_rule_check(rule) for rule in cfg.step_rules))


def rule_label(info: RuleInfo) -> str:
    """How Data Docs name a rule: its id, name and severity from the `rule_catalog` seed."""
    return RULE_LABEL.format(rule_id=info.rule_id, rule_name=info.rule_name,
                             severity=info.severity)


def _filter_clause(expectation: Expectation) -> str:
    return PandasExecutionEngine().condition_to_filter_clause(expectation.row_condition)


def rule_expectations(cfg: AuditConfig) -> list[Expectation]:
    """The `audit_rules` suite: every rule's expectations, tagged with its rule id and name.

    Data Docs render an expectation's `description` instead of GX's sentence ("If (… AND …),
    then values in A must be greater than …"): it names the rule as the catalogue does and says
    what must hold; the notes (shown on the suite page) keep the catalogue's wording of a breach
    and the exact rows audited."""
    suite: list[Expectation] = []
    for rule in rule_checks(cfg):
        info = cfg.rules[rule.rule_id]
        for expectation in rule.build(cfg, rule.applies_to):
            expectation.meta = {"rule_id": rule.rule_id, "rule_name": info.rule_name,
                                "severity": info.severity}
            what = f"{rule_label(info)} — {expectation.notes}{_units_note(expectation)}"
            # GX inserts the description into the page as markup: escape it
            expectation.description = html.escape(what, quote=False)
            breach = [f"Breach ({rule.rule_id}): {info.description.rstrip('.')}."
                      ] if info.description else []
            expectation.notes = [*breach, f"Audited rows: `{_filter_clause(expectation)}`"]
            suite.append(expectation)
    return suite


# The readable column shown beside the ticket ids of the unexpected rows in Data Docs: GX lists
# the raw values compared (`('2880.0', '2881.0')`, minutes); this reads them in hours and
# minutes (or %). It is display only: findings come from the ticket ids GX returns.
READING_COLUMN = "reading"
_NO_READING = "–"


def _unit(column: str) -> str | None:
    """What a facts measure counts, by the unit its name carries (`clock_minutes_at_as_of`,
    `hours_to_next_same_family_ticket`, `f2_degraded_share`)."""
    words = column.split("_")
    return next((unit for unit in ("minutes", "hours", "share") if unit in words), None)


def _compared_column(expectation: Expectation) -> str | None:
    if isinstance(expectation, gxe.ExpectColumnPairValuesAToBeGreaterThanB):
        return expectation.column_B
    if isinstance(expectation, gxe.ExpectColumnValuesToBeBetween):
        return expectation.column
    return None


def _units_note(expectation: Expectation) -> str:
    column = _compared_column(expectation)
    unit = _unit(column) if column else None
    if unit == "share":
        return " (values are shares, read as % in the reading column)"
    if unit:
        return f" (values in {unit}, read as h and min in the reading column)"
    return ""


def hours_and_minutes(minutes: float, *, seconds: bool = False) -> str:
    """`1543.48` -> "25 h 43 min"; with `seconds`, "25 h 43 min 29 s"."""
    total = round(minutes * 60) if seconds else round(minutes) * 60
    sign, total = ("-" if total < 0 else ""), abs(total)
    hours, rest = divmod(total, 3600)
    parts = [f"{hours} h"] if hours else []
    if rest // 60 or not hours:
        parts.append(f"{rest // 60} min")
    if seconds and rest % 60:
        parts.append(f"{rest % 60} s")
    return sign + " ".join(parts)


def _readable(value: float, unit: str, seconds: bool = False) -> str:
    if unit == "share":
        return f"{value:.0%}"
    return hours_and_minutes(value * 60 if unit == "hours" else value, seconds=seconds)


def _readings(value: pd.Series, op: str, bound: pd.Series, unit: str) -> pd.Series:
    """"48 h 1 min > limit 48 h" per row of `value` (the breaching rows only)."""
    shown, limit = value.map(lambda v: _readable(v, unit)), bound.map(lambda v: _readable(v, unit))
    hidden = shown == limit  # rounding hid the difference (2880.4 min against 2880 min)
    shown[hidden] = value[hidden].map(lambda v: _readable(v, unit, seconds=True))
    return shown + f" {op} limit " + limit


_Breach = tuple[pd.Series, str, pd.Series]  # rows breaking it, operator, bound per row


def _side(value: pd.Series, bound: float | pd.Series, *, above: bool, strict: bool,
          index: pd.Index) -> _Breach:
    """The rows past one bound, with the operator the reading shows. `above`: the bound is a
    maximum (a minimum otherwise); `strict`: reaching it already breaks the expectation."""
    bound = bound if isinstance(bound, pd.Series) else pd.Series(float(bound), index=index)
    if above:
        return (value >= bound, "≥", bound) if strict else (value > bound, ">", bound)
    return (value <= bound, "≤", bound) if strict else (value < bound, "<", bound)


def _breaches(frame: pd.DataFrame, expectation: Expectation) -> list[_Breach]:
    """Each side of a duration or share comparison, restricted to the expectation's own row
    condition (GX's filter clause, so the same rows GX audits)."""
    column = _compared_column(expectation)
    if column is None or _unit(column) is None:
        return []
    # GX filters with `frame.query(clause)`, which selects the rows `eval` marks true
    audited = frame.eval(_filter_clause(expectation)).to_numpy(dtype=bool)
    value, index = frame[column], frame.index
    if isinstance(expectation, gxe.ExpectColumnPairValuesAToBeGreaterThanB):
        # A >= B must hold (A > B without or_equal): B above A breaks it
        sides = [_side(value, frame[expectation.column_A], above=True,
                       strict=not expectation.or_equal, index=index)]
    else:
        sides = []
        if expectation.max_value is not None:
            sides.append(_side(value, expectation.max_value, above=True,
                               strict=bool(expectation.strict_max), index=index))
        if expectation.min_value is not None:
            sides.append(_side(value, expectation.min_value, above=False,
                               strict=bool(expectation.strict_min), index=index))
    return [(audited & mask, op, bound) for mask, op, bound in sides]


def with_reading(frame: pd.DataFrame, expectations: Sequence[Expectation]) -> pd.DataFrame:
    """`frame` plus `READING_COLUMN`: per row, each duration or share limit it breaks, e.g.
    "T1 48 h 1 min > limit 48 h"; "–" when none (a flag rule). Only breaching rows are
    formatted, so the cost follows the findings, not the facts."""
    pieces = []
    for expectation in expectations:
        column = _compared_column(expectation)
        for mask, op, bound in _breaches(frame, expectation):
            if not mask.any():
                continue  # (an empty `map` would give floats, not text)
            text = _readings(frame.loc[mask, column], op, bound[mask], _unit(column))
            pieces.append(f"{expectation.meta['rule_id']} " + text)
    readings = pd.Series(_NO_READING, index=frame.index, dtype=object)
    for text in pieces:  # a ticket breaking two limits reads "T1 …; F4 …"
        current = readings[text.index]
        readings[text.index] = (current + "; " + text).where(current != _NO_READING, text)
    out = frame.copy(deep=False)  # the facts frame stays as read; the new column is this copy's
    out[READING_COLUMN] = readings
    return out


def _condition_columns(condition: Condition | None) -> set[str]:
    if condition is None:
        return set()
    if hasattr(condition, "conditions"):  # an AND or OR group
        return set().union(*(_condition_columns(c) for c in condition.conditions))
    return {condition.column.name}


def expectation_columns(expectations: Sequence[Expectation]) -> list[str]:
    """The frame columns the expectations compare or filter on, in first-use order."""
    used: dict[str, None] = {}
    for expectation in expectations:
        compared = (getattr(expectation, name, None) for name in ("column", "column_A",
                                                                  "column_B"))
        for column in (*(c for c in compared if c), *sorted(_condition_columns(
                expectation.row_condition))):
            used.setdefault(column)
    return list(used)


def audited_rows(frame: pd.DataFrame, rule: RuleCheck,
                 columns: Sequence[str] = ()) -> pd.DataFrame:
    """The facts rows a rule audits, filtered exactly as GX filters them (same condition),
    with `columns` (all when empty): pandas `query` costs with the frame's width, so a caller
    needing a few columns names them."""
    clause = PandasExecutionEngine().condition_to_filter_clause(rule.applies_to)
    if columns:
        frame = frame[list(dict.fromkeys([*columns, *_condition_columns(rule.applies_to)]))]
    return frame.query(clause)
