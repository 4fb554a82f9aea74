"""3GPP PM results roll up into hourly KPI rows (issue #15): hand-written quarter-hour files,
loaded by the real loader, built by dbt; every expected value is worked out here by hand.

Hour 2026-03-02 00:00 UTC (08:00-09:00 Asia/Shanghai), four PT900S files ending 08:15, 08:30,
08:45 and 09:00 +08:00. Vendor `ACME` has no formulas of its own, so the TS 28.552 defaults
(`*`) apply; `Ericsson AB` has its own."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from connectors import load_entity
from connectors.standard.feeds import PM_XML
from tests.dbt.dbt_runner import dbt
from tests.dbt.raw_tables import new_warehouse

AS_OF = "2026-03-03 00:00:00"
NS = "http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec"
CU_A = "ManagedElement=G1,GNBCUCPFunction=1,NRCellCU=CELL-A"
DU_A = "ManagedElement=G1,GNBDUFunction=1,NRCellDU=CELL-A"
CU_B = "ManagedElement=G1,GNBCUCPFunction=1,NRCellCU=CELL-B"
SECTOR = "ManagedElement=G1,GNBDUFunction=1,NRSectorCarrier=1"  # not a cell
FAN = "ManagedElement=G1,Equipment=1,FieldReplaceableUnit=1"  # not a cell, no KPI counter
LTE = "ManagedElement=E1,ENodeBFunction=1,EUtranCellFDD=7"
SELECT = ("--select", "+int_cell_kpi_hours_flagged", "+fct_quarantined_rows",
          "--exclude", "resource_type:unit_test", "--indirect-selection", "cautious")


def _values(obj: str, counters: dict[str, float | str], suspect: bool = False) -> str:
    results = "".join(f'<r p="{p}">{v}</r>' for p, v in enumerate(counters.values(), 1))
    flag = "<suspect>true</suspect>" if suspect else ""
    return f'<measValue measObjLdn="{obj}">{results}{flag}</measValue>'


def _info(end: str, values: list[tuple[str, dict, bool]]) -> str:
    """One measInfo per object (each declares its own counters)."""
    infos = []
    for obj, counters, suspect in values:
        types = "".join(f'<measType p="{p}">{name}</measType>'
                        for p, name in enumerate(counters, 1))
        infos.append(f'<measInfo measInfoId="{obj}"><granPeriod duration="PT900S" '
                     f'endTime="2026-03-02T{end}:00+08:00"/>{types}'
                     f'{_values(obj, counters, suspect)}</measInfo>')
    return "".join(infos)


def _file(vendor: str, body: str) -> bytes:
    return (f'<?xml version="1.0"?><measCollecFile xmlns="{NS}"><fileHeader '
            f'vendorName="{vendor}"/><measData><managedElement localDn="G1"/>{body}'
            f'</measData></measCollecFile>').encode()


QUARTERS = ("08:15", "08:30", "08:45", "09:00")
RRC_SUCC_A = (95, 90, 99, 96)  # of 100 attempts each
PRB_USED_A = (30, 40, 50, 60)  # of 100 available
THP_A = (10000, 20000, 30000, 40000)  # kbit/s, a gauge
UES_A = (10, 11, 12, 13)  # a gauge


def _quarter(q: int, rrc_succ_a: int) -> bytes:
    cell_a = [(CU_A, {"RRC.ConnEstabSucc": rrc_succ_a, "RRC.ConnEstabAtt": 100,
                      "DRB.PdcpSduVolumeDL": 800}, False),
              (DU_A, {"RRU.PrbUsedDl": PRB_USED_A[q], "RRU.PrbAvailDl": 100,
                      "DRB.UEThpDl": THP_A[q], "DRB.MeanActiveUeDl": UES_A[q]}, False)]
    # cell B: quarters 1-3 only, the second suspect
    cell_b = [(CU_B, {"RRC.ConnEstabSucc": 50 + q, "RRC.ConnEstabAtt": 100}, q == 1)] \
        if q < 3 else []
    others = [(SECTOR, {"RRU.PrbUsedDl": 5}, False), (FAN, {"pmFanSpeed": 30}, False)]
    return _file("ACME", _info(QUARTERS[q], cell_a + cell_b + others))


def _ericsson() -> bytes:
    body = "".join(_info(end, [(LTE, {"pmRrcConnEstabSucc": 40 + q,
                                      "pmRrcConnEstabAtt": 50}, False)])
                   for q, end in enumerate(QUARTERS))  # four periods in one file
    return _file("Ericsson AB", body)


def _deliver(landing: Path, name: str, content: bytes) -> None:
    path = landing / "netops" / "pm_xml" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _build(tmp: Path, warehouse: Path, landing: Path, run: str, full: bool = False) -> None:
    with duckdb.connect(str(warehouse)) as con:
        report = load_entity(con, landing, PM_XML, "Asia/Shanghai", run)
    assert not report.failed
    dbt("build", warehouse=warehouse, as_of=AS_OF, work=tmp / run, run_id=run,
        extra=(*SELECT, *(("--full-refresh",) if full else ())))


def _hours(warehouse: Path) -> dict[str, dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.execute("select * exclude (_source_file, _source_row, _loaded_at) "
                            "from main.int_cell_kpi_hours_rolled_up").df()
    return {row["cell_id"]: row for row in frame.to_dict("records")}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("pm_rollup")
    landing, warehouse = tmp / "landing", tmp / "warehouse.duckdb"
    new_warehouse(warehouse).close()
    for q in range(4):
        _deliver(landing, f"A20260302.{QUARTERS[q].replace(':', '')}_G1.xml",
                 _quarter(q, RRC_SUCC_A[q]))
    _deliver(landing, "A20260302_E1.xml", _ericsson())
    _build(tmp, warehouse, landing, "first")
    return tmp, warehouse, landing


def test_counters_are_summed_and_gauges_averaged_over_the_hour(built) -> None:
    hour = _hours(built[1])["CELL-A"]  # the '*' rule: the NR RDN value is the cell id
    assert hour["period_start"] == datetime(2026, 3, 2, 0, 0)
    assert hour["access_success_pct"] == pytest.approx((95 + 90 + 99 + 96) / 400 * 100)
    assert hour["prb_util_dl_pct"] == pytest.approx((30 + 40 + 50 + 60) / 400 * 100)
    assert hour["user_dl_rate_mbps"] == pytest.approx(25.0)  # mean 25,000 kbit/s
    assert hour["traffic_gb"] == pytest.approx(4 * 800 / 8 / 1000)  # Mbit -> GB
    assert hour["active_users"] == 12  # mean 11.5, rounded
    # no DRB.RelActNbr / DRB.EstabSucc, no RSRP counters in the files: null, not 0
    assert hour["drop_rate_pct"] is None or hour["drop_rate_pct"] != hour["drop_rate_pct"]
    assert (hour["pm_periods"], hour["pm_periods_expected"], hour["is_partial_hour"],
            hour["pm_suspect_results"]) == (4, 4, False, 0)


def test_a_missing_quarter_is_marked_and_a_suspect_one_left_out_and_counted(built) -> None:
    hour = _hours(built[1])["CELL-B"]
    # quarters 1 and 3 used (50 and 52 of 100 each), the suspect second left out, the
    # fourth never delivered: marked partial, not scaled up
    assert hour["access_success_pct"] == pytest.approx((50 + 52) / 200 * 100)
    assert (hour["pm_periods"], hour["pm_periods_expected"], hour["is_partial_hour"],
            hour["pm_suspect_results"]) == (2, 4, True, 2)


def test_a_vendor_s_own_formulas_and_mapping_rules_replace_the_defaults(built) -> None:
    hours = _hours(built[1])
    assert set(hours) == {"CELL-A", "CELL-B", "E1-LTE-7"}  # the sector carrier is no cell
    assert hours["E1-LTE-7"]["access_success_pct"] == pytest.approx(
        (40 + 41 + 42 + 43) / 200 * 100)


def test_an_unmapped_object_whose_counter_a_formula_uses_is_held_back(built) -> None:
    with duckdb.connect(str(built[1]), read_only=True) as con:
        held = con.execute("select file, reason from main.fct_quarantined_rows "
                           "where entity = 'netops/pm_xml' order by file").fetchall()
        flagged = con.execute("select cell_id, has_data from main.int_cell_kpi_hours_flagged "
                              "order by cell_id").fetchall()
    # RRU.PrbUsedDl of the sector carrier in each of the four ACME files; the fan speed is
    # no KPI counter
    assert len(held) == 4 and all(SECTOR in reason for _, reason in held)
    assert flagged == [("CELL-A", True), ("CELL-B", True), ("E1-LTE-7", True)]


def test_a_corrected_redelivery_replaces_its_period_and_incremental_equals_full(
    built,
) -> None:
    tmp, warehouse, landing = built
    # the first quarter again under another name, 100 of 100 instead of 95
    _deliver(landing, "A20260302.0815_G1-corrected.xml", _quarter(0, 100))
    _build(tmp, warehouse, landing, "corrected")
    incremental = _hours(warehouse)
    assert incremental["CELL-A"]["access_success_pct"] == pytest.approx(
        (100 + 90 + 99 + 96) / 400 * 100)
    _build(tmp, warehouse, landing, "full", full=True)
    full = _hours(warehouse)
    assert {k: _comparable(v) for k, v in incremental.items()} == {
        k: _comparable(v) for k, v in full.items()}


def _comparable(row: dict) -> dict:
    return {k: (None if v != v else v) for k, v in row.items()}  # NaN -> None
