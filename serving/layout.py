"""The serving store's layout on disk: what the publisher (this package) writes and the API
(`api/`) reads. Nothing else is shared between the two.

`<snapshots_dir>/snapshot-<UTC yyyymmddHHMMSS>-<run_id[:8]>.duckdb` is an immutable copy of the
listing tables; the text file `CURRENT` names the one to read. Its `snapshot_meta` names the
document store that holds its trace documents and network records, and its generation.

The document store (`documents-<first generation>.sqlite`, SQLite in WAL mode) is shared by
the snapshots: every row carries the generation that wrote it (`born`) and the one that
replaced or removed it (`died`, null while current). A publish adds only the rows that
changed, under a new generation, and a snapshot of generation g reads the rows with
born <= g < died, so readers of older snapshots keep a consistent view while the next is
written; rows no kept snapshot can see are deleted when old snapshots are pruned. A change
of store format starts a new store file. (Snapshots published before this layout have an
immutable store of their own, `snapshot-<...>.docs.sqlite`.)
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

CURRENT = "CURRENT"
PREFIX, SUFFIX = "snapshot-", ".duckdb"
DOCS_SUFFIX = ".docs.sqlite"
STORE_PREFIX, STORE_SUFFIX = "documents-", ".sqlite"

# The columns each store row carries besides its own: the generation that wrote it and the one
# that replaced or removed it.
GENERATION_COLUMNS = ("born", "died")

# The document store's table of trace documents, one row per ticket.
DOCUMENT_COLUMNS = ("ticket_id", "customer_id", "msisdn", "customer_name", "tier_at_creation",
                    "segment", "evidence_has_pii", "ticket_json", "body_json", "network_json")

# The columns of `dim_tickets` a snapshot carries: what the ticket search reads and lists
# (`api/listing.py`); the rest of a ticket is in its document.
SEARCHED_TICKET_COLUMNS = ("ticket_id", "created_at", "msisdn", "category", "priority",
                           "status_at_as_of", "reported_district", "network_trace")

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
    """The immutable document store of a snapshot published before the shared store."""
    return snapshot.with_name(snapshot.stem + DOCS_SUFFIX)


def store_name(first_generation: int) -> str:
    return f"{STORE_PREFIX}{first_generation:08d}{STORE_SUFFIX}"


STORE_TABLE_NAMES = ("trace_documents", *NETWORK_TABLES)


def visible_views(generation: int) -> list[str]:
    """Statements that shadow each store table, in a reader's connection, with a temp view of
    the rows generation `generation` sees (SQLite resolves an unqualified name in `temp`
    first), so the readers' queries need not know about generations."""
    g = int(generation)
    return [f"create temp view {table} as select * from main.{table} "
            f"where born <= {g} and (died is null or died > {g})"
            for table in STORE_TABLE_NAMES]


def current_snapshot(snapshots_dir: Path) -> Path | None:
    """The file `CURRENT` names, or None before the first publish."""
    try:
        name = (snapshots_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return snapshots_dir / name if name else None
