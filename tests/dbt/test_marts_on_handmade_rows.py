"""Build the whole dbt project (seeds, models, data tests, unit tests) on the hand-made raw rows
of `handmade.py` and compare the marts with facts worked out by hand in that module's docstring.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.dbt import handmade
from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.dbt_runner import dbt
from tests.dbt.raw_tables import insert_rows


@pytest.fixture(scope="module")
def built(handmade_build: BuiltWarehouse) -> Path:
    return handmade_build.path


def _rows(warehouse: Path, sql: str) -> list[dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _facts(warehouse: Path) -> dict[str, dict]:
    return {r["ticket_id"]: r for r in _rows(warehouse, "select * from main.fct_audit_facts")}


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_only_tickets_created_by_as_of_are_audited(built: Path) -> None:
    assert sorted(_facts(built)) == ["TA", "TB", "TC", "TD", "TE"]


def test_pending_pause_keeps_the_clock_inside_the_limit(built: Path) -> None:
    ta = _facts(built)["TA"]
    assert ta["tier_at_creation"] == "silver"  # platinum only from 03-06
    assert (ta["first_contact_limit_minutes"], ta["resolution_limit_minutes"]) == (120, 2880)
    assert ta["resolution_clock_minutes"] == pytest.approx(2640)  # 54 h wall - 10 h pending
    assert ta["pending_minutes"] == pytest.approx(600)
    assert ta["resolution_deadline_at"] is None
    assert ta["resolved_at"] == _ts("2024-03-06 06:00:00")
    assert (ta["resolving_event_id"], ta["resolving_department"]) == ("TA-5", "NET")


def _segments(warehouse: Path, ticket_id: str) -> list[tuple]:
    return [(r["clock_state"], r["began_by"], r["began_by_event_id"], r["segment_end_at"],
             r["counted_minutes"], r["running_total_minutes"])
            for r in _rows(warehouse, "select * from main.fct_sla_clock_segments "
                                      f"where ticket_id = '{ticket_id}' order by segment_seq")]


def test_clock_segments_show_why_the_clock_stands_where_it_does(built: Path) -> None:
    """audit-rules §12, by hand. TA: 1 h running after creation, 1 h after the contact, 10 h
    paused pending the customer, 42 h running until resolution (2 640 min), then stopped. TB:
    resolved after 1 h, stopped 7 h until the reopen, 3 h running, stopped again (240 min).
    TD is open at as-of: its last segment runs until as-of (23 h after dispatch). The instant
    between creation and the `created` event is no segment."""
    assert _segments(built, "TA") == [
        ("running", "created", "TA-1", _ts("2024-03-04 01:00:00"), 60.0, 60.0),
        ("running", "customer_contacted", "TA-2", _ts("2024-03-04 02:00:00"), 60.0, 120.0),
        ("paused", "pending_customer", "TA-3", _ts("2024-03-04 12:00:00"), 0.0, 120.0),
        ("running", "resumed", "TA-4", _ts("2024-03-06 06:00:00"), 2520.0, 2640.0),
        ("stopped", "resolved", "TA-5", None, 0.0, 2640.0),
    ]
    assert _segments(built, "TB") == [
        ("running", "created", "TB-1", _ts("2024-03-06 13:00:00"), 60.0, 60.0),
        ("stopped", "resolved", "TB-2", _ts("2024-03-06 20:00:00"), 0.0, 60.0),
        ("running", "reopened", "TB-3", _ts("2024-03-06 23:00:00"), 180.0, 240.0),
        ("stopped", "resolved", "TB-4", None, 0.0, 240.0),
    ]
    td = _segments(built, "TD")
    assert td[-1] == ("running", "dispatched", "TD-2", None, 1380.0, 1440.0)
    assert td[-1][-1] == _facts(built)["TD"]["clock_minutes_at_as_of"]


def test_earliest_outbound_contact_wins_over_the_contact_event(built: Path) -> None:
    ta = _facts(built)["TA"]
    assert (ta["first_contact_source"], ta["first_contact_record_id"]) == ("crm_contact", "K1")
    assert ta["first_contact_delay_minutes"] == pytest.approx(30)
    assert ta["has_contact_before_resolution"] is True
    assert ta["first_contact_deadline_passed_while_waiting"] is False


def test_reopen_gap_is_not_counted_and_inbound_call_is_no_contact(built: Path) -> None:
    tb = _facts(built)["TB"]
    assert tb["tier_at_creation"] == "platinum"
    assert tb["resolution_clock_minutes"] == pytest.approx(240)
    assert tb["resolved_at"] == _ts("2024-03-06 23:00:00")
    assert (tb["was_reopened"], tb["reopen_event_id"]) == (True, "TB-3")
    assert tb["first_contact_at"] is None
    assert tb["first_contact_deadline_passed_while_waiting"] is True
    assert tb["first_contact_deadline_department"] == "FRONT"
    assert tb["has_contact_before_resolution"] is False


def test_closed_without_resolved_and_unknown_customer(built: Path) -> None:
    tc = _facts(built)["TC"]
    assert tc["tier_at_creation"] is None
    assert (tc["first_contact_limit_minutes"], tc["resolution_limit_minutes"]) == (30, 720)
    assert (tc["resolved_at"], tc["resolving_event_id"]) == (_ts("2024-03-08 02:00:00"), "TC-2")
    assert tc["closure_code"] == "customer_unreachable"
    assert tc["is_exempt_from_contact_check"] is True
    assert tc["resolution_clock_minutes"] == pytest.approx(120)
    assert (tc["first_contact_record_id"], tc["first_contact_delay_minutes"]) == ("K4", 10)
    timeline = _rows(built, "select source_record_id from main.fct_ticket_timeline "
                            "where ticket_id = 'TC' and item_type = 'crm_contact'")
    assert [item["source_record_id"] for item in timeline] == ["K4"]


def test_open_ticket_past_its_limit_ignores_events_after_as_of(built: Path) -> None:
    td = _facts(built)["TD"]
    assert td["is_open_at_as_of"] is True
    assert td["resolved_at"] is None
    assert td["clock_minutes_at_as_of"] == pytest.approx(1440)
    assert td["resolution_limit_minutes"] == 360
    assert td["resolution_deadline_at"] == _ts("2024-03-09 06:00:00")
    assert td["resolution_deadline_department"] == "FIELD"
    assert td["first_contact_at"] is None  # K3 comes after as-of
    assert td["first_contact_deadline_department"] == "NOC"
    assert td["network_trace"] == "missing"
    dim = _rows(built, "select * from main.dim_tickets where ticket_id = 'TD'")[0]
    assert dim["minutes_left_at_as_of"] == pytest.approx(360 - 1440)
    assert dim["limit_share_used"] == pytest.approx(4.0)
    assert (dim["status_at_as_of"], dim["owning_department"]) == ("inProgress", "FIELD")


def test_cancelled_ticket_is_exempt_from_timeouts(built: Path) -> None:
    te = _facts(built)["TE"]
    assert te["is_cancelled"] is True
    assert te["is_exempt_from_timeouts"] is True
    assert te["is_open_at_as_of"] is False


def test_alarm_facts_use_the_clearing_delivery_and_the_grace(built: Path) -> None:
    ta = _facts(built)["TA"]
    assert (ta["f1_alarm_count"], ta["f1_alarm_ids"], ta["f1_cell_ids"]) == (1, "AL1", "A")
    assert ta["f1_max_severity"] == "critical"
    assert _facts(built)["TB"]["f1_alarm_count"] == 0


def test_kpi_facts_pick_the_cell_degraded_in_the_window(built: Path) -> None:
    ta = _facts(built)["TA"]
    assert ta["f2_cell_id"] == "B"
    assert (ta["f2_hours_with_data"], ta["f2_degraded_hours"]) == (2, 1)
    assert ta["f2_degraded_share"] == pytest.approx(0.5)


def test_repeat_and_survey_facts(built: Path) -> None:
    ta = _facts(built)["TA"]
    assert ta["next_same_family_ticket_id"] == "TB"
    assert ta["hours_to_next_same_family_ticket"] == pytest.approx(6.0)
    assert ta["has_disputing_survey"] is True
    assert ta["disputing_survey_at"] == _ts("2024-03-07 10:00:00")


def test_linked_cells_top_three_with_ties_by_cell_id(built: Path) -> None:
    cells = _rows(built, "select ticket_id, cell_id, cell_rank, dwell_seconds, rat "
                         "from main.fct_ticket_cells order by ticket_id, cell_rank")
    got = [(c["ticket_id"], c["cell_id"], c["cell_rank"], c["dwell_seconds"]) for c in cells]
    assert got == [("TA", "A", 1, 3600), ("TA", "B", 2, 1800), ("TA", "C", 3, 1800),
                   ("TB", "E", 1, 3600), ("TB", "C", 2, 1800), ("TB", "D", 3, 100)]


def test_degradation_episodes_join_consecutive_hours(built: Path) -> None:
    episodes = _rows(built, "select cell_id, episode_start_at, episode_end_at, degraded_hours, "
                            "worst_user_dl_rate_mbps, worst_drop_rate_pct "
                            "from main.fct_cell_degradation_episodes order by 1, 2")
    assert [(e["cell_id"], e["episode_start_at"], e["episode_end_at"], e["degraded_hours"])
            for e in episodes] == [
        ("A", _ts("2024-03-06 07:00:00"), _ts("2024-03-06 08:00:00"), 1),
        ("B", _ts("2024-03-03 10:00:00"), _ts("2024-03-03 11:00:00"), 1),
        ("B", _ts("2024-03-06 06:00:00"), _ts("2024-03-06 08:00:00"), 2),
    ]
    assert episodes[0]["worst_drop_rate_pct"] == 3.0
    assert episodes[0]["worst_user_dl_rate_mbps"] is None
    assert episodes[2]["worst_user_dl_rate_mbps"] == 10.0


def test_timeline_names_every_source_record(built: Path) -> None:
    items = _rows(built, "select item_type, source_table, source_record_id "
                         "from main.fct_ticket_timeline where ticket_id = 'TA'")
    counts: dict[str, int] = {}
    for item in items:
        counts[item["item_type"]] = counts.get(item["item_type"], 0) + 1
    assert counts == {"crm_contact": 2, "ticket_event": 5, "alarm_raised": 3,
                      "alarm_cleared": 2, "degradation_start": 3, "degradation_end": 3,
                      "survey": 1, "repeat_ticket": 1}
    assert ("tickets", "TB") in {(i["source_table"], i["source_record_id"]) for i in items}


def test_every_mart_row_names_its_run(handmade_build: BuiltWarehouse) -> None:
    for mart in ("dim_tickets", "fct_ticket_cells", "fct_ticket_timeline",
                 "fct_cell_degradation_episodes", "fct_audit_facts"):
        runs = _rows(handmade_build.path,
                     f"select distinct dagster_run_id, dbt_invocation_id from main.{mart}")
        assert len(runs) == 1 and runs[0]["dagster_run_id"] == handmade_build.run_id, mart
        assert runs[0]["dbt_invocation_id"], mart


# What says which build made a row, not what it holds: an incremental build keeps the rows of
# the tickets it did not need to rebuild, with the build that made them.
LINEAGE = ("dagster_run_id", "dbt_invocation_id", "built_as_of", "loaded_through",
           "changes_through", "flagged_series", "_loaded_at")
# What changed since the last build: differs between two histories by definition.
BOOKKEEPING = ("int_tickets_changed",)


def _snapshot(warehouse: Path) -> dict[str, list[dict]]:
    """Every table the build materialises (staging, intermediate, marts, seeds), without the
    columns that name the build itself."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_type = 'BASE TABLE' order by 1").fetchall()]
        columns = {table: [r[0] for r in con.execute(f"describe main.{table}").fetchall()]
                   for table in tables}
    assert {"fct_audit_facts", "int_ticket_items_unioned", "int_ticket_events_sequenced",
            "dim_tickets"} <= set(tables)
    return {table: _rows(warehouse, "select " + ", ".join(
                f'"{c}"' for c in columns[table] if c not in LINEAGE)
                + f" from main.{table} order by all")
            for table in tables if table not in BOOKKEEPING}


