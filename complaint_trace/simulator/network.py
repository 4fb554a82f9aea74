"""The radio network: cell inventory and hourly KPIs, vectorised over cells x hours.

Cells fall in pools that keep the ground truth exact: `H` healthy cells never breach a KPI
threshold and carry no critical/major alarm (background tickets closed as network fixes link
only these); `P` problem cells congest at the busy hour and raise any alarm; `R` cells are
reserved, one per planted network case, healthy until a plant degrades or alarms them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from complaint_trace.simulator.config import KPI_THRESHOLDS
from complaint_trace.simulator.reference import DISTRICTS, LANDMARKS, RAT_5G_SHARE, SITE_TYPES, pick

KPIS = ("prb_util_dl_pct", "user_dl_rate_mbps", "access_success_pct", "drop_rate_pct",
        "good_coverage_pct", "traffic_gb", "active_users")
# relative load by local hour of day (busy evenings), the daily load curve of every cell
LOAD_CURVE = np.array([.25, .18, .14, .12, .12, .15, .25, .45, .65, .72, .75, .78, .80, .78,
                       .76, .78, .80, .82, .88, .95, 1.0, .98, .85, .55])
SITE_TYPE_CN = {"macro": "宏站", "micro": "微站", "indoor": "室分", "pico": "皮站"}


@dataclass
class Cells:
    table: pa.Table
    ids: np.ndarray  # object
    rat: np.ndarray  # object '4G'/'5G'
    district: np.ndarray  # object
    pool: np.ndarray  # 'H' | 'P' | 'R' | 'X' (decommissioned)

    def pick_pool(self, pool: str) -> dict[str, np.ndarray]:
        """Cell indices of one pool by district, each list shuffled once."""
        return {d: np.flatnonzero((self.pool == pool) & (self.district == d)) for d, *_ in
                DISTRICTS}


def make_cells(n: int, reserved: int, rng: np.random.Generator) -> Cells:
    if reserved > 0.5 * n:
        raise ValueError(f"{reserved} planted network cases need more than half of {n} cells; "
                         "raise --cells or lower --planted-rate")
    n_sites = n  # upper bound; cut once the cells are counted
    site_type = pick(rng, SITE_TYPES, n_sites)
    per_site = np.where(np.isin(site_type, ["macro", "micro"]), 3, 1)
    site_of_cell = np.repeat(np.arange(n_sites), per_site)[:n]
    sector = np.concatenate([np.arange(1, k + 1) for k in per_site])[:n]
    is5g_site = rng.random(n_sites) < RAT_5G_SHARE
    weights = np.array([d[3] for d in DISTRICTS], dtype=float)
    site_district = rng.choice(len(DISTRICTS), size=n_sites, p=weights / weights.sum())
    base_id = np.where(is5g_site, 1_000_000 + rng.permutation(n_sites),
                       100_000 + rng.permutation(n_sites))
    sid = base_id[site_of_cell].astype(str).astype(object)
    is5g = is5g_site[site_of_cell]
    dist = site_district[site_of_cell]
    names = np.array([d[0] for d in DISTRICTS], dtype=object)[dist]
    lat = np.array([d[1] for d in DISTRICTS])[dist] + rng.normal(0, 0.03, n_sites)[site_of_cell]
    lon = np.array([d[2] for d in DISTRICTS])[dist] + rng.normal(0, 0.03, n_sites)[site_of_cell]
    landmark = np.array(LANDMARKS, dtype=object)[rng.integers(0, len(LANDMARKS), n_sites)]
    short = np.array([d[0][3:] for d in DISTRICTS], dtype=object)[dist]
    st = site_type[site_of_cell]
    rat = np.where(is5g, "5G", "4G").astype(object)
    ids = "460-00-" + sid + "-" + sector.astype(str).astype(object)
    cell_name = (short + landmark[site_of_cell] + "-" + np.where(is5g, "NR", "LTE").astype(object)
                 + "-" + np.vectorize(SITE_TYPE_CN.get, otypes=[object])(st) + "-"
                 + sector.astype(str).astype(object))
    pool = np.where(rng.random(n) < 0.25, "P", "H").astype(object)
    pool[rng.random(n) < 0.01] = "X"
    healthy = np.flatnonzero(pool == "H")
    pool[rng.choice(healthy, size=reserved, replace=False)] = "R"
    table = pa.table({
        "cell_id": ids.astype(str), "site_id": sid.astype(str), "cell_name": cell_name.astype(str),
        "rat": rat.astype(str), "site_type": st.astype(str), "district": names.astype(str),
        "latitude": np.round(lat, 6), "longitude": np.round(lon, 6),
        "status": np.where(pool == "X", "decommissioned", "active"),
        "_day": np.zeros(n, dtype=np.int64),
    })
    return Cells(table, ids, rat, names, pool)


def make_kpis(cells: Cells, hours: int, local_hour0: int,
              rng: np.random.Generator) -> dict[str, np.ndarray]:
    """KPI matrices (cells x hours, NaN = null) with a per-cell baseline and the load curve."""
    n = len(cells.ids)
    problem = (cells.pool == "P")[:, None]
    is5g = (cells.rat == "5G")[:, None]
    curve = LOAD_CURVE[(local_hour0 + np.arange(hours)) % 24][None, :]
    peak = np.where(problem, rng.uniform(60, 105, (n, 1)), rng.uniform(35, 70, (n, 1)))
    prb = peak * curve + rng.normal(0, 3, (n, hours))
    prb = np.clip(prb, 1, np.where(problem, 99.5, 80.0))
    cap = np.where(is5g, rng.uniform(150, 500, (n, 1)), rng.uniform(20, 60, (n, 1)))
    rate = cap * (1 - 0.7 * prb / 100) * rng.uniform(0.9, 1.1, (n, hours))
    congested = prb > KPI_THRESHOLDS["prb_util_dl_pct"][1]
    access = np.clip(rng.normal(99.0, 0.5, (n, hours)) - 4.0 * congested, 80, 99.99)
    access = np.where(problem, access, np.maximum(access, 97.0))
    drop = np.clip(rng.gamma(2.0, 0.25, (n, hours)) + 1.5 * congested, 0.05, 15)
    drop = np.where(problem, drop, np.minimum(drop, 1.6))
    cover_base = np.where(problem, rng.uniform(86, 98, (n, 1)), rng.uniform(93, 99, (n, 1)))
    cover = np.clip(cover_base + rng.normal(0, 0.8, (n, hours)), 60, 99.9)
    cover = np.where(problem, cover, np.maximum(cover, 91.0))
    users = np.round(prb * np.where(is5g, 2.5, 1.2))
    traffic = rate * users * 3600 / 8 / 1024 * 0.05
    kpi = {"prb_util_dl_pct": prb, "user_dl_rate_mbps": rate, "access_success_pct": access,
           "drop_rate_pct": drop, "good_coverage_pct": cover, "traffic_gb": traffic,
           "active_users": users}
    for name in KPIS[:-1]:
        kpi[name] = np.round(kpi[name], 2)
    free = ~np.isin(cells.pool, ["R"])[:, None]  # reserved cells stay fully controlled
    for name in KPIS:  # a counter missing now and then
        kpi[name][(rng.random((n, hours)) < 0.003) & free] = np.nan
    all_null = (rng.random((n, hours)) < 0.002) & free
    for name in KPIS:
        kpi[name][all_null] = np.nan
    return kpi


def degrade(kpi: dict[str, np.ndarray], cell: int, hours: np.ndarray, name: str, is5g: bool,
            rng: np.random.Generator) -> None:
    """Make `name` breach its threshold in the given hours of one cell."""
    size = len(hours)
    values = {
        "user_dl_rate_mbps": rng.uniform(3, 15, size) if is5g else rng.uniform(0.5, 4, size),
        "drop_rate_pct": rng.uniform(3, 8, size),
        "prb_util_dl_pct": rng.uniform(90, 99, size),
        "access_success_pct": rng.uniform(80, 93, size),
        "good_coverage_pct": rng.uniform(70, 88, size),
    }[name]
    kpi[name][cell, hours] = np.round(values, 2)
