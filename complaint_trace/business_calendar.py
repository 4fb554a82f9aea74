"""Working days of mainland China (audit-rules §9), from a maintained holiday library.

A `workdays` calendar counts only minutes inside working hours on working days: Monday to
Friday, statutory holidays removed and the make-up working days (调休) the State Council moves
onto weekends added. The schedule of a year is published late in the year before, so a
calendar covers only the years whose make-up days the library knows; a date outside that is an
error naming the year, never a guess.

Why `holidays` (`holidays.China`, with `weekend_workdays`): it is maintained, released every
few weeks, and knows the published schedules from 2001. `chinesecalendar` stops at 2026 and
raises for 2027; this project is used past that. When the next year's schedule is published,
upgrade `holidays` and rewrite the seed (`complaint-trace calendar`); a test fails until then.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import holidays

from complaint_trace.settings import DBT_PROJECT_DIR

# The dbt seed the models read: one row per local date of the covered years.
SEED = DBT_PROJECT_DIR / "seeds" / "calendar_cn_days.csv"
SEED_COLUMNS = ("calendar_date", "is_workday", "holiday_name")
FIRST_YEAR = 2015  # the seed's first year: older tickets than this are not audited here


class CalendarCoverageError(ValueError):
    """A year whose working-day schedule the holiday library does not know."""


@dataclass(frozen=True)
class CalendarDay:
    calendar_date: date
    is_workday: bool
    holiday_name: str | None  # the holiday or make-up day that moved the date, if any


def covered_years(library: holidays.HolidayBase | None = None) -> set[int]:
    """The years whose make-up working days the library lists: their schedule is published.
    (Every schedule since 2001 has moved at least one weekend.)"""
    library = library or holidays.China(years=range(2001, date.today().year + 3))
    return {d.year for d in library.weekend_workdays}


def working_days(first_year: int, last_year: int) -> list[CalendarDay]:
    """Every date of the years `first_year`..`last_year`, whether it is a working day."""
    # names in Chinese: the handlers' language
    library = holidays.China(years=range(first_year, last_year + 1), language="zh_CN")
    missing = sorted(set(range(first_year, last_year + 1)) - covered_years(library))
    if missing:
        raise CalendarCoverageError(
            f"no working-day calendar for {', '.join(map(str, missing))}: holidays "
            f"{holidays.__version__} does not know that year's make-up working days (upgrade "
            "`holidays` once the State Council has published the schedule)")
    out = []
    day = date(first_year, 1, 1)
    while day.year <= last_year:
        made_up = day in library.weekend_workdays
        holiday = library.get(day)
        workday = made_up or (day.weekday() < 5 and holiday is None)
        name = "调休上班" if made_up else holiday  # a make-up working day
        out.append(CalendarDay(day, workday, name))
        day += timedelta(days=1)
    return out


def write_seed(days: list[CalendarDay], path: Path = SEED) -> int:
    """Write the calendar seed (sorted, one row per date); returns the number of rows."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(SEED_COLUMNS)
        for d in days:
            writer.writerow([d.calendar_date.isoformat(), str(d.is_workday).lower(),
                             d.holiday_name or ""])
    return len(days)


def seed_years() -> tuple[int, int]:
    """The years the seed should cover: from FIRST_YEAR to the newest the library knows."""
    return FIRST_YEAR, max(covered_years())
