"""When a landing file was delivered, read from its name (data contract, "Delivery").

Two name shapes (before the format suffix):
- `<YYYY-MM-DD>[-<part>]`: a business day's file, delivered at the local midnight that ends it;
- `<YYYY-MM-DD>-<hhmm>[-<part>]`: the delivery slot that starts at local time hh:mm of that
  business date and lasts the feed's slot length (`complaint-trace simulate --delivery-minutes`).
`hhmm` is always four digits and a part one to three, so the two never read alike.

Kept free of the simulator and the orchestration so both (and the Dagster sensor, which sets a
run's as-of to the delivery's end) can import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

DAY_MINUTES = 1440
DELIVERY_MINUTES = (15, 30, 60, DAY_MINUTES)  # the cadences a feed may have
NETWORK_SOURCE = "netops"
NETWORK_MINUTES = 60  # KPIs and sessions are hourly aggregates: never cut finer than an hour

_STEM = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})"  # the local business date
                   r"(?:-(?P<hh>\d{2})(?P<mm>\d{2}))?"  # a slot's local start
                   r"(?:-(?P<part>\d{1,3}))?$")


def source_minutes(source: str, delivery_minutes: int) -> int:
    """Slot length of one source system's files when ticketing and CRM deliver every
    `delivery_minutes`: network operations deliver hourly (daily when the others do)."""
    if delivery_minutes not in DELIVERY_MINUTES:
        raise ValueError(f"delivery minutes must be one of {DELIVERY_MINUTES}, "
                         f"not {delivery_minutes}")
    return max(delivery_minutes, NETWORK_MINUTES) if source == NETWORK_SOURCE else delivery_minutes


def file_stem(day: date, start_minute: int | None = None, part: int | None = None) -> str:
    """The name (without suffix) of a day's file, or of the slot starting `start_minute` after
    local midnight; `part` numbers the files of one delivery (e.g. one per CRM subsystem)."""
    stem = day.isoformat()
    if start_minute is not None:
        stem += f"-{start_minute // 60:02d}{start_minute % 60:02d}"
    return stem if part is None else f"{stem}-{part}"


@dataclass(frozen=True)
class Slot:
    """What a file name says: the local business date, the slot's start in minutes after local
    midnight (None for a day's file), and the slot's bounds as tz-aware UTC datetimes."""

    day: date
    start_minute: int | None
    start: datetime
    end: datetime  # the delivery time: every row of the file is known by then


def slot_of(name: str, source_tz: str, minutes: int = DAY_MINUTES) -> Slot | None:
    """The delivery slot of a landing file name (a path's last part, any suffix), or None when
    the name has neither shape. `minutes` is the slot length of the file's feed (see
    `source_minutes`); a day's file ignores it.

    Slots are local wall-clock intervals (a zone's daylight-saving days have 23 or 25 hours)."""
    match = _STEM.match(name.split("/")[-1].split(".", 1)[0])
    if not match:
        return None
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:  # shaped like a date, but none (2026-02-30)
        return None
    if match["hh"] is None:
        midnight = datetime.combine(day, dtime(0))
        return Slot(day, None, *_bounds(midnight, midnight + timedelta(days=1), source_tz))
    hour, minute = int(match["hh"]), int(match["mm"])
    if hour > 23 or minute > 59:
        return None
    if minutes >= DAY_MINUTES:
        raise ValueError(f"{name}: a slot file needs its feed's slot length in minutes")
    local = datetime.combine(day, dtime(hour, minute))
    return Slot(day, hour * 60 + minute,
                *_bounds(local, local + timedelta(minutes=minutes), source_tz))


def _bounds(start: datetime, end: datetime, source_tz: str) -> tuple[datetime, datetime]:
    """Naive local [start, end) as UTC. The start is its first occurrence; a slot starting in
    the hour a daylight-saving zone repeats holds both passes, so it ends at the second."""
    zone = ZoneInfo(source_tz)
    first = start.replace(tzinfo=zone)
    repeated = start.replace(tzinfo=zone, fold=1).utcoffset() != first.utcoffset()
    return first.astimezone(UTC), end.replace(tzinfo=zone, fold=int(repeated)).astimezone(UTC)
