"""`complaint-trace findings`: filters, formats, and the snapshot when the warehouse is busy."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, timedelta

import duckdb
import pytest
from qc_factories import CREATED, audit_config, fact, load_facts
from test_audit_rules import AS_OF, VARS
from typer.testing import CliRunner

from complaint_trace.cli import app
from quality_checks.audit import run_audit

NEXT_DAY = CREATED + timedelta(days=1)
ROWS = [
    fact("a_t2", first_contact_delay_minutes=500.0),
    fact("b_t2", first_contact_delay_minutes=121.0, created_at=NEXT_DAY,
         created_date_local=NEXT_DAY.date(), first_contact_deadline_department="backoffice"),
    fact("c_f5", has_disputing_survey=True, disputing_survey_at=NEXT_DAY),
    fact("d_clean"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    cfg = audit_config(**VARS)
    con = load_facts(root / "home" / "warehouse.duckdb", ROWS)
    run_audit(con, home_dir=root / "home", docs_dir=root / "home" / "data_docs",
              run_id="run-cli", as_of=AS_OF, cfg=cfg)
    con.close()
    return root / "home"


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(app, ["findings", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _jsonl(*args: str) -> list[dict]:
    return [json.loads(line) for line in _invoke(*args).splitlines()]


def test_lists_every_finding_with_its_fields_and_evidence_object(home):
    rows = _jsonl("--home", str(home))
    assert [(r["ticket_id"], r["rule_id"]) for r in rows] == [
        ("c_f5", "F5"), ("a_t2", "T2"), ("b_t2", "T2")]  # by day, then rule, then ticket
    first = rows[1]
    assert first["evidence"]["first_contact_delay_minutes"] == 500.0
    assert (first["run_id"], first["as_of"], first["day"]) == (
        "run-cli", "2024-03-10T00:00:00Z", "2024-03-01")
    assert first["rule_name"] == "first_contact_timeout" and first["severity"] == "low"


def test_filters_by_rule_department_and_creation_day(home):
    assert [r["ticket_id"] for r in _jsonl("--home", str(home), "--rule", "T2")] == [
        "a_t2", "b_t2"]
    assert [r["ticket_id"] for r in _jsonl("--home", str(home), "--department",
                                           "backoffice")] == ["b_t2"]
    day2 = (CREATED.date() + timedelta(days=1)).isoformat()
    assert [r["ticket_id"] for r in _jsonl("--home", str(home), "--from", day2)] == ["b_t2"]
    assert [r["ticket_id"] for r in _jsonl("--home", str(home), "--to",
                                           CREATED.date().isoformat())] == ["c_f5", "a_t2"]


def test_csv_has_a_header_and_one_row_per_finding(home):
    rows = list(csv.DictReader(io.StringIO(_invoke("--home", str(home), "--format", "csv"))))
    assert len(rows) == 3 and rows[0]["day"] == date(2024, 3, 1).isoformat()
    assert json.loads(rows[1]["evidence"])["ticket_id"] == "a_t2"


def test_reads_the_current_snapshot_while_the_pipeline_holds_the_warehouse(home, tmp_path):
    snapshots = home / "snapshots"
    snapshots.mkdir(exist_ok=True)
    with duckdb.connect(str(snapshots / "snap-1.duckdb")) as snap:
        snap.execute(f"attach '{home / 'warehouse.duckdb'}' as w (read_only)")
        snap.execute("create schema audit")
        snap.execute("create table audit.findings as"
                     " select * from w.audit.findings where rule_id = 'F5'")
    (snapshots / "CURRENT").write_text("snap-1.duckdb")
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
         " print('locked', flush=True); time.sleep(60)", str(home / "warehouse.duckdb")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "locked"
        assert [r["ticket_id"] for r in _jsonl("--home", str(home))] == ["c_f5"]
    finally:
        writer.kill()
        writer.wait()
