"""Each kind of contract breach lands in quarantine, exactly the planted rows, with a reason
naming the column; every file reconciles (read = loaded + quarantined)."""

from __future__ import annotations

import json

import pytest

from tests.connectors.conftest import Landing
from tests.connectors.samples import ALARM, CONTACT, EVENT, KPI, SESSION, SURVEY, TICKET

# (entity, valid row, [(changes, column the reason must name)])
BREACHES = [
    ("netops/alarms", ALARM, [
        ({"cleared_at": "2026-03-02 09:59:59"}, "cleared_at"),
        ({"severity": "Major"}, "severity"),
        ({"alarm_id": ""}, "alarm_id"),
        ({"raised_at": "2026-13-02 10:00:00"}, "raised_at"),
        ({"raised_at": "yesterday"}, "raised_at"),
        ({"raised_at": "2026-03-02T24:00:00"}, "raised_at"),  # DuckDB alone would accept
        ({"cleared_at": "2026-03-02 11:00:00 Asia/Shanghai"}, "cleared_at"),
    ]),
    ("netops/user_cell_sessions", SESSION, [
        ({"duration_s": "-5"}, "duration_s"),
        ({"duration_s": "3601"}, "duration_s"),
        ({"duration_s": "12.5s"}, "duration_s"),
        ({"duration_s": "12.5"}, "duration_s"),  # DuckDB alone would round it
        ({"bytes_dl": "0x10"}, "bytes_dl"),
        ({"msisdn": "+86 138"}, "msisdn"),
        ({"bytes_dl": "-1"}, "bytes_dl"),
    ]),
    ("netops/cell_kpi_hourly", KPI, [
        ({"prb_util_dl_pct": "100.5"}, "prb_util_dl_pct"),
        ({"drop_rate_pct": "-0.1"}, "drop_rate_pct"),
        ({"user_dl_rate_mbps": "fast"}, "user_dl_rate_mbps"),
        ({"traffic_gb": "NaN"}, "traffic_gb"),
        ({"traffic_gb": "1_000"}, "traffic_gb"),
        ({"active_users": "-3"}, "active_users"),
        ({"period_start": ""}, "period_start"),
    ]),
    ("ticketing/ticket_events", EVENT, [
        ({"closure_code": ""}, "closure_code"),
        ({"closure_code": "fixed_somehow"}, "closure_code"),
        ({"action": "teleported"}, "action"),
        ({"status_after": "in_progress"}, "status_after"),
    ]),
    ("ticketing/tickets", TICKET, [
        ({"category": "weather.rain"}, "category"),
        ({"category": "network.slow"}, "category"),
        ({"channel": "fax"}, "channel"),
        ({"reported_lat": "123.0"}, "reported_lat"),
        ({"msisdn": ""}, "msisdn"),
    ]),
    ("ticketing/surveys", SURVEY, [
        ({"score": "6"}, "score"),
        ({"resolved_confirmed": "maybe"}, "resolved_confirmed"),
    ]),
    ("crm/contacts", CONTACT, [
        ({"direction": "sideways"}, "direction"),
        ({"contact_at": "2026-03-02 25:00:00"}, "contact_at"),
    ]),
]


@pytest.mark.parametrize(("path", "valid", "breaches"), BREACHES, ids=[b[0] for b in BREACHES])
def test_quarantine_holds_exactly_the_planted_rows(landing: Landing, path, valid, breaches):
    rows = [valid]
    planted = {}
    for changes, column in breaches:
        planted[len(rows) + 1] = column
        rows.append({**valid, **changes})
    rows.append(valid)  # a valid row after the bad ones keeps its own row number
    rel = f"{path}/2026-03-02.csv"
    landing.write(rel, rows)

    report = landing.load(path)

    assert landing.quarantined(path) == [(rel, n) for n in sorted(planted)]
    reasons = dict(landing.rows(
        "select row_number, reason from raw_meta.quarantine where file = ?", [rel]))
    for row_number, column in planted.items():
        assert reasons[row_number].startswith(f"{column}:") or f"; {column}:" in reasons[
            row_number], reasons[row_number]
    source, name = path.split("/")
    loaded_rows = [n for (n,) in landing.rows(
        f"select _source_row from raw_{source}.{name} order by 1")]
    assert loaded_rows == [1, len(rows)]
    (file_report,) = report.files
    assert (file_report.rows_read, file_report.rows_loaded, file_report.rows_quarantined) == (
        len(rows), 2, len(planted))


def test_quarantine_keeps_the_raw_record_and_every_failed_check(landing: Landing):
    bad = {**ALARM, "severity": "huge", "cell_id": ""}
    landing.write("netops/alarms/2026-03-02.csv", [bad])
    landing.load("netops/alarms")
    ((reason, raw),) = landing.rows("select reason, raw from raw_meta.quarantine")
    assert "cell_id: missing" in reason and "severity: not one of" in reason
    assert json.loads(raw) == {**bad, "cell_id": None}  # an empty CSV field is null


def test_valid_values_are_typed(landing: Landing):
    landing.write("ticketing/surveys/2026-03-03.csv", [
        SURVEY, {**SURVEY, "resolved_confirmed": "0", "score": ""},
        {**SURVEY, "resolved_confirmed": "", "score": "1"}])
    landing.load("ticketing/surveys")
    assert landing.rows("select resolved_confirmed, score from raw_ticketing.surveys "
                        "order by _source_row") == [(True, 4), (False, None), (None, 1)]


def test_every_file_reconciles_in_the_manifest(landing: Landing):
    landing.write("netops/alarms/2026-03-02.csv", [ALARM, {**ALARM, "severity": "x"}])
    landing.write("netops/alarms/2026-03-03.jsonl", [ALARM, ALARM, {**ALARM, "cell_id": None}])
    landing.load("netops/alarms")
    manifest = landing.rows("select file, rows_read, rows_loaded, rows_quarantined "
                            "from raw_meta.file_manifest order by file")
    assert manifest == [("netops/alarms/2026-03-02.csv", 2, 1, 1),
                        ("netops/alarms/2026-03-03.jsonl", 3, 2, 1)]
    for file, _, loaded, quarantined in manifest:
        assert landing.rows("select count(*) from raw_netops.alarms where _source_file = ?",
                            [file]) == [(loaded,)]
        assert landing.rows("select count(*) from raw_meta.quarantine where file = ?",
                            [file]) == [(quarantined,)]


def test_numbers_in_plain_decimal_forms_are_accepted(landing: Landing):
    forms = [("1200", "1.5"), ("1200.0", "-0"), ("+7", "2e3"), (" 8 ", ".5")]
    landing.write("netops/cell_kpi_hourly/2026-03-02.csv", [
        {**KPI, "active_users": users, "traffic_gb": gb} for users, gb in forms])
    landing.load("netops/cell_kpi_hourly")
    assert landing.rows("select active_users, traffic_gb from raw_netops.cell_kpi_hourly "
                        "order by _source_row") == [
        (1200, 1.5), (1200, 0.0), (7, 2000.0), (8, 0.5)]
