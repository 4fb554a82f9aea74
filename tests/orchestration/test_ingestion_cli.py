"""`complaint-trace run` and `complaint-trace quarantine` through the public CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from complaint_trace.cli import app
from complaint_trace.contract import ENTITIES
from connectors import load_entity
from tests.conftest import SimulatedRun
from tests.connectors.samples import ALARM, CUSTOMER, csv_bytes, deliver_customer

RAW_STATE = ("select entity, file, sha256, rows_read, rows_loaded, rows_quarantined, status, "
             "run_id from raw_meta.file_manifest order by file")


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def home_with_quarantine(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    path = landing / "netops/alarms/2026-03-02.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(csv_bytes([ALARM, {**ALARM, "alarm_id": "A2", "severity": "巨大, \"x\""},
                                {**ALARM, "alarm_id": ""}]))
    home = tmp_path / "home"
    home.mkdir()
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        for entity in ENTITIES:
            load_entity(con, landing, entity, "Asia/Shanghai", "r1")
    return home


def test_quarantine_lists_rows_as_jsonl(home_with_quarantine: Path):
    result = _invoke("quarantine", "--home", str(home_with_quarantine))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["entity"], r["file"], r["row_number"]) for r in rows] == [
        ("netops/alarms", "netops/alarms/2026-03-02.csv", 2),
        ("netops/alarms", "netops/alarms/2026-03-02.csv", 3)]
    assert json.loads(rows[0]["raw"])["severity"] == '巨大, "x"'
    assert rows[1]["reason"].startswith("alarm_id: missing")


def test_quarantine_lists_rows_as_csv(home_with_quarantine: Path):
    result = _invoke("quarantine", "--home", str(home_with_quarantine), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["entity", "file", "row_number", "reason", "raw"]
    assert [r["row_number"] for r in rows] == ["2", "3"]
    assert json.loads(rows[0]["raw"])["alarm_id"] == "A2"


def test_quarantine_without_a_warehouse_says_so(tmp_path: Path):
    result = _invoke("quarantine", "--home", str(tmp_path))
    assert result.exit_code == 1 and "no warehouse" in result.output


def test_run_refuses_a_missing_landing_root(tmp_path: Path):
    result = _invoke("run", "--landing", str(tmp_path / "nowhere"), "--home", str(tmp_path))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_run_refuses_a_bad_as_of(tmp_path: Path):
    result = _invoke("run", "--landing", str(tmp_path), "--home", str(tmp_path),
                     "--as-of", "next tuesday")
    assert result.exit_code == 2 and "as_of" in result.output


def test_quarantine_holds_exactly_the_planted_bad_rows(simulated_landing: SimulatedRun,
                                                       tmp_path: Path):
    with open(simulated_landing.truth / "bad_rows.csv", newline="") as handle:
        planted = sorted((r["entity"], r["file"], int(r["row_number"]))
                         for r in csv.DictReader(handle))
    assert planted, "the simulator planted no bad rows"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        reports = [load_entity(con, simulated_landing.landing, e, "Asia/Shanghai", "t")
                   for e in ENTITIES]
        found = con.execute("select entity, file, row_number from raw_meta.quarantine "
                            "order by all").fetchall()
    assert [f.error for r in reports for f in r.failed] == []
    assert found == planted


def test_running_twice_on_the_same_landing_adds_nothing(pipeline_home: SimulatedRun):
    warehouse = str(pipeline_home.home / "warehouse.duckdb")
    with duckdb.connect(warehouse, read_only=True) as con:
        before = con.execute(RAW_STATE).fetchall()
        raw_before = [con.execute(f"select count(*) from raw_{e.source}.{e.name}").fetchone()
                      for e in ENTITIES]
    result = _invoke("run", "--landing", str(pipeline_home.landing),
                     "--home", str(pipeline_home.home), "--as-of", pipeline_home.as_of)
    assert result.exit_code == 0, result.output
    with duckdb.connect(warehouse, read_only=True) as con:
        assert con.execute(RAW_STATE).fetchall() == before
        assert [con.execute(f"select count(*) from raw_{e.source}.{e.name}").fetchone()
                for e in ENTITIES] == raw_before
    assert all(status != "failed" for *_, status, _ in before)


def test_run_exits_non_zero_with_the_failing_steps_reason(tmp_path: Path):
    landing = tmp_path / "landing"
    (landing / "netops/alarms").mkdir(parents=True)
    (landing / "netops/alarms/2026-03-02.csv").write_bytes(csv_bytes([ALARM]))
    home = tmp_path / "home"
    (home / "warehouse.duckdb").mkdir(parents=True)  # a directory where the file must go
    result = _invoke("run", "--landing", str(landing), "--home", str(home),
                     "--as-of", "2026-03-03T00:00:00")
    assert result.exit_code == 1
    assert "FAILED" in result.output and "netops__alarms" in result.output
    assert "warehouse.duckdb" in result.output


def test_quarantine_masks_personal_data_unless_revealed(tmp_path: Path):
    landing = tmp_path / "landing"
    deliver_customer(landing, {**CUSTOMER, "tier": "diamond", "plan_code": "王小明的 13812345678"})
    home = tmp_path / "home"
    home.mkdir()
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        load_entity(con, landing, next(e for e in ENTITIES if e.name == "customers"),
                    "Asia/Shanghai", "r1")
    masked = json.loads(json.loads(_invoke("quarantine", "--home", str(home)).stdout)["raw"])
    assert (masked["msisdn"], masked["customer_name"]) == ("138****5678", "***")
    assert masked["plan_code"] == "***的 138****5678" and masked["tier"] == "diamond"
    shown = json.loads(json.loads(_invoke("quarantine", "--home", str(home),
                                          "--reveal-pii").stdout)["raw"])
    assert (shown["msisdn"], shown["customer_name"]) == ("13812345678", "王小明")


def test_the_run_summary_names_each_file_that_failed(tmp_path: Path):
    landing = tmp_path / "landing"
    (landing / "netops/alarms").mkdir(parents=True)
    (landing / "netops/alarms/2026-03-02.csv").write_bytes(csv_bytes([ALARM]))
    no_cell = {k: v for k, v in ALARM.items() if k != "cell_id"}
    (landing / "netops/alarms/2026-03-03.csv").write_bytes(csv_bytes([no_cell]))
    result = _invoke("run", "--landing", str(landing), "--home", str(tmp_path / "home"),
                     "--as-of", "2026-03-04T00:00:00")
    lines = result.output.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "netops/alarms:all_files_loaded WARN" in line]
    assert "netops/alarms/2026-03-03.csv (failed)" in lines[at + 1]
    assert "cell_id" in lines[at + 1]
