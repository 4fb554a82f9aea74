"""Free text survives every format byte for byte; timestamps honour offsets, read naive values
in the source zone, and are stored as naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.connectors.conftest import Landing
from tests.connectors.samples import TICKET

TRICKY = '信号很差, 打不通 "4G" 电话\n第二行：客户说 ""已经三天"", 请尽快处理\r\n末行'


@pytest.mark.parametrize("suffix", ["csv", "csv.gz", "jsonl", "jsonl.gz", "parquet"])
def test_chinese_text_with_commas_quotes_newlines_round_trips(landing: Landing, suffix):
    rows = [{**TICKET, "description": TRICKY, "reported_district": "广州,天河"},
            {**TICKET, "ticket_id": "T2", "description": "第二张"}]
    landing.write(f"ticketing/tickets/2026-03-02.{suffix}", rows)
    report = landing.load("ticketing/tickets")
    assert report.rows_loaded == 2 and report.rows_quarantined == 0
    assert landing.rows("select ticket_id, description, reported_district, _source_row "
                        "from raw_ticketing.tickets order by ticket_id") == [
        ("T1", TRICKY, "广州,天河", 1), ("T2", "第二张", "天河", 2)]


def _utc(text: str, zone: str = "Asia/Shanghai") -> datetime:
    """Python's own reading of an ISO timestamp, as naive UTC (independent of DuckDB)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC).replace(tzinfo=None)


STAMPS = ["2026-03-02 10:00:00", "2026-03-02T10:00:00+08:00", "2026-03-02T02:00:00Z",
          "2026-03-02T10:00:00.250", "2026-03-02T04:00:00.5-06:00", "2026-03-02T10:00"]


def test_naive_timestamp_equals_its_plus_0800_twin(landing: Landing):
    rows = [{"ticket_id": f"T{i}", "msisdn": "1", "created_at": s} for i, s in enumerate(STAMPS)]
    landing.write("ticketing/tickets/2026-03-02.csv", rows)
    landing.load("ticketing/tickets")
    stored = landing.rows("select created_at from raw_ticketing.tickets order by _source_row")
    assert [s for (s,) in stored] == [_utc(s.replace("Z", "+00:00")) for s in STAMPS]
    assert stored[0] == stored[1] == stored[2] == (datetime(2026, 3, 2, 2, 0),)


def test_naive_timestamp_read_in_configured_source_zone(landing: Landing):
    landing.write("ticketing/tickets/2026-03-02.csv",
                  [{"ticket_id": "T1", "msisdn": "1", "created_at": "2026-07-01 10:00:00"},
                   {"ticket_id": "T2", "msisdn": "1", "created_at": "2026-07-01T10:00:00+08:00"}])
    landing.load("ticketing/tickets", tz="Europe/Berlin")
    assert landing.rows("select created_at from raw_ticketing.tickets order by _source_row") == [
        (_utc("2026-07-01 10:00:00", "Europe/Berlin"),), (datetime(2026, 7, 1, 2, 0),)]
    # the session zone of the caller's connection is left as it was
    assert landing.rows("select current_setting('TimeZone')") != [("Europe/Berlin",)]


def test_parquet_timestamps_keep_instant_or_read_naive_in_source_zone(landing: Landing):
    aware = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    table = pa.table({
        "ticket_id": ["T1", "T2"], "msisdn": ["1", "1"],
        "created_at": pa.array([aware.astimezone(UTC), aware.astimezone(UTC)],
                               pa.timestamp("us", tz="UTC")),
        "reported_lat": pa.array([23.5, None], pa.float64()),
    })
    path = landing.root / "ticketing/tickets/2026-03-02.parquet"
    path.parent.mkdir(parents=True)
    pq.write_table(table, path)
    naive = pa.table({"ticket_id": ["T3"], "msisdn": ["1"],
                      "created_at": pa.array([datetime(2026, 3, 2, 10, 0)], pa.timestamp("ms"))})
    pq.write_table(naive, landing.root / "ticketing/tickets/2026-03-03.parquet")
    landing.load("ticketing/tickets", tz="America/New_York")
    assert landing.rows("select ticket_id, created_at, reported_lat from raw_ticketing.tickets "
                        "order by ticket_id") == [
        ("T1", datetime(2026, 3, 2, 2, 0), 23.5), ("T2", datetime(2026, 3, 2, 2, 0), None),
        ("T3", _utc("2026-03-02 10:00:00", "America/New_York"), None)]
