"""`fct_sla_warnings` across successive runs, worked out by hand (audit-rules §2; warning
levels from the seed sla_warning_levels: 50, 75, 90).

TW: normal priority, no known customer -> standard: first contact 120 min, resolution 48 h.
Created 2024-03-01 00:00, pending 20:00 -> resumed 03-02 08:00, then open. Its clock: 20 h
before the pause, then running again from 03-02 08:00, so it reaches 24 h (50 %) at 03-02
12:00, 36 h (75 %) at 03-03 00:00, 43.2 h (90 %) at 03-03 07:12 and is past the limit at
12:01. Never contacted: its first-contact limit ran out at 03-01 02:00.
TX: the same one minute later: one minute short of each level when TW reaches it, and at
03-03 12:01 exactly at its 48 h, which is not yet a breach ("more than").
TP: created 03-01 12:00, pending from 03-02 08:00 (20 h on the clock) and never resumed: its
share holds still while it waits.
The appeal window (R1, audit-rules §11: 15 wall-clock days, pauses or not): TW reaches it at
03-16 00:00, which is already a breach ("15 days or more"); TX is one minute short then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest

from tests.dbt.dbt_runner import dbt
from tests.dbt.raw_tables import insert_rows, new_warehouse

LOADED = datetime(2024, 3, 1, 0, 0)


def _ticket(ticket_id: str, created: datetime, steps: list[tuple[datetime, str, str]]):
    ticket = {"ticket_id": ticket_id, "msisdn": f"1390000{ticket_id}", "created_at": created,
              "channel": "hotline", "category": "network.data_speed", "priority": "normal"}
    events = [{"event_id": f"{ticket_id}-{n}", "ticket_id": ticket_id, "event_at": at,
               "action": action, "status_after": status, "department": "NOC"}
              for n, (at, action, status) in enumerate(steps, start=1)]
    return ticket, events


def _shifted(ticket_id: str, start: datetime, pause_hours: float | None, resume_hours: float):
    steps = [(start, "created", "acknowledged"),
             (start + timedelta(minutes=5), "dispatched", "acknowledged"),
             (start + timedelta(hours=20), "pending_customer", "pending")]
    if pause_hours is not None:
        steps.append((start + timedelta(hours=20 + pause_hours), "resumed", "inProgress"))
    return _ticket(ticket_id, start, steps)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """fct_sla_warnings after a run at each as-of: {as_of: {(ticket, limit): row}}."""
    work = tmp_path_factory.mktemp("sla_warnings")
    warehouse = work / "warehouse.duckdb"
    con = new_warehouse(warehouse)
    tickets, events = zip(
        _shifted("TW", datetime(2024, 3, 1, 0, 0), 12, 0),
        _shifted("TX", datetime(2024, 3, 1, 0, 1), 12, 0),
        _shifted("TP", datetime(2024, 3, 1, 12, 0), None, 0), strict=True)
    insert_rows(con, "ticketing/tickets", list(tickets), LOADED)
    insert_rows(con, "ticketing/ticket_events", [e for ev in events for e in ev], LOADED)
    con.close()
    as_ofs = ["2024-03-02 12:00:00", "2024-03-03 00:00:00", "2024-03-03 07:12:00",
              "2024-03-03 12:01:00", "2024-03-16 00:00:00"]
    seen = {}
    for n, as_of in enumerate(as_ofs):
        # the first build loads the seeds too; data tests are the project's own tests' job
        dbt("build" if n == 0 else "run", warehouse=warehouse, as_of=as_of, work=work,
            extra=("--select", "+fct_sla_warnings",
                   *(("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
                     if n == 0 else ())))
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute("select ticket_id, sla_limit, used_minutes, share_used, "
                               "minutes_left, warning_level_pct, is_breached, department "
                               "from main.fct_sla_warnings").fetchall()
        seen[as_of] = {(r[0], r[1]): r[2:] for r in rows}
    return seen


@pytest.mark.parametrize(("as_of", "level", "breached", "used"), [
    ("2024-03-02 12:00:00", 50, False, 24 * 60), ("2024-03-03 00:00:00", 75, False, 36 * 60),
    ("2024-03-03 07:12:00", 90, False, 43.2 * 60), ("2024-03-03 12:01:00", 90, True, 48 * 60 + 1)])
def test_a_ticket_crosses_each_level_then_breaches(runs, as_of, level, breached, used):
    used_minutes, share, left, got_level, got_breached, department = runs[as_of][
        ("TW", "resolution")]
    assert used_minutes == pytest.approx(used)
    assert share == pytest.approx(used / (48 * 60))
    assert left == pytest.approx(48 * 60 - used)
    assert (got_level, got_breached, department) == (level, breached, "NOC")


@pytest.mark.parametrize(("as_of", "level"), [
    ("2024-03-02 12:00:00", None), ("2024-03-03 00:00:00", 50), ("2024-03-03 07:12:00", 75),
    ("2024-03-03 12:01:00", 90)])
def test_one_minute_short_of_a_level_is_the_level_below(runs, as_of, level):
    used, _, left, got_level, got_breached, _ = runs[as_of][("TX", "resolution")]
    assert got_level == level
    if as_of == "2024-03-03 12:01:00":  # TX is at exactly 48 h: at the limit, not past it
        assert (used, left, got_breached) == (pytest.approx(48 * 60), pytest.approx(0), False)


def test_a_pending_pause_holds_the_share_still(runs):
    held = [rows[("TP", "resolution")][:2] for rows in runs.values()]
    assert held == [(pytest.approx(20 * 60), pytest.approx(20 / 48))] * len(runs)


def test_the_appeal_window_is_reached_at_15_days_and_counts_pauses_too(runs):
    limit = 15 * 24 * 60
    used, share, left, level, breached, department = runs["2024-03-02 12:00:00"][
        ("TW", "appeal")]
    assert (used, share, level, breached) == (pytest.approx(36 * 60),
                                              pytest.approx(36 * 60 / limit), None, False)
    at = runs["2024-03-16 00:00:00"]
    assert at[("TW", "appeal")] == (pytest.approx(limit), pytest.approx(1.0), pytest.approx(0),
                                    90, True, "NOC")
    assert at[("TX", "appeal")][2:4] == (pytest.approx(1), 90)
    assert at[("TX", "appeal")][4] is False
    assert at[("TP", "appeal")][0] == pytest.approx(limit - 12 * 60)  # its pause counts


def test_the_first_contact_limit_runs_on_the_wall_clock_until_a_contact(runs):
    used, _, left, level, breached, _ = runs["2024-03-02 12:00:00"][("TW", "first_contact")]
    assert used == pytest.approx(36 * 60) and left == pytest.approx(120 - 36 * 60)
    assert (level, breached) == (90, True)
