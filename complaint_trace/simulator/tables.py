"""Ticketing and CRM rows from the ticket plans: tickets, events, contacts, surveys, customers.

Every table is a pyarrow Table with the contract's columns; timestamps are int64 UTC seconds
(the writer renders them per file) and `_day` is the index of the daily file a row goes to.
A table whose rows become known to the source later than their own timestamp says when in
`_due` (UTC seconds), which picks the delivery slot when files are cut finer than a day.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from complaint_trace.simulator.lifecycle import STATUS_AFTER, Ticket, build_events
from complaint_trace.simulator.reference import (
    COMPANIES,
    CONTACT_CHANNEL_MIX,
    DESCRIPTIONS,
    DISTRICTS,
    FAMILY_MIX,
    KINDS,
    LANDMARKS,
    NOTES,
    PLAN_CODES,
    SEGMENT_MIX,
    person_names,
    pick,
)

H = 3600
LATE_DELAY_S = 24 * H  # a late batch of ticket events is delivered one day after the events
CENTRES = {d[0]: (d[1], d[2]) for d in DISTRICTS}


class Days:
    """Maps UTC seconds to the index of the daily file (local business date), clamped.

    `bounds` are the local midnights (UTC seconds) from the first day to the as-of; days of
    a zone with daylight saving time have 23 or 25 hours."""

    def __init__(self, bounds: list[int]) -> None:
        self.bounds = np.asarray(bounds, dtype=np.int64)
        self.start, self.days = int(bounds[0]), len(bounds) - 1

    def one(self, ts: int) -> int:
        return int(self([ts])[0])

    def __call__(self, ts) -> np.ndarray:
        idx = np.searchsorted(self.bounds, np.asarray(ts, dtype=np.int64), side="right") - 1
        return np.clip(idx, 0, self.days - 1)


def _text(rng: np.random.Generator, templates: tuple[str, ...], district: str) -> str:
    short = district[3:] if len(district) > 3 else district
    landmark = LANDMARKS[int(rng.integers(len(LANDMARKS)))]
    return templates[int(rng.integers(len(templates)))].format(d=short, l=landmark)


def tickets_table(tickets: list[Ticket], rng: np.random.Generator, days: Days) -> pa.Table:
    lat, lon = [], []
    for t in tickets:
        if rng.random() < 0.2:
            lat.append(None)
            lon.append(None)
        else:
            c = CENTRES[t.district]
            lat.append(round(c[0] + rng.normal(0, 0.02), 6))
            lon.append(round(c[1] + rng.normal(0, 0.02), 6))
    created = [t.created for t in tickets]
    return pa.table({
        "ticket_id": [t.ticket_id for t in tickets],
        "msisdn": [t.msisdn for t in tickets],
        "created_at": pa.array(created, pa.int64()),
        "channel": [t.channel for t in tickets],
        "category": [f"{t.family}.{t.kind}" for t in tickets],
        "priority": [t.priority for t in tickets],
        "description": [_text(rng, DESCRIPTIONS[t.family], t.district) for t in tickets],
        "reported_district": [t.district for t in tickets],
        "reported_lat": pa.array(lat, pa.float64()),
        "reported_lon": pa.array(lon, pa.float64()),
        "reopened_from_ticket_id": pa.array([t.reopened_from for t in tickets], pa.string()),
        "_day": days(created),
    })


def events_table(tickets: list[Ticket], rng: np.random.Generator, as_of: int,
                 days: Days, block: int = 50_000) -> pa.Table:
    """Every ticket's events; built in blocks so Python lists never hold a month of them."""
    return pa.concat_tables([_events_block(tickets[i:i + block], rng, as_of, days)
                             for i in range(0, max(len(tickets), 1), block)])


def _events_block(tickets: list[Ticket], rng: np.random.Generator, as_of: int,
                  days: Days) -> pa.Table:
    cols: dict[str, list] = {k: [] for k in (
        "event_id", "ticket_id", "event_at", "action", "status_after", "department",
        "operator_id", "closure_code", "note", "_day", "_due")}
    for t in tickets:
        events = sorted(build_events(t, as_of, rng), key=lambda e: (e[0], e[1] != "created"))
        first_day = days.one(t.created)
        for k, (at, action, dept, code) in enumerate(events):
            cols["event_id"].append(f"{t.ticket_id}-{k + 1:02d}")
            cols["ticket_id"].append(t.ticket_id)
            cols["event_at"].append(at)
            cols["action"].append(action)
            cols["status_after"].append(STATUS_AFTER[action])
            cols["department"].append(dept)
            cols["operator_id"].append(f"OP{int(rng.integers(10000, 99999))}")
            cols["closure_code"].append(code)
            note = _text(rng, NOTES, t.district) if rng.random() < 0.3 else None
            cols["note"].append(note)
            day, due = days.one(at), at
            if t.late_events and action != "created":  # the system batch ran a day late
                day, due = min(day + 1, days.days - 1), at + LATE_DELAY_S
            cols["_day"].append(max(day, first_day))
            cols["_due"].append(due)
    ints = ("event_at", "_day", "_due")
    table = pa.table({k: pa.array(v, pa.string()) for k, v in cols.items() if k not in ints})
    for name in ints:
        table = table.append_column(name, pa.array(cols[name], pa.int64()))
    return table


