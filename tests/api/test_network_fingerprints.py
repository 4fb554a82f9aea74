"""A publish after a snapshot of the same series of flagged KPI hours hashes only the KPI days
that are new or hold an hour loaded since, and carries the other days' fingerprints over: the
fingerprints must equal those of hashing every day shown, on hand-made rows where each kind of
change happens (a new hour, a re-flagged hour, a ticket linking a cell whose hours are old, a
day coming into view, a link taken away)."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from serving.network import KpiDaysSince, create_network_fingerprints
from serving.publish import _kpi_days_since

DB = '"memory"'
LOADED_1, LOADED_2 = datetime(2026, 3, 5, 0, 0, 0, 1), datetime(2026, 3, 6, 12)


def _hour(cell: str, at: str, degraded: bool, loaded: datetime) -> tuple:
    return cell, datetime.fromisoformat(at), 50.0, degraded, loaded, "series-1"


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create table fct_ticket_cells (ticket_id varchar, cell_id varchar)")
    con.execute("create table dim_tickets (ticket_id varchar, network_window_start_at timestamp,"
                " kpi_chart_end_at timestamp)")
    con.execute("create table int_cell_kpi_hours_flagged (cell_id varchar, period_start "
                "timestamp, prb_util_dl_pct double, is_degraded boolean, _loaded_at timestamp, "
                "flagged_series varchar)")
    for table in ("fct_cell_network_events (item_type varchar, source_record_id varchar, x int)",
                  "stg_netops__alarms (alarm_id varchar, x int)",
                  "fct_cell_degradation_episodes (episode_id varchar, x int)"):
        con.execute(f"create table {table}")
    con.executemany("insert into fct_ticket_cells values (?, ?)",
                    [("T1", "A"), ("T1", "D"), ("T2", "B")])
    con.executemany("insert into dim_tickets values (?, ?, ?)", [
        ("T1", datetime(2026, 3, 1, 6), datetime(2026, 3, 2, 20)),  # resolved: two days
        ("T2", datetime(2026, 3, 1, 6), None),  # open: its days run to the as-of
    ])
    con.executemany("insert into int_cell_kpi_hours_flagged values (?, ?, ?, ?, ?, ?)", [
        _hour("A", "2026-03-01 00:00", False, LOADED_1), _hour("A", "2026-03-02 01:00", False,
                                                                 LOADED_1),
        _hour("D", "2026-03-01 03:00", True, LOADED_1),
        _hour("B", "2026-03-01 00:00", False, LOADED_1), _hour("B", "2026-03-02 00:00", False,
                                                                 LOADED_1),
        _hour("B", "2026-03-03 00:00", True, LOADED_1),
        _hour("C", "2026-03-01 02:00", False, LOADED_1),  # no ticket shows C yet
    ])
    con.execute("insert into stg_netops__alarms values ('AL1', 1)")
    yield con
    con.close()


def _fingerprints(con, as_of: datetime, since: KpiDaysSince | None = None) -> set[tuple]:
    create_network_fingerprints(con, DB, "fingerprints", as_of, since)
    return set(con.execute("select * from fingerprints").fetchall())


def _hashed(con) -> set[tuple[str, str]]:
    return set(con.execute("select cell_id, day_key from kpi_days_hashed").fetchall())


def test_only_new_or_reloaded_kpi_days_are_hashed_and_the_rest_carried(con):
    first_as_of = datetime(2026, 3, 3, 12)
    con.execute("attach ':memory:' as previous")
    before = _fingerprints(con, first_as_of)
    con.execute("create table previous.main.network_fingerprints as select * from fingerprints")
    assert {key for _, key, _, _ in before if key} >= {"A", "B", "D"}
    assert ("kpi_days", "D", "2026-03-02", None) in before  # shown, no hours yet

    # what the next build and the time passing change
    con.execute("insert into int_cell_kpi_hours_flagged values (?, ?, ?, ?, ?, ?)",
                _hour("A", "2026-03-02 05:00", False, LOADED_2))  # a new hour of a shown day
    con.execute("update int_cell_kpi_hours_flagged set is_degraded = true, _loaded_at = ? "
                "where cell_id = 'B' and period_start = '2026-03-01 00:00'", [LOADED_2])
    con.execute("insert into fct_ticket_cells values ('T2', 'C')")  # C's old hours now shown
    con.execute("delete from fct_ticket_cells where cell_id = 'D'")  # D's day no longer shown
    con.execute("insert into int_cell_kpi_hours_flagged values (?, ?, ?, ?, ?, ?)",
                _hour("B", "2026-03-04 00:00", False, LOADED_2))  # a day coming into view
    as_of = datetime(2026, 3, 4, 6)

    every_day = _fingerprints(con, as_of)
    since = KpiDaysSince("previous.main.network_fingerprints", LOADED_1)
    assert _fingerprints(con, as_of, since) == every_day
    assert _hashed(con) == {("A", "2026-03-02"), ("B", "2026-03-01"), ("B", "2026-03-04"),
                            ("C", "2026-03-01"), ("C", "2026-03-02"), ("C", "2026-03-03"),
                            ("C", "2026-03-04")}
    # the days neither new nor reloaded kept their fingerprints: A's first, B's second and third
    carried = {(k1, k2) for table, k1, k2, _ in every_day if table == "kpi_days"} - _hashed(con)
    assert carried == {("A", "2026-03-01"), ("B", "2026-03-02"), ("B", "2026-03-03")}


def test_a_watermark_just_under_a_load_hashes_its_days_and_at_it_does_not(con):
    as_of = datetime(2026, 3, 3, 12)
    con.execute("attach ':memory:' as previous")
    _fingerprints(con, as_of)
    con.execute("create table previous.main.network_fingerprints as select * from fingerprints")
    just_under = datetime(2026, 3, 5, 0, 0, 0, 0)  # a microsecond before LOADED_1
    _fingerprints(con, as_of, KpiDaysSince("previous.main.network_fingerprints", just_under))
    # every day shown holding an hour loaded at LOADED_1: all but D's second, which holds
    # none yet (its null fingerprint is carried: a day without hours is not looked for again)
    assert len(_hashed(con)) == 6
    _fingerprints(con, as_of, KpiDaysSince("previous.main.network_fingerprints", LOADED_1))
    assert _hashed(con) == set()


@pytest.mark.parametrize(("previous", "expected"), [
    ({"kpi_series": "s1", "kpi_loaded_through": LOADED_1}, True),
    ({"kpi_series": "s0", "kpi_loaded_through": LOADED_1}, False),  # rebuilt since: a new series
    ({"kpi_series": None, "kpi_loaded_through": None}, False),  # no flagged hours then
    ({}, False),  # a snapshot from before the series was recorded
])
def test_kpi_days_are_carried_only_from_a_snapshot_of_the_same_series(previous, expected):
    since = _kpi_days_since(previous, {"kpi_series": "s1", "kpi_loaded_through": LOADED_2})
    assert (since is not None) == expected
    if expected:
        assert since.loaded_through == LOADED_1
