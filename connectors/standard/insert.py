"""Insert what a standard-feed reader read into its raw table and the quarantine: the loader's
step for a feed whose rows are typed by its reader rather than staged as text (`loader.py`
keeps the transaction, the manifest and the reconciliation)."""

from __future__ import annotations

from datetime import datetime

import duckdb

from complaint_trace.contract import Entity
from connectors.columns import FileRejected
from connectors.files import LandingFile
from connectors.report import FileLoadReport
from connectors.schema import QUARANTINE, quote, raw_table
from connectors.standard.pm_rows import read_spool
from connectors.standard.typed import FeedRead

_SPOOL = "_ct_feed_spool"  # the view of a spool file while it is inserted


def insert_feed_file(con: duckdb.DuckDBPyConnection, entity: Entity, file: LandingFile,
                     run_id: str, loaded_at: datetime, read: FeedRead) -> FileLoadReport:
    """Insert what was read from `file` of the standard feed `entity`: its rows and its
    quarantined records."""
    names = ", ".join(quote(c.name) for c in entity.columns)
    inserted = 0
    if read.spool is not None:
        con.register(_SPOOL, read_spool(read.spool))  # streamed batch by batch, in file order
        try:
            inserted = con.execute(
                f"insert into {raw_table(entity)} ({names}, _source_file, _source_row, "
                f"_loaded_at, _run_id) select {names}, ?, _source_row, ?, ? from {_SPOOL}",
                [file.rel, loaded_at, run_id]).fetchall()[0][0]
        finally:
            con.unregister(_SPOOL)  # the spool stays until the loader's transaction commits
    if inserted != read.value_rows:
        raise FileRejected(f"{file.rel}: {inserted} rows inserted of {read.value_rows}")
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
