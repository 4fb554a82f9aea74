"""Alarm occurrences and their delivery: raised in one day's file, re-delivered with
`cleared_at` in a later day's file when it cleared on a later day (data contract: alarms)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from complaint_trace.simulator.network import Cells
from complaint_trace.simulator.reference import ALARM_TYPES, BACKGROUND_SEVERITY, pick

NEVER = -1  # cleared_at sentinel: still active


def background_alarms(cells: Cells, start: int, as_of: int,
                      rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Problem cells raise any severity; healthy cells only minor/warning; reserved none."""
    days = (as_of - start) / 86400
    rate = np.select([cells.pool == "P", cells.pool == "H"], [0.08, 0.02], 0.0) * days
    count = rng.poisson(rate)
    cell = np.repeat(np.arange(len(count)), count)
    n = len(cell)
    severity = pick(rng, BACKGROUND_SEVERITY, n)
    healthy = cells.pool[cell] == "H"
    severity[healthy] = np.where(rng.random(int(healthy.sum())) < 0.5, "minor", "warning")
    raised = rng.integers(start, as_of, n)
    cleared = raised + rng.lognormal(np.log(5400), 1.0, n).astype(np.int64) + 60
    cleared[rng.random(n) < 0.08] = NEVER
    return {"cell": cell, "raised": raised, "cleared": cleared, "severity": severity,
            "alarm_type": pick(rng, ALARM_TYPES, n)}


def alarms_table(parts: list[dict[str, np.ndarray]], cells: Cells, as_of: int,
                 days) -> pa.Table:
    """Alarm rows as delivered: one row, or a raised row and a later cleared row."""
    alarm = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((alarm["cell"], alarm["raised"]))
    alarm = {k: v[order] for k, v in alarm.items()}
    n = len(order)
    ids = np.array([f"ALM{i + 1:010d}" for i in range(n)], dtype=object)
    cleared = np.where(alarm["cleared"] >= as_of, NEVER, alarm["cleared"])
    raised_day = days(alarm["raised"])
    cleared_day = days(np.where(cleared == NEVER, alarm["raised"], cleared))
    split = (cleared != NEVER) & (cleared_day > raised_day)
    first_cleared = np.where(split, NEVER, cleared)
    idx = np.concatenate([np.arange(n), np.flatnonzero(split)])
    cleared_rows = np.concatenate([first_cleared, cleared[split]])
    day = np.concatenate([raised_day, cleared_day[split]])
    cell_ids = pa.array(cells.ids, pa.string()).take(pa.array(alarm["cell"][idx]))
    return pa.table({
        "alarm_id": pa.array(ids[idx], pa.string()),
        "cell_id": cell_ids,
        "raised_at": pa.array(alarm["raised"][idx], pa.int64()),
        "cleared_at": pa.array(cleared_rows, pa.int64(), mask=cleared_rows == NEVER),
        "severity": pa.array(alarm["severity"][idx], pa.string()),
        "alarm_type": pa.array(alarm["alarm_type"][idx], pa.string()),
        "_day": pa.array(day, pa.int64()),
        # a row carrying cleared_at is known once the alarm cleared, a raised row when raised
        "_due": pa.array(np.where(cleared_rows == NEVER, alarm["raised"][idx], cleared_rows),
                         pa.int64()),
    })
