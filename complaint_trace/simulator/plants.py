"""Planted network evidence on the reserved cell of each F1/F2 case (and near miss).

F1 cases get one alarm on the planted cell; F2 cases get degraded KPI hours in the complaint
window and a controlled share of degraded hours among the hours with data after resolution
(audit-rules §5). Everything is computed from the ticket's exact times, so the truth holds by
construction; `tests/simulator` re-derives it from the written files.
"""

from __future__ import annotations

import math

import numpy as np

from complaint_trace.simulator.config import (
    ALARM_GRACE_S,
    COMPLAINT_WINDOW_H,
    KPI_THRESHOLDS,
    RECOVERY_WINDOW_H,
)
from complaint_trace.simulator.lifecycle import Ticket
from complaint_trace.simulator.network import KPIS, Cells, degrade
from complaint_trace.simulator.reference import ALARM_TYPES, pick
from complaint_trace.simulator.scenarios import BY_NAME

H = 3600
NEVER = -1


def plant_alarm(kind: str, t: Ticket, cell: int, rng: np.random.Generator) -> dict:
    resolved = t.resolved_at
    raised = resolved - int(rng.integers(600, 20 * H))
    if kind == "f1_active":
        severity = "critical" if rng.random() < 0.5 else "major"
        late = resolved + ALARM_GRACE_S + int(rng.integers(600, 10 * H))
        cleared = NEVER if rng.random() < 0.4 else late
    elif kind == "f1_cleared_in_grace":
        severity = "critical" if rng.random() < 0.5 else "major"
        cleared = resolved + int(rng.integers(300, ALARM_GRACE_S - 600))
    else:  # f1_minor: a minor/warning alarm still active at resolution
        severity = "minor" if rng.random() < 0.6 else "warning"
        cleared = NEVER
    return {"cell": np.array([cell]), "raised": np.array([raised]),
            "cleared": np.array([cleared]), "severity": np.array([severity], dtype=object),
            "alarm_type": pick(rng, ALARM_TYPES, 1)}


def plant_kpis(kind: str, t: Ticket, cell: int, cells: Cells, kpi: dict[str, np.ndarray],
               start: int, rng: np.random.Generator) -> np.ndarray:
    """Degrade the planted cell; return the hour indices whose KPI rows must be dropped."""
    hours_total = kpi[KPIS[0]].shape[1]
    is5g = cells.rat[cell] == "5G"
    name = str(rng.choice(list(KPI_THRESHOLDS)))
    c_hour = (t.created - start) // H  # the hour holding created_at starts before it
    window = np.arange(max(0, -(-(t.created - COMPLAINT_WINDOW_H * H - start) // H)), c_hour + 1)
    r_hour = (t.resolved_at - start) // H
    post = np.arange(r_hour + 1, min(r_hour + RECOVERY_WINDOW_H, hours_total - 1) + 1)
    degrade(kpi, cell, rng.choice(window, size=min(len(window), int(rng.integers(1, 7))),
                                  replace=False), name, is5g, rng)
    degrade(kpi, cell, np.arange(c_hour + 1, r_hour + 1), name, is5g, rng)  # still bad
    n = len(post)
    shuffled = rng.permutation(post)
    drop = np.array([], dtype=np.int64)
    if kind == "f2_fire":
        k = math.ceil(n / 2) + int(rng.integers(0, n - math.ceil(n / 2) + 1))
        degraded = shuffled[:k]
    elif kind == "f2_just_under":
        degraded = shuffled[:(n - 1) // 2]
    else:  # the m hours without data (or with a null breaching KPI) decide the outcome
        m = max(2, n // 3)
        k = math.ceil((n - m) / 2)
        if not (k / (n - m) >= 0.5 > k / n):
            raise AssertionError(f"post-resolution hours too few for {kind}: {n}")
        gap, degraded = shuffled[:m], shuffled[m:m + k]
        if kind == "f2_missing_hours":  # half have no row, half a row of nulls only
            drop = gap[: m // 2]
            for kpi_name in KPIS:
                kpi[kpi_name][cell, gap[m // 2:]] = np.nan
        else:  # f2_null_kpis: hours with data, but the breaching counter is missing
            kpi[name][cell, gap] = np.nan
    degrade(kpi, cell, np.sort(degraded), name, is5g, rng)
    return drop


def plant_network(tickets: list[Ticket], role_cells: dict[int, int], cells: Cells,
                  kpi: dict[str, np.ndarray], start: int,
                  rng: np.random.Generator) -> tuple[list[dict], list[tuple[int, np.ndarray]]]:
    """Alarm parts and (cell, dropped hours) pairs for every planted network case."""
    alarms, drops = [], []
    for i, cell in sorted(role_cells.items()):
        t = tickets[i]
        kind = BY_NAME[t.scenario].network
        if kind.startswith("f1"):
            alarms.append(plant_alarm(kind, t, cell, rng))
        else:
            drops.append((cell, plant_kpis(kind, t, cell, cells, kpi, start, rng)))
    return alarms, drops
