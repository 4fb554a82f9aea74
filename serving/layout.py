"""The serving store's layout on disk: what the publisher (this package) writes and the API
(`api/`) reads. Nothing else is shared between the two.

`<snapshots_dir>/snapshot-<UTC yyyymmddHHMMSS>-<run_id[:8]>.duckdb` is an immutable copy of the
listing tables, with its trace documents beside it in `snapshot-<...>.docs.sqlite`; the text
file `CURRENT` names the one to read.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

CURRENT = "CURRENT"
PREFIX, SUFFIX = "snapshot-", ".duckdb"
DOCS_SUFFIX = ".docs.sqlite"

# The document store's table of trace documents, one row per ticket.
DOCUMENT_COLUMNS = ("ticket_id", "customer_id", "msisdn", "customer_name", "tier_at_creation",
                    "segment", "evidence_has_pii", "ticket_json", "body_json", "network_json")

# Its tables of network records, once per cell: table -> (columns, primary key).
NETWORK_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "network_events": (("cell_id", "event_key", "source_record_id", "item_type", "item_json"),
                       ("cell_id", "event_key", "source_record_id", "item_type")),
    "alarms": (("alarm_id", "cell_id", "sort_key", "detail_json"),
               ("cell_id", "sort_key", "alarm_id")),
    "episodes": (("episode_id", "cell_id", "sort_key", "detail_json"),
                 ("cell_id", "sort_key", "episode_id")),
    # one record per cell and UTC day: that day's hourly KPIs, as parallel lists
    "kpi_days": (("cell_id", "day_key", "hours_json"), ("cell_id", "day_key")),
}

# Columns stored zlib-compressed (level 1): JSON text compresses about four times.
COMPRESSED_DOCUMENT_COLUMNS = ("ticket_json", "body_json")
COMPRESSED_NETWORK = {"kpi_days": NETWORK_TABLES["kpi_days"][0].index("hours_json")}
"""network table -> position of its compressed column"""

# A document's timeline while the network items are spliced in at request time.
TIMELINE_SLOT = "@@network-timeline@@"
TIMELINE_SLOT_JSON = f'"timeline":"{TIMELINE_SLOT}"'


def snapshot_name(built_at: datetime, run_id: str) -> str:
    return f"{PREFIX}{built_at:%Y%m%d%H%M%S}-{run_id[:8]}{SUFFIX}"


def docs_path(snapshot: Path) -> Path:
    """The document store of the DuckDB snapshot file `snapshot`."""
    return snapshot.with_name(snapshot.stem + DOCS_SUFFIX)


def current_snapshot(snapshots_dir: Path) -> Path | None:
    """The file `CURRENT` names, or None before the first publish."""
    try:
        name = (snapshots_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return snapshots_dir / name if name else None
