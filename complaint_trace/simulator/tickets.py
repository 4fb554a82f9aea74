"""Plan every ticket: background tickets that must fire no rule, and the planted cases.

Per-ticket Python is fine here: it runs at ticket scale (25 k a day), not at KPI scale.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from complaint_trace.simulator.catalogue import SCENARIOS, Scenario
from complaint_trace.simulator.config import NETWORK_FIX_CODES, SimConfig, sla_limits_s
from complaint_trace.simulator.lifecycle import Pause, Ticket
from complaint_trace.simulator.policy_plants import plant_tickets, policy_plants
from complaint_trace.simulator.reference import (
    CLOSURE_MIX,
    DISTRICTS,
    FAMILY_MIX,
    KINDS,
    PRIORITY_MIX,
    TICKET_CHANNEL_MIX,
    TIER_MIX,
    msisdns,
    pick,
)
from complaint_trace.simulator.scenarios import Ctx, Infeasible

H = 3600
# share of each local hour of the day in complaint intake (busy evenings)
INTAKE_CURVE = np.array([1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 7, 7, 7, 7, 7, 8, 9, 9, 8, 5, 3],
                        dtype=float)
TIER_CHANGE_RATE = 0.04
TIER_P = np.array(TIER_MIX[1], dtype=float) / sum(TIER_MIX[1])


class Planner:
    """Draws tickets; `versions` collects each MSISDN's CRM tier versions [(updated_at, tier)]."""

    def __init__(self, cfg: SimConfig, rng: np.random.Generator, start: int, as_of: int) -> None:
        self.cfg, self.rng, self.start, self.as_of = cfg, rng, start, as_of
        total = cfg.days * cfg.tickets_per_day
        self.numbers = iter(msisdns(rng, 2 * total + 16))
        self.versions: dict[str, list[tuple[int, str]]] = {}
        self.seq = 0
        self.ctx = Ctx(rng, start, as_of, self.follow)
        # attribute draws come from pools drawn in one vectorised call each, not per ticket
        size = 2 * total + 64
        districts = (tuple(d[0] for d in DISTRICTS), tuple(d[3] for d in DISTRICTS))
        self.pools = {"family": iter(pick(rng, FAMILY_MIX, size)),
                      "channel": iter(pick(rng, TICKET_CHANNEL_MIX, size)),
                      "district": iter(pick(rng, districts, size)),
                      "late": iter(rng.random(size) < cfg.late_event_rate)}
        for family in FAMILY_MIX[0]:
            self.pools[f"kind.{family}"] = iter(pick(rng, KINDS[family], size))
            self.pools[f"code.{family}"] = iter(pick(rng, CLOSURE_MIX[family], size))

    def _draw(self, pool: str):
        return next(self.pools[pool])

    def _new(self, priority: str, tier: str, family: str | None = None) -> Ticket:
        self.seq += 1
        family = family or str(self._draw("family"))
        fc_s, res_s = sla_limits_s(priority, tier)
        return Ticket(
            ticket_id=f"tmp{self.seq}", msisdn=next(self.numbers), created=0, priority=priority,
            tier=tier, family=family, kind=str(self._draw(f"kind.{family}")),
            channel=str(self._draw("channel")), fc_s=fc_s, res_s=res_s,
            code=str(self._draw(f"code.{family}")), district=str(self._draw("district")),
            late_events=bool(self._draw("late")),
        )

    def _clean(self, t: Ticket) -> Ticket:
        """A plan that fires nothing: contact and resolution inside the limits, no dispute."""
        rng, c = self.rng, self.ctx
        t.contact = int(t.fc_s * c.u(0.15, 0.85))
        t.contact_via = "crm" if rng.random() < 0.35 else "event"
        t.inbound = -int(rng.integers(30, 600)) if rng.random() < 0.7 else None
        t.unrelated_outbound = bool(rng.random() < 0.05)
        if rng.random() < 0.02:
            t.cancel_at = t.contact + int(rng.integers(600, 4 * H))
            return t
        frac = float(np.clip(rng.beta(2, 3), 0.05, 0.9))
        t.resolve_clock = max(int(t.res_s * frac), t.contact + 600)
        if rng.random() < 0.2:
            at = t.contact + int((t.resolve_clock - t.contact) * c.u(0.2, 0.8))
            t.pauses = [Pause(at, int(rng.integers(H, 12 * H)))]
        t.close_only = bool(rng.random() < 0.05)
        if rng.random() < 0.35:
            confirmed = True if rng.random() < 0.85 else None
            score = int(rng.integers(3, 6)) if rng.random() < 0.9 else None
            t.survey = (int(rng.integers(H, 72 * H)), confirmed, score)
        t.sessions = "missing" if rng.random() < self.cfg.missing_trace_rate else "normal"
        if t.code in NETWORK_FIX_CODES:
            t.pool = "H"
        else:
            t.pool = "P" if t.family == "network" or rng.random() < 0.5 else "H"
        return t

    def follow(self, earlier: Ticket, same_family: bool) -> Ticket:
        families = [f for f in FAMILY_MIX[0] if (f == earlier.family) == same_family]
        t = self._new(earlier.priority, earlier.tier, str(self.rng.choice(families)))
        t.msisdn = earlier.msisdn
        t.district = earlier.district
        t = self._clean(t)
        t.survey, t.pool = None, "H"
        return t

    def background(self, n: int) -> list[Ticket]:
        rng, cfg = self.rng, self.cfg
        day = rng.integers(0, cfg.days, n)
        hour = rng.choice(24, size=n, p=INTAKE_CURVE / INTAKE_CURVE.sum())
        midnight = self.start + day * 86400  # a daylight-saving day may be an hour shorter:
        created = np.minimum(midnight + hour * H + rng.integers(0, H, n), self.as_of - 60)
        tiers = pick(rng, TIER_MIX, n)
        priorities = pick(rng, PRIORITY_MIX, n)
        out = []
        for i in range(n):
            t = self._new(str(priorities[i]), str(tiers[i]))
            t.created = int(created[i])
            versions = [(self.start - int(rng.integers(30, 3000)) * 86400, t.tier)]
            if rng.random() < TIER_CHANGE_RATE:
                when = int(rng.integers(self.start - 3 * 86400, self.as_of - H))
                other = str(rng.choice([x for x in TIER_MIX[0] if x != t.tier]))
                versions.append((when, other))
                if when <= t.created:  # the tier valid at creation decides the SLA
                    t.tier = other
                    t.fc_s, t.res_s = sla_limits_s(t.priority, other)
            self.versions[t.msisdn] = versions
            out.append(self._clean(t))
        return out

    def planted(self, n: int) -> tuple[list[Ticket], int]:
        """`n` planted tickets cycling through the scenarios; returns them and the misfits."""
        out: list[Ticket] = []
        misfits = 0
        for j in range(n):
            tickets = self._plant(SCENARIOS[j % len(SCENARIOS)])
            if tickets is None:
                misfits += 1
                continue
            out.extend(tickets)
        return out, misfits

    def _plant(self, s: Scenario) -> list[Ticket] | None:
        rng = self.rng
        for _ in range(16):
            t = self._new(str(rng.choice(s.priorities)), str(rng.choice(TIER_MIX[0], p=TIER_P)))
            if s.network:
                t.family = "network"
                t.kind = str(self._draw("kind.network"))
            if t.code in ("duplicate", "customer_unreachable"):
                t.code = "explained"
            t.scenario, t.near_miss, t.rules = s.name, s.near_miss, s.rules
            if s.network:
                t.role_rank = int(rng.choice(s.role_ranks))
            try:
                tickets = s.plan(t, self.ctx)
            except Infeasible:
                continue
            start_tier = "standard" if t.tier_change else t.tier
            self.versions[t.msisdn] = [(min(x.created for x in tickets) - int(
                rng.integers(30, 3000)) * 86400, start_tier)]
            if t.tier_change:
                self.versions[t.msisdn].append(t.tier_change)
            return tickets
        return None


