"""Hourly cell KPIs, generated one day at a time (memory stays flat however many days).

Each cell has a baseline drawn once (peak load, capacity, coverage) times a daily load curve;
each day adds noise and missing counters from that day's own seed. Plants record `edits`
(values or nulls on given hours) and dropped rows up front; `day(d)` applies the ones of day d.
Healthy and reserved cells are clipped inside every threshold (see network.py for the pools).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from complaint_trace.simulator.config import KPI_THRESHOLDS
from complaint_trace.simulator.network import Cells
from complaint_trace.simulator.tables import Days

KPIS = ("prb_util_dl_pct", "user_dl_rate_mbps", "access_success_pct", "drop_rate_pct",
        "good_coverage_pct", "traffic_gb", "active_users")
# relative load by local hour of day (busy evenings), the daily load curve of every cell
LOAD_CURVE = np.array([.25, .18, .14, .12, .12, .15, .25, .45, .65, .72, .75, .78, .80, .78,
                       .76, .78, .80, .82, .88, .95, 1.0, .98, .85, .55])
H = 3600


class KpiModel:
    def __init__(self, cells: Cells, days: Days, as_of: int, zone: ZoneInfo,
                 seeds: np.random.SeedSequence) -> None:
        self.cells, self.start = cells, days.start
        self.hours = (as_of - days.start) // H  # hour index h starts at start + h * H
        starts = days.start + np.arange(self.hours) * H
        self.local_hour = np.array([datetime.fromtimestamp(int(t), zone).hour for t in starts])
        self.day_of_hour = days(starts)
        base_seed, *self.day_seeds = seeds.spawn(days.days + 1)
        rng = np.random.default_rng(base_seed)
        n = len(cells.ids)
        self.problem = (cells.pool == "P")[:, None]
        self.is5g = (cells.rat == "5G")[:, None]
        self.peak = np.where(self.problem, rng.uniform(60, 105, (n, 1)),
                             rng.uniform(35, 70, (n, 1)))
        self.cap = np.where(self.is5g, rng.uniform(150, 500, (n, 1)), rng.uniform(20, 60, (n, 1)))
        self.cover_base = np.where(self.problem, rng.uniform(86, 98, (n, 1)),
                                   rng.uniform(93, 99, (n, 1)))
        # edits by day, applied in the order made (a later edit of an hour wins)
        self.edits: dict[int, list[tuple[str, int, np.ndarray, np.ndarray]]] = {}
        self.drops: list[tuple[int, np.ndarray]] = []

    def set(self, name: str, cell: int, hours: np.ndarray, values: np.ndarray) -> None:
        """Override `name` (NaN = null) of one cell in the given hours (index from start)."""
        hours = np.asarray(hours, dtype=np.int64)
        values = np.broadcast_to(np.asarray(values, dtype=float), hours.shape)
        valid = (hours >= 0) & (hours < self.hours)
        for d in np.unique(self.day_of_hour[hours[valid]]):
            on_day = valid.copy()
            on_day[valid] = self.day_of_hour[hours[valid]] == d
            self.edits.setdefault(int(d), []).append((name, cell, hours[on_day], values[on_day]))

    def outage(self, cell: int, raised: int, cleared: int, kind: str,
               rng: np.random.Generator) -> None:
        """A critical/major alarm shows in the counters: a cell out of service reports nothing,
        a transmission fault drops calls and fails accesses (problem cells only)."""
        first = max(0, (raised - self.start) // H)
        last = min(self.hours, (cleared - 1 - self.start) // H + 1, first + 24)
        hours = np.arange(first, last)
        if not len(hours):
            return
        if kind in ("cell_out_of_service", "power_failure"):
            for name in KPIS:
                self.set(name, cell, hours, np.nan)
        else:
            self.set("access_success_pct", cell, hours, np.round(rng.uniform(70, 94, len(hours)),
                                                                 2))
            self.set("drop_rate_pct", cell, hours, np.round(rng.uniform(2.5, 9, len(hours)), 2))

    def drop(self, cell: int, hours: np.ndarray) -> None:
        self.drops.append((cell, np.asarray(hours, dtype=np.int64)))

    def degrade(self, cell: int, hours: np.ndarray, name: str, rng: np.random.Generator) -> None:
        """Make `name` breach its threshold in the given hours of one cell."""
        size = len(hours)
        values = {
            "user_dl_rate_mbps": rng.uniform(3, 15, size) if self.is5g[cell, 0]
            else rng.uniform(0.5, 4, size),
            "drop_rate_pct": rng.uniform(3, 8, size),
            "prb_util_dl_pct": rng.uniform(90, 99, size),
            "access_success_pct": rng.uniform(80, 93, size),
            "good_coverage_pct": rng.uniform(70, 88, size),
        }[name]
        self.set(name, cell, hours, np.round(values, 2))

    def _matrices(self, first: int, hours: int,
                  rng: np.random.Generator) -> dict[str, np.ndarray]:
        n = len(self.cells.ids)
        problem = self.problem
        curve = LOAD_CURVE[self.local_hour[first:first + hours]][None, :]
        prb = np.clip(self.peak * curve + rng.normal(0, 3, (n, hours)), 1,
                      np.where(problem, 99.5, 80.0))
        rate = self.cap * (1 - 0.7 * prb / 100) * rng.uniform(0.9, 1.1, (n, hours))
        congested = prb > KPI_THRESHOLDS["prb_util_dl_pct"][1]
        access = np.clip(rng.normal(99.0, 0.5, (n, hours)) - 4.0 * congested, 80, 99.99)
        access = np.where(problem, access, np.maximum(access, 97.0))
        drop = np.clip(rng.gamma(2.0, 0.25, (n, hours)) + 1.5 * congested, 0.05, 15)
        drop = np.where(problem, drop, np.minimum(drop, 1.6))
        cover = np.clip(self.cover_base + rng.normal(0, 0.8, (n, hours)), 60, 99.9)
        cover = np.where(problem, cover, np.maximum(cover, 91.0))
        users = np.round(prb * np.where(self.is5g, 2.5, 1.2))
        traffic = rate * users * 3600 / 8 / 1024 * 0.05
        kpi = {"prb_util_dl_pct": prb, "user_dl_rate_mbps": rate, "access_success_pct": access,
               "drop_rate_pct": drop, "good_coverage_pct": cover, "traffic_gb": traffic,
               "active_users": users}
        for name in KPIS[:-1]:
            kpi[name] = np.round(kpi[name], 2)
        free = (self.cells.pool != "R")[:, None]  # reserved cells stay fully controlled
        for name in KPIS:  # a counter missing now and then
            kpi[name][(rng.random((n, hours)) < 0.003) & free] = np.nan
        all_null = (rng.random((n, hours)) < 0.002) & free
        for name in KPIS:
            kpi[name][all_null] = np.nan
        for name, cell, hours_idx, values in self.edits.get(self.day_of_hour[first], []):
            kpi[name][cell, hours_idx - first] = values
        return kpi

    def day(self, d: int) -> pa.Table:
        """Day d's rows: active cells x its hours, minus missing rows and planted gaps."""
        rng = np.random.default_rng(self.day_seeds[d])
        own = np.flatnonzero(self.day_of_hour == d)
        first, hours = int(own[0]), len(own)
        kpi = self._matrices(first, hours, rng)
        keep = (rng.random(kpi[KPIS[0]].shape) >= 0.001) | (self.cells.pool == "R")[:, None]
        for cell, dropped in self.drops:
            inside = dropped[(dropped >= first) & (dropped < first + hours)]
            keep[cell, inside - first] = False
        active = np.flatnonzero(self.cells.pool != "X")
        mask = keep[active].ravel()
        cell_idx = np.repeat(active, hours)[mask]
        hour = np.tile(np.arange(first, first + hours), len(active))[mask]
        cols = {"cell_id": pa.array(self.cells.ids, pa.string()).take(pa.array(cell_idx)),
                "period_start": pa.array(self.start + hour * H, pa.int64())}
        for name in KPIS:
            values = kpi[name][active].ravel()[mask]
            arr = pa.array(values, pa.float64(), mask=np.isnan(values))
            cols[name] = arr.cast(pa.int64()) if name == "active_users" else arr
        cols["_day"] = pa.array(np.full(len(cell_idx), d, dtype=np.int64))
        return pa.table(cols)
