"""Reads the latest published snapshot, read-only, and follows `CURRENT` without a restart.

Each request asks `SnapshotReader.get()` for the open snapshot. At most every
`check_seconds` one request looks at `CURRENT`; when it names another file, that file is opened
read-only and checked (its `snapshot_meta` must be readable) before it replaces the open one, so
a broken or half-published snapshot never interrupts service. Old connections are not closed
by force: requests in flight hold a reference and finish on the snapshot they started with.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from api.docstore import DocStore
from complaint_trace.settings import Settings
from serving.layout import current_snapshot, docs_path

log = logging.getLogger(__name__)


class NoSnapshotError(RuntimeError):
    """Nothing has been published yet (or the current file cannot be opened)."""


@dataclass(frozen=True)
class Snapshot:
    """One open, immutable snapshot. `cursor()` gives a connection for one request."""

    path: Path
    version: str
    run_id: str
    as_of: datetime | None
    built_at: datetime
    con: duckdb.DuckDBPyConnection
    docs: DocStore

    @property
    def provenance_json(self) -> str:
        return json.dumps({"run_id": self.run_id, "as_of": _iso(self.as_of),
                           "built_at": _iso(self.built_at), "snapshot_version": self.version})

    @property
    def as_of_key(self) -> str:
        """The as-of as `serving.documents.event_key` text: no trace shows a network event
        after it."""
        return self.as_of.strftime("%Y-%m-%d %H:%M:%S.%f") if self.as_of else "\uffff"

    def cursor(self) -> duckdb.DuckDBPyConnection:
        # A DuckDB connection must not be used by two threads at once; a cursor is a cheap new
        # connection to the same database instance, so every request gets its own.
        return self.con.cursor()

    def row_counts(self) -> dict[str, int]:
        with self.cursor() as cur:
            rows = cur.execute("select table_name, row_count from main.snapshot_tables "
                               "order by table_name").fetchall()
        return dict(rows)


def _iso(moment: datetime | None) -> str | None:
    """Naive UTC as pydantic writes an aware UTC datetime (`...Z`)."""
    return moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z") if moment else None


DEFAULT_THREADS: int = Settings.model_fields["duckdb_threads"].default


def open_snapshot(path: Path, threads: int = DEFAULT_THREADS) -> Snapshot:
    # Always the same config (DuckDB refuses a second connection to a file within one process
    # under a different configuration): the setting's default unless told otherwise.
    con = duckdb.connect(str(path), read_only=True, config={"threads": threads})
    try:
        result = con.execute("select * from main.snapshot_meta")
        names = [d[0] for d in result.description]
        row = result.fetchone()
    except duckdb.Error:
        con.close()
        raise
    if row is None:
        con.close()
        raise NoSnapshotError(f"{path.name} has no snapshot_meta row")
    meta = dict(zip(names, row, strict=True))
    try:
        # the shared store at the snapshot's generation, or (published before it) its own
        docs = DocStore(path.parent / meta["docstore"], meta["generation"]) \
            if meta.get("docstore") else DocStore(docs_path(path))
    except (OSError, sqlite3.Error) as exc:
        con.close()
        raise NoSnapshotError(f"{path.name}: cannot open its documents: {exc}") from exc
    return Snapshot(path, meta["snapshot_version"], meta["run_id"], meta["as_of"],
                    meta["built_at"], con, docs)


class SnapshotReader:
    """Thread-safe holder of the current snapshot of one snapshots directory."""

    def __init__(self, snapshots_dir: Path, check_seconds: float = 1.0,
                 threads: int = DEFAULT_THREADS) -> None:
        self.snapshots_dir = snapshots_dir
        self.check_seconds = check_seconds
        self.threads = threads
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        self.last_error: str | None = None
        self._failed: Path | None = None  # a CURRENT target that would not open: not retried

    def get(self) -> Snapshot:
        """The snapshot to answer this request from (switching first if a newer one is due)."""
        now = time.monotonic()
        if self._snapshot is None or now - self._checked_at >= self.check_seconds:
            with self._lock:
                if self._snapshot is None or now - self._checked_at >= self.check_seconds:
                    self._refresh()
                    self._checked_at = now
        if self._snapshot is None:
            raise NoSnapshotError(self.last_error or "no snapshot has been published yet")
        return self._snapshot

    def _refresh(self) -> None:
        path = current_snapshot(self.snapshots_dir)
        if path is None or path == self._failed or (
                self._snapshot is not None and self._snapshot.path == path):
            return
        try:
            self._snapshot = open_snapshot(path, self.threads)
            self.last_error, self._failed = None, None
        except (duckdb.Error, OSError, NoSnapshotError) as exc:
            # Keep serving the previous snapshot; say why the new one was not taken. Snapshot
            # files are immutable, so the same name will not open later either.
            self.last_error, self._failed = f"cannot open snapshot {path.name}: {exc}", path
            log.error(self.last_error)
