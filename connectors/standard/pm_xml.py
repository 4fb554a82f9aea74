"""3GPP PM files: TS 32.435 `measCollecFile` and TS 28.532 `measDataFile`, `.xml` or `.xml.gz`,
read as a stream into the rows of `raw_netops.pm_xml` (one per measurement result).

lxml's `iterparse` reports each `measValue` when it ends; its results are read and the element
is dropped with what precedes it, so memory stays flat in the file's size. Both result forms
are read: `<measType p=…>` with `<r p=…>`, and the older space-separated `<measTypes>` with
`<measResults>`. A result that cannot be read is quarantined with its reason (the rest of the
file loads); a file that is not well-formed XML of one of the two namespaces fails whole.
"""

from __future__ import annotations

import functools
import gc
import json
import math
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from lxml import etree

from connectors.columns import FileRejected
from connectors.files import opened

MEAS_COLLEC = "http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec"
MEAS_DATA = "http://www.3gpp.org/ftp/specs/archive/28_series/28.532#measData"
ROOTS = {MEAS_COLLEC: "measCollecFile", MEAS_DATA: "measDataFile"}
# measValues read before they are written to the file's spool, so a reader holds no more
SPOOL_VALUES = 8192
# a measInfo is read whole when it ends (in a few calls into C) unless it holds more
# measValues than this; a larger one is read measValue by measValue, so memory stays flat
HELD_VALUES = 256
_POSITIONS = [str(p) for p in range(1, 4097)]  # a measInfo's measType p, in order
# ISO 8601 durations as PM files write them: PT900S, PT15M, PT1H
_DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?")
# the raw table's columns in the order of the Arrow table built here
COLUMNS = ("_source_row", "vendor_name", "dn_prefix", "managed_element", "meas_info_id",
           "job_id", "period_end", "period_seconds", "meas_obj_ldn", "counters",
           "result_values", "value_counts", "result_rows", "is_suspect")


@dataclass
class PmRead:
    """One PM file read: its measValues as rows (`COLUMNS`, their results as lists) spooled
    to a Parquet file (None when there is none) with how many rows and results it holds, the
    results quarantined as (position, reason, raw record as JSON), and how many results the
    file held."""

    spool: Path | None
    value_rows: int
    results_loaded: int
    quarantined: list[tuple[int, str, str]]
    rows_read: int
    notes: list[str] = field(default_factory=list)


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


