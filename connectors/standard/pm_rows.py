"""The rows of one PM file as its readers find them (`pm_xml.py` with lxml, `pm_scan.py` on
the bytes): the file's context (header, managed element, measInfo declarations), each
measValue's results, the quarantined ones with their reasons, and the Arrow IPC spool they are
written to as they come, so that no reader holds a whole file's rows."""

from __future__ import annotations

import functools
import json
import math
import re
import uuid
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
from lxml import etree

# measValues read before they are written to the file's spool, so a reader holds no more
SPOOL_VALUES = 8192
POSITIONS = [str(p) for p in range(1, 4097)]  # a measInfo's measType p, in order
# ISO 8601 durations as PM files write them: PT900S, PT15M, PT1H
_DURATION = re.compile(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?")
# a measValue's counter names are one string, joined by a character XML text cannot hold
# (stg_netops__pm_xml splits them): a list of strings a row costs the loader twice the time
COUNTER_SEPARATOR = "\x01"
# the raw table's columns in the order of the Arrow table built here
COLUMNS = ("_source_row", "vendor_name", "dn_prefix", "managed_element", "meas_info_id",
           "job_id", "period_end", "period_seconds", "meas_obj_ldn", "counter_names",
           "result_values", "value_counts", "result_rows", "is_suspect")


@dataclass
class PmRead:
    """One PM file read: its measValues as rows (`COLUMNS`, their results as lists) spooled
    to an Arrow IPC file (None when there is none) with how many rows and results it holds, the
    results quarantined as (position, reason, raw record as JSON), and how many results the
    file held."""

    spool: Path | None
    value_rows: int
    results_loaded: int
    quarantined: list[tuple[int, str, str]]
    rows_read: int
    notes: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=64)  # a file's measInfos mostly end at the same time
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


