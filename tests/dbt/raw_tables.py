"""Write raw tables exactly as the connectors lay them out (docs/architecture.md: Raw layer),
from small hand-made rows, so the dbt project can be built without the ingestion layer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

import duckdb

from complaint_trace.contract import ENTITIES, Entity

SQL_TYPES = {
    "string": "VARCHAR", "enum": "VARCHAR", "timestamp": "TIMESTAMP", "double": "DOUBLE",
    "integer": "INTEGER", "bigint": "BIGINT", "boolean": "BOOLEAN",
}
LINEAGE = (("_source_file", "VARCHAR"), ("_source_row", "BIGINT"), ("_loaded_at", "TIMESTAMP"),
           ("_run_id", "VARCHAR"))


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw table (empty) with the contract's columns plus the lineage columns."""
    for entity in ENTITIES:
        con.execute(f"create schema if not exists raw_{entity.source}")
        columns = [f"{c.name} {SQL_TYPES[c.type]}" for c in entity.columns]
        columns += [f"{name} {type_}" for name, type_ in LINEAGE]
        con.execute(f"create table if not exists raw_{entity.source}.{entity.name} "
                    f"({', '.join(columns)})")


def _entity(path: str) -> Entity:
    return next(e for e in ENTITIES if e.path == path)


def insert_rows(con: duckdb.DuckDBPyConnection, path: str, rows: Iterable[Mapping],
                loaded_at: datetime, source_file: str | None = None) -> None:
    """Append rows to `raw_<source>.<entity>`; absent columns are null, lineage is filled in."""
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


def new_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    create_raw_schema(con)
    return con
