"""A landing root as the deliveries that made it, in order: to replay it batch by batch."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from complaint_trace.contract import ENTITIES
from complaint_trace.delivery import DAY_MINUTES, slot_of, source_minutes
from complaint_trace.simulator.config import SOURCE_TZ
from complaint_trace.simulator.core import EXTENSIONS


@dataclass(frozen=True)
class Batch:
    """The files whose delivery slots end at `end` (tz-aware UTC), sorted by path: process
    them with the as-of `end` and the landing holds what the sources had sent by then."""

    end: datetime
    files: tuple[Path, ...]


def delivery_batches(landing: Path, delivery_minutes: int = DAY_MINUTES,
                     source_tz: str = SOURCE_TZ) -> list[Batch]:
    """Every contract file under `landing`, grouped by the end of its delivery slot (read from
    its name, `complaint_trace.delivery`), earliest first. Pass the `delivery_minutes` and
    `source_tz` the landing was simulated with; a name of neither shape is an error."""
    by_end: dict[datetime, list[Path]] = defaultdict(list)
    for ent in ENTITIES:
        minutes = source_minutes(ent.source, delivery_minutes)
        folder = Path(landing) / ent.path
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        for path in files:
            if path.name.startswith(".") or not path.name.endswith(EXTENSIONS):
                continue  # in transit, or not a delivery
            slot = slot_of(path.name, source_tz, minutes)
            if slot is None:
                raise ValueError(f"{path}: not a `<YYYY-MM-DD>[-<hhmm>][-<part>]` name")
            by_end[slot.end].append(path)
    return [Batch(end, tuple(sorted(paths))) for end, paths in sorted(by_end.items())]
