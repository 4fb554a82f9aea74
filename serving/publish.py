"""Publishing a snapshot (the layout: `layout.py`).

The publisher adds a generation to the document store (one transaction: the changed documents
and network records, and the retirement of the rows they replace), writes the listing tables'
DuckDB file under a temporary name, fsyncs and renames it, and only then replaces `CURRENT`
with `os.replace`, so a reader sees either the old snapshot or the whole new one, never a
half: the old snapshot's generation does not see the new rows.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from serving.docstore import (
    docstore_format,
    drop_unseen,
    published_snapshots,
    record_published,
    write_generation,
)
from serving.documents import DOCUMENT_SOURCES, create_fingerprints, document_rows
from serving.layout import (
    CURRENT,
    PREFIX,
    SEARCHED_TICKET_COLUMNS,
    STORE_PREFIX,
    STORE_SUFFIX,
    SUFFIX,
    current_snapshot,
    docs_path,
    snapshot_name,
    store_name,
)
from serving.network import (
    NETWORK_SOURCES,
    STORE_FORMAT,
    KpiDaysSince,
    create_network_fingerprints,
    network_rows,
)

FINGERPRINTS_TABLE = "main.document_fingerprints"  # ticket_id, fingerprint of its document's inputs
# store_table, key_1, key_2, fingerprint of each network record in the document store
NETWORK_FINGERPRINTS_TABLE = "main.network_fingerprints"
ROW_GROUP_SIZE = 2048
PREVIOUS = "previous_snapshot"  # the catalog the previous snapshot is attached as


@dataclass(frozen=True)
class ServedTable:
    """One table of the snapshot: where it comes from and how it is looked up."""

    name: str  # schema-qualified name in the snapshot (and the warehouse, unless `source`)
    select: str  # the rows to copy (reads the warehouse: the connection's default catalog)
    index: tuple[str, ...] = ()  # each column gets an ART index (point lookups by the API)
    source: str | None = None  # the warehouse table `select` reads, when not `name`


# What the listings read (search, findings, summary, health), sorted by their lookup key so
# DuckDB's zone maps prune row groups too. The trace documents are built straight from the
# warehouse's marts into the document store, so the tables only they read are not copied.
SERVED_TABLES: tuple[ServedTable, ...] = (
    ServedTable("main.dim_tickets", f"select {', '.join(SEARCHED_TICKET_COLUMNS)} "
                "from main.dim_tickets order by ticket_id", ("ticket_id", "msisdn")),
    ServedTable("audit.findings", "select * from audit.findings order by ticket_id, rule_id",
                ("ticket_id",)),
    ServedTable("audit.agg_audit_daily",
                "select * from audit.agg_audit_daily order by day, rule_id, department"),
    # open tickets near or past an SLA limit, listed by time left (`GET /tickets/at-risk`)
    ServedTable("main.fct_sla_warnings",
                "select * from main.fct_sla_warnings order by minutes_left, ticket_id, sla_limit",
                ("ticket_id",)),
    # what the pages label and draw with: every rule's name and severity (the fixed rules and
    # the step rules, `dim_audit_rules`), KPI thresholds
    ServedTable("main.rule_catalog", "select rule_id, rule_name, severity, description "
                "from main.dim_audit_rules order by rule_id", source="main.dim_audit_rules"),
    ServedTable("main.kpi_thresholds", "select * from main.kpi_thresholds order by kpi, rat"),
)


class SnapshotError(RuntimeError):
    """Publishing failed; the previous snapshot stays current."""


@dataclass(frozen=True)
class PublishedSnapshot:
    path: Path
    version: str
    run_id: str
    built_at: datetime
    row_counts: dict[str, int]
    documents_built: int  # the rest were carried over unchanged from the previous snapshot


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _differing(new: str, saved: str, keys: tuple[str, ...]) -> str:
    """SQL of the keys whose fingerprint differs between the table `new` and the table `saved`
    (new, changed or gone)."""
    return (f"select {', '.join(f'coalesce(n.{k}, o.{k}) as {k}' for k in keys)} "
            f"from {new} as n full outer join {saved} as o "
            f"on {' and '.join(f'o.{k} = n.{k}' for k in keys)} "
            f"where o.fingerprint is distinct from n.fingerprint")


def _find_changes(con: duckdb.DuckDBPyConnection) -> bool:
    """Compare the fingerprints (temp tables `doc_fingerprints`, `network_fingerprints`) with
    those saved in the previous snapshot (attached as `PREVIOUS`), leaving what differs (new,
    changed or gone) in the temp tables `doc_changed` (ticket_id) and `network_changed`
    (store_table, key_1, key_2). False when there is nothing to reuse (everything is
    written)."""
    try:
        con.execute("create or replace temp table doc_changed as " + _differing(
            "doc_fingerprints", f"{PREVIOUS}.{FINGERPRINTS_TABLE}", ("ticket_id",)))
        con.execute("create or replace temp table network_changed as " + _differing(
            "network_fingerprints", f"{PREVIOUS}.{NETWORK_FINGERPRINTS_TABLE}",
            ("store_table", "key_1", "key_2")))
        return True
    except duckdb.Error:
        return False


@contextmanager
def _previous_attached(con: duckdb.DuckDBPyConnection,
                       previous: Path | None) -> Iterator[dict | None]:
    """Attach the `previous` snapshot read-only as `PREVIOUS` for the block, which gets its
    `snapshot_meta` row as a dict: None when there is no previous snapshot, or it cannot be
    read (pruned meanwhile, another layout), and then nothing is reused."""
    attached = False
    if previous is not None:
        try:
            con.execute(f"attach {_sql_literal(str(previous))} as {PREVIOUS} (read_only)")
            attached = True
        except duckdb.Error:
            pass  # unreadable: rebuild rather than fail the publish
    if not attached:
        yield None
        return
    try:
        try:
            result = con.execute(f"select * from {PREVIOUS}.main.snapshot_meta")
            names = [d[0] for d in result.description]
            row = result.fetchone()
        except duckdb.Error:
            row = None
        yield dict(zip(names, row, strict=True)) if row else None
    finally:
        con.execute(f"detach {PREVIOUS}")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str):
    """The one value `sql` returns, or None when it names a table or column the database
    lacks (a warehouse built before them)."""
    try:
        return con.execute(sql).fetchall()[0][0]
    except (duckdb.CatalogException, duckdb.BinderException):
        return None


def _changes_taken_in(con: duckdb.DuckDBPyConnection, warehouse: str) -> dict:
    """What this publish takes in: the newest build number of `int_tickets_changed` and the
    audit's state (its rules and the facts it audited), as the snapshot records them."""
    return {
        "changes_through": _scalar(
            con, f"select max(changed_in) from {warehouse}.main.int_tickets_changed"),
        "audit_state": _scalar(
            con, f"select max(config || '/' || coalesce(facts_built_by, '')) "
                 f"from {warehouse}.audit.audit_state"),
        # the flagged KPI hours' series and newest load (serving/network.py KpiDaysSince)
        "kpi_series": _scalar(
            con, f"select max(flagged_series) from {warehouse}.main.int_cell_kpi_hours_flagged"),
        "kpi_loaded_through": _scalar(
            con, f"select max(_loaded_at) from {warehouse}.main.int_cell_kpi_hours_flagged"),
    }


