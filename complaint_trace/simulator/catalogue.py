"""The catalogue of planted scenarios: for every audit rule the cases that must fire and the
near misses that must not, each with its planner (scenarios.py) and planted network evidence
(plants.py). docs/simulator.md describes each one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from complaint_trace.simulator.config import APPEAL_WINDOW_S, REPEAT_WINDOW_S
from complaint_trace.simulator.lifecycle import Ticket
from complaint_trace.simulator.scenarios import (
    Ctx,
    H,
    cancelled,
    f3_duplicate,
    f3_no_contact,
    network_fix,
    open_since,
    open_undispatched,
    reopened,
    repeat_pair,
    resolved_undispatched,
    step_timed,
    t1_inside,
    t1_pending,
    t1_timeout,
    t2_just_in_time,
    t2_late,
    t2_open_no_contact,
    t3_overdue,
    t3_pending,
    tier_changed,
    with_survey,
)


@dataclass(frozen=True)
class Scenario:
    name: str
    rules: tuple[str, ...]  # rules that must fire on the planted ticket
    near_miss: bool
    priorities: tuple[str, ...]
    plan: Callable[[Ticket, Ctx], list[Ticket]]
    network: str | None = None  # planted network evidence (see plants.py), None: none
    role_ranks: tuple[int, ...] = (0,)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("t1_resolve_timeout", ("T1",), False, ("urgent", "high", "normal"), t1_timeout),
    Scenario("nm_t1_resolved_just_inside", (), True, ("urgent", "high", "normal"), t1_inside),
    Scenario("nm_t1_pending_keeps_inside", (), True, ("urgent", "high", "normal"), t1_pending),
    Scenario("t2_late_first_contact", ("T2",), False, ("high", "normal", "low"), t2_late),
    Scenario("t2_inbound_only", ("T2",), False, ("high", "normal", "low"),
             lambda t, c: t2_late(t, c, inbound=True)),
    Scenario("t2_open_no_contact", ("T2",), False, ("normal", "low"), t2_open_no_contact),
    Scenario("nm_t2_contact_just_in_time", (), True, ("high", "normal", "low"), t2_just_in_time),
    Scenario("nm_tier_changed_after_creation", (), True, ("normal",), tier_changed),
    Scenario("t3_overdue_open", ("T3",), False, ("urgent", "high", "normal"), t3_overdue),
    Scenario("nm_t3_pending_keeps_inside", (), True, ("urgent", "high", "normal"), t3_pending),
    Scenario("nm_cancelled_exempt", (), True, ("urgent", "high", "normal"), cancelled),
    Scenario("f1_alarm_active", ("F1",), False, ("high", "normal", "low"),
             lambda t, c: network_fix(t, c, 2), "f1_active", (0, 1, 2)),
    Scenario("nm_f1_cleared_in_grace", (), True, ("high", "normal", "low"),
             lambda t, c: network_fix(t, c, 2), "f1_cleared_in_grace", (0, 1, 2)),
    Scenario("nm_f1_minor_alarm", (), True, ("high", "normal", "low"),
             lambda t, c: network_fix(t, c, 2), "f1_minor", (0, 1, 2)),
    Scenario("nm_f1_alarm_on_fourth_cell", (), True, ("high", "normal", "low"),
             lambda t, c: network_fix(t, c, 2), "f1_active", (3,)),
    Scenario("f2_kpi_not_recovered", ("F2",), False, ("high", "normal", "low"),
             lambda t, c: network_fix(t, c, 9), "f2_fire"),
    Scenario("f2_missing_hours_excluded", ("F2",), False, ("high", "normal", "low"),
             lambda t, c: network_fix(t, c, 12), "f2_missing_hours"),
    Scenario("nm_f2_just_under_half", (), True, ("high", "normal", "low"),
             lambda t, c: network_fix(t, c, 9), "f2_just_under"),
    Scenario("nm_f2_null_kpi_hours", (), True, ("high", "normal", "low"),
             lambda t, c: network_fix(t, c, 12), "f2_null_kpis"),
    Scenario("f3_no_contact_before_resolution", ("F3",), False, ("normal", "low"),
             f3_no_contact),
    Scenario("nm_f3_customer_unreachable", (), True, ("normal", "low"),
             lambda t, c: f3_no_contact(t, c, "customer_unreachable")),
    Scenario("nm_duplicate_exempt", (), True, ("high", "normal", "low"), f3_duplicate),
    Scenario("f4_repeat_same_family", ("F4",), False, ("high", "normal", "low"),
             lambda t, c: repeat_pair(t, c, (2 * H, REPEAT_WINDOW_S - 2 * H), True)),
    # reopened within days of creation: also the appeal window's (R1)
    Scenario("f4_reopened", ("F4", "R1"), False, ("high", "normal", "low"), reopened),
    Scenario("nm_f4_repeat_on_day_8", (), True, ("high", "normal", "low"),
             lambda t, c: repeat_pair(t, c, (REPEAT_WINDOW_S + 2 * H, REPEAT_WINDOW_S + 20 * H),
                                      True)),
    Scenario("nm_f4_repeat_other_family", (), True, ("high", "normal", "low"),
             lambda t, c: repeat_pair(t, c, (2 * H, REPEAT_WINDOW_S - 2 * H), False)),
    Scenario("f5_survey_disputes", ("F5", "R1"), False, ("high", "normal", "low"),
             lambda t, c: with_survey(t, c, False)),
    # R1: open at the as-of 15 days or more after creation (and long past its SLA: T3); one
    # minute short of 15 days is T3 only
    Scenario("r1_open_past_appeal_window", ("T3", "R1"), False, ("high", "normal", "low"),
             lambda t, c: open_since(t, c, APPEAL_WINDOW_S + int(c.rng.integers(0, 6 * H)))),
    Scenario("nm_r1_open_a_minute_short", ("T3",), True, ("high", "normal", "low"),
             lambda t, c: open_since(t, c, APPEAL_WINDOW_S - 60)),
    Scenario("nm_f5_survey_unanswered", (), True, ("high", "normal", "low"),
             lambda t, c: with_survey(t, c, None)),
    # O1/O2 (§10): a step over its limit, one a minute inside, a ticket still waiting for
    # dispatch past the limit, and one resolved without the step (it was not needed)
    Scenario("o1_dispatch_late", ("O1",), False, ("urgent", "high", "normal", "low"),
             lambda t, c: step_timed(t, c, "O1", over=True)),
    Scenario("nm_o1_dispatch_a_minute_inside", (), True, ("urgent", "high", "normal", "low"),
             lambda t, c: step_timed(t, c, "O1", over=False)),
    Scenario("o1_open_not_dispatched", ("O1",), False, ("urgent", "high"), open_undispatched),
    Scenario("nm_o1_resolved_without_dispatch", (), True, ("urgent", "high", "normal"),
             resolved_undispatched),
    Scenario("o2_accept_late", ("O2",), False, ("urgent", "high", "normal", "low"),
             lambda t, c: step_timed(t, c, "O2", over=True)),
    Scenario("nm_o2_accept_a_minute_inside", (), True, ("urgent", "high", "normal", "low"),
             lambda t, c: step_timed(t, c, "O2", over=False)),
)
BY_NAME = {s.name: s for s in SCENARIOS}
