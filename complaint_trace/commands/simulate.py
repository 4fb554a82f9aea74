"""Simulate CRM, ticketing and network feeds into a landing root, with the ground truth."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from complaint_trace.delivery import DAY_MINUTES, DELIVERY_MINUTES
from complaint_trace.settings import get_settings
from complaint_trace.simulator import SimConfig, simulate

NAME = "simulate"


def command(
    out: Annotated[Path, typer.Option(help="Landing root to write (one folder per source).")],
    truth: Annotated[Path | None, typer.Option(
        help="Ground-truth folder, outside the landing root (default: <out>/../truth).")] = None,
    days: Annotated[int, typer.Option(min=1, help="Simulated business days.")] = 3,
    tickets_per_day: Annotated[int, typer.Option(min=1, help="Complaint tickets a day.")] = 400,
    cells: Annotated[int, typer.Option(min=50, help="Radio cells in the inventory.")] = 2000,
    seed: Annotated[int, typer.Option(help="Same seed and arguments: identical files.")] = 7,
    start: Annotated[datetime, typer.Option(
        formats=["%Y-%m-%d"], help="First business date (local).")] = datetime(2026, 3, 2),
    bad_row_rate: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Share of contract-breaking rows (at least one of each kind).")
    ] = 0.002,
    planted_rate: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Share of tickets that are planted audit cases or near misses.")
    ] = 0.12,
    missing_trace_rate: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Share of background tickets without sessions in the window.")
    ] = 0.05,
    source_tz: Annotated[str | None, typer.Option(
        help="Zone of naive timestamps (default: the settings' source_tz).")] = None,
    delivery_minutes: Annotated[int, typer.Option(
        help=f"Ticketing and CRM deliver a file every N minutes, one of {DELIVERY_MINUTES} "
             "(network hourly below a day); the default is one file per business day.")
    ] = DAY_MINUTES,
    standard_feeds: Annotated[bool, typer.Option(
        help="Write tickets as TMF621, alarms as TMF642 and VES, KPIs as 3GPP PM XML per "
             "quarter-hour (docs/spec/standard-feeds.md) instead of the contract's formats.")
    ] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace earlier simulated files.")] = False,
) -> None:
    settings = get_settings(source_tz=source_tz)
    truth = truth or out.resolve().parent / "truth"
    try:
        config = SimConfig(
            out=out, truth=truth, days=days, tickets_per_day=tickets_per_day, cells=cells,
            seed=seed, start=date(start.year, start.month, start.day), bad_row_rate=bad_row_rate,
            planted_rate=planted_rate, missing_trace_rate=missing_trace_rate,
            source_tz=settings.source_tz, delivery_minutes=delivery_minutes,
            standard_feeds=standard_feeds,
        )
        result = simulate(config, overwrite=overwrite)
    except (FileExistsError, ValueError) as exc:
        typer.echo(f"simulate: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"landing root: {result.landing}")
    typer.echo(f"truth:        {result.truth}")
    typer.echo(f"as_of (UTC):  {result.as_of:%Y-%m-%d %H:%M:%S}")
    typer.echo(f"files: {len(result.files)}, bad rows: {result.bad_rows}, "
               f"planted tickets: {result.planted_tickets}, {result.seconds} s")
    for path, rows in sorted(result.rows.items()):
        typer.echo(f"  {path:28s} {rows:>10,d} rows")