class PmRows:
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
        self.compact = False  # the measInfo declares measTypes, its results measResults
        self.r_positions = etree.XPath("m:r/@p", namespaces={"m": namespace},
                                       smart_strings=False)
        self.r_texts = etree.XPath("m:r/text()", namespaces={"m": namespace},
                                   smart_strings=False)
        self.position = 0
        self.joined_of: dict[tuple, str] = {}  # the counter names of a measValue, joined
        # `missing`: the results not available (value null); per measInfo context and per
        # measValue, expanded to rows at the end
        self.contexts: list[tuple] = []
        self.current: int | None = None  # index in `contexts`; None after any change
        self.clear_rows()
        self.quarantined: list[tuple[int, str, str]] = []

    def context(self) -> int:
        """The index of the context the next results belong to."""
        if self.current is None:
            self.contexts.append((self.vendor, self.dn_prefix, self.element or self.sender,
                                  self.info_id, self.job, self.period_end, self.period_seconds))
            self.current = len(self.contexts) - 1
        return self.current

    def header(self, vendor: str | None, dn_prefix: str | None,
               sender: dict[str, str] | None) -> None:
        """The fileHeader's vendorName and dnPrefix, and its first fileSender's attributes
        (None without one: an earlier sender stays)."""
        self.vendor, self.dn_prefix = vendor, dn_prefix
        if sender is not None:
            self.sender = sender.get("localDn") or sender.get("senderName")
        self.current = None

    def gran_period(self, end: str | None, duration: str | None) -> None:
        self.period_end, self.period_seconds = _utc(end), _seconds(duration)
        if self.period_end is None:
            self.period_error = f"granPeriod endTime not ISO 8601 with an offset: {end!r}"
        elif not self.period_seconds:
            self.period_error = f"granPeriod duration not a positive PT…S/M/H: {duration!r}"
        else:
            self.period_error = None

    def declare(self, info_id: str | None, job: str | None,
                period: tuple[str | None, str | None] | None, types: dict[str, str],
                compact: bool) -> None:
        """What a measInfo declares before its results: id, its first job's jobId, its first
        granPeriod's (endTime, duration), its measTypes (p -> name), and whether they are
        the space-separated `measTypes`."""
        self.current = None
        self.info_id, self.job, self.types, self.compact = info_id, job, types, compact
        if period is not None:
            self.gran_period(*period)

    def end_info(self) -> None:
        """What a measInfo declared ends with it."""
        self.info_id, self.job, self.types, self.names_of = None, None, {}, {}
        self.period_end = self.period_seconds = None
        self.period_error = "measInfo has no granPeriod"

    def meas_value(self, el: etree._Element, line_offset: int = 0) -> None:
        """One measValue element (its `sourceline` + `line_offset` is its line in the
        file)."""
        if self.current is None:  # the first result after a declaration: which measInfo
            self.info_id = el.getparent().get("measInfoId")
        ps, texts = self.r_positions(el), self.r_texts(el)  # compiled XPath, in C
        if len(texts) != len(ps):  # an empty <r/> has no text, an <r> without p no p
            results = el.findall(self.r_tag)
            ps, texts = [r.get("p") for r in results], [r.text for r in results]
        flag = el.findtext(self.suspect_tag)
        compact = el.findtext(self.results_tag)
        self.value_results(el.get("measObjLdn"), ps, texts,
                           flag is not None and flag.strip().lower() == "true",
                           None if compact is None else compact.split(),
                           lambda: el.sourceline + line_offset)

    def value_results(self, obj: str | None, ps: list[str], texts: list[str | None],
                      suspect: bool, compact: list[str] | None,
                      line_of: Callable[[], int]) -> None:
        """A measValue's results: its object, the p and text of each `<r>` (or the texts of
        its `measResults`), whether it is suspect, and a function giving its line."""
        mismatch = False
        if compact is not None:
            mismatch = len(compact) != len(self.types)
            ps, texts = POSITIONS[:len(compact)], compact
        key = tuple(ps)  # the measValues of a measInfo list the same positions
        names = self.names_of.get(key)
        if names is None:
            names = self.names_of[key] = [self.types.get(p) for p in ps]
        try:  # the common case: every result one finite number of a declared measType
            if mismatch or self.period_error or not obj or None in names:
                raise ValueError
            values = [float(t) for t in texts]
            if not all(map(math.isfinite, values)):
                raise ValueError
        except (ValueError, TypeError):
            first = self.position + 1
            self.position += len(ps)
            self._one_by_one(line_of, obj, suspect, (ps, texts, names), first, mismatch,
                             len(compact or ()))
            return
        if values:
            self.regular_value(obj, values, names, suspect)

    def joined(self, names: list[str]) -> str:
        """A measValue's counter names as its row holds them (`COUNTER_SEPARATOR`)."""
        key = tuple(names)
        found = self.joined_of.get(key)
        if found is None:
            found = self.joined_of[key] = COUNTER_SEPARATOR.join(names)
        return found

    def regular_value(self, obj: str, values: list[float], names: list[str],
                      suspect: bool) -> None:
        """A measValue whose results are all one finite number of a declared measType."""
        self._rows_of_value(obj, suspect, names, self._regular(values), False)

    def regular_values(self, objects: list[str], values: Sequence[float],
                       names: list[str]) -> None:
        """Several measValues, not suspect, each holding one number for each of `names`."""
        k, n = len(objects), len(names)
        first = self._regular(values)
        self.values_context.extend(array("q", [self.context()]) * k)
        self.values_object.extend(objects)
        self.values_names.extend([self.joined(names)] * k)
        self.values_suspect.frombytes(bytes(k))
        self.values_rows.extend(array("i", [n]) * k)
        self.values_first.extend(range(first, first + k * n, n))
        self.values_listed.frombytes(bytes(k))

    def _regular(self, values: Sequence[float]) -> int:
        """The results of regular measValues: their values (one each, in file order); the
        first one's row."""
        first = self.position + 1
        self.position += len(values)
        self.value.extend(values)
        return first

    def _rows_of_value(self, obj: str, suspect: bool, names: list[str], first: int,
                       listed: bool) -> None:
        """A measValue's row: its first result's row, and whether its results' rows and
        value counts are listed (`row_no`, `count`) rather than consecutive ones."""
        self.values_context.append(self.context())
        self.values_object.append(obj)
        self.values_names.append(self.joined(names))
        self.values_suspect.append(suspect)
        self.values_rows.append(len(names))
        self.values_first.append(first)
        self.values_listed.append(listed)

    def _one_by_one(self, line_of: Callable[[], int], obj: str | None, suspect: bool,
                    results: tuple[list, list, list], first: int, mismatch: bool,
                    compact: int) -> None:
        """A measValue with something to quarantine or to read as not available or
        multi-valued: each result (positions, texts, counter names) on its own."""
        ps, texts, names = results
        kept = []
        for position, p, text, name in zip(range(first, first + len(ps)), ps, texts, names,
                                           strict=True):
            reason = self._reason(obj, p, name, mismatch, compact)
            number = None if reason else _number(text)
            if reason is None and number is None:
                reason = f"result {name}: not a number: {(text or '').strip()[:60]!r}"
            if reason:
                self.quarantined.append((position, reason, json.dumps({
                    "line": line_of(), "measInfoId": self.info_id, "measObjLdn": obj,
                    "p": p, "measType": name, "r": text}, ensure_ascii=False)))
                continue
            value, count = number
            if value is None:  # not available
                self.missing.append(len(self.value))
            self.row_no.append(position)
            self.value.append(0.0 if value is None else value)
            self.count.append(count)
            kept.append(name)
        if kept:
            self._rows_of_value(obj, suspect, kept, self.row_no[-len(kept)], True)

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
        """Forget the rows read (once spooled), and the contexts but the current one. Per
        result: `value`; `row_no` and `count`, of the listed rows only. Per row: the rest.
        Typed arrays (their buffers become Arrow's without a copy; the scan's runs of results
        are copied in whole), new ones: the table written may still hold views of the old."""
        self.value = array("d")
        self.row_no, self.count = array("q"), array("i")
        self.values_context, self.values_suspect, self.values_rows = (array("q"), array("b"),
                                                                      array("i"))
        self.values_first, self.values_listed = array("q"), array("b")
        self.values_object, self.values_names, self.missing = [], [], []
        self.contexts = [] if self.current is None else [self.contexts[self.current]]
        self.current = None if self.current is None else 0

    def table(self) -> pa.Table:
        """One row per measValue, its results as lists (`COLUMNS`): the context of each is
        taken from the few contexts by index, and the lists are views over the results'
        columns, in C. A row whose results are each one value on consecutive rows (the
        regular case) has no `value_counts` and `result_rows` (null: staging counts them
        from `_source_row`)."""
        per_value = _numbers(self.values_rows, np.int32)
        listed = _numbers(self.values_listed, np.int8).astype(bool)
        offsets = _offsets(per_value)
        listed_offsets = _offsets(np.where(listed, per_value, 0))
        not_listed = pa.array(~listed)
        names = ("vendor_name", "dn_prefix", "managed_element", "meas_info_id", "job_id",
                 "period_end", "period_seconds")
        types = (pa.string(),) * 5 + (pa.timestamp("us"), pa.int32())
        contexts = list(zip(*self.contexts, strict=True)) if self.contexts else [()] * len(names)
        context_of_value = _arrow(self.values_context, np.int64)
        missing = np.zeros(len(self.value), bool)
        missing[self.missing] = True
        values = pa.array(_numbers(self.value, np.float64), pa.float64(), mask=missing)
        columns = {name: pa.array(values_, kind).take(context_of_value)
                   for name, values_, kind in zip(names, contexts, types, strict=True)}
        columns |= {
            "_source_row": _arrow(self.values_first, np.int64),
            "meas_obj_ldn": pa.array(self.values_object, pa.string()),
            "counter_names": pa.array(self.values_names, pa.string()),
            "result_values": pa.ListArray.from_arrays(offsets, values),
            "value_counts": pa.ListArray.from_arrays(listed_offsets, _arrow(self.count, np.int32),
                                                     mask=not_listed),
            "result_rows": pa.ListArray.from_arrays(listed_offsets, _arrow(self.row_no, np.int64),
                                                    mask=not_listed),
            "is_suspect": pa.array(_numbers(self.values_suspect, np.int8).astype(bool),
                                   pa.bool_()),
        }
        return pa.table([columns[c] for c in COLUMNS], names=list(COLUMNS))


