"""DDL of the raw layer (`raw_<source>.<entity>`) and of `raw_meta`, derived from the contract.

The column list and types are read from `complaint_trace.contract`, so the raw tables cannot
drift from the contract (docs/architecture.md, "Raw layer").
"""

from __future__ import annotations

import duckdb

from complaint_trace.contract import Entity
from connectors.standard.feeds import RAW_TABLE_FOLDERS, TYPED_FEEDS

SQL_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "enum": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "double": "DOUBLE",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    # lists: a standard feed's results (connectors/standard/feeds.py)
    "string[]": "VARCHAR[]",
    "double[]": "DOUBLE[]",
    "integer[]": "INTEGER[]",
    "bigint[]": "BIGINT[]",
    "boolean": "BOOLEAN",
}
LINEAGE_COLUMNS = (
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
    ("_run_id", "VARCHAR"),
)
MANIFEST = "raw_meta.file_manifest"
QUARANTINE = "raw_meta.quarantine"
LOAD_LOG = "raw_meta.load_log"
RELOADED_FILES = "raw_meta.reloaded_files"

_META_DDL = f"""
create schema if not exists raw_meta;
create table if not exists {MANIFEST} (
    entity varchar not null,
    file varchar not null primary key,
    sha256 varchar not null,
    size_bytes bigint not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    status varchar not null,
    error varchar,
    run_id varchar not null,
    loaded_at timestamp not null,
    notes varchar
);
-- Append-only history of every load attempt (the manifest keeps only a file's latest).
create table if not exists {LOAD_LOG} as select * from {MANIFEST} with no data;
-- Files whose current version is not their first: changed in place after a load (or failed on
-- a new version). Their earlier rows are gone from raw, so whatever was built from them must be
-- rebuilt: the dbt staging models and the integrity watermarks read this one definition.
create or replace view {RELOADED_FILES} as
select manifest.file, manifest.loaded_at
from {MANIFEST} as manifest
where manifest.file in (
    select file from {LOAD_LOG} group by file having count(distinct loaded_at) > 1
);
create table if not exists {QUARANTINE} (
    entity varchar not null,
    file varchar not null,
    row_number bigint not null,
    reason varchar not null,
    raw varchar,
    run_id varchar not null,
    quarantined_at timestamp not null
);
"""


def quote(identifier: str) -> str:
    """A SQL identifier in double quotes, safe for any header text (Chinese, spaces, quotes)."""
    return '"' + identifier.replace('"', '""') + '"'


def raw_table(entity: Entity) -> str:
    """The raw table of a contract entity or a typed standard feed."""
    return f"raw_{entity.source}.{entity.name}"


def raw_table_ddl(entity: Entity) -> str:
    columns = [f"{quote(c.name)} {SQL_TYPES[c.type]}" for c in entity.columns]
    columns += [f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS]
    return (
        f"create schema if not exists raw_{entity.source};\n"
        f"create table if not exists {raw_table(entity)} (\n    " + ",\n    ".join(columns) + "\n);"
    )


def ensure_schema(con: duckdb.DuckDBPyConnection,
                  entities: tuple[Entity, ...] | None = None) -> None:
    """Create the raw and raw_meta tables that do not exist yet (idempotent); by default those
    of every contract entity and standard feed."""
    con.execute(_META_DDL)
    for entity in entities if entities is not None else RAW_TABLE_FOLDERS:
        if entity in TYPED_FEEDS:
            _reload_if_layout_changed(con, entity)
        con.execute(raw_table_ddl(entity))


def _reload_if_layout_changed(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    """A typed standard feed's raw table in an earlier layout (PM results one per row, before
    one per measValue) is dropped with its manifest and quarantine rows, so its files, still
    in the landing, load again in the current one; what dbt built from them is rebuilt as
    for any file delivered anew. A contract entity's table never changes layout."""
    found = con.execute(
        "select column_name from information_schema.columns where table_schema = ? "
        "and table_name = ? order by ordinal_position",
        [f"raw_{entity.source}", entity.name]).fetchall()
    expected = [c.name for c in entity.columns] + [name for name, _ in LINEAGE_COLUMNS]
    if not found or [name for (name,) in found] == expected:
        return
    con.execute("begin transaction")
    con.execute(f"drop table {raw_table(entity)}")
    for table in (MANIFEST, QUARANTINE):
        con.execute(f"delete from {table} where entity = ?", [entity.path])
    con.execute(raw_table_ddl(entity))
    con.execute("commit")
