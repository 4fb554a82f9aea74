"""Planners of the planted cases (catalogue.py lists them): each sets a ticket's plan so the
intended outcome holds by construction.

A planner gets a ticket with priority and tier drawn, places it in time and raises
`Infeasible` when the simulated span is too short for it (the caller redraws or falls back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from complaint_trace.simulator.config import step_limit_s
from complaint_trace.simulator.lifecycle import Pause, Ticket

H = 3600


class Infeasible(Exception):
    """The plan does not fit between the simulation start and the as-of time."""


@dataclass(frozen=True)
class Ctx:
    rng: np.random.Generator
    start: int  # first simulated instant (UTC seconds)
    as_of: int
    follow: Callable[[Ticket, bool], Ticket]
    """Makes a follow-up ticket of the same MSISDN (same category family or not)."""

    def place(self, t: Ticket, need: int, lo: int | None = None, hi: int | None = None) -> None:
        """Draw `created` so that `need` seconds after it still fall before the as-of."""
        lo = self.start + 600 if lo is None else lo
        hi = self.as_of - need if hi is None else min(hi, self.as_of - need)
        if hi <= lo:
            raise Infeasible
        t.created = int(self.rng.integers(lo, hi))

    def u(self, a: float, b: float) -> float:
        return float(self.rng.uniform(a, b))


def contact_in_time(t: Ticket, c: Ctx) -> None:
    t.contact = int(t.fc_s * c.u(0.2, 0.85))
    t.contact_via = "crm" if c.rng.random() < 0.4 else "event"


def resolve_within(t: Ticket, c: Ctx, lo: float = 0.2, hi: float = 0.8) -> None:
    t.resolve_clock = max(int(t.res_s * c.u(lo, hi)), (t.contact or 0) + 600)


def _resolved(t: Ticket, c: Ctx, after: int = 60) -> list[Ticket]:
    c.place(t, t.wall(t.resolve_clock) - t.created + after)
    return [t]


def t1_timeout(t: Ticket, c: Ctx) -> list[Ticket]:
    """Late although a pending pause after the contact does not count (every such ticket:
    with few planted per scenario, a coin toss left some datasets without one)."""
    contact_in_time(t, c)
    t.resolve_clock = int(t.res_s * c.u(1.05, 1.5)) + 600
    t.pauses = [Pause(t.contact + 300, int(t.res_s * c.u(0.1, 0.3)))]
    return _resolved(t, c)


def t1_inside(t: Ticket, c: Ctx) -> list[Ticket]:
    contact_in_time(t, c)
    t.resolve_clock = t.res_s - int(c.rng.integers(60, 900))
    return _resolved(t, c)


def t1_pending(t: Ticket, c: Ctx) -> list[Ticket]:
    contact_in_time(t, c)
    t.resolve_clock = int(t.res_s * c.u(0.8, 0.97))
    paused = max(int(t.res_s * c.u(0.15, 0.5)), int(t.res_s * 1.1) - t.resolve_clock)
    t.pauses = [Pause(t.contact + int((t.resolve_clock - t.contact) * c.u(0.1, 0.6)), paused)]
    return _resolved(t, c)


def t2_late(t: Ticket, c: Ctx, inbound: bool = False) -> list[Ticket]:
    t.contact = int(t.fc_s * c.u(1.2, 3.0)) + 120
    t.contact_via = "crm" if c.rng.random() < 0.4 else "event"
    if inbound:  # the customer chases it inside the limit; a marketing call goes out too
        t.inbound = int(t.fc_s * c.u(0.1, 0.5))
        t.unrelated_outbound = True
    t.resolve_clock = max(int(t.res_s * c.u(0.4, 0.85)), t.contact + 600)
    return _resolved(t, c)


def t2_just_in_time(t: Ticket, c: Ctx) -> list[Ticket]:
    t.contact = t.fc_s - int(c.rng.integers(60, 300))
    t.contact_via = "crm" if c.rng.random() < 0.5 else "event"
    resolve_within(t, c)
    return _resolved(t, c)


def t2_open_no_contact(t: Ticket, c: Ctx) -> list[Ticket]:
    # open at as-of, first-contact deadline passed, resolution clock still inside its limit
    c.place(t, t.fc_s + 600, lo=max(c.start + 600, c.as_of - int(t.res_s * 0.8)))
    return [t]


def _open_at_as_of(t: Ticket, c: Ctx, clock: int, paused: int, resumed: bool) -> list[Ticket]:
    t.created = c.as_of - clock - paused
    if t.created < c.start + 600:
        raise Infeasible
    contact_in_time(t, c)
    if paused:
        at = clock if not resumed else t.contact + int((clock - t.contact) * c.u(0.1, 0.8))
        t.pauses = [Pause(at, paused if resumed else None)]
    return [t]


def t3_overdue(t: Ticket, c: Ctx) -> list[Ticket]:
    paused = int(t.res_s * c.u(0.1, 0.3)) if c.rng.random() < 0.4 else 0
    return _open_at_as_of(t, c, int(t.res_s * c.u(1.05, 1.4)) + 600, paused, True)


def open_since(t: Ticket, c: Ctx, age: int) -> list[Ticket]:
    """Open at the as-of `age` seconds after its creation (contacted in time, never resolved),
    so created before the simulated days when `age` is longer than them."""
    t.created = c.as_of - age
    contact_in_time(t, c)
    if t.contact >= age:
        raise Infeasible
    return [t]


def t3_pending(t: Ticket, c: Ctx) -> list[Ticket]:
    clock = int(t.res_s * c.u(0.75, 0.95))
    paused = max(int(t.res_s * c.u(0.3, 0.6)), int(t.res_s * 1.1) - clock)
    return _open_at_as_of(t, c, clock, paused, bool(c.rng.random() < 0.5))


def network_fix(t: Ticket, c: Ctx, margin_h: int) -> list[Ticket]:
    """Resolved in time with a network-fix code, leaving `margin_h` hours of data after it."""
    contact_in_time(t, c)
    resolve_within(t, c, 0.3, 0.8)
    t.code = "network_fixed" if c.rng.random() < 0.6 else "network_optimized"
    c.place(t, t.resolve_clock + margin_h * H, lo=c.start + 2 * H)
    return [t]


def f3_no_contact(t: Ticket, c: Ctx, code: str | None = None) -> list[Ticket]:
    t.resolve_clock = int(t.fc_s * c.u(0.3, 0.8))
    if code is None and c.rng.random() < 0.5:  # a call-back after resolution, inside the limit
        t.contact = t.resolve_clock + int((t.fc_s - t.resolve_clock) * c.u(0.2, 0.8))
        t.contact_via = "crm"
    t.code = code or str(c.rng.choice(["explained", "no_fault_found", "billing_adjusted"]))
    return _resolved(t, c, after=t.fc_s)


def f3_duplicate(t: Ticket, c: Ctx) -> list[Ticket]:
    t.resolve_clock = max(int(t.res_s * c.u(0.3, 0.9)), t.fc_s + 600)
    t.code = "duplicate"
    return _resolved(t, c)


def cancelled(t: Ticket, c: Ctx) -> list[Ticket]:
    t.cancel_at = t.fc_s + int(c.rng.integers(600, max(1200, t.res_s // 2)))
    c.place(t, t.cancel_at + 60)
    return [t]


def reopened(t: Ticket, c: Ctx) -> list[Ticket]:
    contact_in_time(t, c)
    first = max(int(t.res_s * c.u(0.2, 0.4)), t.contact + 600)
    t.pauses = [Pause(first, int(c.rng.integers(2 * H, 24 * H)), "reopen", t.code)]
    t.resolve_clock = first + int(t.res_s * c.u(0.1, 0.3))
    return _resolved(t, c)


def with_survey(t: Ticket, c: Ctx, confirmed: bool | None) -> list[Ticket]:
    contact_in_time(t, c)
    resolve_within(t, c)
    c.place(t, t.wall(t.resolve_clock) - t.created + 2 * H)
    room = c.as_of - t.wall(t.resolve_clock) - 60
    score = int(c.rng.integers(1, 3)) if confirmed is not None or c.rng.random() < 0.7 else None
    t.survey = (int(c.rng.integers(1800, min(24 * H, room))), confirmed, score)
    return [t]


def repeat_pair(t: Ticket, c: Ctx, gap: tuple[int, int], same_family: bool) -> list[Ticket]:
    """`t` resolved, then the same MSISDN opens a follow-up ticket `gap` seconds later."""
    contact_in_time(t, c)
    resolve_within(t, c, 0.2, 0.6)
    if c.as_of - c.start <= 3 * H:
        raise Infeasible
    created = int(c.rng.integers(c.start + H, c.as_of - 2 * H))
    resolved = created - int(c.rng.integers(*gap))
    t.created = 0
    t.created = resolved - t.wall(t.resolve_clock)
    if t.created < c.start - 14 * 86400:
        raise Infeasible
    later = c.follow(t, same_family)
    later.created = created
    later.scenario = f"{t.scenario}_followup"
    later.reopened_from = t.ticket_id if same_family and c.rng.random() < 0.5 else None
    return [t, later]


def tier_changed(t: Ticket, c: Ctx) -> list[Ticket]:
    """Standard at creation, platinum afterwards: inside the standard limits only."""
    t.tier = "standard"
    t.contact = int(c.rng.integers(65, 115)) * 60  # standard: 120 min, platinum: 60 min
    t.contact_via = "event"
    t.resolve_clock = int(c.rng.integers(25 * H, 46 * H))  # standard: 48 h, platinum: 24 h
    try:
        _resolved(t, c)
    except Infeasible:
        resolve_within(t, c, 0.3, 0.9)
        _resolved(t, c)
    t.tier_change = (t.created + int((c.as_of - t.created) * c.u(0.05, 0.9)), "platinum")
    return [t]


def _minutes_past(limit: int, c: Ctx, over: bool) -> int:
    """A step's length: 1 to 20 minutes over its limit, or one minute inside it."""
    return limit + int(c.u(60, 1200)) if over else limit - 60


