"""Reading the document store (written by `serving/docstore.py`) as one snapshot sees it.

Why SQLite: serving a trace is a point lookup. DuckDB is columnar and built for scans; even
with sorted data and zone maps one lookup costs ~0.5 ms of planning and vector decoding, the
largest share of a request. SQLite's index answers in about ten microseconds. The store is
shared by the snapshots (`serving/layout.py`): each connection shadows its tables with views
of the snapshot's generation, so every query here sees that generation only, however many
the publisher adds meanwhile (WAL mode: readers never wait for the writer).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import SimpleQueue

from serving.layout import DOCUMENT_COLUMNS, visible_views

MMAP_BYTES = 1 << 40  # as much of the file as SQLite allows (address space, not memory)
_SELECT = (f"select {', '.join(DOCUMENT_COLUMNS[1:])} from trace_documents "
           "where ticket_id = ?")


class DocStore:
    """Read-only lookups in one document store, shared by the threads of a process. A few
    connections, opened up front, so the store keeps answering after the file is unlinked
    (pruned) while this snapshot is still being served; each serves one thread at a time.
    Several, because SQLite reads outside the GIL: requests on both cores read in parallel."""

    def __init__(self, path: Path, generation: int | None = None, connections: int = 4) -> None:
        """`generation`: the one the snapshot reads; None for a snapshot's own immutable store
        (published before the shared store)."""
        if not path.is_file():
            raise FileNotFoundError(f"document store {path.name} is missing")
        self.path = path
        self.generation = generation
        mode = "ro" if generation is not None else "ro&immutable=1"
        self._pool: SimpleQueue[sqlite3.Connection] = SimpleQueue()
        for _ in range(connections):
            con = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True,
                                  check_same_thread=False)
            # map the file rather than copy its 64 KB pages into each connection's cache
            con.execute(f"pragma mmap_size = {MMAP_BYTES}")
            if generation is not None:
                for statement in visible_views(generation):
                    con.execute(statement)
            con.execute("select 1 from trace_documents limit 1").fetchall()
            self._pool.put(con)
        with self._connection() as con:
            columns = {r[1] for r in con.execute("pragma main.table_info(trace_documents)")}
        # a store from before the network events were kept per cell holds them in its
        # documents: it is served as it is (no network_json) until the next publish
        self._select = _SELECT if "network_json" in columns else \
            _SELECT.replace("network_json", "null")

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        con = self._pool.get()
        try:
            yield con
        finally:
            self._pool.put(con)

    def get(self, ticket_id: str) -> tuple | None:
        """(customer_id, msisdn, customer_name, tier_at_creation, segment, evidence_has_pii,
        ticket_json, body_json, network_json) of `ticket_id`, or None when the snapshot has
        no such ticket."""
        with self._connection() as con:
            row = con.execute(self._select, (ticket_id,)).fetchone()
        if row is None:
            return None
        *fields, ticket_json, body_json, network_json = row
        return (*fields[:-1], bool(fields[-1]), zlib.decompress(ticket_json).decode("utf-8"),
                zlib.decompress(body_json).decode("utf-8"), network_json)

    def query(self, sql: str, params: tuple) -> list[tuple]:
        """Rows of a read-only statement on the store (the network events of a trace)."""
        with self._connection() as con:
            return con.execute(sql, params).fetchall()

    def count(self) -> int:
        with self._connection() as con:
            return con.execute("select count(*) from trace_documents").fetchone()[0]