def _kpi_days_since(previous_meta: dict, meta: dict) -> KpiDaysSince | None:
    """The previous snapshot's KPI-day fingerprints stand for the days none of whose hours
    was loaded since, when it took in the series of flagged hours the warehouse holds now."""
    series, through = previous_meta.get("kpi_series"), previous_meta.get("kpi_loaded_through")
    if series is None or through is None or series != meta["kpi_series"]:
        return None
    return KpiDaysSince(f"{PREVIOUS}.{NETWORK_FINGERPRINTS_TABLE}", through)


@dataclass(frozen=True)
class StoreInUse:
    """The document store the current snapshot reads, and the generation it reads."""

    path: Path
    generation: int


def _store_in_use(previous: Path | None, previous_meta: dict | None) -> StoreInUse | None:
    """The store of the `previous` snapshot (its `snapshot_meta` row: `previous_meta`) when a
    publish can add to it: it names one (a snapshot from before the shared store does not),
    the file is there, and it is written in this store format."""
    if previous is None or not previous_meta or not previous_meta.get("docstore"):
        return None
    path = previous.parent / previous_meta["docstore"]
    if docstore_format(path) != STORE_FORMAT:
        return None
    return StoreInUse(path, int(previous_meta["generation"]))


def _publish_scope(con: duckdb.DuckDBPyConnection, warehouse: str, previous_meta: dict,
                   meta: dict) -> str | None:
    """The tickets whose documents may differ from the previous snapshot's (attached as
    `PREVIOUS`, its `snapshot_meta` row `previous_meta`): those `int_tickets_changed` stamped
    after the build that snapshot took in (a ticket gone from the feed is stamped too). Left in
    the temp table `publish_scope`, with the previous fingerprints of every other ticket in
    `carried_fingerprints`. None (fingerprint every ticket) when the previous snapshot predates
    build numbers, the models were rebuilt from scratch since (numbers start again), or the
    audit applied other rules or re-audited rebuilt facts (any finding may have changed)."""
    taken, through = meta["changes_through"], previous_meta.get("changes_through")
    if taken is None or meta["audit_state"] is None or through is None or through > taken \
            or previous_meta.get("audit_state") != meta["audit_state"]:
        return None
    try:
        con.execute(f"""create or replace temp table publish_scope as
            select ticket_id from {warehouse}.main.int_tickets_changed
            where changed_in > ?""", [through])
        con.execute(f"""create or replace temp table carried_fingerprints as
            select * from {PREVIOUS}.{FINGERPRINTS_TABLE}
            where ticket_id not in (select ticket_id from publish_scope)""")
        return "publish_scope"
    except duckdb.Error:
        return None  # a snapshot of an older layout: fingerprint everything


