"""3GPP PM files: TS 32.435 `measCollecFile` and TS 28.532 `measDataFile`, `.xml` or `.xml.gz`,
read as a stream into the rows of `raw_netops.pm_xml` (one per measValue, its results as
lists).

A file is read by `pm_scan.py` on its bytes when it keeps to the plain form PM files are
written in, else here by lxml's `iterparse`, which reports each `measInfo` and `measValue` when
it ends; its results are read and the element dropped with what precedes it, so memory stays
flat in the file's size. Both result forms are read: `<measType p=…>` with `<r p=…>`, and the
older space-separated `<measTypes>` with `<measResults>`. A result that cannot be read is
quarantined with its reason (the rest of the file loads); a file that is not well-formed XML
of one of the two namespaces fails whole.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lxml import etree

from connectors.columns import FileRejected
from connectors.files import opened
from connectors.standard.pm_rows import POSITIONS, SPOOL_VALUES, PmRead, PmRows, Spool
from connectors.standard.pm_scan import scan_pm_file

MEAS_COLLEC = "http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec"
MEAS_DATA = "http://www.3gpp.org/ftp/specs/archive/28_series/28.532#measData"
ROOTS = {MEAS_COLLEC: "measCollecFile", MEAS_DATA: "measDataFile"}
# a measInfo is read whole when it ends (in a few calls into C) unless it holds more
# measValues than this; a larger one is read measValue by measValue, so memory stays flat
HELD_VALUES = 256


def _split_tag(tag: str) -> tuple[str, str]:
    return tuple(tag[1:].split("}", 1)) if tag.startswith("{") else ("", tag)


def file_namespace(path: Path, rel: str) -> str:
    """The file's PM namespace, read from its root element (the rest is not parsed here)."""
    try:
        with opened(path) as stream:
            _, root = next(etree.iterparse(stream, events=("start",), resolve_entities=False,
                                           no_network=True))
    except StopIteration:
        raise FileRejected(f"{rel}: no XML element") from None
    except etree.XMLSyntaxError as exc:
        raise FileRejected(f"{rel}: not well-formed XML: {exc}") from exc
    except (OSError, EOFError) as exc:
        raise FileRejected(f"{rel}: unreadable: {exc}") from exc
    namespace, local = _split_tag(root.tag)
    if ROOTS.get(namespace) != local:
        expected = " or ".join(f"{name} in {ns}" for ns, name in ROOTS.items())
        raise FileRejected(f"{rel}: unknown PM file: root {local!r} in namespace "
                           f"{namespace or '(none)'!r}, expected {expected}")
    return namespace


