"""3GPP PM files (`netops/pm_xml/`, issue #15) load into `raw_netops.pm_xml`: the public samples
(tests/fixtures/standards/3gpp-pm, copies of shared/fixtures/standards, unchanged) with values
read by hand from the files, and malformed files that each get a clear quarantine reason or
file error while the rest loads."""

from __future__ import annotations

import gzip
import re
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from complaint_trace.settings import REPO_ROOT
from connectors import load_entity
from connectors.standard import pm_rows, pm_scan, pm_xml, prefetch
from connectors.standard.feeds import PM_XML
from tests.connectors.conftest import SOURCE_TZ

STANDARDS = REPO_ROOT / "tests" / "fixtures" / "standards"
SHARED_STANDARDS = REPO_ROOT.parent / "shared" / "fixtures" / "standards"
SAMPLES = STANDARDS / "3gpp-pm"
ERICSSON = SAMPLES / "A20220418.1900-1915_seliitdus00487.xml"
ANNEX = SAMPLES / "A20181002.0000-1000-0015-1000_5G.xml"
COMPACT = SAMPLES / "C20190328.0000-0015.xml"
FOLDER = "netops/pm_xml"
# the raw table's results one per row, as staging (stg_netops__pm_xml) unnests them
RESULTS = ("(select * exclude (counter_names, result_values, value_counts, result_rows), "
           "unnest(string_split(counter_names, chr(1))) as counter, "
           "unnest(result_values) as value, "
           "coalesce(unnest(value_counts), 1) as value_count, "
           "coalesce(unnest(result_rows), _source_row + unnest(range(len(result_values)))) "
           "as result_row from raw_netops.pm_xml) as results")


@pytest.mark.skipif(not SHARED_STANDARDS.is_dir(), reason="shared fixtures not beside this clone")
def test_the_vendored_samples_are_the_shared_ones():
    shared = sorted(p.relative_to(SHARED_STANDARDS) for p in SHARED_STANDARDS.rglob("*")
                    if p.is_file())
    assert shared == sorted(p.relative_to(STANDARDS) for p in STANDARDS.rglob("*")
                            if p.is_file())
    for rel in shared:
        assert (STANDARDS / rel).read_bytes() == (SHARED_STANDARDS / rel).read_bytes()


def _deliver(landing, source: Path | bytes, name: str) -> str:
    path = landing.root / FOLDER / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, Path):
        shutil.copy(source, path)
    else:
        path.write_bytes(source)
    return f"{FOLDER}/{name}"


def _load(landing, run_id: str = "run-1"):
    return load_entity(landing.con, landing.root, PM_XML, SOURCE_TZ, run_id)


def _value(landing, rel: str, obj: str, counter: str) -> tuple:
    return landing.rows("select value, value_count, is_suspect from " + RESULTS + " "
                        "where _source_file = ? and meas_obj_ldn = ? and counter = ?",
                        [rel, obj, counter])[0]


def _results_in(path: Path) -> int:
    """The results a file holds, counted on its text: `<r …>` elements (an empty one too)."""
    return len(re.findall(r"<r[\s>/]", path.read_text()))


def test_the_ericsson_sample_loads_every_result_with_its_context(landing):
    rel = _deliver(landing, ERICSSON, ERICSSON.name)
    report = _load(landing)
    (file,) = report.files
    assert (file.status, file.rows_read, file.rows_loaded, file.rows_quarantined) == (
        "loaded", _results_in(ERICSSON), 2667, 0)
    nr_du = "ManagedElement=seliitdus00487,GNBDUFunction=1,NRCellDU=32"
    # line 796: <r p="137">1440001</r>, measType p=137 pmRadioPdschEmptySlots (line 631)
    assert _value(landing, rel, nr_du, "pmRadioPdschEmptySlots") == (1440001.0, 1, False)
    # line 793: <r p="134">900,0,0,0,0</r>: multi-valued, the sum of its five values
    assert _value(landing, rel, nr_du, "pmRadioMaxDeltaIpNDistr") == (900.0, 5, False)
    # line 2508: <r p="2"> , , </r>: three values, none available
    fru = "ManagedElement=seliitdus00487,Equipment=1,FieldReplaceableUnit=R608"
    assert _value(landing, rel, fru, "pmUnitTemperatureLevel") == (None, 0, False)
    context = landing.rows(
        "select distinct vendor_name, dn_prefix, managed_element, period_end, period_seconds "
        "from " + RESULTS)
    # fileHeader vendorName / dnPrefix, managedElement localDn, granPeriod endTime
    # 2022-04-18T19:15:00+00:00 and duration PT900S
    assert context == [("Ericsson AB", "SubNetwork=G3", "seliitdus00487",
                        datetime(2022, 4, 18, 19, 15), 900)]
    lte = landing.rows("select count(distinct meas_obj_ldn) from " + RESULTS + " "
                       "where meas_obj_ldn like '%EUtranCellFDD=%'")[0][0]
    assert lte == 2  # EUtranCellFDD=1 and =2


