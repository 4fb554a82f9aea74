"""Which cells each complainant used: hourly sessions concentrated on a few dominant cells near
the reported district, vectorised over all tickets at once.

Each ticket gets ranked slots; slot r's total `duration_s` inside the complaint window is
`base * 0.55**r`, so the ranking of linked cells (audit-rules §3) is strict by construction and
a planted cell can be put on exactly the rank a scenario needs (e.g. 4th). An extra slot lies
outside the window (before it, or after creation) with the largest total of all: it must not
be linked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from complaint_trace.simulator.config import COMPLAINT_WINDOW_H
from complaint_trace.simulator.lifecycle import Ticket
from complaint_trace.simulator.network import Cells

H = 3600
STEPS = np.array([1, 5, 7, 11, 13, 17, 19, 23, 25, 29, 31, 35])  # coprime to 72: distinct hours


def _slot_cells(cells: Cells, district: np.ndarray, pool: np.ndarray, slot_no: np.ndarray,
                start: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One cell per slot from the ticket's pool and district; distinct within a ticket."""
    out = np.full(len(district), -1, dtype=np.int64)
    for p in ("H", "P"):
        glob = rng.permutation(np.flatnonzero(cells.pool == p))
        by_district = cells.pick_pool(p)
        for d, members in by_district.items():
            sel = np.flatnonzero((pool == p) & (district == d))
            if not len(sel):
                continue
            arr = rng.permutation(members) if len(members) >= 8 else glob
            # consecutive entries from one start per ticket: distinct cells within a ticket
            out[sel] = arr[(start[sel] + slot_no[sel]) % len(arr)]
    return out


def assign_role_cells(tickets: list[Ticket], cells: Cells,
                      rng: np.random.Generator) -> dict[int, int]:
    """Ticket index -> its own reserved cell, for every planted network case."""
    reserved = rng.permutation(np.flatnonzero(cells.pool == "R"))
    roles = [i for i, t in enumerate(tickets) if t.role_rank is not None]
    return {i: int(reserved[j]) for j, i in enumerate(roles)}


class SessionWriter:
    """Sessions of the tickets created on one day at a time (they are delivered that day).

    MSISDNs with several tickets (planted repeats) may get the same cell and hour from two
    tickets' windows; the first delivery wins, across days too."""

    def __init__(self, tickets: list[Ticket], cells: Cells, role_cells: dict[int, int],
                 days, as_of: int, seeds: np.random.SeedSequence) -> None:
        self.tickets, self.cells, self.role_cells = tickets, cells, role_cells
        self.days, self.as_of = days, as_of
        self.seeds = seeds.spawn(days.days)
        day_of = days([t.created for t in tickets])
        self.by_day = [np.flatnonzero(day_of == d) for d in range(days.days)]
        counts = pd.Series([t.msisdn for t in tickets]).value_counts()
        self.shared = set(counts.index[counts > 1])
        self.seen: set[tuple[str, int, int]] = set()

    def day(self, d: int) -> pa.Table:
        rng = np.random.default_rng(self.seeds[d])
        frame = make_sessions([self.tickets[i] for i in self.by_day[d]],
                              [self.role_cells.get(int(i)) for i in self.by_day[d]],
                              self.cells, rng, self.as_of)
        frame = frame[~frame.duplicated(["msisdn", "cell", "period"])]
        shared = frame["msisdn"].isin(self.shared)
        if shared.any():
            sub = frame[shared]
            keys = list(zip(sub["msisdn"], sub["cell"], sub["period"], strict=True))
            fresh = np.array([k not in self.seen for k in keys], dtype=bool)
            self.seen.update(keys)
            frame = frame.drop(index=sub.index[~fresh])
        bytes_null = rng.random(len(frame)) < 0.02
        return pa.table({
            "msisdn": pa.array(frame["msisdn"].to_numpy(), pa.string()),
            "cell_id": pa.array(self.cells.ids, pa.string()).take(
                pa.array(frame["cell"].to_numpy())),
            "period_start": pa.array(frame["period"].to_numpy(), pa.int64()),
            "duration_s": pa.array(frame["duration"].to_numpy(), pa.int64()),
            "bytes_dl": pa.array(frame["bytes"].to_numpy(), pa.int64(), mask=bytes_null),
            "_day": pa.array(np.full(len(frame), d, dtype=np.int64)),
            "_due": pa.array(frame["due"].to_numpy(), pa.int64()),
        })


