"""Write raw tables exactly as the connectors lay them out (docs/architecture.md: Raw layer),
from small hand-made rows, so the dbt project can be built without the ingestion layer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

import duckdb

from complaint_trace.contract import ENTITIES, Entity
from connectors.schema import LINEAGE_COLUMNS as LINEAGE
from connectors.schema import LOAD_LOG, MANIFEST, ensure_schema


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw table (empty) and the loader's manifest, as the connectors do."""
    ensure_schema(con)


def _entity(path: str) -> Entity:
    return next(e for e in ENTITIES if e.path == path)


def insert_rows(con: duckdb.DuckDBPyConnection, path: str, rows: Iterable[Mapping],
                loaded_at: datetime, source_file: str | None = None) -> None:
    """Append rows to `raw_<source>.<entity>`; absent columns are null, lineage is filled in,
    and the file's load is recorded in the manifest and load log as the loader does (a file
    loaded again at another time is a file changed in place)."""
    entity = _entity(path)
    names = [c.name for c in entity.columns] + [name for name, _ in LINEAGE]
    placeholders = ", ".join("?" for _ in names)
    file = source_file or f"{path}/{loaded_at.date().isoformat()}.csv"
    for number, row in enumerate(rows, start=1):
        unknown = set(row) - {c.name for c in entity.columns}
        if unknown:
            raise KeyError(f"{path}: unknown columns {sorted(unknown)}")
        values = [row.get(c.name) for c in entity.columns]
        values += [file, number, loaded_at, "test-run"]
        con.execute(f"insert into raw_{entity.source}.{entity.name} ({', '.join(names)}) "
                    f"values ({placeholders})", values)
    _record_load(con, path, file, loaded_at)


def _record_load(con: duckdb.DuckDBPyConnection, path: str, file: str,
                 loaded_at: datetime) -> None:
    entity = _entity(path)
    loaded = con.execute(f"select count(*) from raw_{entity.source}.{entity.name} "
                         f"where _source_file = ? and _loaded_at = ?", [file, loaded_at]
                         ).fetchone()[0]
    con.execute(f"delete from {MANIFEST} where file = ?", [file])
    values = [path, file, f"sha-{file}-{loaded_at.isoformat()}", 0, loaded, loaded, 0, "loaded",
              None, "test-run", loaded_at, None]
    for table in (MANIFEST, LOAD_LOG):
        con.execute(f"insert into {table} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def new_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    create_raw_schema(con)
    return con


def insert_ticket(con: duckdb.DuckDBPyConnection, ticket_id: str, created_at: str,
                  priority: str, events: Iterable[tuple], *, loaded_at: datetime,
                  category: str = "billing.dispute", channel: str = "hotline") -> None:
    """One ticket and its events, each `(event_at, action, status_after, department,
    closure_code)` with times as ISO text, in a file of its own."""
    insert_rows(con, "ticketing/tickets", [{
        "ticket_id": ticket_id, "msisdn": f"1390000{ticket_id[-4:]}", "channel": channel,
        "created_at": datetime.fromisoformat(created_at), "category": category,
        "priority": priority, "description": "测试工单"}], loaded_at,
        source_file=f"ticketing/tickets/{ticket_id}.csv")
    insert_rows(con, "ticketing/ticket_events", [
        {"event_id": f"{ticket_id}-{n}", "ticket_id": ticket_id,
         "event_at": datetime.fromisoformat(at), "action": action, "status_after": status,
         "department": department, "closure_code": code}
        for n, (at, action, status, department, code) in enumerate(events, start=1)],
        loaded_at, source_file=f"ticketing/ticket_events/{ticket_id}.csv")
