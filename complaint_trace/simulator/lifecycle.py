"""One ticket's handling plan and the ticket events it produces.

Times are integer seconds. The plan is written in *clock* positions (seconds of SLA clock
since creation); pauses (pending, resolved->reopened) stop the clock, so the wall time of a
position is `created + position + the pauses before it`. Building events this way makes the
clock of every planted case exact by construction (audit-rules §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from complaint_trace.simulator.reference import DEPARTMENTS

STATUS_AFTER = {
    "created": "acknowledged", "dispatched": "acknowledged", "accepted": "inProgress",
    "customer_contacted": "inProgress", "site_visit": "inProgress", "pending_customer": "pending",
    "resumed": "inProgress", "escalated": "inProgress", "resolved": "resolved",
    "closed": "closed", "reopened": "inProgress", "cancelled": "cancelled",
}


@dataclass(slots=True)
class Pause:
    """The clock stops at clock position `at` for `seconds` (None: still paused at the end)."""

    at: int
    seconds: int | None
    kind: str = "pending"  # pending (pending_customer -> resumed) | reopen (resolved -> reopened)
    code: str | None = None  # closure code of the resolution a reopen pause starts with


@dataclass(slots=True)
class Ticket:
    ticket_id: str
    msisdn: str
    created: int
    priority: str
    tier: str
    family: str
    kind: str
    channel: str
    fc_s: int
    res_s: int
    scenario: str = "clean"
    near_miss: bool = False
    rules: tuple[str, ...] = ()
    code: str | None = None  # planned closure code
    contact: int | None = None  # wall seconds after creation of the operator's first contact
    contact_via: str = "event"  # event | crm
    # seconds after creation of the customer's own call about it (not a contact by the operator)
    inbound: int | None = None
    unrelated_outbound: bool = False  # an outbound call not tied to the ticket
    pauses: list[Pause] = field(default_factory=list)
    resolve_clock: int | None = None  # clock position of the (last) resolution
    close_only: bool = False  # resolution delivered as a `closed` event without `resolved`
    cancel_at: int | None = None  # wall seconds after creation
    # (seconds after resolution, resolved_confirmed, score)
    survey: tuple[int, bool | None, int | None] | None = None
    sessions: str = "normal"  # normal | missing
    pool: str = "H"  # H: healthy cells only; P: may link problem cells (non network-fix codes)
    role_rank: int | None = None  # rank (0-based) of the planted cell among linked cells
    reopened_from: str | None = None
    late_events: bool = False
    district: str = ""
    tier_change: tuple[int, str] | None = None  # (UTC seconds, new tier) of a later CRM version
    resolved_at: int | None = None  # filled by build_events (wall, UTC seconds)
    # step deadline plants (audit-rules §10): wall seconds from creation to `dispatched` and
    # from it to `accepted` (None: the usual quick steps); `dispatched=False`: neither comes
    dispatch_after: int | None = None
    accept_after: int | None = None
    dispatched: bool = True
    # policy plants (audit-rules §8, §9; policy_plants.py): the customer's segment, and what
    # fires under the truth's policy variant (None: the same as `rules`)
    segment: str | None = None
    variant_rules: tuple[str, ...] | None = None

    def wall(self, position: int) -> int:
        """Wall time of a clock position: add every finished pause that starts before it."""
        extra = sum(p.seconds for p in self.pauses if p.at < position and p.seconds is not None)
        return self.created + position + extra


def _position_before(t: Ticket, lo: int, rng: np.random.Generator) -> int:
    """A clock position after `lo`, before the first pause and the resolution."""
    ends = [p.at for p in t.pauses if p.at > lo]
    if t.resolve_clock is not None:
        ends.append(t.resolve_clock)
    hi = min(ends) if ends else lo + 7200
    return int(lo + max(1, (hi - lo) * rng.uniform(0.2, 0.8)))


def build_events(t: Ticket, as_of: int, rng: np.random.Generator) -> list[tuple]:
    """(event_at, action, department, closure_code) of the ticket, happened before `as_of`."""
    handler = DEPARTMENTS[t.family]
    first_pause = min([p.at for p in t.pauses] + [t.resolve_clock or 10**9, t.cancel_at or 10**9])
    step = max(30, min(first_pause, t.fc_s) // 8)
    out: list[tuple] = [(t.created, "created", DEPARTMENTS["intake"], None)]
    dispatch = int(step * rng.uniform(0.3, 1.0))
    accept = step + int(step * rng.uniform(0.1, 0.9))  # both drawn: the same stream for all
    if t.dispatched:
        dispatch = dispatch if t.dispatch_after is None else t.dispatch_after
        accept = accept if t.accept_after is None else dispatch + t.accept_after
        out.append((t.created + dispatch, "dispatched", handler, None))
        out.append((t.created + accept, "accepted", handler, None))
    contact_event = t.contact is not None and t.contact_via == "event"
    if contact_event:
        out.append((t.created + t.contact, "customer_contacted", handler, None))
    if t.cancel_at is not None:
        out.append((t.created + t.cancel_at, "cancelled", handler, None))
        return [e for e in out if e[0] < as_of]
    after = t.contact if contact_event else 2 * step
    if t.family == "network" and rng.random() < 0.6 and after is not None:
        out.append((t.wall(_position_before(t, after, rng)), "site_visit",
                    DEPARTMENTS["field"], None))
    if t.priority == "urgent" or t.channel == "regulator":
        out.append((t.wall(_position_before(t, after, rng)), "escalated", handler, None))
    for p in t.pauses:
        start = t.wall(p.at)
        begin, end = ("pending_customer", "resumed") if p.kind == "pending" else ("resolved",
                                                                                 "reopened")
        out.append((start, begin, handler, p.code))
        if p.seconds is not None:
            out.append((start + p.seconds, end, handler, None))
    if t.resolve_clock is not None:
        t.resolved_at = t.wall(t.resolve_clock)
        out.append((t.resolved_at, "closed" if t.close_only else "resolved", handler, t.code))
        if not t.close_only and rng.random() < 0.6:
            out.append((t.resolved_at + int(rng.integers(3600, 48 * 3600)), "closed", handler,
                        None))
        if t.resolved_at >= as_of:
            t.resolved_at = None
    return [e for e in out if e[0] < as_of]