LATE_EVENTS = "ticketing/ticket_events/2024-03-10-late.csv"
# models configured changed_by='rows': a running clock alone does not rebuild them
REBUILT_BY_ROWS = ("int_tickets_linked_to_cells", "int_ticket_cells_measured",
                   "int_ticket_events_sequenced", "int_tickets_contacted", "fct_ticket_cells")


def test_incremental_runs_equal_full_refresh(built: Path, tmp_path: Path) -> None:
    """Late rows (a re-delivered KPI hour, a new session, a late event) are picked up by the
    incremental run, and a full refresh gives the same marts; so does going back to an earlier
    as-of after a later one."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built, warehouse)
    later = datetime(2024, 3, 10, 2, 0, 0)
    with duckdb.connect(str(warehouse)) as con:
        slow = {"prb_util_dl_pct": 40.0, "access_success_pct": 99.0, "drop_rate_pct": 0.5,
                "good_coverage_pct": 97.0, "user_dl_rate_mbps": 10.0}
        insert_rows(con, "netops/cell_kpi_hourly", [
            {"cell_id": "B", "period_start": handmade.ts("2024-03-06 08:00:00"), **slow},
        ], later, source_file="netops/cell_kpi_hourly/2024-03-10-late.csv")
        insert_rows(con, "netops/user_cell_sessions", [
            {"msisdn": "13800000003", "cell_id": "A",
             "period_start": handmade.ts("2024-03-08 10:00:00"), "duration_s": 60},
        ], later, source_file="netops/user_cell_sessions/2024-03-10-late.csv")
        insert_rows(con, "ticketing/ticket_events", [
            {"event_id": "TA-6", "ticket_id": "TA", "event_at": handmade.ts("2024-03-07 09:00:00"),
             "action": "closed", "status_after": "closed", "department": "NET"},
        ], later, source_file=LATE_EVENTS)
    dbt("run", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "inc")
    assert _facts(warehouse)["TA"]["f2_degraded_share"] == pytest.approx(1.0)
    assert _facts(warehouse)["TD"]["network_trace"] == "present"
    incremental = _snapshot(warehouse)
    assert any(item["source_record_id"] == "TA-6"
               for item in incremental["int_ticket_items_unioned"])
    # the same build again (a retry: nothing new, the same as-of) changes no ticket, although
    # open tickets' clocks run: time has not moved
    open_tickets = _rows(warehouse, "select count(*) as n from main.fct_audit_facts "
                                    "where is_open_at_as_of")[0]["n"]
    assert open_tickets > 0
    stamps_before = _rows(warehouse, "select max(changed_in) as n from main.int_tickets_changed")
    dbt("run", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "retry")
    assert _rows(warehouse, "select max(changed_in) as n from main.int_tickets_changed") \
        == stamps_before
    assert _snapshot(warehouse) == incremental
    earlier = "2024-03-07 00:00:00"
    dbt("run", warehouse=warehouse, as_of=earlier, work=tmp_path / "inc_earlier")
    incremental_earlier = _snapshot(warehouse)
    dbt("run", warehouse=warehouse, as_of=earlier, work=tmp_path / "full_earlier",
        extra=("--full-refresh",))
    assert incremental_earlier == _snapshot(warehouse)
    dbt("run", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "full",
        extra=("--full-refresh",))
    assert incremental == _snapshot(warehouse)
    # a file delivered again with changes replaces its rows (connectors/loader.py): the event
    # it no longer holds leaves the incremental models too, also when its ticket gets no new
    # event (TA-6 is gone and the file now holds an event of another ticket)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from raw_ticketing.ticket_events where _source_file = ?",
                    [LATE_EVENTS])
        insert_rows(con, "ticketing/ticket_events", [
            {"event_id": "TB-7", "ticket_id": "TB", "event_at": handmade.ts("2024-03-07 10:00:00"),
             "action": "closed", "status_after": "closed", "department": "NET"},
        ], later + timedelta(hours=1), source_file=LATE_EVENTS)
    dbt("run", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "redelivered")
    redelivered = _snapshot(warehouse)
    event_ids = {item["source_record_id"]
                 for item in redelivered["int_ticket_items_unioned"]}
    assert "TB-7" in event_ids and "TA-6" not in event_ids
    assert "TA-6" not in {event["event_id"]
                           for event in redelivered["int_ticket_events_sequenced"]}
    dbt("run", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "full_redelivered",
        extra=("--full-refresh",))
    assert redelivered == _snapshot(warehouse)
    # time moves on with nothing delivered, as in live mode (a 15-minute tick, then two days:
    # open clocks run, windows end, events timed after the old as-of come into view); the
    # incremental builds end equal to a full rebuild at the later as-of, also for the tickets
    # they did not rebuild
    def taken_in(model: str) -> int:
        return _rows(warehouse, f"select max(changes_through) as n from main.{model}")[0]["n"]

    for moment in ("2024-03-10 00:15:00", "2024-03-12 00:15:00"):
        before = {m: taken_in(m) for m in ("int_tickets_clocked", *REBUILT_BY_ROWS)}
        dbt("run", warehouse=warehouse, as_of=moment, work=tmp_path / f"live_{moment[8:10]}")
        if moment.endswith("10 00:15:00"):
            # nothing came into view: the open tickets' clocks were rebuilt, the models that
            # do not move with the clock rebuilt no ticket
            assert taken_in("int_tickets_clocked") > before["int_tickets_clocked"]
            for model in REBUILT_BY_ROWS:
                assert taken_in(model) == before[model], model
    moved_on = _snapshot(warehouse)
    dbt("run", warehouse=warehouse, as_of=moment, work=tmp_path / "full_moved_on",
        extra=("--full-refresh",))
    assert moved_on == _snapshot(warehouse)


def test_every_dbt_unit_test_passes(built: Path, tmp_path: Path) -> None:
    """The pipeline's build skips unit tests (they test logic, not the day's data); here each
    one declared in the project's YAML runs and passes."""
    import yaml

    from complaint_trace.settings import DBT_PROJECT_DIR

    declared = {t["name"] for path in (DBT_PROJECT_DIR / "models").rglob("*.yml")
                for t in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", [])}
    run = dbt("test", warehouse=built, as_of=handmade.AS_OF, work=tmp_path,
              extra=("--select", "test_type:unit"))
    results = {r["unique_id"].rsplit(".", 1)[-1]: r["status"]
               for r in run.run_results()["results"]}
    assert declared and results == dict.fromkeys(declared, "pass")


def test_timeline_uniqueness_is_tested_on_the_latest_build(built: Path, tmp_path: Path) -> None:
    """`__latest_build__` (macros/tests_where.sql) narrows the uniqueness test of the
    timeline's ticket items to the rows the latest build wrote: a duplicate among them fails
    it; one among older rows is out of its reach (the build by ticket replaced every row of
    the tickets it wrote)."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built, warehouse)
    unique_test = ("--select", "int_ticket_items_unioned,test_name:unique")
    dbt("test", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "clean",
        extra=unique_test)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into main.int_ticket_items_unioned "
                    "select * from main.int_ticket_items_unioned limit 1")
    with pytest.raises(AssertionError, match="unique_int_ticket_items_unioned_timeline_item_id"):
        dbt("test", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "dup",
            extra=unique_test)
    with duckdb.connect(str(warehouse)) as con:  # the duplicate now belongs to an older build
        con.execute("update main.int_ticket_items_unioned set loaded_through = loaded_through "
                    "- interval 1 day where rowid = (select max(rowid) "
                    "from main.int_ticket_items_unioned)")
    dbt("test", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "old_dup",
        extra=unique_test)


def _flagged(warehouse: Path, cell: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select period_start, rat, is_degraded from "
                           "main.int_cell_kpi_hours_flagged where cell_id = ? order by 1",
                           [cell]).fetchall()


def test_an_inventory_delivered_after_its_kpi_hours_flags_them_again(built: Path,
                                                                      tmp_path: Path) -> None:
    """KPI hours of a cell the inventory does not know yet have no RAT, so no threshold, so
    they breach nothing; when the inventory row arrives, those hours are flagged again and
    their degradation episode appears, as a full refresh would have it."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built, warehouse)
    hours = [handmade.ts("2024-03-06 08:00:00"), handmade.ts("2024-03-06 09:00:00")]
    later = datetime(2024, 3, 10, 2, 0, 0)
    with duckdb.connect(str(warehouse)) as con:
        insert_rows(con, "netops/cell_kpi_hourly", [
            {"cell_id": "Z", "period_start": at, "drop_rate_pct": 9.0} for at in hours
        ], later, source_file="netops/cell_kpi_hourly/2024-03-10-z.csv")
    dbt("run", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "before")
    assert _flagged(warehouse, "Z") == [(at, None, False) for at in hours]
    with duckdb.connect(str(warehouse)) as con:
        insert_rows(con, "netops/cells", [{"cell_id": "Z", "rat": "4G", "status": "active"}],
                    later + timedelta(hours=1), source_file="netops/cells/2024-03-10-z.csv")
    dbt("run", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "after")
    assert _flagged(warehouse, "Z") == [(at, "4G", True) for at in hours]  # 9 % > 2 %
    incremental = _snapshot(warehouse)
    episodes = [e for e in incremental["fct_cell_degradation_episodes"] if e["cell_id"] == "Z"]
    assert [(e["episode_start_at"], e["episode_end_at"], e["degraded_hours"])
            for e in episodes] == [(hours[0], hours[1] + timedelta(hours=1), 2)]
    dbt("run", warehouse=warehouse, as_of=handmade.AS_OF, work=tmp_path / "full",
        extra=("--full-refresh",))
    assert incremental == _snapshot(warehouse)
