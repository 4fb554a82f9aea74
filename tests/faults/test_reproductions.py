"""Reproductions of the trust issue, part 1: a file changed in place between runs
(`reproduction.py` holds the world)."""

from __future__ import annotations

from tests.faults import landing as lf
from tests.faults.reproduction import (  # noqa: F401 - `world` and `landing` are fixtures
    EVENTS,
    KPI_HOURS,
    assert_as_one_clean_run,
    change_between_runs,
    count,
    landing_fixture,
    world_fixture,
)


def test_a_file_changed_in_place_restages_all_its_rows(world, landing, tmp_path) -> None:
    """Defect 1: a word added to one note of the only events file emptied staging."""
    home = tmp_path / "home"
    events_file = change_between_runs(world, landing, home, EVENTS, lf.add_a_word)
    delivered = len(lf.read_rows(events_file))
    assert count(home, "select count(*) from raw_ticketing.ticket_events") == delivered
    assert count(home, "select count(*) from main.stg_ticketing__ticket_events") == delivered
    assert count(home, "select count(*) from main.stg_ticketing__ticket_events "
                        "where note like '% 补充'") == 1
    assert_as_one_clean_run(world, landing, home, tmp_path)


def test_a_row_a_changed_file_no_longer_holds_leaves_staging(world, landing, tmp_path) -> None:
    """The changed file is all of the entity's staged rows and one row is gone from it (a KPI
    hour: the flagged hours and episodes built from it must go too)."""
    home = tmp_path / "home"
    kpi_file = change_between_runs(world, landing, home, KPI_HOURS, lf.drop_last_row)
    remaining = len(lf.read_rows(kpi_file))
    for table in ("main.stg_netops__cell_kpi_hourly", "main.int_cell_kpi_hours_flagged"):
        assert count(home, f"select count(*) from {table}") == remaining, table
    assert_as_one_clean_run(world, landing, home, tmp_path)
