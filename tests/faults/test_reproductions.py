"""The reproductions of the trust issue, each as an operator met it, on the world it names
(`simulate --days 1 --tickets-per-day 200 --cells 300 --seed 3 --bad-row-rate 0`). Expected
values are read from the landing files themselves, never from the pipeline's output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import _invoke
from tests.faults import landing as lf
from tests.faults.pipeline import differences, published_state

WORLD = ["--days", "1", "--tickets-per-day", "200", "--cells", "300", "--seed", "3",
         "--bad-row-rate", "0"]
EVENTS = "ticketing/ticket_events"
TICKETS = "ticketing/tickets"
KPI_HOURS = "netops/cell_kpi_hourly"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("repro_world")
    _invoke("simulate", "--out", str(root / "landing"), "--truth", str(root / "truth"), *WORLD)
    return root / "landing", json.loads((root / "truth" / "meta.json").read_text())["as_of"]


@pytest.fixture
def landing(world, tmp_path) -> Path:
    copy = tmp_path / "landing"
    shutil.copytree(world[0], copy)
    return copy


def _run(landing: Path, home: Path, as_of: str) -> str:
    return _invoke("run", "--landing", str(landing), "--home", str(home), "--as-of", as_of)


def _run_fails(landing: Path, home: Path, as_of: str) -> str:
    from typer.testing import CliRunner

    from complaint_trace.cli import app
    result = CliRunner().invoke(app, ["run", "--landing", str(landing), "--home", str(home),
                                      "--as-of", as_of], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return result.output


def _only_file(landing: Path, entity: str) -> Path:
    (path,) = (landing / entity).iterdir()
    return path


def _count(home: Path, sql: str) -> int:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def _change_between_runs(world, landing: Path, home: Path, entity: str, change) -> Path:
    """Run, change the entity's only file in place, run again; the changed file."""
    _run(landing, home, world[1])
    path = _only_file(landing, entity)
    lf.rewrite(path, change)
    _run(landing, home, world[1])
    return path


def _assert_as_one_clean_run(world, landing: Path, home: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _run(landing, clean, world[1])
    assert differences(published_state(home), published_state(clean)) == []


def test_a_file_changed_in_place_restages_all_its_rows(world, landing, tmp_path) -> None:
    """Defect 1: a word added to one note of the only events file emptied staging."""
    home = tmp_path / "home"
    events_file = _change_between_runs(world, landing, home, EVENTS, lf.add_a_word)
    delivered = len(lf.read_rows(events_file))
    assert _count(home, "select count(*) from raw_ticketing.ticket_events") == delivered
    assert _count(home, "select count(*) from main.stg_ticketing__ticket_events") == delivered
    assert _count(home, "select count(*) from main.stg_ticketing__ticket_events "
                        "where note like '% 补充'") == 1
    _assert_as_one_clean_run(world, landing, home, tmp_path)


def test_a_row_a_changed_file_no_longer_holds_leaves_staging(world, landing, tmp_path) -> None:
    """The changed file is all of the entity's staged rows and one row is gone from it (a KPI
    hour: the flagged hours and episodes built from it must go too)."""
    home = tmp_path / "home"
    kpi_file = _change_between_runs(world, landing, home, KPI_HOURS, lf.drop_last_row)
    remaining = len(lf.read_rows(kpi_file))
    for table in ("main.stg_netops__cell_kpi_hourly", "main.int_cell_kpi_hours_flagged"):
        assert _count(home, f"select count(*) from {table}") == remaining, table
    _assert_as_one_clean_run(world, landing, home, tmp_path)


def test_a_retry_does_not_publish_past_a_failed_blocking_check(world, landing, tmp_path) -> None:
    """Defect 2: the integrity watermark advanced although the validation failed."""
    as_of = world[1]
    home = tmp_path / "home"
    events_file = _only_file(landing, EVENTS)
    original = events_file.read_bytes()
    lf.rewrite(events_file, lf.event_of_unknown_ticket)
    first = _run_fails(landing, home, as_of)
    retry = _run_fails(landing, home, as_of)  # the same landing: must fail again
    for output in (first, retry):  # and the summary names the check that blocked
        assert "blocking_failures: ticket_id known in main.stg_ticketing__tickets" in output
    assert not (home / "snapshots" / "CURRENT").exists()
    events_file.write_bytes(original)  # the bad file corrected
    _run(landing, home, as_of)
    assert (home / "snapshots" / "CURRENT").exists()


def test_a_quarantined_ticket_costs_only_itself_and_its_events(world, landing, tmp_path) -> None:
    """Defect 3: one ticket row with priority `Urgent` blocked the whole day."""
    as_of = world[1]
    home = tmp_path / "home"
    tickets_file = _only_file(landing, TICKETS)
    lf.rewrite(tickets_file, lf.priority_urgent)
    bad_ticket = lf.read_rows(tickets_file)[0]["ticket_id"]
    its_events = sorted(r["event_id"] for r in lf.read_rows(_only_file(landing, EVENTS))
                        if r["ticket_id"] == bad_ticket)
    assert its_events
    _run(landing, home, as_of)  # published
    rows = [json.loads(line) for line in _invoke(
        "quarantine", "--home", str(home), "--reveal-pii").splitlines()]
    (ticket_row,) = [r for r in rows if r["entity"] == TICKETS]
    assert "priority" in ticket_row["reason"]
    held = [r for r in rows if r["entity"] == EVENTS]
    assert sorted(json.loads(r["raw"])["event_id"] for r in held) == its_events
    assert all(r["reason"].startswith("its ticket was quarantined: ") and "priority" in r["reason"]
               for r in held)
    assert _count(home, f"select count(*) from main.dim_tickets "
                        f"where ticket_id = '{bad_ticket}'") == 0
    assert _count(home, "select count(*) from main.dim_tickets") == \
        len(lf.read_rows(tickets_file)) - 1
    # the ticket delivered again, correct: its events are released
    lf.rewrite(tickets_file, lambda rows: [{**rows[0], "priority": "urgent"}, *rows[1:]])
    _run(landing, home, as_of)
    assert _count(home, f"select count(*) from main.int_ticket_events_sequenced "
                        f"where ticket_id = '{bad_ticket}'") == len(its_events)
    assert _count(home, "select count(*) from main.fct_quarantined_rows") == 0
