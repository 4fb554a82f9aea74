"""The working-day calendar of audit-rules §9, against the published 2026 schedule (State
Council, 2025-11: Spring Festival 02-15 to 02-23 off, Saturdays 02-14 and 02-28 worked;
National Day 10-01 to 10-07 off, Sunday 09-20 and Saturday 10-10 worked)."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from complaint_trace.business_calendar import (
    SEED,
    CalendarCoverageError,
    seed_years,
    working_days,
)


@pytest.fixture(scope="module")
def year_2026() -> dict[date, bool]:
    return {d.calendar_date: d.is_workday for d in working_days(2026, 2026)}


@pytest.mark.parametrize(("day", "works"), [
    (date(2026, 2, 13), True),   # Friday before the holiday
    (date(2026, 2, 14), True),   # Saturday, made up
    (date(2026, 2, 16), False),  # Monday, New Year's Eve
    (date(2026, 2, 20), False),  # Friday, a day off moved from 02-14
    (date(2026, 2, 23), False),  # Monday, a day off moved from 02-28
    (date(2026, 2, 24), True),   # back to work
    (date(2026, 2, 28), True),   # Saturday, made up
    (date(2026, 3, 7), False),   # an ordinary Saturday
    (date(2026, 9, 20), True),   # Sunday, made up
    (date(2026, 10, 7), False),  # Wednesday, National Day week
    (date(2026, 10, 10), True),  # Saturday, made up
])
def test_2026_follows_the_published_schedule(year_2026, day, works):
    assert year_2026[day] is works


def test_a_year_the_library_does_not_know_is_an_error_naming_it():
    with pytest.raises(CalendarCoverageError, match="2099"):
        working_days(2098, 2099)


def test_the_seed_is_what_the_library_gives():
    """The seed is generated (`complaint-trace calendar`), never edited: after a `holidays`
    upgrade that knows another year, this fails until the seed is rewritten."""
    with SEED.open(encoding="utf-8", newline="") as handle:
        rows = [(r["calendar_date"], r["is_workday"], r["holiday_name"])
                for r in csv.DictReader(handle)]
    expected = [(d.calendar_date.isoformat(), str(d.is_workday).lower(), d.holiday_name or "")
                for d in working_days(*seed_years())]
    assert rows == expected
