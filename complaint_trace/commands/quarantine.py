"""List the rows the pipeline quarantined (entity, file, row_number, reason, raw record)."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from complaint_trace.settings import get_settings

NAME = "quarantine"
FIELDS = ("entity", "file", "row_number", "reason", "raw")
_BATCH = 10_000


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _rows(warehouse: Path, entity: str | None, file: str | None):
    if not warehouse.exists():
        typer.echo(f"complaint-trace quarantine: no warehouse at {warehouse}; run first",
                   err=True)
        raise typer.Exit(code=1)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw_meta' and table_name = 'quarantine'").fetchone()[0]
        if not exists:
            return
        cursor = con.execute(
            f"select {', '.join(FIELDS)} from raw_meta.quarantine "
            "where (? is null or entity = ?) and (? is null or file = ?) "
            "order by entity, file, row_number", [entity, entity, file, file])
        while batch := cursor.fetchmany(_BATCH):
            yield from batch


def command(
    home: Annotated[Path | None, typer.Option(help="Home holding warehouse.duckdb.")] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.jsonl,
    entity: Annotated[str | None, typer.Option(help="Only this entity: ticketing/tickets")] = None,
    file: Annotated[str | None, typer.Option(help="Only this file under the landing root")] = None,
) -> None:
    warehouse = get_settings(home=home).warehouse_path
    rows = _rows(warehouse, entity, file)
    if format is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows(rows)
    else:
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(FIELDS, row, strict=True)),
                                        ensure_ascii=False) + "\n")
    sys.stdout.flush()