def plan_tickets(cfg: SimConfig, rng: np.random.Generator, start: int, as_of: int
                 ) -> tuple[list[Ticket], dict[str, list[tuple[int, str]]], int, list[str]]:
    """All tickets (background + planted, with final ids), CRM tier versions, misfit count,
    and the policy variant's extra seed rows (`policy_plants.py`)."""
    planner = Planner(cfg, rng, start, as_of)
    total = cfg.days * cfg.tickets_per_day
    n_planted = int(round(cfg.planted_rate * total))
    planted, misfits = planner.planted(n_planted)
    plants, variant_rows = policy_plants(cfg.start, cfg.source_tz) if n_planted else ([], [])
    policy = plant_tickets(plants, planner._new, cfg.source_tz)
    for t in policy:  # a customer since long before, of the tier the plant is judged on
        planner.versions[t.msisdn] = [(t.created - 400 * 86400, t.tier)]
    tickets = planner.background(total - n_planted + misfits) + planted + policy
    _assign_ids(tickets, cfg)
    return tickets, planner.versions, misfits, variant_rows


def _assign_ids(tickets: list[Ticket], cfg: SimConfig) -> None:
    """Ticket numbers `GD<yyyymmdd><seq>` in creation order; repoint repeat references."""
    tickets.sort(key=lambda t: (t.created, t.ticket_id))
    zone = ZoneInfo(cfg.source_tz)  # the number carries the local business date
    rename = {}
    for i, t in enumerate(tickets):
        day = datetime.fromtimestamp(t.created, zone).strftime("%Y%m%d")
        rename[t.ticket_id] = f"GD{day}{i + 1:07d}"
    for t in tickets:
        t.ticket_id = rename[t.ticket_id]
        t.reopened_from = rename.get(t.reopened_from) if t.reopened_from else None