def _copy_tables(con: duckdb.DuckDBPyConnection, target: Path, snapshots_dir: Path,
                 tables: Iterable[ServedTable], meta: dict, previous: Path | None
                 ) -> tuple[dict[str, int], int, Path, int]:
    """Add the trace documents and network records that changed since the `previous` snapshot
    to its document store as a new generation (all of them, into a new store, when there is
    no store to add to), then copy the tables from the warehouse (the connection's default
    catalog) into the new file `target`. Returns the row counts, the number of documents
    built, the store and the generation the snapshot reads."""
    name = con.execute("select current_database()").fetchone()[0]
    warehouse = '"' + name.replace('"', '""') + '"'  # a file name may be any identifier
    meta = {**meta, **_changes_taken_in(con, warehouse)}
    with _previous_attached(con, previous) as previous_meta:
        in_use = _store_in_use(previous, previous_meta)
        scope = _publish_scope(con, warehouse, previous_meta, meta) if in_use else None
        create_fingerprints(con, warehouse, "doc_fingerprints", scope)
        if scope is not None:  # the other tickets' fingerprints stand as the last publish left them
            con.execute("insert into doc_fingerprints select * from carried_fingerprints")
        create_network_fingerprints(con, warehouse, "network_fingerprints", meta["as_of"],
                                    _kpi_days_since(previous_meta, meta) if in_use else None)
        reuse = in_use is not None and _find_changes(con)
    if not reuse:
        last = in_use.generation if in_use else _last_generation(snapshots_dir)
        store = snapshots_dir / store_name(last + 1)
        for leftover in _store_files(store):  # of a publish that failed before its switch
            leftover.unlink(missing_ok=True)
        generation, built = write_generation(
            store, document_rows(con, warehouse, "doc_fingerprints"),
            network_rows(con, warehouse, "network_fingerprints"),
            doc_format=STORE_FORMAT, served=None, first_generation=last + 1)
    else:
        store = in_use.path
        changed = [row[0] for row in con.execute("select ticket_id from doc_changed").fetchall()]
        network_changed = con.execute("select * from network_changed").fetchall()
        generation, built = write_generation(
            store, document_rows(con, warehouse, "doc_changed"),
            network_rows(con, warehouse, "network_changed"), doc_format=STORE_FORMAT,
            served=in_use.generation, replace=changed, network_replace=network_changed)
    # Small row groups: tables are sorted by their lookup key, so zone maps narrow a listing's
    # lookup (a ticket's findings, one MSISDN's tickets) to 2 048 rows instead of 122 880.
    con.execute(f"attach {_sql_literal(str(target))} as snap "
                f"(read_only false, row_group_size {ROW_GROUP_SIZE})")
    counts: dict[str, int] = {}
    try:
        con.execute("create schema if not exists snap.audit")
        for table in tables:
            con.execute(f"create table snap.{table.name} as {table.select}")
            for column in table.index:
                index = f"idx_{table.name.split('.')[-1]}_{column}"
                con.execute(f"create index {index} on snap.{table.name} ({column})")
            count = con.execute(f"select count(*) from snap.{table.name}").fetchone()
            counts[table.name] = count[0]
        con.execute(f"create table snap.{FINGERPRINTS_TABLE} as "
                    "select * from doc_fingerprints order by ticket_id")
        con.execute(f"create table snap.{NETWORK_FINGERPRINTS_TABLE} as "
                    "select * from network_fingerprints")
        counts["main.trace_documents"] = con.execute(
            "select count(*) from doc_fingerprints").fetchone()[0]
        con.execute("create table snap.main.snapshot_meta (snapshot_version varchar, "
                    "run_id varchar, as_of timestamp, built_at timestamp, "
                    "documents_built bigint, changes_through bigint, audit_state varchar, "
                    "docstore varchar, generation bigint, kpi_series varchar, "
                    "kpi_loaded_through timestamp)")
        con.execute("insert into snap.main.snapshot_meta values "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [meta["version"], meta["run_id"], meta["as_of"], meta["built_at"],
                     built, meta["changes_through"], meta["audit_state"], store.name,
                     generation, meta["kpi_series"], meta["kpi_loaded_through"]])
        con.execute("create table snap.main.snapshot_tables (table_name varchar, row_count bigint)")
        con.executemany("insert into snap.main.snapshot_tables values (?, ?)",
                        [[name, n] for name, n in counts.items()])
        con.execute("checkpoint snap")
    finally:
        con.execute("detach snap")
    return counts, built, store, generation