def test_the_annex_sample_flags_suspect_results_and_sums_multi_valued_ones(landing):
    rel = _deliver(landing, ANNEX, ANNEX.name)
    (file,) = _load(landing).files
    assert (file.status, file.rows_read, file.rows_loaded) == ("loaded", 28, 28)
    # UtranCell=Gbg-999 carries <suspect>true</suspect> in both measInfos: 4 + 4 results
    suspect = landing.rows("select meas_obj_ldn, count(*) from " + RESULTS + " "
                           "where is_suspect group by all")
    assert suspect == [("RncFunction=RF-1,UtranCell=Gbg-999", 8)]
    assert _value(landing, rel, "RncFunction=RF-1,UtranCell=Gbg-999", "attTCHSeizures") == (
        456.0, 1, True)
    # <r p="2">86,87,2,6,77,96,75,33,24</r>: 9 values summing to 486
    assert _value(landing, rel, "ManagedElement=RNC-Gbg-1,ENodeBFunction=1",
                  "succTCHSeizures2") == (486.0, 9, False)
    # endTime 2000-03-01T14:14:30+02:00 is 12:14:30 UTC; the first measInfo has no id
    assert landing.rows("select distinct period_end::varchar, meas_info_id from "
                        + RESULTS + " where job_id = '1231'") == [
        ("2000-03-01 12:14:30", None)]


def test_the_compact_sample_pairs_meas_types_with_meas_results(landing):
    rel = _deliver(landing, COMPACT, COMPACT.name)  # no XML declaration, three measData
    (file,) = _load(landing).files
    assert (file.status, file.rows_read, file.rows_loaded) == ("loaded", 12, 12)
    rows = landing.rows("select managed_element, period_seconds, counter, value "
                        "from " + RESULTS + " where _source_file = ? and counter like '%2' "
                        "order by result_row", [rel])
    # <measTypes>z2 a2 zz2 b2</measTypes> / <measResults>2 22 222 2222</measResults>, PT200S
    assert rows == [("Dublin2", 200, "z2", 2.0), ("Dublin2", 200, "a2", 22.0),
                    ("Dublin2", 200, "zz2", 222.0), ("Dublin2", 200, "b2", 2222.0)]


def _file(body: str, namespace: str = "http://www.3gpp.org/ftp/specs/archive/32_series/"
          "32.435#measCollec", root: str = "measCollecFile") -> bytes:
    return (f'<?xml version="1.0"?>\n<{root} xmlns="{namespace}">\n'
            f'<fileHeader vendorName="V" dnPrefix="P"><fileSender localDn="S"/></fileHeader>\n'
            f'<measData><managedElement localDn="ME-1"/>{body}</measData>\n</{root}>\n'
            ).encode()


INFO = ('<measInfo measInfoId="G"><granPeriod duration="PT900S" '
        'endTime="2026-03-02T08:15:00+08:00"/>{types}{values}</measInfo>')


def _info(types: list[str], values: str) -> str:
    declared = "".join(f'<measType p="{i}">{t}</measType>' for i, t in enumerate(types, 1))
    return INFO.format(types=declared, values=values)


