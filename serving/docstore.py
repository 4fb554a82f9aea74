"""Writing the document store: each ticket's trace document in a SQLite file keyed by ticket
id, and the network events traces show, once per cell (`network.py`); the API reads it
(`api/docstore.py`). The store is shared by the snapshots through generations
(`layout.py`): a publish writes the changed rows only, and marks the rows they replace.

Why SQLite: serving a trace is a point lookup. DuckDB is columnar and built for scans; even
with sorted data and zone maps one lookup costs ~0.5 ms of planning and vector decoding, the
largest share of a request. SQLite's index answers in about ten microseconds, and in WAL
mode one writer adds a generation while readers in other processes go on reading the last
committed state, without locks between them. Documents are zlib-compressed (level 1): about
a quarter of the size, and decompressing one costs microseconds.
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from queue import Empty, Queue

from serving.layout import COMPRESSED_DOCUMENT_COLUMNS, COMPRESSED_NETWORK, STORE_TABLE_NAMES
from serving.layout import DOCUMENT_COLUMNS as COLUMNS
from serving.network import CREATE_STORE_TABLES, RETIRE_CHANGED, STORE_TABLES

PAGE_SIZE = 65536
WAL_SIZE_LIMIT = 64 << 20
_TYPES = {"ticket_id": "text not null", "evidence_has_pii": "integer",
          "ticket_json": "blob", "body_json": "blob"}
# A rowid table: documents are kilobytes, and a WITHOUT ROWID table (meant for small rows)
# spills them into overflow pages; measured at day scale, 113 -> 70 MiB, 21 -> 8 µs a lookup.
_CREATE = ("create table trace_documents ("
           + ", ".join(f"{c} {_TYPES.get(c, 'text')}" for c in COLUMNS)
           + ", born integer not null, died integer)")
_INSERT = (f"insert into trace_documents ({', '.join(COLUMNS)}, born) "
           f"values ({', '.join('?' * (len(COLUMNS) + 1))})")
_NETWORK_INSERT = {table: f"insert into {table} ({', '.join(cols)}, born) "
                          f"values ({', '.join('?' * (len(cols) + 1))})"
                   for table, (cols, _, _) in STORE_TABLES.items()}


_COMPRESSED = tuple(COLUMNS.index(c) for c in COMPRESSED_DOCUMENT_COLUMNS)


def _compressed(batch: list[tuple], generation: int) -> list[list]:
    rows = []
    for row in batch:
        row = [*row, generation]
        for column in _COMPRESSED:
            row[column] = zlib.compress(row[column].encode("utf-8"), 1)
        rows.append(row)
    return rows


def _prefetched(items: Iterable, depth: int = 4) -> Iterator:
    """Iterate `items` in a background thread, `depth` items ahead. The documents' SQL runs
    in DuckDB while this thread compresses and inserts the previous batch (both release the
    GIL), so the two halves of a publish overlap instead of taking turns: zlib was ~40 % of
    building a document."""
    queue: Queue = Queue(maxsize=depth)
    done = object()

    def produce() -> None:
        try:
            for item in items:
                queue.put(item)
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put(exc)
        finally:
            queue.put(done)

    producer = threading.Thread(target=produce, name="documents", daemon=True)
    producer.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        while producer.is_alive():  # let a stopped producer finish rather than block on put
            try:
                queue.get(timeout=0.1)
            except Empty:
                pass
        producer.join()


def _create_store(con: sqlite3.Connection) -> None:
    con.execute(_CREATE)
    # a lookup's index, and the prune's (rows no kept snapshot sees, by the generation that
    # replaced them)
    con.execute("create index trace_documents_by_ticket on trace_documents (ticket_id, born)")
    con.execute("create index trace_documents_by_death on trace_documents (died)")
    con.execute("create table docstore_meta (key text primary key, value text)")
    # the snapshots that read this store: which store files and rows a prune may drop
    con.execute("create table published (generation integer primary key, snapshot text)")
    for statement in CREATE_STORE_TABLES:
        con.execute(statement)


def _meta(con: sqlite3.Connection, key: str) -> str | None:
    row = con.execute("select value from docstore_meta where key = ?", (key,)).fetchone()
    return row[0] if row else None


def _set_meta(con: sqlite3.Connection, key: str, value: str) -> None:
    con.execute("insert or replace into docstore_meta values (?, ?)", (key, value))


def open_for_writing(store: Path) -> sqlite3.Connection:
    con = sqlite3.connect(store, isolation_level=None)
    # Large pages (set before the file's first table and before WAL fixes the page size): a
    # compressed document is ~2 KB, and 4 KB pages held one each, half empty (31 days of
    # day-scale history: 2.8 -> 1.7 GB). No effect on an existing file.
    con.execute(f"pragma page_size = {PAGE_SIZE}")
    con.execute("pragma journal_mode = wal")
    con.execute(f"pragma journal_size_limit = {WAL_SIZE_LIMIT}")  # the log, once checkpointed
    # durable at each checkpoint; a crash loses at most an unpublished generation, which the
    # next publish discards anyway
    con.execute("pragma synchronous = normal")
    return con


def write_generation(store: Path, batches: Iterable[list[tuple]],
                     network: Iterable[tuple[str, list[tuple]]] = (), *, doc_format: str,
                     served: int | None, first_generation: int = 1,
                     replace: Iterable[str] = (),
                     network_replace: Iterable[tuple[str, str, str]] = ()) -> tuple[int, int]:
    """Add a generation to the store `store` (created when missing, as `first_generation`):
    the documents in `batches` (rows in `documents.COLUMNS` order) and the network records in
    `network` ((store table, rows)), replacing the rows of the ticket ids in `replace` and of
    the records in `network_replace` ((store table, key_1, key_2)). `served`: the generation
    the current snapshot reads (None for a new store); rows a later, unpublished generation
    left (a publish that failed before its switch) are undone first. One transaction: readers
    see it whole or not at all, and a crash leaves the store as it was. Returns (the new
    generation, the number of documents written)."""
    fresh = not store.exists()
    con = open_for_writing(store)
    try:
        if fresh:
            _create_store(con)
            generation = first_generation
        else:
            last = int(_meta(con, "last_generation") or 0)
            generation = last + 1
        con.execute("begin immediate")
        if not fresh:
            if last > (served or 0):  # only then is there anything to undo: the scans cost
                _undo_unpublished(con, served or 0)  # seconds at a week of history
            con.executemany("update trace_documents set died = ? "
                            "where ticket_id = ? and died is null",
                            ((generation, t) for t in replace))
            retired: dict[str, list[tuple]] = {}
            for table, key_1, key_2 in network_replace:  # one statement per table, not record
                retired.setdefault(table, []).append(
                    (generation, key_2, key_1) if key_1 else (generation, key_2))
            for table, params in retired.items():
                con.executemany(RETIRE_CHANGED[table], params)
        _set_meta(con, "format", doc_format)
        _set_meta(con, "last_generation", str(generation))
        count = 0
        for batch in _prefetched(batches):
            con.executemany(_INSERT, _compressed(batch, generation))
            count += len(batch)
        for table, rows in _prefetched(network):
            if table in COMPRESSED_NETWORK:
                column = COMPRESSED_NETWORK[table]
                rows = [(*r[:column], zlib.compress(r[column].encode("utf-8"), 1),
                         *r[column + 1:]) for r in rows]
            con.executemany(_NETWORK_INSERT[table], [(*r, generation) for r in rows])
        con.execute("commit")
    except BaseException:
        if con.in_transaction:
            con.execute("rollback")
        raise
    finally:
        con.close()
    return generation, count


def _undo_unpublished(con: sqlite3.Connection, served: int) -> None:
    for table in STORE_TABLE_NAMES:
        con.execute(f"delete from {table} where born > ?", (served,))
        con.execute(f"update {table} set died = null where died > ?", (served,))


def record_published(store: Path, generation: int, snapshot: str) -> None:
    """Note that the snapshot file `snapshot` reads generation `generation` of `store`."""
    con = open_for_writing(store)
    try:
        con.execute("insert or replace into published values (?, ?)", (generation, snapshot))
    finally:
        con.close()


def published_snapshots(store: Path) -> dict[str, int]:
    """snapshot file name -> generation, of the snapshots that read `store`."""
    con = sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {name: g for g, name in con.execute("select generation, snapshot from published")}
    finally:
        con.close()


def drop_unseen(store: Path, oldest_seen: int) -> int:
    """Delete the rows that generation `oldest_seen` and every later one cannot see (replaced
    at or before it); their pages are reused by the next generations, so the file grows with
    what is current, not with the publishes. Returns the number of rows deleted."""
    con = open_for_writing(store)
    try:
        con.execute("begin immediate")
        dropped = sum(con.execute(f"delete from {table} where died <= ?",
                                  (oldest_seen,)).rowcount for table in STORE_TABLE_NAMES)
        con.execute("delete from published where generation < ?", (oldest_seen,))
        con.execute("commit")
        # copy the log into the file now, without waiting for readers (they never block)
        con.execute("pragma wal_checkpoint(passive)")
    finally:
        con.close()
    return dropped


def docstore_format(path: Path) -> str | None:
    """The document format a store was written in (None: no readable store at `path`)."""
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = con.execute("select value from docstore_meta where key = 'format'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None
