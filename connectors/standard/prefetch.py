"""Read a standard feed's files ahead of the loader, in worker processes: parsing a PM file is
Python work bound to one core, while the loader's inserts are DuckDB's, so the files a load
will read are parsed by a pool, in order, a few ahead, and each transaction takes its file's
result when it comes to it."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from complaint_trace.contract import Entity
from connectors.files import LandingFile
from connectors.standard.typed import FeedRead, read_feed_file

# below this much to read a pool's start-up (a spawned interpreter importing lxml and
# pyarrow, ~0.5 s) costs more than it saves
PARALLEL_FROM_BYTES = 32 << 20
# files read ahead of the one being inserted, per worker: at least this many, and at least
# this many bytes of them, so the workers stay busy while the loader inserts and commits a
# group of files (~0.5 s for a row group's rows; `loader.TYPED_FEED_GROUP_ROWS`)
LOOKAHEAD_PER_WORKER = 2
LOOKAHEAD_BYTES_PER_WORKER = 64 << 20


class _NoPandas:
    """An import finder that refuses pandas (see `_without_pandas`)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ImportError("pandas is not imported in a feed-parsing worker")


def _without_pandas() -> None:
    """A worker's initializer: pyarrow imports pandas at its first array, only to recognise
    pandas objects a worker never has; the import is ~1.7 s of each worker's CPU here, and
    without it pyarrow takes pandas to be absent."""
    sys.meta_path.insert(0, _NoPandas())


class FeedPrefetch:
    """`read(file)` gives `read_feed_file(entity, file)`; with a pool, computed ahead."""

    def __init__(self, entity: Entity, files: Sequence[LandingFile], spool_dir: Path) -> None:
        self.entity = entity
        self.spool_dir = spool_dir
        self.files = list(files)
        self.planned = {f.rel for f in self.files}
        self.pending: dict[str, Future] = {}
        self.submitted = 0
        workers = min(os.cpu_count() or 1, len(self.files))
        big = sum(f.size for f in self.files) >= PARALLEL_FROM_BYTES
        # spawn, not fork: the parent holds DuckDB's threads
        self.pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                                        initializer=_without_pandas) \
            if workers > 1 and big else None
        self.lookahead = workers * LOOKAHEAD_PER_WORKER
        self.lookahead_bytes = workers * LOOKAHEAD_BYTES_PER_WORKER
        self.pending_bytes = 0

    def _submit_next(self) -> None:
        file = self.files[self.submitted]
        self.pending[file.rel] = self.pool.submit(read_feed_file, self.entity, file,
                                                     self.spool_dir)
        self.pending_bytes += file.size
        self.submitted += 1

    def start(self) -> None:
        """Begin reading the first files (the pool's processes start with the first)."""
        if self.pool is not None:
            self._fill()

    def _fill(self) -> None:
        while self.submitted < len(self.files) and (len(self.pending) < self.lookahead or
                                                     self.pending_bytes < self.lookahead_bytes):
            self._submit_next()

    def read(self, file: LandingFile) -> FeedRead:
        if self.pool is None or file.rel not in self.planned:
            return read_feed_file(self.entity, file, self.spool_dir)
        self._fill()
        while file.rel not in self.pending:  # asked out of order: catch up to it
            self._submit_next()
        self.pending_bytes -= file.size
        result = self.pending.pop(file.rel).result()
        self._fill()
        return result

    def close(self) -> None:
        """End the pool, and remove the spools of files read ahead but not loaded."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        for future in self.pending.values():
            if not future.cancelled() and future.exception() is None \
                    and future.result().spool is not None:
                future.result().spool.unlink(missing_ok=True)
