"""Writing the snapshot's document store: each ticket's trace document in a SQLite file beside
the DuckDB snapshot (`layout.docs_path`), keyed by ticket id; the API reads it
(`api/docstore.py`).

Why SQLite: serving a trace is a point lookup. DuckDB is columnar and built for scans; even
with sorted data and zone maps one lookup costs ~0.5 ms of planning and vector decoding, the
largest share of a request. SQLite's primary-key index answers in about ten microseconds,
and the file is immutable once written, so readers open it `immutable=1` (no locks).
Documents are zlib-compressed (level 1): about a quarter of the size, and decompressing one
costs microseconds, where DuckDB's block compression made a lookup decompress thousands.

The store also holds the network events traces show, once per cell (`network.py`).
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from queue import Empty, Queue

from serving.layout import COMPRESSED_DOCUMENT_COLUMNS, COMPRESSED_NETWORK
from serving.layout import DOCUMENT_COLUMNS as COLUMNS
from serving.network import CREATE_STORE_TABLES, DELETE_CHANGED, STORE_TABLES

PAGE_SIZE = 65536
_TYPES = {"ticket_id": "text primary key", "evidence_has_pii": "integer",
          "ticket_json": "blob", "body_json": "blob"}
# A rowid table: documents are kilobytes, and a WITHOUT ROWID table (meant for small rows)
# spills them into overflow pages; measured at day scale, 113 -> 70 MiB, 21 -> 8 µs a lookup.
_CREATE = ("create table trace_documents ("
           + ", ".join(f"{c} {_TYPES.get(c, 'text')}" for c in COLUMNS) + ")")
_INSERT = (f"insert into trace_documents ({', '.join(COLUMNS)}) "
           f"values ({', '.join('?' * len(COLUMNS))})")
_NETWORK_INSERT = {table: f"insert into {table} ({', '.join(cols)}) "
                          f"values ({', '.join('?' * len(cols))})"
                   for table, (cols, _, _) in STORE_TABLES.items()}


_COMPRESSED = tuple(COLUMNS.index(c) for c in COMPRESSED_DOCUMENT_COLUMNS)


def _compressed(batch: list[tuple]) -> list[list]:
    rows = []
    for row in batch:
        row = list(row)
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


def write_docstore(target: Path, batches: Iterable[list[tuple]],
                   network: Iterable[tuple[str, list[tuple]]] = (), *, doc_format: str,
                   base: Path | None = None, replace: Iterable[str] = (),
                   network_replace: Iterable[tuple[str, str, str]] = ()) -> int:
    """Write a new SQLite file `target` holding the documents in `batches` (rows in
    `documents.COLUMNS` order) and the network records in `network` ((store table, rows)).
    With `base`, `target` starts as a copy of that earlier store from which the documents of
    the ticket ids in `replace`, and the network records in `network_replace` ((store table,
    key_1, key_2)), are removed first, so a publish writes only what changed. Returns the
    number of documents written."""
    if base is not None:
        shutil.copyfile(base, target)
    con = sqlite3.connect(target)
    try:
        # Large pages (set before the file's first table): a compressed document is ~2 KB, and
        # 4 KB pages held one each, half empty (31 days of day-scale history: 2.8 -> 1.7 GB of
        # documents, so less to copy on every publish)
        con.execute(f"pragma page_size = {PAGE_SIZE}")
        # A new file that is renamed into place only when complete: no journal needed.
        con.execute("pragma journal_mode = off")
        con.execute("pragma synchronous = off")
        if base is None:
            con.execute(_CREATE)
            con.execute("create table docstore_meta (key text primary key, value text)")
            for statement in CREATE_STORE_TABLES:
                con.execute(statement)
        else:
            con.execute("create temp table replaced (ticket_id text primary key)")
            con.executemany("insert into replaced values (?)", ((t,) for t in replace))
            con.execute("delete from trace_documents "
                        "where ticket_id in (select ticket_id from temp.replaced)")
            for table, key_1, key_2 in network_replace:
                con.execute(DELETE_CHANGED[table], (key_2, key_1) if key_1 else (key_2,))
        con.execute("insert or replace into docstore_meta values ('format', ?)", (doc_format,))
        count = 0
        for batch in _prefetched(batches):
            con.executemany(_INSERT, _compressed(batch))
            count += len(batch)
        for table, rows in _prefetched(network):
            if table in COMPRESSED_NETWORK:
                column = COMPRESSED_NETWORK[table]
                rows = [(*r[:column], zlib.compress(r[column].encode("utf-8"), 1),
                         *r[column + 1:]) for r in rows]
            con.executemany(_NETWORK_INSERT[table], rows)
        con.commit()
    finally:
        con.close()
    return count


def docstore_format(path: Path) -> str | None:
    """The document format a store was written in (None: no readable store at `path`)."""
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            row = con.execute("select value from docstore_meta where key = 'format'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None