def test_the_ts_28_532_variant_reads_its_meas_entity(landing):
    body = _info(["RRC.ConnEstabSucc"], '<measValue measObjLdn="NRCellCU=1"><r p="1">7</r>'
                 '</measValue>')
    content = _file(body, "http://www.3gpp.org/ftp/specs/archive/28_series/28.532#measData",
                    "measDataFile").replace(b"<managedElement", b"<measEntity")
    _deliver(landing, content, "A28532.xml")
    (file,) = _load(landing).files
    assert file.status == "loaded"
    assert landing.rows("select managed_element, counter, value, period_end::varchar "
                        "from " + RESULTS) == [("ME-1", "RRC.ConnEstabSucc", 7.0,
                                                       "2026-03-02 00:15:00")]


def test_more_results_than_meas_types_quarantines_the_extra_ones_only(landing):
    values = ('<measValue measObjLdn="NRCellDU=1"><r p="1">1</r><r p="2">2</r><r p="3">3</r>'
              '</measValue>')
    rel = _deliver(landing, _file(_info(["a", "b"], values)), "extra.xml")
    (file,) = _load(landing).files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (3, 2, 1)
    ((row, reason),) = landing.rows("select row_number, reason from raw_meta.quarantine "
                                    "where file = ?", [rel])
    assert row == 3 and "p=3 has no measType" in reason and "2 declared" in reason


@pytest.mark.parametrize("reader", ["scan", "lxml"])
def test_each_result_keeps_its_row_whether_its_row_lists_them_or_not(landing, reader,
                                                                     monkeypatch):
    """A regular measValue's row lists neither its results' rows nor their value counts
    (consecutive from `_source_row`, one value each); one with a quarantined, an empty or a
    multi-valued result lists both."""
    if reader == "lxml":
        monkeypatch.setattr(pm_xml, "scan_pm_file", lambda *args: None)
    values = ('<measValue measObjLdn="A"><r p="1">1</r><r p="2">2</r><r p="3">3</r>'
              '</measValue>\n'  # results 1-3: regular
              '<measValue measObjLdn="B"><r p="1">4</r><r p="2">x</r><r p="3">5,6</r>'
              '</measValue>\n'  # results 4-6: 5 quarantined, 6 two values
              '<measValue measObjLdn="C"><r p="1">7</r><r p="2"></r><r p="3">8</r>'
              '</measValue>')  # results 7-9: 8 not available
    _deliver(landing, _file(_info(["a", "b", "c"], values)), "rows.xml")
    (file,) = _load(landing).files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (9, 8, 1)
    assert landing.rows("select meas_obj_ldn, _source_row, value_counts, result_rows "
                        "from raw_netops.pm_xml order by _source_row") == [
        ("A", 1, None, None), ("B", 4, [1, 2], [4, 6]), ("C", 7, [1, 0, 1], [7, 8, 9])]
    assert landing.rows("select meas_obj_ldn, counter, value, value_count, result_row from "
                        + RESULTS + " order by result_row") == [
        ("A", "a", 1.0, 1, 1), ("A", "b", 2.0, 1, 2), ("A", "c", 3.0, 1, 3),
        ("B", "a", 4.0, 1, 4), ("B", "c", 11.0, 2, 6),
        ("C", "a", 7.0, 1, 7), ("C", "b", None, 0, 8), ("C", "c", 8.0, 1, 9)]
    assert landing.rows("select row_number from raw_meta.quarantine") == [(5,)]


def test_compact_results_not_matching_their_types_are_all_quarantined(landing):
    body = ('<measInfo><granPeriod duration="PT900S" endTime="2026-03-02T08:15:00+08:00"/>'
            '<measTypes>a b</measTypes><measValue measObjLdn="X"><measResults>1 2 3'
            '</measResults></measValue></measInfo>')
    _deliver(landing, _file(body), "compact.xml")
    (file,) = _load(landing).files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (3, 0, 3)
    reasons = {r for (r,) in landing.rows("select reason from raw_meta.quarantine")}
    assert reasons == {"measValue X: 3 results for 2 measTypes"}


@pytest.mark.parametrize(("values", "reason"), [
    ('<measValue measObjLdn="X"><r p="1">abc</r></measValue>', "result a: not a number"),
    ('<measValue measObjLdn="X"><r p="1">inf</r></measValue>', "result a: not a number"),
    ('<measValue><r p="1">1</r></measValue>', "measValue without measObjLdn"),
])
def test_a_bad_result_is_quarantined_with_its_reason(landing, values, reason):
    _deliver(landing, _file(_info(["a"], values)), "bad.xml")
    (file,) = _load(landing).files
    assert (file.status, file.rows_loaded, file.rows_quarantined) == ("loaded", 0, 1)
    ((why, raw),) = landing.rows("select reason, raw from raw_meta.quarantine")
    assert why.startswith(reason) and '"p": "1"' in raw


