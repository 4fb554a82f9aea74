"""TMF642 alarms (`netops/tmf642/`) and ONAP VES 7 fault events (`netops/ves/`) become rows of
`raw_netops.alarms` (issue #15), checked by the contract's own rules; the public samples as
they are, with the values read from them by hand, and malformed records quarantined with
their reason while the rest loads."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from complaint_trace.settings import REPO_ROOT
from connectors import load_entity
from connectors.standard.feeds import TMF642, VES
from tests.connectors.conftest import SOURCE_TZ
from tests.dbt.dbt_runner import dbt

STANDARDS = REPO_ROOT / "tests" / "fixtures" / "standards"
TMF_ALARM = STANDARDS / "tmf" / "Alarm.example.json"
VES_EVENT = STANDARDS / "ves" / "ves7_valid_30_1_1_event.json"
ROW = "select alarm_id, cell_id, raised_at, cleared_at, severity, alarm_type, _source_file " \
      "from raw_netops.alarms order by _source_file, _source_row"


def _deliver(landing, feed, name: str, content: Path | bytes | list) -> None:
    path = landing.root / feed.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Path):
        shutil.copy(content, path)
    elif isinstance(content, list):
        path.write_text("\n".join(json.dumps(r) for r in content) + "\n")
    else:
        path.write_bytes(content)


def _load(landing, feed, run_id: str = "run-1"):
    return load_entity(landing.con, landing.root, feed, SOURCE_TZ, run_id)


def test_the_tmf642_sample_is_one_alarm(landing):
    _deliver(landing, TMF642, TMF_ALARM.name, TMF_ALARM)
    (file,) = _load(landing, TMF642).files
    assert (file.status, file.rows_read, file.rows_loaded) == ("loaded", 1, 1)
    # id, alarmedObject.id, alarmRaisedTime 2019-07-03T03:32:17.235Z, no alarmClearedTime,
    # perceivedSeverity major, probableCause rectifierLowVoltage
    assert landing.rows(ROW) == [("8675309", "93051825", datetime(2019, 7, 3, 3, 32, 17, 235000),
                                  None, "major", "rectifierLowVoltage",
                                  "netops/tmf642/Alarm.example.json")]


def test_the_ves_sample_is_one_alarm(landing):
    _deliver(landing, VES, VES_EVENT.name, VES_EVENT)
    (file,) = _load(landing, VES).files
    assert (file.status, file.rows_loaded) == ("loaded", 1)
    # eventId, sourceName, startEpochMicrosec 1413378172000000 (2014-10-15 13:02:52 UTC),
    # eventSeverity CRITICAL, alarmCondition
    assert landing.rows(ROW) == [("fault0000245", "scfx0001vm002cap001",
                                  datetime(2014, 10, 15, 13, 2, 52), None, "critical",
                                  "PilotNumberPoolExhaustion",
                                  "netops/ves/ves7_valid_30_1_1_event.json")]


def _tmf(alarm_id: str | None, **fields) -> dict:
    record = {"@type": "Alarm", "alarmRaisedTime": "2026-03-02T01:00:00Z",
              "perceivedSeverity": "critical", "alarmType": "equipmentAlarm",
              "alarmedObject": {"id": "C1"}, **fields}
    return record if alarm_id is None else {"id": alarm_id, **record}


def test_malformed_tmf642_records_are_quarantined_and_the_rest_loads(landing):
    records = [_tmf("A1"), _tmf(None), _tmf("A3", perceivedSeverity="bogus"),
               {"@type": "TroubleTicket", "id": "T1"}, _tmf("A5", alarmRaisedTime="soon")]
    _deliver(landing, TMF642, "2026-03-02.jsonl", records)
    (file,) = _load(landing, TMF642).files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (5, 1, 4)
    reasons = dict(landing.rows("select row_number, reason from raw_meta.quarantine"))
    assert reasons[2].startswith("alarm_id: missing")
    assert reasons[3].startswith("severity: not one of")
    assert reasons[4] == "@type 'TroubleTicket' is not an Alarm"
    assert reasons[5].startswith("raised_at: not a valid timestamp")


def _ves(event_id: str, severity: str, *, source: str | None = "C2", domain: str = "fault",
         last: int = 1772413200000000) -> dict:
    header = {"domain": domain, "eventId": event_id, "startEpochMicrosec": 1772409600000000,
              "lastEpochMicrosec": last}
    if source:
        header["sourceName"] = source
    return {"event": {"commonEventHeader": header,
                      "faultFields": {"eventSeverity": severity, "alarmCondition": "linkDown",
                                      "vfStatus": "Active"}}}


def test_malformed_ves_events_are_quarantined_and_the_rest_loads(landing):
    _deliver(landing, VES, "2026-03-02.json", json.dumps(
        [_ves("E1", "MAJOR"), _ves("E2", "MAJOR", source=None),
         _ves("E3", "MAJOR", domain="measurement")]).encode())
    (file,) = _load(landing, VES).files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (3, 1, 2)
    assert [r for (r,) in landing.rows("select reason from raw_meta.quarantine "
                                       "order by row_number")] == [
        "VES fault without eventSourceName (sourceName) or alarmInterfaceA",
        "VES domain 'measurement' is not fault"]


def test_a_clearing_record_clears_the_alarm_and_keeps_its_severity(landing, tmp_path):
    # raised 2026-03-02 00:00 UTC (1772409600 s); cleared by VES NORMAL at 01:00, and a TMF642
    # alarm raised then cleared
    _deliver(landing, VES, "2026-03-02-a.jsonl", [_ves("E1", "MAJOR")])
    _deliver(landing, VES, "2026-03-02-b.jsonl", [_ves("E1", "NORMAL")])
    _deliver(landing, TMF642, "2026-03-02-a.jsonl", [_tmf("A1")])
    _deliver(landing, TMF642, "2026-03-02-b.jsonl", [_tmf(
        "A1", perceivedSeverity="cleared", alarmClearedTime="2026-03-02T02:00:00Z")])
    for feed in (VES, TMF642):
        assert not _load(landing, feed).failed
    landing.con.close()
    warehouse = landing.root.parent / "warehouse.duckdb"
    dbt("run", warehouse=warehouse, as_of="2026-03-03 00:00:00", work=tmp_path,
        extra=("--select", "stg_netops__alarms"))
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        staged = con.execute("select alarm_id, raised_at, cleared_at, severity "
                             "from main.stg_netops__alarms order by alarm_id").fetchall()
    assert staged == [("A1", datetime(2026, 3, 2, 1), datetime(2026, 3, 2, 2), "critical"),
                      ("E1", datetime(2026, 3, 2), datetime(2026, 3, 2, 1), "major")]


@pytest.mark.parametrize("feed", [TMF642, VES])
def test_a_file_not_json_is_refused(landing, feed):
    _deliver(landing, feed, "2026-03-02.csv", b"alarm_id\nA1\n")
    (file,) = _load(landing, feed).files
    assert file.status == "failed" and "not a JSON file" in file.error