def _numbers(values: array, dtype: type) -> np.ndarray:
    """A typed array's numbers as a NumPy array over the same buffer."""
    return np.frombuffer(values, dtype) if len(values) else np.zeros(0, dtype)


def _arrow(values: array, dtype: type) -> pa.Array:
    """A typed array's numbers as an Arrow array over the same buffer."""
    return pa.array(_numbers(values, dtype))


def _offsets(sizes: np.ndarray) -> pa.Array:
    """The offsets of lists of these sizes."""
    return pa.array(np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]), pa.int32())


SPOOL_PREFIX = "pm-"  # a spool file's name begins so (the loader clears what a crash left)


class Spool:
    """The rows read so far, written as they come to an Arrow IPC file in `folder` (created
    at the first rows; uncompressed: writing is a copy, and the loader reads it batch by
    batch): neither the reader nor the loader holds a whole file's rows."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / f"{SPOOL_PREFIX}{uuid.uuid4().hex}.arrow"
        self.sink: pa.OSFile | None = None
        self.writer: ipc.RecordBatchFileWriter | None = None
        self.rows = self.results = 0

    def take(self, rows: PmRows, at_least: int = 1) -> None:
        """Write the rows read so far, when they are `at_least` measValues."""
        if len(rows.values_rows) < at_least:
            return
        table = rows.table()
        self.results += int(np.frombuffer(rows.values_rows, np.int32).sum())
        rows.clear_rows()
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.sink = pa.OSFile(str(self.path), "wb")
            self.writer = ipc.new_file(self.sink, table.schema)
        self.writer.write_table(table)
        self.rows += table.num_rows

    def close(self, keep: bool) -> None:
        if self.writer is not None:
            self.writer.close()
            self.sink.close()
        if not keep or self.writer is None:
            self.path.unlink(missing_ok=True)

    def result(self, rows: PmRows) -> PmRead:
        """The file's read, once its last rows are taken and the spool closed."""
        notes = [] if rows.position else ["no measurement results"]
        return PmRead(self.path if self.writer is not None else None, self.rows, self.results,
                      rows.quarantined, rows.position, notes)


def read_spool(path: Path) -> pa.RecordBatchReader:
    """A spool's rows, batch by batch (as written), mapped rather than copied (a quarter of
    the time to open)."""
    source = ipc.open_file(pa.memory_map(str(path)))
    return pa.RecordBatchReader.from_batches(
        source.schema, (source.get_batch(i) for i in range(source.num_record_batches)))
