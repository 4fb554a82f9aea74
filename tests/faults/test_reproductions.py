"""Reproductions of the trust issue, part 1: files changed in place between runs
(`reproduction.py` holds the world). Both changes ride one history, so the test pays for three
runs instead of six; each keeps its own assertions."""

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


def test_files_changed_in_place_restage_all_their_rows(world, landing, tmp_path) -> None:
    """Defect 1: a word added to one note of the only events file emptied staging. And a row
    a changed file no longer holds leaves staging: the KPI file is all of the entity's staged
    rows and one hour is gone from it (the flagged hours and episodes built from it go too)."""
    home = tmp_path / "home"
    events_file, kpi_file = change_between_runs(
        world, landing, home, {EVENTS: lf.add_a_word, KPI_HOURS: lf.drop_last_row})

    delivered = len(lf.read_rows(events_file))
    assert count(home, "select count(*) from raw_ticketing.ticket_events") == delivered
    assert count(home, "select count(*) from main.stg_ticketing__ticket_events") == delivered
    assert count(home, "select count(*) from main.stg_ticketing__ticket_events "
                        "where note like '% 补充'") == 1

    remaining = len(lf.read_rows(kpi_file))
    for table in ("main.stg_netops__cell_kpi_hourly", "main.int_cell_kpi_hours_flagged"):
        assert count(home, f"select count(*) from {table}") == remaining, table

    assert_as_one_clean_run(world, landing, home, tmp_path)
