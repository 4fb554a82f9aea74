"""Rewrite the working-day calendar seed (`dbt_project/seeds/calendar_cn_days.csv`, audit-rules
§9) from the holiday library: every date from the first year to the newest year whose make-up
working days the library knows. Run it after upgrading `holidays` once the State Council has
published the next year's schedule; a year it does not know is an error naming it."""

from __future__ import annotations

from typing import Annotated

import typer

from complaint_trace.business_calendar import (
    SEED,
    CalendarCoverageError,
    seed_years,
    working_days,
    write_seed,
)

NAME = "calendar"


def command(
    last_year: Annotated[int | None, typer.Option(
        help="Last year to cover (default: the newest the library knows).")] = None,
) -> None:
    first, newest = seed_years()
    try:
        rows = write_seed(working_days(first, last_year or newest))
    except CalendarCoverageError as exc:
        typer.echo(f"complaint-trace calendar: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"{SEED}: {rows} dates, {first}-{last_year or newest}")
