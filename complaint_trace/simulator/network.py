"""The radio network's cell inventory, vectorised over cells.

Cells fall in pools that keep the ground truth exact: `H` healthy cells never breach a KPI
threshold and carry no critical/major alarm (background tickets closed as network fixes link
only these); `P` problem cells congest at the busy hour and raise any alarm; `R` cells are
reserved, one per planted network case, healthy until a plant degrades or alarms them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from complaint_trace.simulator.reference import DISTRICTS, LANDMARKS, RAT_5G_SHARE, SITE_TYPES, pick

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
