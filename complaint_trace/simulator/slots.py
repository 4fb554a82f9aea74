"""Cutting a daily file into delivery slots (`SimConfig.delivery_minutes` below a day).

A row goes into the local wall-clock slot in which it becomes known to its source system, kept
inside the business day of the daily file it would be in. So the slot files of one daily file
hold exactly its rows (bad rows included, each beside the real row it copies) in its format and
time style, and the world and the truth do not depend on the cutting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from complaint_trace.delivery import DAY_MINUTES

DAY_S = 86400
EPOCH = date(1970, 1, 1)
# The column that says when a row becomes known. Tables that need more than their own
# timestamp for it (late events, alarms, sessions) carry `_due` instead; the inventory has
# neither and is delivered in the first slot.
DUE_COLUMNS = {
    "crm/customers": "updated_at",
    "crm/contacts": "contact_at",
    "ticketing/tickets": "created_at",
    "ticketing/surveys": "surveyed_at",
    "netops/cell_kpi_hourly": "period_start",
}


def due_times(table: pa.Table, entity_path: str, start: int) -> np.ndarray:
    """UTC seconds at which each row becomes known to its source system."""
    if "_due" in table.column_names:
        column = table["_due"]
    elif entity_path in DUE_COLUMNS:
        column = table[DUE_COLUMNS[entity_path]]
    else:
        return np.full(table.num_rows, start, dtype=np.int64)
    return column.to_numpy().astype(np.int64)


def wall_seconds(seconds: np.ndarray, zone: ZoneInfo) -> np.ndarray:
    """UTC seconds as local wall-clock seconds since 1970 (offset looked up once per hour,
    as the writer renders them)."""
    hours, inverse = np.unique(seconds // 3600, return_inverse=True)
    offsets = [datetime.fromtimestamp(int(h) * 3600, UTC).astimezone(zone).utcoffset()
               for h in hours]
    return seconds + np.array([int(o.total_seconds()) for o in offsets], dtype=np.int64)[inverse]


def slot_starts(due: np.ndarray, file_day: int, first_day: date, zone: ZoneInfo,
                minutes: int) -> np.ndarray:
    """Start (minutes after local midnight) of each row's slot in the daily file of simulated
    day `file_day`. A row known before that day (history, clamped into the first day's file)
    goes into its first slot, one known after it (what the daily file holds early) into its
    last."""
    wall = wall_seconds(due, zone)
    own_day = wall // DAY_S - (first_day - EPOCH).days
    start = (wall % DAY_S) // 60 // minutes * minutes
    last = DAY_MINUTES - minutes
    return np.where(own_day < file_day, 0, np.where(own_day > file_day, last, start))


@dataclass
class Cut:
    files: list[tuple[int, pa.Table]]  # (slot start minute, its rows in the daily file's order)
    slot: np.ndarray  # per row of the daily file: its slot's start minute
    row: np.ndarray  # per row of the daily file: its 1-based row number in the slot file


def cut(table: pa.Table, slots: np.ndarray) -> Cut:
    """Split a daily file's rows by slot, keeping their order; empty slots get no file."""
    order = np.argsort(slots, kind="stable")
    starts, first, counts = np.unique(slots[order], return_index=True, return_counts=True)
    ranked = table.take(pa.array(order))
    files = [(int(s), ranked.slice(int(f), int(c)))
             for s, f, c in zip(starts, first, counts, strict=True)]
    row = np.empty(len(order), dtype=np.int64)
    row[order] = np.arange(len(order)) - np.repeat(first, counts) + 1
    return Cut(files, slots, row)
