"""Audit findings, one per ticket and rule (ticket_id, rule_id, rule_name, severity, department,
evidence, run_id, as_of, found_at, day). --from/--to filter on `day`, the business date the
ticket was created (the day of `audit.agg_audit_daily`), both inclusive."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from api.listing import FINDING_ROW_FIELDS, FindingFilter, all_findings
from complaint_trace.settings import get_settings

NAME = "findings"
_BATCH = 10_000


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _open(home: Path | None) -> duckdb.DuckDBPyConnection:
    """The warehouse read-only or, while the pipeline holds its write lock, the current
    serving snapshot (which carries a copy of `audit.findings`)."""
    settings = get_settings(home=home)
    if settings.warehouse_path.exists():
        try:
            return duckdb.connect(str(settings.warehouse_path), read_only=True)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
    from serving.layout import current_snapshot  # the publisher's own reading of CURRENT

    snapshot = current_snapshot(settings.snapshots_dir)
    if snapshot is None or not snapshot.exists():
        typer.echo(f"complaint-trace findings: no readable warehouse or snapshot under "
                   f"{settings.home_dir}; run first", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"complaint-trace findings: warehouse busy, reading snapshot {snapshot.name}",
               err=True)
    return duckdb.connect(str(snapshot), read_only=True)


def _rows(con: duckdb.DuckDBPyConnection, flt: FindingFilter) -> Iterator[tuple]:
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'audit' and table_name = 'findings'").fetchone()[0]
    if not exists:
        typer.echo("complaint-trace findings: no audit has run yet", err=True)
        raise typer.Exit(code=1)
    cursor = all_findings(con, flt)
    while batch := cursor.fetchmany(_BATCH):
        yield from batch


def _text(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def command(
    home: Annotated[Path | None, typer.Option(help="Home holding warehouse.duckdb.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule: T1..T3, F1..F5, R1.")] = None,
    department: Annotated[str | None, typer.Option(help="Only this department.")] = None,
    severity: Annotated[str | None, typer.Option(help="Only this severity: high, medium, "
                                                 "low.")] = None,
    day_from: Annotated[datetime | None, typer.Option(
        "--from", formats=["%Y-%m-%d"], help="First ticket creation day (business date).")] = None,
    day_to: Annotated[datetime | None, typer.Option(
        "--to", formats=["%Y-%m-%d"], help="Last ticket creation day (business date).")] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.jsonl,
) -> None:
    with _open(home) as con:
        rows = _rows(con, FindingFilter(rule_id=rule, department=department, severity=severity,
                                        day_from=day_from and day_from.date(),
                                        day_to=day_to and day_to.date()))
        if format is Format.csv:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(FINDING_ROW_FIELDS)
            writer.writerows([_text(v) for v in row] for row in rows)
        else:
            for row in rows:
                record = {k: _text(v) for k, v in zip(FINDING_ROW_FIELDS, row, strict=True)}
                record["evidence"] = json.loads(record["evidence"])
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()
