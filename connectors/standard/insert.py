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
from connectors.standard.feeds import PM_XML
from connectors.standard.pm_xml import PmRead, read_pm_file

_ROWS = "_ct_feed_rows"


def _read(entity: Entity, file: LandingFile) -> PmRead:
    if entity == PM_XML:
        if file.format != "xml":
            raise FileRejected(f"{file.rel}: not a PM file (.xml or .xml.gz)")
        return read_pm_file(file.path, file.rel)
    raise FileRejected(f"{file.rel}: no reader for {entity.path}")


def insert_feed_file(con: duckdb.DuckDBPyConnection, entity: Entity, file: LandingFile,
                     run_id: str, loaded_at: datetime) -> FileLoadReport:
    """Read `file` of the standard feed `entity`, insert its rows and quarantined records."""
    read = _read(entity, file)
    names = ", ".join(quote(c.name) for c in entity.columns)
    con.register(_ROWS, read.rows)
    try:
        loaded = con.execute(
            f"insert into {raw_table(entity)} ({names}, _source_file, _source_row, _loaded_at, "
            f"_run_id) select {names}, ?, _source_row, ?, ? from {_ROWS} order by _source_row",
            [file.rel, loaded_at, run_id]).fetchall()[0][0]
    finally:
        con.unregister(_ROWS)
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
