"""Whole-file problems: each is reported by file name with its reason, and never stops the
other files; malformed records inside a readable file are quarantined with their row number."""

from __future__ import annotations

import gzip

import pytest

from tests.connectors.conftest import Landing
from tests.connectors.samples import ALARM, csv_bytes, jsonl_bytes

GOOD = "netops/alarms/2026-03-01.csv"


def _status(landing: Landing) -> dict[str, tuple[str, str | None]]:
    return {f: (s, e) for f, s, e in landing.rows(
        "select file, status, error from raw_meta.file_manifest")}


def test_missing_required_column_is_reported_by_name_while_the_rest_loads(landing: Landing):
    landing.write(GOOD, [ALARM])
    no_cell = {k: v for k, v in ALARM.items() if k != "cell_id"}
    landing.write("netops/alarms/2026-03-02.csv", [no_cell])
    report = landing.load("netops/alarms")
    status, error = _status(landing)["netops/alarms/2026-03-02.csv"]
    assert status == "failed"
    assert "netops/alarms/2026-03-02.csv" in error and "cell_id" in error
    assert [f.file for f in report.failed] == ["netops/alarms/2026-03-02.csv"]
    assert landing.rows("select _source_file from raw_netops.alarms") == [(GOOD,)]


def test_missing_optional_and_extra_columns_are_noted_not_fatal(landing: Landing):
    row = {k: v for k, v in ALARM.items() if k != "alarm_type"} | {"vendor": "华为"}
    landing.write(GOOD, [row], columns=["vendor", *reversed(list(ALARM)[:-1])])
    landing.load("netops/alarms")
    ((notes,),) = landing.rows("select notes from raw_meta.file_manifest")
    assert "alarm_type" in notes and "vendor" in notes
    assert landing.rows("select alarm_id, alarm_type from raw_netops.alarms") == [("A1", None)]


