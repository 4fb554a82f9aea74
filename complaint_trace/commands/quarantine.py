"""List the rows the pipeline quarantined (entity, file, row_number, reason, raw record): the
rows that broke the contract and the rows held back with them (`main.fct_quarantined_rows`,
or the loader's `raw_meta.quarantine` before the models were first built). Personal data in
the raw record is masked unless `--reveal-pii`."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from complaint_trace.pii import mask_free_text, mask_record
from complaint_trace.settings import get_settings

NAME = "quarantine"
FIELDS = ("entity", "file", "row_number", "reason", "raw")
_BATCH = 10_000
TABLES = ("main.fct_quarantined_rows", "raw_meta.quarantine")  # the first that exists


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _rows(warehouse: Path, entity: str | None, file: str | None, reveal_pii: bool):
    if not warehouse.exists():
        typer.echo(f"complaint-trace quarantine: no warehouse at {warehouse}; run first",
                   err=True)
        raise typer.Exit(code=1)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {f"{schema}.{name}" for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        table = next((t for t in TABLES if t in tables), None)
        if table is None:
            return
        cursor = con.execute(
            f"select {', '.join(FIELDS)} from {table} "
            "where (? is null or entity = ?) and (? is null or file = ?) "
            "order by entity, file, row_number", [entity, entity, file, file])
        while batch := cursor.fetchmany(_BATCH):
            yield from (row if reveal_pii else _masked(row) for row in batch)


def _masked(row: tuple) -> tuple:
    *rest, raw = row
    try:
        record = json.loads(raw) if raw else None
    except ValueError:
        record = None
    if isinstance(record, dict):
        return (*rest, json.dumps(mask_record(record), ensure_ascii=False))
    return (*rest, mask_free_text(raw))  # a malformed line: mask what looks like a number


def command(
    home: Annotated[Path | None, typer.Option(help="Home holding warehouse.duckdb.")] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.jsonl,
    entity: Annotated[str | None, typer.Option(help="Only this entity: ticketing/tickets")] = None,
    file: Annotated[str | None, typer.Option(help="Only this file under the landing root")] = None,
    reveal_pii: Annotated[bool, typer.Option(
        "--reveal-pii", help="Show MSISDNs, names and free text unmasked.")] = False,
) -> None:
    warehouse = get_settings(home=home).warehouse_path
    rows = _rows(warehouse, entity, file, reveal_pii)
    if format is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows(rows)
    else:
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(FIELDS, row, strict=True)),
                                        ensure_ascii=False) + "\n")
    sys.stdout.flush()
