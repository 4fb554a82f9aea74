"""Incremental and idempotent: the same bytes twice change nothing, a changed file replaces
what it loaded, re-deliveries of alarms are all kept for staging to order."""

from __future__ import annotations

from tests.connectors.conftest import Landing
from tests.connectors.samples import ALARM

SNAPSHOT = ("select * exclude (_loaded_at, _run_id) from raw_netops.alarms "
            "order by _source_file, _source_row")


def _state(landing: Landing) -> tuple:
    return (landing.rows(SNAPSHOT),
            landing.rows("select entity, file, row_number, reason, run_id "
                         "from raw_meta.quarantine order by all"),
            landing.rows("select * from raw_meta.file_manifest order by file"))


def test_loading_the_same_files_twice_changes_nothing(landing: Landing):
    landing.write("netops/alarms/2026-03-02.csv", [ALARM, {**ALARM, "severity": "bad"}])
    landing.write("netops/alarms/2026-03-03.jsonl.gz", [ALARM])
    first = landing.load("netops/alarms", run_id="run-1")
    before = _state(landing)
    second = landing.load("netops/alarms", run_id="run-2")
    assert _state(landing) == before
    assert [f.status for f in first.files] == ["loaded", "loaded"]
    assert [f.status for f in second.files] == ["skipped", "skipped"]


def test_a_changed_file_replaces_what_it_loaded(landing: Landing):
    rel = "netops/alarms/2026-03-02.csv"
    landing.write(rel, [ALARM, {**ALARM, "alarm_id": "A2", "severity": "bad"}])
    landing.write("netops/alarms/2026-03-01.csv", [{**ALARM, "alarm_id": "A0"}])
    landing.load("netops/alarms", run_id="run-1")
    landing.write(rel, [{**ALARM, "alarm_id": "B1"}, {**ALARM, "alarm_id": "B2"},
                        {**ALARM, "alarm_id": "B3", "cell_id": ""}])
    report = landing.load("netops/alarms", run_id="run-2")
    assert [(f.file, f.status) for f in report.files] == [
        ("netops/alarms/2026-03-01.csv", "skipped"), (rel, "loaded")]
    assert landing.rows("select alarm_id, _run_id from raw_netops.alarms order by 1") == [
        ("A0", "run-1"), ("B1", "run-2"), ("B2", "run-2")]
    assert landing.quarantined("netops/alarms") == [(rel, 3)]
    assert landing.rows("select rows_read, rows_loaded, rows_quarantined, run_id "
                        "from raw_meta.file_manifest where file = ?", [rel]) == [
        (3, 2, 1, "run-2")]
    assert landing.rows("select file, rows_read, rows_loaded, run_id from raw_meta.load_log "
                        "order by run_id, file") == [
        ("netops/alarms/2026-03-01.csv", 1, 1, "run-1"), (rel, 2, 1, "run-1"),
        (rel, 3, 2, "run-2")]


def test_a_file_that_turns_unreadable_drops_its_earlier_rows(landing: Landing):
    rel = "netops/alarms/2026-03-02.csv"
    landing.write(rel, [ALARM])
    landing.load("netops/alarms")
    landing.write(rel, [{k: v for k, v in ALARM.items() if k != "raised_at"}])
    landing.load("netops/alarms", run_id="run-2")
    assert landing.rows("select count(*) from raw_netops.alarms") == [(0,)]
    assert landing.rows("select status, rows_loaded from raw_meta.file_manifest") == [
        ("failed", 0)]
    landing.write(rel, [ALARM])  # fixed and re-delivered
    landing.load("netops/alarms", run_id="run-3")
    assert landing.rows("select alarm_id, _run_id from raw_netops.alarms") == [("A1", "run-3")]


def test_alarm_redeliveries_are_all_kept_in_delivery_order(landing: Landing):
    raised = {**ALARM, "cleared_at": ""}
    landing.write("netops/alarms/2026-03-02.csv", [raised])
    landing.write("netops/alarms/2026-03-03.csv", [ALARM])
    landing.load("netops/alarms")
    assert landing.rows("select alarm_id, cleared_at is null, _source_file from raw_netops.alarms "
                        "order by _source_file, _source_row") == [
        ("A1", True, "netops/alarms/2026-03-02.csv"),
        ("A1", False, "netops/alarms/2026-03-03.csv")]


def test_every_format_loads_the_same_rows(landing: Landing):
    rows = [ALARM, {**ALARM, "alarm_id": "A2", "cleared_at": None, "severity": "minor"}]
    suffixes = ["csv", "csv.gz", "jsonl", "jsonl.gz", "parquet"]
    for day, suffix in enumerate(suffixes, start=1):
        landing.write(f"netops/alarms/2026-03-0{day}.{suffix}", rows)
    report = landing.load("netops/alarms")
    assert [f.status for f in report.files] == ["loaded"] * len(suffixes)
    per_file = landing.rows(
        "select _source_file, list((alarm_id, raised_at, cleared_at, severity, alarm_type) "
        "order by _source_row) from raw_netops.alarms group by 1 order by 1")
    assert len(per_file) == len(suffixes)
    assert all(values == per_file[0][1] for _, values in per_file)


def test_same_bytes_under_another_name_change_nothing(landing: Landing):
    landing.write("netops/alarms/2026-03-02.csv", [ALARM])
    landing.load("netops/alarms")
    before = landing.rows(SNAPSHOT)
    landing.write("netops/alarms/2026-03-02-resent.csv", [ALARM])
    report = landing.load("netops/alarms", run_id="run-2")
    assert landing.rows(SNAPSHOT) == before
    assert [(f.file, f.status) for f in report.files] == [
        ("netops/alarms/2026-03-02-resent.csv", "duplicate"),
        ("netops/alarms/2026-03-02.csv", "skipped")]
    assert landing.rows("select status, notes from raw_meta.file_manifest where file like "
                        "'%resent%'") == [
        ("duplicate", "same bytes as netops/alarms/2026-03-02.csv")]