class _Reader(PmRows):
    """`PmRows` read from lxml's elements: a measInfo read whole in a few calls into C when
    it is regular (`_read_regular`), else measValue by measValue."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        ns = {"m": namespace}
        self.info_positions = etree.XPath("m:measValue/m:r/@p", namespaces=ns,
                                          smart_strings=False)
        self.info_first_positions = etree.XPath("m:measValue/m:r[1]/@p", namespaces=ns,
                                                smart_strings=False)
        self.info_children = etree.XPath("count(m:measValue/node())", namespaces=ns)
        self.info_result_nodes = etree.XPath("count(m:measValue/m:r/node())", namespaces=ns)
        self.type_texts = etree.XPath("m:measType/text()", namespaces=ns, smart_strings=False)
        self.declared: tuple[list, list, dict] = ([], [], {})  # the last measTypes read
        self.info_texts = etree.XPath("m:measValue/m:r/text()", namespaces=ns,
                                      smart_strings=False)
        self.info_objects = etree.XPath("m:measValue/@measObjLdn", namespaces=ns,
                                        smart_strings=False)
        self.type_positions = etree.XPath("m:measType/@p", namespaces=ns, smart_strings=False)
        self.type_elements = etree.XPath("m:measType", namespaces=ns)

    def header_element(self, el: etree._Element) -> None:
        sender = el.find(self.ns + "fileSender")
        self.header(el.get("vendorName"), el.get("dnPrefix"),
                    None if sender is None else dict(sender.attrib))

    def declare_element(self, el: etree._Element) -> None:
        """What a measInfo element declares before its results."""
        job, period = el.find(self.ns + "job"), el.find(self.ns + "granPeriod")
        compact = el.find(self.ns + "measTypes")
        types = self._declared_types(el) if compact is None else \
            {str(i + 1): name for i, name in enumerate((compact.text or "").split())}
        self.declare(el.get("measInfoId"), None if job is None else job.get("jobId"),
                     None if period is None else (period.get("endTime"), period.get("duration")),
                     types, compact is not None)

    def meas_info(self, el: etree._Element) -> None:
        """A whole measInfo, at its end: its declarations, then its results, read in C when
        they are regular (`_read_regular`), else measValue by measValue."""
        self.declare_element(el)
        if self.compact or not self._read_regular(el):
            for value in el.iterfind(self.ns + "measValue"):
                self.meas_value(value)
        self.end_info()

    def _declared_types(self, el: etree._Element) -> dict[str, str]:
        """p -> counter name of the measInfo's measTypes; the measInfos of a file mostly
        declare the same ones, so the last declaration is reused when it is the same."""
        positions, texts = self.type_positions(el), self.type_texts(el)
        last_positions, last_texts, types = self.declared
        if positions == last_positions and texts == last_texts and len(texts) == len(positions):
            return types
        types = {t.get("p"): (t.text or "").strip() for t in self.type_elements(el)}
        self.declared = (positions, texts, types)
        return types

    def _read_regular(self, el: etree._Element) -> bool:
        """Read a regular measInfo's results whole, in a few calls into C: every measValue
        names its object and holds exactly one `<r>` per measType, p = 1…n in order, each one
        finite number as its only content. False, nothing read, when it is not."""
        names = list(self.types.values())
        n = len(names)
        declared_positions = self.declared[0]  # this measInfo's, read by `_declared_types`
        if not n or self.period_error or declared_positions != POSITIONS[:n]:
            return False
        objects = self.info_objects(el)
        k = len(objects)
        # p = 1…n over all results, and each measValue starting at 1: each holds 1…n
        if not all(objects) or self.info_first_positions(el) != ["1"] * k \
                or self.info_positions(el) != POSITIONS[:n] * k:
            return False
        texts = self.info_texts(el)
        if len(texts) != n * k or self.info_children(el) != n * k \
                or self.info_result_nodes(el) != n * k:  # only <r>, each one text
            return False
        try:
            numbers = list(map(float, texts))
        except ValueError:
            return False
        if not math.isfinite(sum(numbers)):
            return False
        self.regular_values(objects, numbers, names)
        return True


def _drop(el: etree._Element) -> None:
    """Free an element read and everything before it."""
    el.clear(keep_tail=False)
    while el.getprevious() is not None:
        del el.getparent()[0]


@contextmanager
def _without_gc() -> Iterator[None]:
    """The parse makes millions of short-lived objects and no cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_pm_file(path: Path, rel: str, spool_dir: Path) -> PmRead:
    """Read one PM file (see the module docstring) into a spool file in `spool_dir`; `rel`
    names it in errors."""
    namespace = file_namespace(path, rel)
    with _without_gc():
        read = scan_pm_file(path, namespace, spool_dir)
        return read if read is not None else read_with_lxml(path, rel, namespace, spool_dir)


def read_with_lxml(path: Path, rel: str, namespace: str, spool_dir: Path) -> PmRead:
    """Read one PM file of `namespace` with lxml's `iterparse`."""
    reader = _Reader(namespace)
    spool = Spool(spool_dir)
    done = False
    ns = reader.ns
    tags = {ns + t for t in ("fileHeader", "managedElement", "measEntity", "measInfo",
                             "measValue")}
    try:
        with opened(path) as stream:
            # blank text (indentation) is dropped as it is read: a blank result is no value
            events = etree.iterparse(stream, events=("end",), tag=tags, remove_blank_text=True,
                                     collect_ids=False, resolve_entities=False,
                                     no_network=True)
            held, info_tag = 0, ns + "measInfo"  # measValues kept to read a measInfo whole
            for _, el in events:
                local = el.tag[len(ns):]
                if local == "measValue":
                    if held is None or el.getparent().tag != info_tag:
                        # a large measInfo read measValue by measValue, or a measValue
                        # outside any (its results quarantined for want of a period)
                        reader.meas_value(el)
                        _drop(el)
                        spool.take(reader, at_least=SPOOL_VALUES)
                    elif (held := held + 1) > HELD_VALUES:
                        # memory stays flat: what the measInfo holds so far, then the rest
                        # as it comes
                        info = el.getparent()
                        reader.declare_element(info)
                        for value in info.iterfind(ns + "measValue"):
                            reader.meas_value(value)
                            if value is el:  # later ones may be parsed: their events come
                                break
                        _drop(el)
                        held = None
                elif local == "measInfo":  # complete: its declarations and its results
                    if held is None:
                        reader.end_info()
                    else:
                        reader.meas_info(el)
                    held = 0
                    _drop(el)
                    spool.take(reader, at_least=SPOOL_VALUES)
                elif local == "fileHeader":
                    reader.header_element(el)
                    el.clear(keep_tail=False)
                else:  # managedElement, measEntity
                    reader.element = el.get("localDn")
                    reader.current = None
        spool.take(reader)
        done = True
    except etree.XMLSyntaxError as exc:
        raise FileRejected(f"{rel}: not well-formed XML (line {exc.lineno}): {exc.msg}") from exc
    except (OSError, EOFError) as exc:
        raise FileRejected(f"{rel}: unreadable: {exc}") from exc
    finally:
        spool.close(keep=done)
    return spool.result(reader)