def _utc(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # a PM time always carries its offset; a naive one is ambiguous
    return moment.astimezone(UTC).replace(tzinfo=None)


@functools.lru_cache(maxsize=64)
def _seconds(text: str | None) -> int | None:
    match = _DURATION.fullmatch((text or "").strip())
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _number(text: str | None) -> tuple[float | None, int] | None:
    """(value, count) of a result: empty is not available (null, 0); a multi-valued result
    (`86,87,2`, or ` , , ` when none is available) is the sum of the values given and their
    number (so a gauge's mean is value / count); None when it is not numbers."""
    parts = [p for p in (text or "").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in values):
        return None
    if not values:
        return None, 0
    return (values[0] if len(values) == 1 else math.fsum(values)), len(values)


class _Reader:
    """The state of one pass over a file: the header, the current measInfo, the rows."""

    def __init__(self, namespace: str) -> None:
        self.ns = "{" + namespace + "}"
        self.r_tag = self.ns + "r"
        self.results_tag, self.suspect_tag = self.ns + "measResults", self.ns + "suspect"
        self.vendor = self.dn_prefix = self.sender = self.element = None
        self.info_id = self.job = self.period_end = self.period_seconds = None
        self.period_error: str | None = "measInfo has no granPeriod"
        self.types: dict[str, str] = {}  # p -> counter name
        self.names_of: dict[tuple, list] = {}  # the names of a measValue's positions
        self.r_positions = etree.XPath("m:r/@p", namespaces={"m": namespace},
                                       smart_strings=False)
        self.r_texts = etree.XPath("m:r/text()", namespaces={"m": namespace},
                                   smart_strings=False)
        ns = {"m": namespace}
        # a measInfo read whole in C (`_read_regular`)
        self.info_positions = etree.XPath("m:measValue/m:r/@p", namespaces=ns,
                                          smart_strings=False)
        self.info_first_positions = etree.XPath("m:measValue/m:r[1]/@p", namespaces=ns,
                                                smart_strings=False)
        self.info_children = etree.XPath("count(m:measValue/node())", namespaces=ns)
        self.info_result_nodes = etree.XPath("count(m:measValue/m:r/node())", namespaces=ns)
        self.type_texts = etree.XPath("m:measType/text()", namespaces=ns, smart_strings=False)
        self.declared: tuple[list, list, dict] = ([], [], {})  # the last measTypes read
        self.compact = False  # the measInfo declares measTypes, its results measResults
        self.info_texts = etree.XPath("m:measValue/m:r/text()", namespaces=ns,
                                      smart_strings=False)
        self.info_objects = etree.XPath("m:measValue/@measObjLdn", namespaces=ns,
                                        smart_strings=False)
        self.type_positions = etree.XPath("m:measType/@p", namespaces=ns, smart_strings=False)
        self.type_elements = etree.XPath("m:measType", namespaces=ns)
        self.position = 0
        # per row
        self.row_no: list[int] = []
        self.counter: list[str] = []
        self.value: list[float | None] = []
        self.count: list[int] = []
        # per measInfo context and per measValue, expanded to rows at the end
        self.contexts: list[tuple] = []
        self.values_context: list[int] = []
        self.values_object: list[str] = []
        self.values_suspect: list[bool] = []
        self.values_rows: list[int] = []
        self.quarantined: list[tuple[int, str, str]] = []
        self.current: int | None = None  # index in `contexts`; None after any change

    def context(self) -> int:
        """The index of the context the next results belong to."""
        if self.current is None:
            self.contexts.append((self.vendor, self.dn_prefix, self.element or self.sender,
                                  self.info_id, self.job, self.period_end, self.period_seconds))
            self.current = len(self.contexts) - 1
        return self.current

    def header(self, el: etree._Element) -> None:
        self.vendor, self.dn_prefix = el.get("vendorName"), el.get("dnPrefix")
        sender = el.find(self.ns + "fileSender")
        if sender is not None:
            self.sender = sender.get("localDn") or sender.get("senderName")

    def gran_period(self, el: etree._Element) -> None:
        end, duration = el.get("endTime"), el.get("duration")
        self.period_end, self.period_seconds = _utc(end), _seconds(duration)
        if self.period_end is None:
            self.period_error = f"granPeriod endTime not ISO 8601 with an offset: {end!r}"
        elif not self.period_seconds:
            self.period_error = f"granPeriod duration not a positive PT…S/M/H: {duration!r}"
        else:
            self.period_error = None

    def end_info(self) -> None:
        """What a measInfo declared ends with it."""
        self.info_id, self.job, self.types, self.names_of = None, None, {}, {}
        self.period_end = self.period_seconds = None
        self.period_error = "measInfo has no granPeriod"

    def declare(self, el: etree._Element) -> None:
        """What a measInfo declares before its results: id, job, period and measTypes."""
        self.current = None
        self.info_id = el.get("measInfoId")
        job = el.find(self.ns + "job")
        self.job = None if job is None else job.get("jobId")
        period = el.find(self.ns + "granPeriod")
        if period is not None:
            self.gran_period(period)
        compact = el.find(self.ns + "measTypes")
        self.compact = compact is not None
        if self.compact:
            self.types = {str(i + 1): name for i, name in enumerate((compact.text or "").split())}
        else:
            self.types = self._declared_types(el)

    def meas_info(self, el: etree._Element) -> None:
        """A whole measInfo, at its end: its declarations, then its results, read in C when
        they are regular (`_read_regular`), else measValue by measValue."""
        self.declare(el)
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
        if not n or self.period_error or declared_positions != _POSITIONS[:n]:
            return False
        objects = self.info_objects(el)
        k = len(objects)
        # p = 1…n over all results, and each measValue starting at 1: each holds 1…n
        if not all(objects) or self.info_first_positions(el) != ["1"] * k \
                or self.info_positions(el) != _POSITIONS[:n] * k:
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
        first = self.position + 1
        self.position += len(numbers)
        self.row_no.extend(range(first, first + len(numbers)))
        self.counter.extend(names * len(objects))
        self.value.extend(numbers)
        self.count.extend([1] * len(numbers))
        context = self.context()
        self.values_context.extend([context] * len(objects))
        self.values_object.extend(objects)
        self.values_suspect.extend([False] * len(objects))
        self.values_rows.extend([n] * len(objects))
        return True

    def meas_value(self, el: etree._Element) -> None:
        if self.current is None:  # the first result after a declaration: which measInfo
            self.info_id = el.getparent().get("measInfoId")
        obj = el.get("measObjLdn")
        ps, texts = self.r_positions(el), self.r_texts(el)  # compiled XPath, in C
        if len(texts) != len(ps):  # an empty <r/> has no text node: read them one by one
            texts = [r.text for r in el.findall(self.r_tag)]
        flag = el.findtext(self.suspect_tag)
        suspect = flag is not None and flag.strip().lower() == "true"
        compact = el.findtext(self.results_tag)
        compact = None if compact is None else compact.split()
        mismatch = False
        if compact is not None:
            mismatch = len(compact) != len(self.types)
            ps, texts = [str(i + 1) for i in range(len(compact))], compact
        key = tuple(ps)  # the measValues of a measInfo list the same positions
        names = self.names_of.get(key)
        if names is None:
            names = self.names_of[key] = [self.types.get(p) for p in ps]
        first = self.position + 1
        self.position += len(ps)
        try:  # the common case: every result one finite number of a declared measType
            if mismatch or self.period_error or not obj or None in names:
                raise ValueError
            values = [float(t) for t in texts]
            if not all(map(math.isfinite, values)):
                raise ValueError
        except (ValueError, TypeError):
            self._one_by_one(el, obj, suspect, (ps, texts, names), first, mismatch,
                             len(compact or ()))
            return
        if values:
            self.row_no.extend(range(first, first + len(values)))
            self.counter.extend(names)
            self.value.extend(values)
            self.count.extend([1] * len(values))
            self._rows_of_value(obj, suspect, len(values))

    def _rows_of_value(self, obj: str, suspect: bool, rows: int) -> None:
        self.values_context.append(self.context())
        self.values_object.append(obj)
        self.values_suspect.append(suspect)
        self.values_rows.append(rows)

    def _one_by_one(self, el: etree._Element, obj: str | None, suspect: bool,
                    results: tuple[list, list, list], first: int, mismatch: bool,
                    compact: int) -> None:
        """A measValue with something to quarantine or to read as not available or
        multi-valued: each result (positions, texts, counter names) on its own."""
        ps, texts, names = results
        kept = 0
        for position, p, text, name in zip(range(first, first + len(ps)), ps, texts, names,
                                           strict=True):
            reason = self._reason(obj, p, name, mismatch, compact)
            number = None if reason else _number(text)
            if reason is None and number is None:
                reason = f"result {name}: not a number: {(text or '').strip()[:60]!r}"
            if reason:
                self.quarantined.append((position, reason, json.dumps({
                    "line": el.sourceline, "measInfoId": self.info_id, "measObjLdn": obj,
                    "p": p, "measType": name, "r": text}, ensure_ascii=False)))
                continue
            self.row_no.append(position)
            self.counter.append(name)
            self.value.append(number[0])
            self.count.append(number[1])
            kept += 1
        if kept:
            self._rows_of_value(obj, suspect, kept)

    def _reason(self, obj: str | None, p: str | None, name: str | None, mismatch: bool,
                compact: int) -> str | None:
        if mismatch:
            return f"measValue {obj}: {compact} results for {len(self.types)} measTypes"
        if self.period_error:
            return f"measInfo {self.info_id}: {self.period_error}"
        if not obj:
            return "measValue without measObjLdn"
        if name is None:
            return (f"result p={p} has no measType in measInfo {self.info_id} "
                    f"({len(self.types)} declared)")
        return None

    def clear_rows(self) -> None:
        """Forget the rows read (once spooled); the contexts stay, by index."""
        for rows in (self.row_no, self.counter, self.value, self.count, self.values_context,
                     self.values_object, self.values_suspect, self.values_rows):
            rows.clear()

    def table(self) -> pa.Table:
        """One row per measValue, its results as lists (`COLUMNS`): the context of each is
        taken from the few contexts by index, and the lists are views over the results'
        columns, in C."""
        offsets = pa.array(np.concatenate([[0], np.cumsum(self.values_rows, dtype=np.int64)]),
                           pa.int32())
        names = ("vendor_name", "dn_prefix", "managed_element", "meas_info_id", "job_id",
                 "period_end", "period_seconds")
        types = (pa.string(),) * 5 + (pa.timestamp("us"), pa.int32())
        contexts = list(zip(*self.contexts, strict=True)) if self.contexts else [()] * len(names)
        context_of_value = pa.array(self.values_context, pa.int64())
        rows = pa.array(self.row_no, pa.int64())
        columns = {name: pa.array(values, kind).take(context_of_value)
                   for name, values, kind in zip(names, contexts, types, strict=True)}
        columns |= {
            "_source_row": rows.take(offsets.slice(0, len(self.values_rows))),
            "meas_obj_ldn": pa.array(self.values_object, pa.string()),
            "counters": pa.ListArray.from_arrays(offsets, pa.array(self.counter, pa.string())),
            "result_values": pa.ListArray.from_arrays(offsets,
                                                      pa.array(self.value, pa.float64())),
            "value_counts": pa.ListArray.from_arrays(offsets, pa.array(self.count, pa.int32())),
            "result_rows": pa.ListArray.from_arrays(offsets, rows),
            "is_suspect": pa.array(self.values_suspect, pa.bool_()),
        }
        return pa.table([columns[c] for c in COLUMNS], names=list(COLUMNS))


class _Spool:
    """The rows read so far, written as they come to a Parquet file in `folder` (created at
    the first rows): neither the reader nor the loader holds a whole file's rows."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / f"pm-{uuid.uuid4().hex}.parquet"
        self.writer: pq.ParquetWriter | None = None
        self.rows = self.results = 0

    def take(self, reader: _Reader, at_least: int = 1) -> None:
        """Write the rows the reader holds, when they are `at_least` measValues."""
        if len(reader.values_rows) < at_least:
            return
        table = reader.table()
        self.results += sum(reader.values_rows)
        reader.clear_rows()
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.path, table.schema, compression="lz4")
        self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self, keep: bool) -> Path | None:
        if self.writer is not None:
            self.writer.close()
        if not keep or self.writer is None:
            self.path.unlink(missing_ok=True)
            return None
        return self.path


def _drop(el: etree._Element) -> None:
    """Free an element read and everything before it."""
    el.clear(keep_tail=False)
    while el.getprevious() is not None:
        del el.getparent()[0]


def read_pm_file(path: Path, rel: str, spool_dir: Path) -> PmRead:
    """Read one PM file (see the module docstring) into a spool file in `spool_dir`; `rel`
    names it in errors."""
    namespace = file_namespace(path, rel)
    reader = _Reader(namespace)
    spool = _Spool(spool_dir)
    done = False
    ns = reader.ns
    tags = {ns + t for t in ("fileHeader", "managedElement", "measEntity", "measInfo",
                             "measValue")}
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse makes millions of short-lived objects and no cycles
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
                        reader.declare(info)
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
                    reader.header(el)
                    reader.current = None
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
        if gc_was_enabled:
            gc.enable()
        spooled = spool.close(keep=done)
    notes = [] if reader.position else ["no measurement results"]
    return PmRead(spooled, spool.rows, spool.results, reader.quarantined, reader.position,
                  notes)