def test_truncated_gzip_is_reported_not_a_crash(landing: Landing):
    landing.write(GOOD, [ALARM])
    whole = gzip.compress(csv_bytes([ALARM] * 5000))
    (landing.root / "netops/alarms/2026-03-02.csv.gz").write_bytes(whole[: len(whole) // 2])
    report = landing.load("netops/alarms")
    status, error = _status(landing)["netops/alarms/2026-03-02.csv.gz"]
    assert status == "failed" and "2026-03-02.csv.gz" in error and "gzip" in error.lower()
    assert report.rows_loaded == 1


def test_non_utf8_csv_is_reported(landing: Landing):
    landing.write(GOOD, [ALARM])
    gbk = csv_bytes([{**ALARM, "alarm_type": "电源故障"}]).decode().encode("gbk")
    (landing.root / "netops/alarms/2026-03-02.csv").write_bytes(gbk)
    landing.load("netops/alarms")
    status, error = _status(landing)["netops/alarms/2026-03-02.csv"]
    assert status == "failed" and "UTF-8" in error and "2026-03-02.csv" in error
    assert landing.rows("select count(*) from raw_meta.quarantine") == [(0,)]


def test_unreadable_parquet_and_unknown_suffix_are_reported(landing: Landing):
    landing.write(GOOD, [ALARM])
    landing.write("netops/alarms/2026-03-02.parquet", b"PAR1 this is not parquet PAR1")
    landing.write("netops/alarms/2026-03-03.xlsx", b"binary")
    landing.write("netops/alarms/.2026-03-04.csv.part", b"in transit")
    landing.load("netops/alarms")
    status = _status(landing)
    assert status["netops/alarms/2026-03-02.parquet"][0] == "failed"
    assert "not a contract format" in status["netops/alarms/2026-03-03.xlsx"][1]
    assert set(status) == {GOOD, "netops/alarms/2026-03-02.parquet",
                           "netops/alarms/2026-03-03.xlsx"}


def test_malformed_csv_record_is_quarantined_with_its_row_number(landing: Landing):
    good = csv_bytes([ALARM, {**ALARM, "alarm_id": "A2", "alarm_type": "多行\n文本"}]).decode()
    lines = good.splitlines(keepends=True)
    text = "".join([*lines, "A3,only,three\n", lines[1].replace("A1", "A4"),
                    "A5,1,2,3,4,5,6,7\n", lines[1].replace("A1", "A6")])
    landing.write("netops/alarms/2026-03-02.csv", text.encode())
    report = landing.load("netops/alarms")
    assert landing.rows("select alarm_id, _source_row from raw_netops.alarms order by 2") == [
        ("A1", 1), ("A2", 2), ("A4", 4), ("A6", 6)]
    quarantined = landing.rows("select row_number, reason, raw from raw_meta.quarantine "
                               "order by row_number")
    assert [(n, '"csv_line"' in raw) for n, _, raw in quarantined] == [(3, True), (5, True)]
    assert all(reason.startswith("malformed CSV record") for _, reason, _ in quarantined)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (6, 4, 2)


def test_malformed_jsonl_lines_are_quarantined_blank_lines_skipped(landing: Landing):
    text = ('{"alarm_id": "A1", "cell_id": "C", "raised_at": "2026-03-02 10:00:00"}\n'
            "\n"
            '{"alarm_id": "A2", "cell_id": "C", "raised_at": \n'
            '["not", "an", "object"]\n'
            '{"alarm_id": "A5", "cell_id": "C", "raised_at": "2026-03-02 10:00:00", "x": 1}\n')
    landing.write("netops/alarms/2026-03-02.jsonl", text.encode())
    report = landing.load("netops/alarms")
    assert landing.rows("select alarm_id, _source_row from raw_netops.alarms order by 2") == [
        ("A1", 1), ("A5", 5)]
    assert landing.quarantined("netops/alarms") == [
        ("netops/alarms/2026-03-02.jsonl", 3), ("netops/alarms/2026-03-02.jsonl", 4)]
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (4, 2, 2)


def test_empty_and_all_malformed_jsonl_files_load_nothing_and_lose_nothing(landing: Landing):
    landing.write("netops/alarms/2026-03-02.jsonl", b"")
    landing.write("netops/alarms/2026-03-03.jsonl", b"oops\n\n{broken\n")
    report = landing.load("netops/alarms")
    assert [(f.status, f.rows_read, f.rows_quarantined) for f in report.files] == [
        ("loaded", 0, 0), ("loaded", 2, 2)]
    assert landing.quarantined("netops/alarms") == [
        ("netops/alarms/2026-03-03.jsonl", 1), ("netops/alarms/2026-03-03.jsonl", 3)]


def test_header_only_csv_loads_zero_rows(landing: Landing):
    landing.write("netops/alarms/2026-03-02.csv", ("\ufeff" + ",".join(ALARM) + "\r\n").encode())
    (file,) = landing.load("netops/alarms").files
    assert (file.status, file.rows_read) == ("loaded", 0)


def test_any_header_text_is_safe_even_lineage_names(landing: Landing):
    row = {**ALARM, "_source_row": "999", '供应商 "A"': "华为", "_ord": "x"}
    for suffix in ("csv", "jsonl", "parquet"):
        landing.write(f"netops/alarms/2026-03-0{len(suffix)}.{suffix}", [row])
    report = landing.load("netops/alarms")
    assert [f.status for f in report.files] == ["loaded"] * 3
    assert landing.rows("select distinct _source_row from raw_netops.alarms") == [(1,)]


@pytest.mark.parametrize("name", ["2026-03-02.jsonl.gz", "2026-03-02.csv.gz"])
@pytest.mark.parametrize("keep", [10, 0.5])
def test_truncated_gzip_of_any_length_and_format_is_reported(landing: Landing, name, keep):
    content = (jsonl_bytes if "jsonl" in name else csv_bytes)([ALARM] * 3000)
    whole = gzip.compress(content)
    cut = whole[: keep if isinstance(keep, int) else int(len(whole) * keep)]
    (landing.root / "netops/alarms").mkdir(parents=True)
    (landing.root / "netops/alarms" / name).write_bytes(cut)
    (file,) = landing.load("netops/alarms").files
    assert file.status == "failed" and name in file.error


def test_non_utf8_jsonl_is_reported(landing: Landing):
    text = jsonl_bytes([{**ALARM, "alarm_type": "电源故障"}]).decode().encode("gb18030")
    landing.write("netops/alarms/2026-03-02.jsonl", text)
    (file,) = landing.load("netops/alarms").files
    assert file.status == "failed" and "2026-03-02.jsonl" in file.error


@pytest.mark.parametrize("name", ["2026-03-02.csv", "2026-03-02.csv.gz", "2026-03-02.jsonl",
                                  "2026-03-02.jsonl.gz"])
def test_an_empty_file_of_any_format_loads_as_no_rows(landing: Landing, name: str):
    """One rule for every format: no content is a delivery of no rows (noted), not a failure."""
    landing.write(GOOD, [ALARM])
    landing.write(f"netops/alarms/{name}", b"")
    report = landing.load("netops/alarms")
    ((status, read, loaded, notes),) = landing.rows(
        "select status, rows_read, rows_loaded, notes from raw_meta.file_manifest "
        f"where file = 'netops/alarms/{name}'")
    assert (status, read, loaded) == ("loaded", 0, 0) and "empty file" in notes
    assert report.rows_loaded == 1 and not report.failed


def test_a_file_deleted_after_its_load_is_missing_and_keeps_its_rows(landing: Landing):
    landing.write(GOOD, [ALARM])
    other = "netops/alarms/2026-03-02.csv"
    landing.write(other, [{**ALARM, "alarm_id": "A2"}])
    landing.load("netops/alarms")
    (landing.root / other).unlink()
    report = landing.load("netops/alarms")
    assert [f.file for f in report.missing] == [other]
    assert _status(landing)[other][0] == "missing"
    assert landing.rows("select alarm_id from raw_netops.alarms order by 1") == [("A1",), ("A2",)]
    # back with the same bytes: processed again, loaded, the same rows
    landing.write(other, [{**ALARM, "alarm_id": "A2"}])
    report = landing.load("netops/alarms")
    assert _status(landing)[other][0] == "loaded" and not report.missing
    assert landing.rows("select alarm_id from raw_netops.alarms order by 1") == [("A1",), ("A2",)]
