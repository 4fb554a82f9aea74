"""Contract-breaking rows of every kind the data contract names, planted on extra rows.

A bad row copies a real row of the same file, takes fresh keys that point at nothing real (so
a loader that failed to quarantine it would show up as an orphan, never as a changed case),
then breaks exactly one thing. Kinds that need a string in a typed column go to text files only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Kind:
    name: str
    column: str
    value: Any  # the broken value, or a callable(row) -> value
    text_only: bool = False


def _before(row: dict) -> int:
    return row["raised_at"] - 3600


KINDS: dict[str, tuple[Kind, ...]] = {
    "crm/customers": (
        Kind("bad_enum", "tier", "diamond"),
        Kind("missing_key", "customer_id", None),
        Kind("unparsable_timestamp", "updated_at", "2026-02-30T25:00:00", True),
        Kind("msisdn_not_digits", "msisdn", "1390000abcd"),
    ),
    "crm/contacts": (
        Kind("bad_enum", "direction", "sideways"),
        Kind("missing_key", "contact_at", None),
        Kind("unparsable_timestamp", "contact_at", "昨天下午3点", True),
        Kind("msisdn_not_digits", "msisdn", "138-0013-8000"),
        Kind("bad_type", "resolved_on_contact", "maybe", True),
    ),
    "ticketing/tickets": (
        Kind("bad_enum", "priority", "critical"),
        Kind("bad_type", "reported_lat", "abc", True),
        Kind("missing_key", "ticket_id", None),
        Kind("unparsable_timestamp", "created_at", "2026-03-02T08:61:00+08:00", True),
        Kind("msisdn_not_digits", "msisdn", "+86 138 0013 8000"),
    ),
    "ticketing/ticket_events": (
        Kind("bad_enum", "action", "teleported"),
        Kind("missing_key", "event_id", None),
        Kind("unparsable_timestamp", "event_at", "N/A", True),
        Kind("resolved_without_closure_code", "closure_code", None),
    ),
    "ticketing/surveys": (
        Kind("out_of_range", "score", 6),
        Kind("bad_type", "score", "abc", True),
        Kind("missing_key", "ticket_id", None),
        Kind("unparsable_timestamp", "surveyed_at", "2026/03/05 noon", True),
    ),
    "netops/cells": (
        Kind("bad_enum", "rat", "3G"),
        Kind("bad_type", "latitude", "abc", True),
        Kind("missing_key", "cell_id", None),
        Kind("bad_enum", "site_type", "tower"),
    ),
    "netops/cell_kpi_hourly": (
        Kind("out_of_range", "prb_util_dl_pct", 150.0),
        Kind("negative_value", "traffic_gb", -3.5),
        Kind("bad_type", "user_dl_rate_mbps", "abc", True),
        Kind("missing_key", "period_start", None),
        Kind("unparsable_timestamp", "period_start", "2026-03-02T24:00:00", True),
    ),
    "netops/alarms": (
        Kind("cleared_before_raised", "cleared_at", _before),
        Kind("bad_enum", "severity", "fatal"),
        Kind("missing_key", "alarm_id", None),
        Kind("unparsable_timestamp", "raised_at", "--", True),
    ),
    "netops/user_cell_sessions": (
        Kind("negative_duration", "duration_s", -120),
        Kind("out_of_range", "duration_s", 5400),
        Kind("msisdn_not_digits", "msisdn", "1860000ABCD"),
        Kind("bad_type", "bytes_dl", "abc", True),
        Kind("missing_key", "cell_id", None),
    ),
}


def _fresh_keys(entity: str, n: int) -> dict[str, Callable[[dict], Any]]:
    """Keys that point at nothing real: a distinct serial per bad row."""
    ghost_msisdn = f"199{n:08d}"
    ghost_cell = f"460-00-9{n:06d}-9"
    return {
        "crm/customers": {"customer_id": f"CUX{n:08d}", "msisdn": ghost_msisdn},
        "crm/contacts": {"contact_id": f"CTX{n:09d}", "msisdn": ghost_msisdn,
                         "related_ticket_id": None},
        "ticketing/tickets": {"ticket_id": f"GDX{n:012d}", "msisdn": ghost_msisdn,
                              "reopened_from_ticket_id": None},
        "ticketing/ticket_events": {"event_id": f"GDX{n:012d}-01", "ticket_id": f"GDX{n:012d}"},
        "ticketing/surveys": {"ticket_id": f"GDX{n:012d}"},
        "netops/cells": {"cell_id": ghost_cell},
        "netops/cell_kpi_hourly": {"cell_id": ghost_cell},
        "netops/alarms": {"alarm_id": f"ALMX{n:09d}", "cell_id": ghost_cell},
        "netops/user_cell_sessions": {"msisdn": ghost_msisdn},
    }[entity]


def bad_row(entity: str, kind: Kind, template: dict, serial: int) -> dict:
    """A copy of `template` with fresh keys and exactly one contract breach."""
    row = {**template, **_fresh_keys(entity, serial)}
    if kind.name == "resolved_without_closure_code":
        row.update(action="resolved", status_after="resolved")
    row[kind.column] = kind.value(row) if callable(kind.value) else kind.value
    return row


class BadRows:
    """Decides each file's bad rows as it is written: a binomial share of its rows, cycling
    through the kinds, and every kind not yet planted in this entity goes into the first file
    that can carry it (so small datasets still hold one of each)."""

    def __init__(self, kinds: tuple[Kind, ...], rate: float, rng: np.random.Generator) -> None:
        self.kinds, self.rate, self.rng = kinds, rate, rng
        self.placed: set[Kind] = set()
        self.serial = 0

    def for_file(self, rows: int, text: bool) -> list[tuple[Kind, int]]:
        if self.rate <= 0 or rows == 0:
            return []
        eligible = [k for k in self.kinds if text or not k.text_only]
        count = int(self.rng.binomial(rows, self.rate))
        chosen = [eligible[(self.serial + i) % len(eligible)] for i in range(count)]
        chosen += [k for k in eligible if k not in self.placed and k not in chosen]
        self.placed.update(chosen)
        out = [(k, self.serial + i + 1) for i, k in enumerate(chosen)]
        self.serial += len(chosen)
        return out


def choose_positions(n_good: int, n_bad: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted 0-based positions of the bad rows in a file of n_good + n_bad rows."""
    return np.sort(rng.choice(n_good + n_bad, size=n_bad, replace=False))
