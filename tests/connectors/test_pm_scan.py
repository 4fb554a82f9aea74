"""The scan of a PM file's bytes (`pm_scan.py`) reads what lxml's reader reads: the same rows,
quarantined results (their lines included) and counts, for the public samples, every
irregular measValue, the variations XML allows in the plain form, and any cut of the file into
blocks, with plain runs read in C and in Python; the shapes it cannot read exactly it
declines, and lxml's reader reads them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from connectors.columns import FileRejected
from connectors.standard import pm_scan, pm_xml
from tests.connectors.test_pm_xml import (
    ANNEX,
    COMPACT,
    ERICSSON,
    INFO,
    IRREGULAR,
    REGULAR,
    _file,
    _info,
    _rows,
    _rs,
    _value_of,
    read_with_lxml,
)


@pytest.fixture(autouse=True, params=["C", "Python"])
def plain_runs(request, monkeypatch):
    """Every test reads its files twice: plain runs read by the C reader (`_pm_plain.c`),
    then by the Python reader it stands in for."""
    if request.param == "Python":
        monkeypatch.setattr(pm_scan, "read_plain_run", None)
    return request.param


def test_the_c_reader_of_plain_runs_is_built():
    """`make install` builds it: without it the scan is half as fast (bench.pm_ingest)."""
    from connectors.standard._pm_plain import read_plain_run

    assert callable(read_plain_run)


def _scan(path: Path, spool: Path) -> tuple | None:
    read = pm_scan.scan_pm_file(path, pm_xml.file_namespace(path, path.name), spool)
    return None if read is None else (_rows(read), read.quarantined, read.rows_read)


def _lxml(path: Path, spool: Path) -> tuple:
    read = read_with_lxml(path, spool)
    return _rows(read), read.quarantined, read.rows_read


def _written(tmp_path: Path, content: bytes, name: str = "a.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _assert_scanned_as_lxml_reads(path: Path, spool: Path) -> tuple:
    scanned = _scan(path, spool)
    assert scanned is not None, "the scan declined a file in the plain form"
    expected = _lxml(path, spool)
    assert scanned == expected
    return scanned


@pytest.mark.parametrize("sample", [ERICSSON, ANNEX], ids=lambda p: p.name)
@pytest.mark.parametrize("block", [pm_scan.BLOCK, 7, 1])
def test_the_samples_scan_as_lxml_reads_them_in_any_blocks(sample, block, tmp_path,
                                                          monkeypatch):
    monkeypatch.setattr(pm_scan, "BLOCK", block)  # every piece cut across blocks
    rows, _, read = _assert_scanned_as_lxml_reads(sample, tmp_path)
    assert read == {ERICSSON: 2667, ANNEX: 28}[sample]


@pytest.mark.parametrize("case", [*IRREGULAR, "regular"])
@pytest.mark.parametrize("block", [pm_scan.BLOCK, 5])
def test_every_irregular_meas_value_scans_as_lxml_reads_it(case, block, tmp_path,
                                                          monkeypatch):
    monkeypatch.setattr(pm_scan, "BLOCK", block)
    path = _written(tmp_path, _file(_info(["a", "b"], IRREGULAR.get(case, REGULAR))))
    _assert_scanned_as_lxml_reads(path, tmp_path)


PLAIN = REGULAR + _value_of("C", _rs((1, "7"), (2, "8")) + "<suspect>true</suspect>") \
    + _value_of("D", _rs((1, " 9 "), (2, "1e3")) + "<suspect> false </suspect>")
# what XML allows in the form the scan reads: each must read as lxml reads it
VARIATIONS = {
    "no XML declaration, a stylesheet": lambda f: f.replace(
        b'<?xml version="1.0"?>', b'<?xml-stylesheet type="text/xsl" href="x.xsl"?>'),
    "a byte-order mark, CRLF line ends": lambda f: b"\xef\xbb\xbf" + f.replace(b"\n",
                                                                                 b"\r\n"),
    "references and blanks in attributes": lambda f: f.replace(
        b'localDn="ME-1"', b'localDn="ME&amp;1&#x9;x\n y"').replace(
        b'measObjLdn="C"', b'measObjLdn="C&lt;1"'),
    "single quotes and spaces in tags": lambda f: f.replace(
        b'<managedElement localDn="ME-1"/>', b"<managedElement\n  localDn = 'ME-1' />").replace(
        b'<measInfo measInfoId="G">', b"<measInfo\tmeasInfoId='G' >"),
    "multi-line start tags of irregular values": lambda f: f.replace(
        b'<measValue measObjLdn="B">', b'<measValue\n\n measObjLdn="B"\n>'),
    "measTypes declared out of order": lambda f: f.replace(
        b'<measType p="1">a</measType><measType p="2">b</measType>',
        b'<measType p="2">b</measType>\n<measType p="1"> a </measType>'),
    "a measType p written 01": lambda f: f.replace(b'<measType p="1">', b'<measType p="01">'),
    "namespace prefixes declared on the root, used in attributes": lambda f: f.replace(
        b'xmlns="', b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="').replace(
        b'<managedElement ', b'<managedElement xsi:type="t" '),
    "an element the reader ignores, with text": lambda f: f.replace(
        b"<measData>", b"<measData><userLabel>a &amp; b</userLabel><x><y/></x>"),
    "a comment inside a measValue": lambda f: f.replace(b'<r p="1">7</r>',
                                                        b'<r p="1">7</r><!-- ok -->'),
}


@pytest.mark.parametrize("variation", VARIATIONS)
def test_what_xml_allows_in_the_plain_form_scans_as_lxml_reads_it(variation, tmp_path):
    content = VARIATIONS[variation](_file(_info(["a", "b"], PLAIN)))
    rows, _, read = _assert_scanned_as_lxml_reads(_written(tmp_path, content), tmp_path)
    assert read == 8


def test_a_quarantined_result_names_its_line_as_lxml_does(tmp_path):
    values = "\n".join([_value_of("A", _rs((1, "1"), (2, "2"))),
                        _value_of("B", "\n" + _rs((1, "x"), (2, "2"))),
                        '<measValue\n measObjLdn="C"><r p="1"/><r p="3">3</r></measValue>'])
    path = _written(tmp_path, _file(_info(["a", "b"], values)))
    _, quarantined, _ = _assert_scanned_as_lxml_reads(path, tmp_path)
    assert [(q[0], q[2].split(",")[0]) for q in quarantined] == [
        (3, '{"line": 5'), (6, '{"line": 8')]  # p=1 of B, p=3 of C: where their tags end


def test_a_gzipped_file_and_a_large_meas_info_scan_as_lxml_reads_them(tmp_path, monkeypatch):
    monkeypatch.setattr(pm_scan, "SPOOL_VALUES", 16)  # the spool written as values come
    values = "".join(_value_of(f"C{i}", _rs((1, str(i)), (2, "7"))) for i in range(300))
    path = _written(tmp_path, gzip.compress(_file(_info(["a", "b"], values))), "a.xml.gz")
    rows, _, read = _assert_scanned_as_lxml_reads(path, tmp_path)
    assert read == 600 and rows[-1]["meas_obj_ldn"] == "C299"


STRAY = _value_of("X", _rs((1, "1")))
# what the scan does not read exactly: each declines, and lxml's reader reads the file
DECLINED = {
    "a comment between elements": lambda f: f.replace(b"<measData>", b"<measData><!-- c -->"),
    "a processing instruction in the body": lambda f: f.replace(b"<measData>",
                                                                b"<measData><?pi x?>"),
    "a comment before the root": lambda f: f.replace(b"<measCollecFile", b"<!-- c -->\n"
                                                     b"<measCollecFile"),
    "a prefixed root": lambda f: f.replace(b"<measCollecFile xmlns=", b"<mc:measCollecFile "
                                           b"xmlns:mc=").replace(b"</measCollecFile",
                                                                 b"</mc:measCollecFile"),
    "a namespace declared below the root": lambda f: f.replace(
        b'<measInfo measInfoId="G">', b'<measInfo measInfoId="G" xmlns:a="urn:a">'),
    "an encoding other than UTF-8": lambda f: f.replace(b'version="1.0"',
                                                        b'version="1.0" encoding="ISO-8859-1"'),
    "a measValue outside any measInfo": lambda f: f.replace(b"<measData>",
                                                            b"<measData>" + STRAY.encode()),
    "a measValue inside another element": lambda f: f.replace(
        b'<measValue measObjLdn="A">', b'<x><measValue measObjLdn="A">').replace(
        b'<measValue measObjLdn="B">', b'</x><measValue measObjLdn="B">', 1),
    "a job declared after results": lambda f: f.replace(b"</measInfo>",
                                                        b'<job jobId="late"/></measInfo>'),
    "a measType declared after results": lambda f: f.replace(
        b"</measInfo>", b'<measType p="3">c</measType></measInfo>'),
    "a reference in a measType": lambda f: f.replace(b'<measType p="1">a</measType>',
                                                     b'<measType p="1">a&amp;</measType>'),
    "a managed element inside a measInfo": lambda f: f.replace(
        b"</measInfo>", b'<managedElement localDn="late"/></measInfo>'),
}


@pytest.mark.parametrize("shape", DECLINED)
def test_what_the_scan_cannot_read_exactly_it_declines_and_lxml_reads(shape, tmp_path):
    path = _written(tmp_path, DECLINED[shape](_file(_info(["a", "b"], PLAIN))))
    assert _scan(path, tmp_path) is None
    read = pm_xml.read_pm_file(path, path.name, tmp_path)
    assert (_rows(read), read.quarantined, read.rows_read) == _lxml(path, tmp_path)


def test_the_compact_form_is_declined_and_read_by_lxml(tmp_path):
    assert _scan(COMPACT, tmp_path) is None
    read = pm_xml.read_pm_file(COMPACT, COMPACT.name, tmp_path)
    assert read.rows_read == 12


@pytest.mark.parametrize("cut", [0.5, 0.999])
def test_a_truncated_file_is_declined_and_rejected_by_lxml(cut, tmp_path):
    text = ERICSSON.read_bytes()
    path = _written(tmp_path, text[: int(len(text) * cut)])
    assert _scan(path, tmp_path) is None
    with pytest.raises(FileRejected, match="not well-formed XML"):
        pm_xml.read_pm_file(path, path.name, tmp_path)
    assert not list(tmp_path.glob("pm-*"))  # no spool left


# bytes that are not XML in or beside a plain run of measTypes or measValues, the bytes the
# scan reads by its pattern and the lxml check does not see (`pm_scan._WS`): each file is
# rejected whole
NOT_XML = {
    "a form feed between results": (b'1</r><r p="2">', b'1</r>\x0c<r p="2">'),
    "a vertical tab in a result": (b'<r p="1">1</r>', b'<r p="1">1\x0b</r>'),
    "a control character in an object's name": (b'measObjLdn="A"', b'measObjLdn="A\x01"'),
    "an object's name not UTF-8": (b'measObjLdn="A"', b'measObjLdn="A\xff"'),
    "a bare ampersand after the run": (b"</measValue></measInfo>",
                                       b"</measValue>&</measInfo>"),
    "bytes not UTF-8 after the run": (b"</measValue></measInfo>",
                                      b"</measValue>\xfe</measInfo>"),
    "a repeated attribute after the run": (b"</measValue></measInfo>",
                                           b'</measValue><x a="1" a="2"/></measInfo>'),
    "a form feed between measTypes": (b'a</measType><measType p="2">',
                                      b'a</measType>\x0c<measType p="2">'),
    "a control character in a measType": (b'<measType p="1">a<', b'<measType p="1">a\x02<'),
    "a measType not UTF-8": (b'<measType p="1">a<', b'<measType p="1">a\xc3<'),
    "a bare ampersand after the measTypes": (b'b</measType>', b'b</measType>&'),
}


@pytest.mark.parametrize("case", NOT_XML)
@pytest.mark.parametrize("block", [pm_scan.BLOCK, 5])
def test_bytes_that_are_not_xml_beside_a_plain_run_reject_the_file(case, block, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(pm_scan, "BLOCK", block)
    plain = _file(_info(["a", "b"], REGULAR))
    assert _scan(_written(tmp_path, plain), tmp_path) is not None  # read as a plain run
    old, new = NOT_XML[case]
    assert old in plain
    path = _written(tmp_path, plain.replace(old, new, 1))
    assert _scan(path, tmp_path) is None
    with pytest.raises(FileRejected, match="not well-formed XML"):
        pm_xml.read_pm_file(path, path.name, tmp_path)
    assert not list(tmp_path.glob("pm-*"))  # no spool left


def test_a_period_without_offset_quarantines_every_result_in_both(tmp_path):
    body = INFO.format(types='<measType p="1">a</measType>',
                       values=_value_of("X", _rs((1, "1")))).replace("+08:00", "")
    _, quarantined, _ = _assert_scanned_as_lxml_reads(_written(tmp_path, _file(body)),
                                                      tmp_path)
    assert "endTime not ISO 8601 with an offset" in quarantined[0][1]
