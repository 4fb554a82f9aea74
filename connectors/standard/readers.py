"""A record feed's file read and staged as each contract entity's text rows, for the contract's
checks (a typed feed's reader: `typed.py`)."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from complaint_trace.contract import Entity
from connectors.columns import ColumnMap, FileRejected
from connectors.files import LandingFile
from connectors.readers import MALFORMED, STAGE, StagedFile, positional, reset_staging
from connectors.standard.alarms import tmf642_alarms, ves_faults
from connectors.standard.feeds import RECORD_FEEDS, TMF621, TMF642, VES
from connectors.standard.records import Converter, RecordsRead, read_record_file
from connectors.standard.tmf621 import trouble_tickets

_CONVERTERS: dict[Entity, Converter] = {TMF621: trouble_tickets, TMF642: tmf642_alarms,
                                        VES: ves_faults}


def read_feed_records(file: LandingFile, feed: Entity) -> dict[Entity, RecordsRead]:
    """A record feed's file as the rows of each entity it feeds, and its refused records."""
    if file.format not in ("json", "jsonl"):
        raise FileRejected(f"{file.rel}: not a JSON file (.json, .jsonl, optionally .gz)")
    return read_record_file(file.path, file.rel, _CONVERTERS[feed], RECORD_FEEDS[feed])


def stage_feed_records(con: duckdb.DuckDBPyConnection, target: Entity,
                       read: RecordsRead) -> StagedFile:
    """Stage one target entity's rows of a record feed's file as its text rows (`_ct_stage`,
    with each record's raw JSON) and its refused records (`_ct_malformed`), for
    `validate_staged`."""
    names = [c.name for c in target.columns]
    reset_staging(con)
    stage = pa.table({"_source_row": pa.array(read.positions, pa.int64()),
                      **{positional(i): pa.array([row[n] for row in read.rows], pa.string())
                         for i, n in enumerate(names)},
                      "_raw": pa.array(read.raws, pa.string())})
    con.register("_ct_feed_stage", stage)
    try:
        con.execute(f"create temp table {STAGE} as select * from _ct_feed_stage")
    finally:
        con.unregister("_ct_feed_stage")
    if read.quarantined:
        con.executemany(f"insert into {MALFORMED} values (?, ?, ?)", read.quarantined)
    return StagedFile(ColumnMap({n: n for n in names}), names, "s._raw")
