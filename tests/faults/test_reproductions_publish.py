"""Reproductions of the trust issue, part 2: a failed blocking check, a quarantined ticket
(`reproduction.py` holds the world)."""

from __future__ import annotations

import json

from tests.conftest import _invoke
from tests.faults import landing as lf
from tests.faults.reproduction import (  # noqa: F401 - `world` and `landing` are fixtures
    EVENTS,
    TICKETS,
    count,
    landing_fixture,
    only_file,
    run,
    run_fails,
    world_fixture,
)


def test_a_retry_does_not_publish_past_a_failed_blocking_check(world, landing, tmp_path) -> None:
    """Defect 2: the integrity watermark advanced although the validation failed."""
    as_of = world[1]
    home = tmp_path / "home"
    events_file = only_file(landing, EVENTS)
    original = events_file.read_bytes()
    lf.rewrite(events_file, lf.event_of_unknown_ticket)
    first = run_fails(landing, home, as_of)
    retry = run_fails(landing, home, as_of)  # the same landing: must fail again
    for output in (first, retry):  # and the summary names the check that blocked
        assert "blocking_failures: ticket_id known in main.stg_ticketing__tickets" in output
    assert not (home / "snapshots" / "CURRENT").exists()
    events_file.write_bytes(original)  # the bad file corrected
    run(landing, home, as_of)
    assert (home / "snapshots" / "CURRENT").exists()


def test_a_quarantined_ticket_costs_only_itself_and_its_events(world, landing, tmp_path) -> None:
    """Defect 3: one ticket row with priority `Urgent` blocked the whole day."""
    as_of = world[1]
    home = tmp_path / "home"
    tickets_file = only_file(landing, TICKETS)
    lf.rewrite(tickets_file, lf.priority_urgent)
    bad_ticket = lf.read_rows(tickets_file)[0]["ticket_id"]
    its_events = sorted(r["event_id"] for r in lf.read_rows(only_file(landing, EVENTS))
                        if r["ticket_id"] == bad_ticket)
    assert its_events
    run(landing, home, as_of)  # published
    rows = [json.loads(line) for line in _invoke(
        "quarantine", "--home", str(home), "--reveal-pii").splitlines()]
    (ticket_row,) = [r for r in rows if r["entity"] == TICKETS]
    assert "priority" in ticket_row["reason"]
    held = [r for r in rows if r["entity"] == EVENTS]
    assert sorted(json.loads(r["raw"])["event_id"] for r in held) == its_events
    assert all(r["reason"].startswith("its ticket was quarantined: ") and "priority" in r["reason"]
               for r in held)
    assert count(home, f"select count(*) from main.dim_tickets "
                        f"where ticket_id = '{bad_ticket}'") == 0
    assert count(home, "select count(*) from main.dim_tickets") == \
        len(lf.read_rows(tickets_file)) - 1
    # the ticket delivered again, correct: its events are released
    lf.rewrite(tickets_file, lambda rows: [{**rows[0], "priority": "urgent"}, *rows[1:]])
    run(landing, home, as_of)
    assert count(home, f"select count(*) from main.int_ticket_events_sequenced "
                        f"where ticket_id = '{bad_ticket}'") == len(its_events)
    assert count(home, "select count(*) from main.fct_quarantined_rows") == 0