def step_timed(t: Ticket, c: Ctx, rule_id: str, over: bool) -> list[Ticket]:
    """Resolved in time, with the dispatch (O1) or the acceptance after it (O2) late or one
    minute inside its limit; the other step quick. No pause: the step clock is wall time."""
    dispatch_limit, accept_limit = step_limit_s("O1", t.priority), step_limit_s("O2", t.priority)
    if rule_id == "O1":
        t.dispatch_after = _minutes_past(dispatch_limit, c, over)
        t.accept_after = int(accept_limit * c.u(0.1, 0.5))
    else:
        t.dispatch_after = int(dispatch_limit * c.u(0.1, 0.5))
        t.accept_after = _minutes_past(accept_limit, c, over)
    contact_in_time(t, c)
    resolve_within(t, c)
    t.resolve_clock = max(t.resolve_clock, t.dispatch_after + t.accept_after + 600)
    if t.resolve_clock >= t.res_s:
        raise Infeasible
    return _resolved(t, c)


def open_undispatched(t: Ticket, c: Ctx) -> list[Ticket]:
    """Open at the as-of, never dispatched, 10 to 60 minutes past the dispatch limit (O1)."""
    t.dispatched = False
    return open_since(t, c, step_limit_s("O1", t.priority) + int(c.u(600, 3600)))


def resolved_undispatched(t: Ticket, c: Ctx) -> list[Ticket]:
    """Resolved in time without ever being dispatched, after the dispatch limit: the step was
    not needed (no O1)."""
    t.dispatched = False
    contact_in_time(t, c)
    resolve_within(t, c)
    t.resolve_clock = max(t.resolve_clock, step_limit_s("O1", t.priority) + 600)
    if t.resolve_clock >= t.res_s:
        raise Infeasible
    return _resolved(t, c)
