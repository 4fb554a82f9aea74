"""Planted network evidence on the reserved cell of each F1/F2 case (and near miss).

F1 cases get one alarm on the planted cell; F2 cases get degraded KPI hours in the complaint
window and a controlled share of degraded hours among the hours with data after resolution
(audit-rules §5). Everything is computed from the ticket's exact times, so the truth holds by
construction; `tests/simulator` re-derives it from the written files.
"""

from __future__ import annotations

import math

import numpy as np

from complaint_trace.simulator.catalogue import BY_NAME
from complaint_trace.simulator.config import (
    ALARM_GRACE_S,
    COMPLAINT_WINDOW_H,
    KPI_THRESHOLDS,
    RECOVERY_WINDOW_H,
)
from complaint_trace.simulator.kpi import KPIS, KpiModel
from complaint_trace.simulator.lifecycle import Ticket
from complaint_trace.simulator.reference import ALARM_TYPES, pick

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


def plant_kpis(kind: str, t: Ticket, cell: int, kpi: KpiModel, hours_total: int,
               start: int, rng: np.random.Generator) -> None:
    """Degrade the planted cell (and blank or drop hours) so the F2 share is as intended."""
    name = str(rng.choice(list(KPI_THRESHOLDS)))
    c_hour = (t.created - start) // H  # the hour holding created_at starts before it
    window = np.arange(max(0, -(-(t.created - COMPLAINT_WINDOW_H * H - start) // H)), c_hour + 1)
    r_hour = (t.resolved_at - start) // H
    post = np.arange(r_hour + 1, min(r_hour + RECOVERY_WINDOW_H, hours_total - 1) + 1)
    kpi.degrade(cell, rng.choice(window, size=min(len(window), int(rng.integers(1, 7))),
                                 replace=False), name, rng)
    kpi.degrade(cell, np.arange(c_hour + 1, r_hour + 1), name, rng)  # still bad until fixed
    n = len(post)
    shuffled = rng.permutation(post)
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
            kpi.drop(cell, gap[: m // 2])
            for kpi_name in KPIS:
                kpi.set(kpi_name, cell, gap[m // 2:], np.full(m - m // 2, np.nan))
        else:  # f2_null_kpis: hours with data, but the breaching counter is missing
            kpi.set(name, cell, gap, np.full(m, np.nan))
    kpi.degrade(cell, np.sort(degraded), name, rng)


def plant_network(tickets: list[Ticket], role_cells: dict[int, int], kpi: KpiModel,
                  hours_total: int, start: int, rng: np.random.Generator) -> list[dict]:
    """Alarm parts for the F1 cases; KPI edits for the F2 cases go into `kpi`."""
    alarms = []
    for i, cell in sorted(role_cells.items()):
        t = tickets[i]
        kind = BY_NAME[t.scenario].network
        if kind.startswith("f1"):
            alarms.append(plant_alarm(kind, t, cell, rng))
        else:
            plant_kpis(kind, t, cell, kpi, hours_total, start, rng)
    return alarms
