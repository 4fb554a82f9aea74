"""End to end (issue #15): the small simulated world written in the industry's standard formats
(`simulate --standard-feeds`: TMF621, TMF642 and VES, 3GPP PM XML) gives, through the whole
pipeline, the same findings as its contract-format twin (`pipeline_home`), evidence included,
and the same staged tickets, events, alarms and KPI hours."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.conftest import SMALL_DATASET, _invoke

FINDINGS = "select ticket_id, rule_id, severity, department, evidence from audit.findings"
STAGED = {  # the columns that must agree (lineage columns name other files)
    "stg_ticketing__tickets": "* exclude (_source_file, _source_row, _loaded_at)",
    "stg_ticketing__ticket_events": "* exclude (_source_file, _source_row, _loaded_at)",
    "stg_netops__alarms": "alarm_id, cell_id, raised_at, cleared_at, severity, alarm_type",
    "int_cell_kpi_hours_flagged": "cell_id, period_start, prb_util_dl_pct, user_dl_rate_mbps, "
                                  "access_success_pct, drop_rate_pct, good_coverage_pct, "
                                  "traffic_gb, active_users",
}


@pytest.fixture(scope="module")
def twins(tmp_path_factory, pipeline_home):
    root = tmp_path_factory.mktemp("standard")
    landing, truth = root / "landing", root / "truth"
    _invoke("simulate", "--out", str(landing), "--truth", str(truth), *SMALL_DATASET,
            "--standard-feeds")
    _invoke("run", "--landing", str(landing), "--home", str(root / "home"),
            "--as-of", pipeline_home.as_of)
    con = duckdb.connect()
    con.execute(f"attach '{root / 'home' / 'warehouse.duckdb'}' as standard (read_only)")
    con.execute(f"attach '{pipeline_home.home / 'warehouse.duckdb'}' as contract (read_only)")
    yield con, landing, truth, pipeline_home
    con.close()


def test_the_landing_holds_the_standard_feeds_instead_of_the_contract_s(twins):
    _, landing, _, _ = twins
    for folder in ("ticketing/tmf621", "netops/tmf642", "netops/ves", "netops/pm_xml"):
        assert any((landing / folder).iterdir()), folder
    for folder in ("ticketing/tickets", "ticketing/ticket_events", "netops/alarms",
                   "netops/cell_kpi_hourly"):
        assert not (landing / folder).exists(), folder
    # 2 days x 24 hours x 4 quarter-hours
    assert len(list((landing / "netops/pm_xml").iterdir())) == 192


def test_the_truth_is_the_contract_twin_s(twins):
    _, _, truth, contract = twins
    for name in ("expected_findings.csv", "scenarios.csv"):
        assert (truth / name).read_bytes() == (contract.truth / name).read_bytes(), name
    meta = json.loads((truth / "meta.json").read_text())
    assert meta["as_of"] == contract.as_of


def test_the_findings_equal_those_of_the_contract_format_twin(twins):
    con, *_ = twins
    standard = con.execute(FINDINGS.replace("audit.", "standard.audit.")).fetchall()
    contract = con.execute(FINDINGS.replace("audit.", "contract.audit.")).fetchall()
    assert len(contract) > 20, "the twin finds too little for the comparison to mean much"
    assert sorted(standard) == sorted(contract)
    assert {rule for _, rule, *_ in standard} >= {"T1", "T2", "F1", "F2", "F4"}


@pytest.mark.parametrize("model", sorted(STAGED))
def test_the_staged_rows_equal_the_contract_twin_s(twins, model):
    con, *_ = twins
    columns = STAGED[model]
    one_way = [con.execute(f"select count(*) from (select {columns} from {a}.main.{model} "
                           f"except all select {columns} from {b}.main.{model})").fetchone()[0]
               for a, b in (("standard", "contract"), ("contract", "standard"))]
    rows = con.execute(f"select count(*) from contract.main.{model}").fetchone()[0]
    assert rows > 0
    assert one_way == [0, 0]