def make_sessions(tickets: list[Ticket], roles: list[int | None], cells: Cells,
                  rng: np.random.Generator, as_of: int) -> pd.DataFrame:
    """Session rows (msisdn, cell index, period, duration, bytes) of the given tickets."""
    n = len(tickets)
    missing = np.array([t.sessions == "missing" for t in tickets], dtype=bool)
    role = np.array([-1 if t.role_rank is None else t.role_rank for t in tickets], dtype=np.int64)
    k = np.where(role >= 0, 5, rng.integers(2, 6, n))
    k = np.where(missing, 0, k)
    outside = rng.random(n) < 0.7
    slots_per = k + outside
    tix = np.repeat(np.arange(n), slots_per)
    slot_no = np.arange(len(tix)) - np.repeat(np.cumsum(slots_per) - slots_per, slots_per)
    is_out = slot_no == np.repeat(k, slots_per)
    district = np.array([t.district for t in tickets], dtype=object)[tix]
    pool = np.array([t.pool for t in tickets], dtype=object)[tix]
    ticket_start = rng.integers(0, 2**31, n)[tix]
    cell = _slot_cells(cells, district, pool, slot_no, ticket_start, rng)
    for i in np.flatnonzero(role >= 0):
        cell[(tix == i) & (slot_no == role[i])] = roles[i]

    base = rng.uniform(12000, 30000, n)[tix]
    total = np.where(is_out, base * rng.uniform(1.2, 1.6, len(tix)), base * 0.55 ** slot_no)
    total = total.astype(np.int64)
    # mean seconds per hour <= 2300 and shares within +-20 %: no hour exceeds 3600 s
    hours = np.minimum(np.ceil(total / rng.uniform(900, 2300, len(tix))).astype(np.int64),
                       COMPLAINT_WINDOW_H)
    row_slot = np.repeat(np.arange(len(tix)), hours)
    j = np.arange(len(row_slot)) - np.repeat(np.cumsum(hours) - hours, hours)
    step = STEPS[rng.integers(0, len(STEPS), len(tix))][row_slot]
    first = rng.integers(0, COMPLAINT_WINDOW_H, len(tix))[row_slot]
    offset = (first + j * step) % COMPLAINT_WINDOW_H  # 0..71 hours before the created hour
    after = rng.random(len(tix)) < 0.3
    before = COMPLAINT_WINDOW_H + 1 + j
    out_off = np.where(after[row_slot] & (hours[row_slot] <= 12), -1 - j, before)
    offset = np.where(is_out[row_slot], out_off, offset)
    created = np.array([t.created for t in tickets], dtype=np.int64)
    period = (created // H * H)[tix][row_slot] - offset * H

    share = rng.uniform(0.8, 1.2, len(row_slot))
    share_sum = np.bincount(row_slot, weights=share, minlength=len(tix))
    duration = np.floor(total[row_slot] * share / share_sum[row_slot]).astype(np.int64)
    remainder = total - np.bincount(row_slot, weights=duration, minlength=len(tix)).astype(np.int64)
    duration[np.cumsum(hours) - hours] += remainder  # the exact total lands on the first hour
    msisdn = np.array([t.msisdn for t in tickets], dtype=object)[tix][row_slot]
    bytes_dl = (duration * rng.uniform(2e4, 6e5, len(duration))).astype(np.int64)
    # delivered for subscribers who complained: hours before the complaint arrive with it
    due = np.maximum(period, created[tix][row_slot])
    frame = pd.DataFrame({"msisdn": msisdn, "cell": cell[row_slot], "period": period,
                          "duration": duration, "bytes": bytes_dl, "due": due})
    return frame[frame["period"] + H <= as_of]  # only hours complete by the as-of exist
