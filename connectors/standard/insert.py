"""Insert what a standard-feed reader read into its raw table and the quarantine: the loader's
step for a feed whose rows are typed by its reader rather than staged as text (`loader.py`
keeps the transaction and the manifest)."""

from __future__ import annotations

from datetime import datetime
from itertools import chain
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from complaint_trace.contract import Entity
from connectors.columns import FileRejected
from connectors.files import LandingFile
from connectors.report import FileLoadReport
from connectors.schema import QUARANTINE, quote, raw_table
from connectors.standard.pm_rows import read_spool
from connectors.standard.typed import FeedRead

_SPOOL = "_ct_feed_spool"  # the view of the spool files while they are inserted
_FILE = "_ct_file"  # the number of a spooled row's file, from 1, in the view


def insert_feed_rows(con: duckdb.DuckDBPyConnection, entity: Entity,
                     reads: list[tuple[LandingFile, FeedRead]], run_id: str,
                     loaded_at: datetime) -> None:
    """Insert the rows read from the files of the standard feed `entity` into its raw table,
    in one statement (DuckDB's fixed cost per statement outweighed a small file's rows);
    `FileRejected` unless every row went in."""
    spooled = [(k, read.spool) for k, (_, read) in enumerate(reads, 1) if read.spool is not None]
    inserted = 0
    if spooled:
        names = ", ".join(quote(c.name) for c in entity.columns)
        con.register(_SPOOL, _numbered(spooled))  # streamed batch by batch, in file order
        try:
            inserted = con.execute(
                f"insert into {raw_table(entity)} ({names}, _source_file, _source_row, "
                f"_loaded_at, _run_id) select {names}, (?::varchar[])[{_FILE}], _source_row, "
                f"?, ? from {_SPOOL}",
                [[file.rel for file, _ in reads], loaded_at, run_id]).fetchall()[0][0]
        finally:
            con.unregister(_SPOOL)  # the spools stay until the loader's transaction commits
    expected = sum(read.value_rows for _, read in reads)
    if inserted != expected:
        raise FileRejected(f"{', '.join(file.rel for file, _ in reads)}: {inserted} rows "
                           f"inserted of {expected}")


def _numbered(spooled: list[tuple[int, Path]]) -> pa.RecordBatchReader:
    """The spools' batches one after another, each row with the number of its file (each
    spool opened once, when its turn comes; the first's schema is the view's)."""
    readers = ((number, read_spool(path)) for number, path in spooled)
    first = next(readers)
    schema = first[1].schema.append(pa.field(_FILE, pa.int32()))

    def batches():
        for number, reader in chain([first], readers):
            for batch in reader:
                yield pa.RecordBatch.from_arrays(
                    [*batch.columns, pa.array(np.full(batch.num_rows, number, np.int32))],
                    schema=schema)
    return pa.RecordBatchReader.from_batches(schema, batches())


def quarantine_feed_file(con: duckdb.DuckDBPyConnection, entity: Entity, file: LandingFile,
                         run_id: str, loaded_at: datetime, read: FeedRead) -> FileLoadReport:
    """Insert the records read from `file` that were quarantined, and check its counts
    reconcile: its report (its rows are inserted with its group's, `insert_feed_rows`)."""
    loaded = read.results_loaded  # a row holds several results
    if read.quarantined:
        con.executemany(f"insert into {QUARANTINE} values (?, ?, ?, ?, ?, ?, ?)",
                        [(entity.path, file.rel, position, reason, raw, run_id, loaded_at)
                         for position, reason, raw in read.quarantined])
    quarantined = len(read.quarantined)
    if read.rows_read != loaded + quarantined:
        raise FileRejected(f"{file.rel}: rows do not reconcile: read {read.rows_read}, "
                           f"loaded {loaded}, quarantined {quarantined}")
    return FileLoadReport(file.rel, "loaded", read.rows_read, loaded, quarantined,
                          notes="; ".join(read.notes) or None)