def _store_files(store: Path) -> list[Path]:
    """A store's file and SQLite's files beside it (WAL, shared memory)."""
    return [store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")]


def _stores(snapshots_dir: Path) -> list[Path]:
    return sorted(snapshots_dir.glob(f"{STORE_PREFIX}*{STORE_SUFFIX}"))


def _last_generation(snapshots_dir: Path) -> int:
    """The newest generation any store of `snapshots_dir` was published with (0: none), so a
    new store's generations follow the old ones' and no snapshot's generation repeats."""
    last = 0
    for store in _stores(snapshots_dir):
        try:
            last = max([last, *published_snapshots(store).values()])
        except sqlite3.Error:
            continue
    return last


def _check_sources(con: duckdb.DuckDBPyConnection, tables: Iterable[ServedTable]) -> None:
    present = {f"{s}.{t}" for s, t in con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database()").fetchall()}
    needed = [*(t.source or t.name for t in tables), *DOCUMENT_SOURCES, *NETWORK_SOURCES]
    missing = [name for name in dict.fromkeys(needed) if name not in present]
    if missing:
        raise SnapshotError(f"the warehouse lacks serving tables: {', '.join(missing)}")


def publish_snapshot(con: duckdb.DuckDBPyConnection, snapshots_dir: Path, *, run_id: str,
                     as_of: datetime, keep: int, built_at: datetime | None = None,
                     tables: tuple[ServedTable, ...] = SERVED_TABLES,
                     reuse_documents: bool = True) -> PublishedSnapshot:
    """Copy the serving tables from `con` (a connection whose default catalog is the warehouse,
    read-only is enough) into a new snapshot file, then make it current and prune old ones.
    Trace documents whose inputs did not change since the current snapshot are carried over
    from it (`reuse_documents=False` rebuilds them all)."""
    built_at = (built_at or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    name = snapshot_name(built_at, run_id)
    final, tmp = snapshots_dir / name, snapshots_dir / f".{name}.tmp"
    tmp.unlink(missing_ok=True)
    meta = {"version": name.removeprefix(PREFIX).removesuffix(SUFFIX), "run_id": run_id,
            "as_of": as_of, "built_at": built_at}
    con.execute("set enable_progress_bar = false")
    try:
        _check_sources(con, tables)
        previous = current_snapshot(snapshots_dir) if reuse_documents else None
        counts, built, store, generation = _copy_tables(con, tmp, snapshots_dir, tables, meta,
                                                        previous)
    except (duckdb.Error, sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise SnapshotError(f"publishing {name} failed: {exc}") from exc
    _fsync(tmp)
    # recorded before the file is in place: a prune keeps what any snapshot file there reads
    record_published(store, generation, name)
    os.replace(tmp, final)
    switch_current(snapshots_dir, name)
    prune_snapshots(snapshots_dir, keep)
    return PublishedSnapshot(final, meta["version"], run_id, built_at, counts, built)


def switch_current(snapshots_dir: Path, name: str) -> None:
    """Point `CURRENT` at `name` atomically (write a temp file, fsync, rename, fsync the dir)."""
    tmp = snapshots_dir / f".{CURRENT}.tmp"
    tmp.write_text(name + "\n", encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, snapshots_dir / CURRENT)
    _fsync(snapshots_dir)


def prune_snapshots(snapshots_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` snapshots; never the current one. A reader that still
    has a deleted file open keeps reading it (POSIX unlink semantics) until it switches. Then
    drop the store rows no remaining snapshot sees, and the store files none reads. Also the
    temporary files a killed publish left (`.snapshot-*.tmp`): one run at a time holds a
    home (complaint_trace/run_lock.py), so no other publish is writing one."""
    for leftover in snapshots_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    current = current_snapshot(snapshots_dir)
    files = sorted(snapshots_dir.glob(f"{PREFIX}*{SUFFIX}"), key=lambda p: p.name, reverse=True)
    doomed = [p for p in files[max(keep, 1):] if p != current]
    for path in doomed:
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        docs_path(path).unlink(missing_ok=True)  # a snapshot's own store (older layout)
    kept = {p.name for p in files if p not in doomed}
    for store in _stores(snapshots_dir):
        try:
            seen = [g for snapshot, g in published_snapshots(store).items() if snapshot in kept]
        except sqlite3.Error:
            seen = []  # not a store a publish completed
        if seen:
            drop_unseen(store, min(seen))
        else:
            for path in _store_files(store):
                path.unlink(missing_ok=True)
    return doomed