def test_a_meas_info_without_a_usable_period_quarantines_its_results(landing):
    body = _info(["a"], '<measValue measObjLdn="X"><r p="1">1</r></measValue>').replace(
        "+08:00", "")
    _deliver(landing, _file(body), "naive.xml")
    (file,) = _load(landing).files
    assert file.rows_quarantined == 1
    assert "endTime not ISO 8601 with an offset" in landing.rows(
        "select reason from raw_meta.quarantine")[0][0]


def test_a_truncated_file_fails_whole_and_the_other_files_load(landing):
    text = ERICSSON.read_bytes()
    _deliver(landing, text[: len(text) // 2], "A-truncated.xml")
    _deliver(landing, COMPACT, COMPACT.name)
    files = {f.file.rsplit("/", 1)[1]: f for f in _load(landing).files}
    assert files["A-truncated.xml"].status == "failed"
    assert "not well-formed XML (line" in files["A-truncated.xml"].error
    assert files[COMPACT.name].rows_loaded == 12
    assert landing.rows("select count(*) from raw_netops.pm_xml where _source_file like "
                        "'%truncated%'") == [(0,)]


@pytest.mark.parametrize("content", [
    _file("", "http://example.com/unknown#pm"),
    b"<measCollecFile><measData/></measCollecFile>",
])
def test_an_unknown_namespace_fails_the_file_naming_what_was_expected(landing, content):
    _deliver(landing, content, "unknown.xml")
    (file,) = _load(landing).files
    assert file.status == "failed"
    assert "unknown PM file" in file.error and "32.435#measCollec" in file.error


def test_a_gzipped_file_loads_the_same_rows_and_a_second_load_changes_nothing(landing):
    _deliver(landing, gzip.compress(ANNEX.read_bytes()), "annex.xml.gz")
    assert _load(landing).files[0].rows_loaded == 28
    again = _load(landing, "run-2")
    assert [f.status for f in again.files] == ["skipped"]
    assert landing.rows("select count(*), sum(value) from " + RESULTS) == [
        (28, 13773.0)]  # every <r> of the annex sample, added up by hand


def test_files_read_ahead_in_worker_processes_load_what_one_process_loads(landing, tmp_path,
                                                                          monkeypatch):
    names = []
    for source in (ERICSSON, ANNEX, COMPACT):
        names.append(_deliver(landing, source, source.name))
    names.append(_deliver(landing, ERICSSON.read_bytes()[:5000], "A-truncated.xml"))
    one_process = {f.file: (f.status, f.rows_loaded, f.error) for f in _load(landing).files}
    table = "select * exclude (_loaded_at, _run_id) from " + RESULTS + " order by all"
    expected = landing.rows(table)

    monkeypatch.setattr(prefetch, "PARALLEL_FROM_BYTES", 0)  # a pool even for small files
    pooled = type(landing)(landing.root, duckdb.connect(str(tmp_path / "pooled.duckdb")))
    assert {f.file: (f.status, f.rows_loaded, f.error)
            for f in _load(pooled).files} == one_process
    assert pooled.rows(table) == expected and len(expected) == 2667 + 28 + 12
    pooled.con.close()


def _statuses(report) -> dict[str, tuple]:
    return {f.file: (f.status, f.rows_loaded, f.rows_quarantined) for f in report.files}


def _manifest(landing) -> list[tuple]:
    return landing.rows("select file, status, rows_loaded from raw_meta.file_manifest "
                        "order by file")


@pytest.mark.parametrize("group_rows", [1, 10**9], ids=["a file each", "one transaction"])
def test_files_sharing_a_transaction_load_what_files_loaded_one_by_one_load(
        landing, tmp_path, monkeypatch, group_rows):
    """A reader's rejection, a duplicate and a repeat of a file's bytes inside one group."""
    from connectors import loader

    for name, source in (("A1.xml", ERICSSON), ("A2-truncated.xml", ERICSSON.read_bytes()[:5000]),
                         ("A3.xml", ANNEX), ("A4-same-as-A1.xml", ERICSSON),
                         ("A5.xml", COMPACT)):
        _deliver(landing, source, name)
    table = "select * exclude (_loaded_at, _run_id) from " + RESULTS + " order by all"
    monkeypatch.setattr(loader, "TYPED_FEED_GROUP_ROWS", 1)  # one file a transaction
    alone = _statuses(_load(landing))
    expected, manifest = landing.rows(table), _manifest(landing)
    assert alone[f"{FOLDER}/A2-truncated.xml"][0] == "failed"
    assert alone[f"{FOLDER}/A4-same-as-A1.xml"][0] == "duplicate"

    monkeypatch.setattr(loader, "TYPED_FEED_GROUP_ROWS", group_rows)
    grouped = type(landing)(landing.root, duckdb.connect(str(tmp_path / "grouped.duckdb")))
    assert _statuses(_load(grouped)) == alone
    assert grouped.rows(table) == expected and _manifest(grouped) == manifest
    grouped.con.close()


def test_a_failed_insert_rolls_its_group_back_and_its_files_load_one_by_one(landing,
                                                                            monkeypatch):
    """The group's other files load as they would alone; the failing one is recorded failed,
    with nothing of it in raw, quarantine or manifest but its failure."""
    from connectors import loader

    for name, source in (("A1.xml", ERICSSON), ("A2.xml", ANNEX), ("A3.xml", COMPACT)):
        _deliver(landing, source, name)
    insert, attempts = loader.insert_feed_rows, []

    def failing_with_a2(con, entity, reads, *args):
        attempts.append([file.rel.removeprefix(f"{FOLDER}/") for file, _ in reads])
        if attempts[-1].count("A2.xml"):
            raise duckdb.IOException("disk full (injected)")
        return insert(con, entity, reads, *args)

    monkeypatch.setattr(loader, "insert_feed_rows", failing_with_a2)
    a1 = pm_xml.read_pm_file(ERICSSON, "A1.xml", landing.root / "spool")
    a1.spool.unlink()
    monkeypatch.setattr(loader, "TYPED_FEED_GROUP_ROWS", a1.value_rows + 1)  # A1 and A2
    report = _load(landing)
    # the group (A1, A2) rolled back, then A1 and A2 alone; A3 in the next group
    assert attempts == [["A1.xml", "A2.xml"], ["A1.xml"], ["A2.xml"], ["A3.xml"]]
    assert [(f.status, f.rows_loaded) for f in report.files] == [
        ("loaded", 2667), ("failed", 0), ("loaded", 12)]
    assert "disk full (injected)" in report.files[1].error
    assert _manifest(landing) == [(f"{FOLDER}/A1.xml", "loaded", 2667),
                                  (f"{FOLDER}/A2.xml", "failed", 0),
                                  (f"{FOLDER}/A3.xml", "loaded", 12)]
    assert landing.rows("select _source_file, count(*) from " + RESULTS
                        + " group by all order by all") == [
        (f"{FOLDER}/A1.xml", 2667), (f"{FOLDER}/A3.xml", 12)]
    assert landing.rows("select count(*) from raw_meta.quarantine where file like '%A2%'") \
        == [(0,)]
    assert not list(loader.spool_dir(landing.con).iterdir())  # no spool left behind


def _value_of(obj: str, results: str) -> str:
    return f'<measValue measObjLdn="{obj}">{results}</measValue>'


def _rs(*pairs: tuple[int, str]) -> str:
    return "".join(f'<r p="{p}">{text}</r>' for p, text in pairs)


REGULAR = _value_of("A", _rs((1, "1"), (2, "2"))) + _value_of("B", _rs((1, "3"), (2, "4.5")))
# measInfos the whole-measInfo reading must leave to the measValue-by-measValue one, each
# irregular in a way that keeps some of the counts it checks right
IRREGULAR = {
    "four results then none": _value_of("A", _rs((1, "1"), (2, "2"), (1, "3"), (2, "4")))
    + _value_of("B", ""),
    "three then one": _value_of("A", _rs((1, "1"), (2, "2"), (1, "3")))
    + _value_of("B", _rs((2, "4"))),
    "p out of order": _value_of("A", _rs((2, "1"), (1, "2"))) + _value_of("B", _rs((1, "3"),
                                                                                  (2, "4"))),
    "an empty result and a split one": _value_of("A", '<r p="1"/><r p="2">2<!-- c -->0</r>')
    + _value_of("B", _rs((1, "3"), (2, "4"))),
    "an empty object": _value_of("", _rs((1, "1"), (2, "2"))) + _value_of("B", _rs((1, "3"),
                                                                                  (2, "4"))),
    "a suspect value": _value_of("A", _rs((1, "1"), (2, "2")) + "<suspect>true</suspect>")
    + _value_of("B", _rs((1, "3"), (2, "4"))),
    "a multi-valued result": _value_of("A", _rs((1, "1,2"), (2, "2")))
    + _value_of("B", _rs((1, "3"), (2, "4"))),
    "not a number": _value_of("A", _rs((1, "NIL"), (2, "2"))) + _value_of("B", _rs((1, "3"),
                                                                                 (2, "4"))),
    "infinite": _value_of("A", _rs((1, "1e999"), (2, "2"))) + _value_of("B", _rs((1, "3"),
                                                                                (2, "4"))),
    "a missing result": _value_of("A", _rs((1, "1"))) + _value_of("B", _rs((1, "3"), (2, "4"))),
}


def _rows(read: pm_xml.PmRead) -> list[dict]:
    """The rows a read spooled (and the spool removed, as the loader removes it)."""
    if read.spool is None:
        return []
    rows = pm_rows.read_spool(read.spool).read_all().to_pylist()
    read.spool.unlink()
    assert (len(rows), sum(len(r["result_values"]) for r in rows)) == \
        (read.value_rows, read.results_loaded)
    return rows


def read_with_lxml(path: Path, spool: Path) -> pm_xml.PmRead:
    return pm_xml.read_with_lxml(path, path.name, pm_xml.file_namespace(path, path.name), spool)


def _read(path: Path, whole_infos: bool, monkeypatch, spool: Path | None = None) -> tuple:
    """What lxml's reader reads: measInfos read whole where they can be, or not at all."""
    if not whole_infos:
        monkeypatch.setattr(pm_xml._Reader, "_read_regular", lambda self, el: False)
    read = read_with_lxml(path, spool or path.parent / "spool")
    monkeypatch.undo()
    return _rows(read), read.quarantined, read.rows_read


@pytest.mark.parametrize("case", [*IRREGULAR, "regular"])
def test_a_meas_info_read_whole_gives_what_reading_it_value_by_value_gives(case, tmp_path,
                                                                          monkeypatch):
    path = tmp_path / "a.xml"
    path.write_bytes(_file(_info(["a", "b"], IRREGULAR.get(case, REGULAR))))
    taken = []
    regular = pm_xml._Reader._read_regular
    monkeypatch.setattr(pm_xml._Reader, "_read_regular",
                        lambda self, el: taken.append(regular(self, el)) or taken[-1])
    whole = read_with_lxml(path, tmp_path / "spool")
    monkeypatch.undo()
    assert taken == [case == "regular"]
    assert (_rows(whole), whole.quarantined, whole.rows_read) == \
        _read(path, False, monkeypatch)


@pytest.mark.parametrize("sample", [ERICSSON, ANNEX, COMPACT], ids=lambda p: p.name)
def test_the_samples_read_whole_as_they_read_value_by_value(sample, monkeypatch, tmp_path):
    assert _read(sample, True, monkeypatch, tmp_path) == \
        _read(sample, False, monkeypatch, tmp_path)


def _results(rows: list[dict]) -> int:
    return sum(len(row["result_values"]) for row in rows)


def test_a_large_meas_info_is_read_value_by_value_as_it_streams(tmp_path, monkeypatch):
    values = "".join(_value_of(f"C{i}", _rs((1, str(i)), (2, "7"))) for i in range(
        pm_xml.HELD_VALUES + 5))
    path = tmp_path / "large.xml"
    path.write_bytes(_file(_info(["a", "b"], values) + _info(["a", "b"], REGULAR)))
    whole = _read(path, True, monkeypatch)
    assert whole == _read(path, False, monkeypatch)
    rows, _, read = whole
    assert read == _results(rows) == 2 * (pm_xml.HELD_VALUES + 5) + 4
    assert rows[-1]["meas_obj_ldn"] == "B" and rows[-1]["result_values"] == [3.0, 4.5]


def test_results_outside_any_meas_info_are_quarantined_not_lost(tmp_path, monkeypatch):
    path = tmp_path / "stray.xml"
    path.write_bytes(_file(_value_of("X", _rs((1, "1"))) + _info(["a", "b"], REGULAR)))
    rows, quarantined, read = _read(path, True, monkeypatch)
    assert (_results(rows), len(quarantined), read) == (4, 1, 5)


def test_a_warehouse_with_results_one_per_row_reloads_its_pm_files(landing):
    """Before the raw table held one row per measValue it held one per result: such a table
    is dropped with the feed's manifest and quarantine rows, and the files load again."""
    rel = _deliver(landing, ANNEX, ANNEX.name)
    landing.con.execute("create schema raw_netops; create table raw_netops.pm_xml ("
                        "meas_obj_ldn varchar, counter varchar, value double, "
                        "_source_file varchar, _source_row bigint, _loaded_at timestamp, "
                        "_run_id varchar)")
    (first,) = _load(landing).files  # creates raw_meta; the old table goes first
    assert first.status == "loaded"
    (second,) = _load(landing, "run-2").files
    assert second.status == "skipped"
    columns = [c for (c,) in landing.rows(
        "select column_name from information_schema.columns where table_schema = 'raw_netops' "
        "and table_name = 'pm_xml'")]
    assert "result_values" in columns and "counter" not in columns
    assert landing.rows("select count(*) from " + RESULTS + " where _source_file = ?",
                        [rel])[0][0] == first.rows_loaded > 0


def test_a_loaded_old_layout_is_forgotten_so_its_files_load_again(landing):
    rel = _deliver(landing, ANNEX, ANNEX.name)
    (loaded,) = _load(landing).files
    # the same warehouse as an earlier version left it: the results one per row
    landing.con.execute("drop table raw_netops.pm_xml; create table raw_netops.pm_xml ("
                        "counter varchar, _source_file varchar, _source_row bigint, "
                        "_loaded_at timestamp, _run_id varchar)")
    (again,) = _load(landing, "run-2").files
    assert (again.status, again.rows_loaded) == ("loaded", loaded.rows_loaded)
    assert landing.rows("select count(*) from raw_meta.file_manifest where file = ?",
                        [rel]) == [(1,)]


def test_a_file_s_rows_are_spooled_in_chunks_and_the_spool_removed(landing, monkeypatch):
    """A reader holds no more than a chunk of rows (the rest is in the spool file), and the
    loader leaves no spool behind, loaded or failed."""
    for reader in (pm_xml, pm_scan):
        monkeypatch.setattr(reader, "SPOOL_VALUES", 2)
    chunks = []
    take = pm_rows.Spool.take
    def counted(self, rows, at_least=1):
        if len(rows.values_rows) >= at_least:  # a chunk written
            chunks.append(len(rows.values_rows))
        take(self, rows, at_least)

    monkeypatch.setattr(pm_rows.Spool, "take", counted)
    _deliver(landing, ERICSSON, ERICSSON.name)
    _deliver(landing, ERICSSON.read_bytes()[:5000], "A-truncated.xml")
    files = {f.file.rsplit("/", 1)[1]: f for f in _load(landing).files}
    assert files[ERICSSON.name].rows_loaded == 2667 and files["A-truncated.xml"].status == \
        "failed"
    # the scan (which reads the sample) takes a measInfo's plain measValues in a row at
    # once, the rest one by one: no chunk holds more than a measInfo's measValues, or two
    largest_info = max(part.count("<measValue") for part in
                       ERICSSON.read_text().split("<measInfo"))
    assert max(chunks) <= max(2, largest_info) < 2667 / 10 and len(chunks) > 10
    spool = Path(landing.con.execute("select current_setting('temp_directory')").fetchone()[0])
    assert not list((spool / "feed-spool").glob("*"))