def contacts_table(tickets: list[Ticket], rng: np.random.Generator, as_of: int, days: Days,
                   noise_msisdns: np.ndarray) -> pa.Table:
    rows: list[tuple] = []  # (at, msisdn, channel, direction, topic, ticket, resolved_on_contact)
    for t in tickets:
        topic = f"{t.family}.{t.kind}"
        ch = t.channel if t.channel != "regulator" else "hotline"
        if t.inbound is not None:
            rows.append((t.created + t.inbound, t.msisdn, ch, "inbound", topic, t.ticket_id,
                         False))
        if t.contact is not None and t.contact_via == "crm":
            rows.append((t.created + t.contact, t.msisdn, "hotline", "outbound", topic,
                         t.ticket_id, False))
        elif t.contact is not None and rng.random() < 0.3:  # a CRM record of a later call-back
            rows.append((t.created + t.contact + int(rng.integers(600, 7200)), t.msisdn,
                         "hotline", "outbound", topic, t.ticket_id, False))
        if t.unrelated_outbound:  # a marketing call: not a contact about the ticket
            rows.append((t.created + int(t.fc_s * rng.uniform(0.2, 0.8)), t.msisdn, "hotline",
                         "outbound", "product.plan_change", None, False))
    n = len(noise_msisdns)
    families = pick(rng, FAMILY_MIX, n)
    channels = pick(rng, CONTACT_CHANNEL_MIX, n)
    when = rng.integers(days.start, as_of, n)
    for i in range(n):
        kinds = KINDS[families[i]][0]
        rows.append((int(when[i]), str(noise_msisdns[i]), str(channels[i]),
                     "inbound" if rng.random() < 0.7 else "outbound",
                     f"{families[i]}.{kinds[int(rng.integers(len(kinds)))]}", None,
                     bool(rng.random() < 0.6)))
    rows = sorted((r for r in rows if r[0] < as_of), key=lambda r: (r[0], r[1]))
    at = [r[0] for r in rows]
    return pa.table({
        "contact_id": [f"CT{i + 1:010d}" for i in range(len(rows))],
        "msisdn": [r[1] for r in rows],
        "channel": [r[2] for r in rows],
        "direction": [r[3] for r in rows],
        "contact_at": pa.array(at, pa.int64()),
        "topic": [r[4] for r in rows],
        "related_ticket_id": pa.array([r[5] for r in rows], pa.string()),
        "resolved_on_contact": [r[6] for r in rows],
        "agent_id": [f"AG{int(x):05d}" for x in rng.integers(1, 3000, len(rows))],
        "_day": days(at),
    })


def surveys_table(tickets: list[Ticket], as_of: int, days: Days) -> pa.Table:
    rows = [(t.ticket_id, t.resolved_at + t.survey[0], t.survey[1], t.survey[2])
            for t in tickets if t.survey and t.resolved_at is not None
            and t.resolved_at + t.survey[0] < as_of]
    at = [r[1] for r in rows]
    return pa.table({
        "ticket_id": pa.array([r[0] for r in rows], pa.string()),
        "surveyed_at": pa.array(at, pa.int64()),
        "resolved_confirmed": pa.array([r[2] for r in rows], pa.bool_()),
        "score": pa.array([r[3] for r in rows], pa.int64()),
        "_day": days(at),
    })


def customers_table(versions: dict[str, list[tuple[int, str]]], districts: dict[str, str],
                    rng: np.random.Generator, days: Days,
                    segments: dict[str, str] | None = None) -> pa.Table:
    """One row per customer version; the first predates every ticket of the customer.
    `segments` fixes the segment of the customers a plant needs one of."""
    msisdns = sorted(versions)
    n = len(msisdns)
    segment = pick(rng, SEGMENT_MIX, n)
    for i, m in enumerate(msisdns):
        segment[i] = (segments or {}).get(m, segment[i])
    names = person_names(rng, n)
    rows = []
    for i, m in enumerate(msisdns):
        first_at = versions[m][0][0]
        registered = first_at - int(rng.integers(0, 365)) * 86400
        company = COMPANIES[i % len(COMPANIES)] if segment[i] == "enterprise" else None
        for k, (at, tier) in enumerate(versions[m]):
            plan = PLAN_CODES[int(rng.integers(len(PLAN_CODES)))]
            rows.append((f"CU{i + 1:09d}", m, names[i], tier, segment[i], company,
                         districts.get(m) or DISTRICTS[i % len(DISTRICTS)][0], plan, registered,
                         at, 0 if k == 0 else int(days([at])[0])))
    return pa.table({
        "customer_id": [r[0] for r in rows], "msisdn": [r[1] for r in rows],
        "customer_name": [r[2] for r in rows], "tier": [r[3] for r in rows],
        "segment": [r[4] for r in rows],
        "enterprise_name": pa.array([r[5] for r in rows], pa.string()),
        "home_district": [r[6] for r in rows], "plan_code": [r[7] for r in rows],
        "registered_at": pa.array([r[8] for r in rows], pa.int64()),
        "updated_at": pa.array([r[9] for r in rows], pa.int64()),
        "_day": pa.array([r[10] for r in rows], pa.int64()),
    })
