"""The network events of a trace, read from the document store's per-cell tables (written by
`serving/network.py`) and spliced into the trace at request time, cut to the ticket's window
and capped at the snapshot's as-of.

The spliced timeline's place in the body while it is written is `TIMELINE_SLOT` (replaced by
the items' text): the store's item texts are copied into the response as they are, never
parsed.
"""

from __future__ import annotations

import heapq
import zlib
from collections.abc import Callable

import orjson

from serving.layout import TIMELINE_SLOT


def key_of_iso(at: str) -> str:
    """`serving.documents.event_key` text of a trace's ISO-8601 UTC time
    (`...T10:00:00[.ffffff]Z`)."""
    fraction = at[20:-1] if at[19] == "." else ""
    return f"{at[:10]} {at[11:19]}.{fraction.ljust(6, '0')}"


def _item_order(item: dict) -> tuple:
    # the timeline mart's order: time, then source record, then item type
    at = item.get("at")
    return (key_of_iso(at) if at else "\uffff", item.get("source_record_id") or "\uffff",
            item.get("type") or "")


Query = Callable[[str, tuple], list[tuple]]

def splice_network(body: dict, network: dict, as_of_key: str, query: Query) -> str | None:
    """Add to `body` (a stored document's body, parsed) the network events of its linked cells
    inside the window `network` (cells, from, until, f1_alarm_ids), capped at `as_of_key`:
    each cell's alarms and degradation episodes, and their timeline items in time order among
    the stored ones. Returns the timeline as JSON text, for `TIMELINE_SLOT` in `body` (None:
    the stored timeline stands). `query(sql, params)` reads the document store."""
    cells = network["cells"]
    until = as_of_key if network["until"] is None else min(network["until"], as_of_key)
    marks = ",".join("?" * len(cells))
    events = query(f"select event_key, source_record_id, item_type, item_json "
                   f"from network_events where cell_id in ({marks}) and event_key between ? and ?"
                   f" order by event_key, source_record_id, item_type",
                   (*cells, network["from"], until)) if network["from"] <= until else []
    shown = {record for _, record, _, _ in events}
    shown.update(network["f1_alarm_ids"])
    # each linked cell's alarms and episodes, kept when the trace shows them
    details = query(f"select 'alarms', cell_id, sort_key, alarm_id, detail_json from alarms "
                    f"where cell_id in ({marks}) union all "
                    f"select 'degradation_episodes', cell_id, sort_key, episode_id, detail_json "
                    f"from episodes where cell_id in ({marks}) and sort_key <= ? "
                    f"order by 1, 2, 3, 4", (*cells, *cells, until)) if shown else []
    per_cell: dict[tuple[str, str], list[dict]] = {}
    for kind, cell_id, _, record, detail in details:  # by time, then id
        if record in shown:
            per_cell.setdefault((kind, cell_id), []).append(orjson.loads(detail))
    for cell in body["linked_cells"]:
        cell["alarms"] = per_cell.get(("alarms", cell["cell_id"]), [])
        cell["degradation_episodes"] = per_cell.get(("degradation_episodes", cell["cell_id"]), [])
    if not events:
        return None
    stored = [(_item_order(item), orjson.dumps(item).decode("utf-8")) for item in body["timeline"]]
    spliced = [((key, record, kind), item) for key, record, kind, item in events]
    body["timeline"] = TIMELINE_SLOT
    return "[" + ",".join(item for _, item in heapq.merge(stored, spliced)) + "]"


def kpi_hours(network: dict, as_of_key: str, query: Query) -> dict[str, dict[str, list]]:
    """The hourly KPIs a ticket page charts, per linked cell of the document's `network`
    (cells, from, kpi_until): the hours from the complaint window's start to `kpi_until`,
    capped at `as_of_key`, as parallel lists (`at`, `degraded`, one per KPI)."""
    cells = network["cells"]
    until = min(network.get("kpi_until") or as_of_key, as_of_key)
    start = network["from"]
    if not cells or start > until:
        return {}
    marks = ",".join("?" * len(cells))
    rows = query(f"select cell_id, day_key, hours_json from kpi_days where cell_id in ({marks}) "
                 f"and day_key between ? and ? order by cell_id, day_key",
                 (*cells, start[:10], until[:10]))
    series: dict[str, dict[str, list]] = {}
    for cell_id, day_key, hours_json in rows:
        day = orjson.loads(zlib.decompress(hours_json))  # compressed by the docstore
        minutes = day.pop("minute")
        degraded = set(day.pop("degraded_minutes"))
        day["degraded"] = [minute in degraded for minute in minutes]
        merged = series.setdefault(cell_id, {"at": [], **{name: [] for name in day}})
        for i, minute in enumerate(minutes):
            at = f"{day_key}T{minute // 60:02d}:{minute % 60:02d}:00Z"
            if start <= key_of_iso(at) <= until:
                merged["at"].append(at)
                for name, values in day.items():
                    merged[name].append(values[i])
    return series
