"""A PM file read on its bytes: compiled regular expressions read the plain form PM files are
written in (a tag per element, the default namespace, UTF-8) while lxml's parser, building
nothing, checks that the file is well-formed XML: every byte but those of the plain runs of
measTypes and measValues, which are XML by the pattern that reads them. Building lxml's
elements for every `<r>` costs more than everything else about a PM file, and this reads the
same rows in a fraction of the time. The runs of plain measValues, the one part read per
result, are read in C (`_pm_plain.c`, built by `make install`: twice the scan's speed), which
reads exactly what the Python reader below reads or leaves the run to it.

An irregular measValue (an empty or multi-valued result, a comment, an entity, more results
than types…) is parsed by lxml where it stands and read by `PmRows.meas_value`, as the lxml
reader reads it. What the scan does not read exactly — comments or processing instructions
between elements, CDATA, namespace prefixes or declarations below the root, another encoding,
the space-separated `measTypes` form, declarations after results, measValues outside a
measInfo — makes it decline the file, which `pm_xml.read_with_lxml` then reads whole. A file
that is not well-formed is declined too, and lxml's reader rejects it with its own message.
Tests read every shape both ways and require the same rows and quarantine.
"""

from __future__ import annotations

import functools
import math
import re
from array import array
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
from lxml import etree

from connectors.files import opened
from connectors.standard.pm_rows import POSITIONS, SPOOL_VALUES, PmRead, PmRows, Spool

try:  # the C reader of plain runs (`_pm_plain.c`), built at install; else the same in Python
    from connectors.standard._pm_plain import read_plain_run
except ImportError:  # pragma: no cover - a checkout whose extension was not built
    read_plain_run = None

# bytes fed to the well-formedness check and scanned at a time
BLOCK = 1 << 20
# Every repeat in the scan's patterns is possessive (`*+`, `++`): what follows each can never
# be one of its characters, so no match changes, and the regex engine keeps no backtracking
# state per repeat (a run of measValues is ~120 of them: a quarter of its time)
_NAME = rb"[A-Za-z_][A-Za-z0-9_.-]*+"  # an element's name without a prefix
_ATTRIBUTES = re.compile(rb"([A-Za-z_:][A-Za-z0-9_.:-]*)\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)')")
# a start or end tag: "/" if an end, its name, its attributes, "/" if empty
_TAG = re.compile(rb"<(/?)(" + _NAME + rb")((?:\s++[A-Za-z_:][A-Za-z0-9_.:-]*+\s*+=\s*+"
                  rb"(?:\"[^\"<]*+\"|'[^'<]*+'))*+)\s*+(/?)>")
_BOM = b"\xef\xbb\xbf"
_DECLARATION = re.compile(rb"<\?([A-Za-z_:][A-Za-z0-9_.:-]*)((?:[^?]|\?(?!>))*)\?>")
_ENCODING = re.compile(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_UTF8 = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
_BLANK = re.compile(rb"[ \t\r\n]*")
_NEWLINE = ord("\n")
# XML's white space, and the characters of a result's text, a measType's name or an
# object's name that the lxml check need not see: a plain run of measTypes or measValues
# read by the scan is XML by its pattern, so the check is fed the bytes around it (XML has
# no other C0 controls, and the scan takes only ASCII numbers and UTF-8 it has decoded)
_WS = rb"[ \t\n\r]*+"
_TEXT = rb"[^<&\x00-\x08\x0b-\x1f]*+"
_OBJECT_NAME = rb"[^\"<&\x00-\x1f]++"
_MEAS_TYPES = re.compile(rb"(?:<measType p=\"\d++\">" + _TEXT + rb"</measType>" + _WS + rb")++")
_MEAS_TYPE = re.compile(rb"<measType p=\"(\d++)\">(" + _TEXT + rb")</measType>")
_VALUE_END = b"</measValue>"
# elements that change what the results belong to: inside a measInfo the lxml reader sees
# them in another order than the file's, so the scan declines
_CONTEXT = (b"fileHeader", b"managedElement", b"measEntity", b"measInfo")
_IN_VALUE = tuple(b"<" + name for name in (*_CONTEXT, b"measValue")) + (b"xmlns",)
# an irregular measValue parsed on its own, as the lxml reader's parser would
_PARSER = etree.XMLParser(remove_blank_text=True, collect_ids=False, resolve_entities=False,
                          no_network=True)
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_REFERENCE = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);")
_SPACES = str.maketrans("\t\n", "  ")


class _Declined(Exception):
    """The scan cannot read this file exactly: the lxml reader reads it."""


@dataclass(frozen=True)
class _Plan:
    """How the measValues of a measInfo declaring p = 1…n are read: `value`, one measValue
    (its object, the text of `<r p="1">` … `<r p="n">` in order, its optional `<suspect>`);
    `plain`, one without `<suspect>` and the blanks after it (its object and texts)."""

    names: list[str]
    value: re.Pattern
    plain: re.Pattern


@functools.lru_cache(maxsize=256)
def _plan(types: tuple[tuple[str, str], ...]) -> _Plan | None:
    """The plan of a measInfo's measTypes (p, name), None unless they are p = 1…n."""
    declared = dict(types)
    n = len(declared)
    if not n or not all(p in declared for p in POSITIONS[:n]):
        return None
    return _Plan([declared[p] for p in POSITIONS[:n]],
                 re.compile(_value_regex(n, rb"(?:<suspect>([A-Za-z \t\n]*+)</suspect>" + _WS
                                         + rb")?</measValue>")),
                 re.compile(_value_regex(n, rb"</measValue>" + _WS)))


def _value_regex(n: int, end: bytes) -> bytes:
    """A measValue of n results, its object and its results' texts captured, up to `end`."""
    texts = _WS.join(rb"<r p=\"%d\">(%s)</r>" % (p, _TEXT) for p in range(1, n + 1))
    return rb"<measValue measObjLdn=\"(" + _OBJECT_NAME + rb")\">" + _WS + texts + _WS + end


@functools.lru_cache(maxsize=256)
def _type_pairs(run: bytes) -> tuple[tuple[str, str], ...]:
    """The (p, name) of a run of measTypes: the measInfos of a file mostly declare the
    same."""
    return tuple((p.decode(), name.decode().strip()) for p, name in _MEAS_TYPE.findall(run))


def _reference(match: re.Match) -> str:
    name = match.group(1)
    if name.startswith("#"):
        return chr(int(name[2:], 16) if name[1] == "x" else int(name[1:]))
    return _ENTITIES[name]


def _value(raw: bytes) -> str:
    """An attribute's value as XML reads it: line ends and tabs become spaces, references
    are replaced."""
    try:
        text = raw.decode()
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.translate(_SPACES)
        return _REFERENCE.sub(_reference, text) if "&" in text else text
    except (ValueError, KeyError, OverflowError) as exc:
        raise _Declined from exc


@functools.lru_cache(maxsize=4096)
def _attributes(raw: bytes) -> dict[str, str]:
    """A start tag's attributes (the same tags recur in a file; the dict is only read)."""
    return {a.group(1).decode(): _value(a.group(2) if a.group(2) is not None else a.group(3))
            for a in _ATTRIBUTES.finditer(raw)}


_UNSET = object()


@dataclass
class _MeasInfo:
    """An open measInfo: its start tag's attributes and what it has declared so far."""

    raw: bytes
    id: str | None
    job: object = _UNSET
    period: tuple[str | None, str | None] | None = None
    types: dict[str, str] = field(default_factory=dict)
    declared: bool = False  # its results have begun
    plan: _Plan | None = None  # how its regular measValues are read, when p = 1…n


class _Scanner:
    """The scan's state across the blocks of one file: the bytes not yet read, the open
    elements, and the rows (`PmRows`) read from them."""

    def __init__(self, namespace: str, rows: PmRows, spool: Spool) -> None:
        self.namespace, self.rows, self.spool = namespace, rows, spool
        self.buf, self.i, self.lines = b"", 0, 0  # `lines`: newlines before `buf`
        self.fed = self.closed = False  # bytes have come; the root element has ended
        self.stack: list[tuple[bytes, bytes]] = []  # open elements: name, raw attributes
        self.declarations = b""  # the root's xmlns attributes, to parse a measValue alone
        self.prefixes = {b"xml"}
        self.info: _MeasInfo | None = None
        # the last run of measTypes read and its (p, name) pairs: a file's measInfos mostly
        # declare the same, and the same bytes need not be matched again
        self.types_run: tuple[bytes, tuple[tuple[str, str], ...]] | None = None
        self.sender: object = _UNSET  # the open fileHeader's first fileSender
        # lxml's parser, building nothing, checks the file is well-formed XML: it is fed
        # every byte the scan reads but the plain runs of measTypes and measValues (see
        # `_WS`), from `checked` on
        self.checker = etree.XMLParser(target=_Discard(), collect_ids=False,
                                       resolve_entities=False, no_network=True)
        self.checked = 0

    def feed(self, block: bytes, final: bool) -> None:
        """Read what the bytes so far hold; `final`: there are no more."""
        if self.i:
            self._check(self.i)
            self.lines += _newlines(self.buf, self.i)
            self.buf, self.i, self.checked = self.buf[self.i:], 0, 0
        if not self.fed and block.startswith(_BOM):
            block = block[len(_BOM):]
        self.fed = self.fed or bool(block)
        self.buf += block
        while self.i < len(self.buf) and self._step(final):
            pass
        if final:
            if not self.closed or self.buf[self.i:].strip():
                raise _Declined
            self._check(len(self.buf))
            self.checker.close()

    def _check(self, upto: int) -> None:
        """Feed the check the bytes read up to `upto`."""
        if upto > self.checked:
            self.checker.feed(self.buf[self.checked:upto])
            self.checked = upto

    def _need(self, end: bytes, final: bool) -> bool:
        """False to wait for more bytes when `end` is not yet in them; declines at the end."""
        if final or self.buf.find(end, self.i) >= 0:
            raise _Declined
        return False

    def _step(self, final: bool) -> bool:
        """Read the next piece at `i`; False when it needs more bytes."""
        if not self.stack:
            return self._outside_root(final)
        buf = self.buf
        lt = buf.find(b"<", self.i)  # text between elements is not read
        if lt < 0:
            self.i = len(buf)
            return False
        self.i = lt
        if self.stack[-1][0] == b"measInfo":
            if buf.startswith(b"<measValue", lt):
                return self._meas_value(final)
            if buf.startswith(b"<measType ", lt):
                return self._meas_types(final)
        return self._tag(final)

    def _outside_root(self, final: bool) -> bool:
        """The prolog (XML declaration, stylesheet) and the root's start tag, or what follows
        its end (only blanks)."""
        buf = self.buf
        at = self.i = _BLANK.match(buf, self.i).end()
        if at == len(buf):
            return False
        if self.closed:
            raise _Declined
        if buf.startswith(b"<?", at):
            declaration = _DECLARATION.match(buf, at)
            if declaration is None:
                return self._need(b"?>", final)
            if declaration.group(1) == b"xml":
                encoding = _ENCODING.search(declaration.group(2))
                if encoding and encoding.group(1).lower() not in _UTF8:
                    raise _Declined
            self.i = declaration.end()
            return True
        tag = _TAG.match(buf, at)
        if tag is None:
            return self._need(b">", final)
        closing, name, raw, empty = tag.groups()
        if closing:
            raise _Declined
        self._root(raw)
        self.i = tag.end()
        self.stack.append((name, raw))
        if empty:
            self._end(name)
        return True

    def _root(self, raw: bytes) -> None:
        declarations = [a for a in _ATTRIBUTES.finditer(raw) if a.group(1) == b"xmlns"
                        or a.group(1).startswith(b"xmlns:")]
        self.prefixes.update(a.group(1)[len(b"xmlns:"):] for a in declarations)
        self._check_prefixes(raw, root=True)
        if _attributes(raw).get("xmlns") != self.namespace:
            raise _Declined
        self.declarations = b" " + b" ".join(a.group(0) for a in declarations)

    def _check_prefixes(self, raw: bytes, root: bool = False) -> None:
        """Decline a tag declaring a namespace below the root, or using a prefix the root
        does not declare (the lxml reader would reject it as undeclared)."""
        # find, not `in`: `bytes in bytes` first tries its operand as an int and formats
        # the TypeError it catches (~4 % of a file's time over a tag per element)
        if raw.find(b":") < 0 and raw.find(b"xmlns") < 0:
            return
        for name, _, _ in _ATTRIBUTES.findall(raw):
            if name.startswith(b"xmlns"):
                if not root:
                    raise _Declined
            elif b":" in name and name.split(b":")[0] not in self.prefixes:
                raise _Declined

    def _tag(self, final: bool) -> bool:
        tag = _TAG.match(self.buf, self.i)
        if tag is None:
            # a comment, CDATA or processing instruction, a prefixed name, or a tag not yet
            # complete in the bytes read
            return self._need(b">", final)
        closing, name, raw, empty = tag.groups()
        self.i = tag.end()
        if closing:
            self._end(name)
            return True
        if raw:  # a tag without attributes declares and uses no prefix
            self._check_prefixes(raw)
        self._start(name, raw)
        if empty:
            self._end(name)
        return True

    def _start(self, name: bytes, raw: bytes) -> None:
        parent = self.stack[-1][0]
        if self.info is not None and (name in _CONTEXT or name == b"measValue"):
            raise _Declined  # nested in a measInfo, or a measValue not directly in it
        if name == b"measValue":
            raise _Declined  # outside any measInfo
        self.stack.append((name, raw))
        if name == b"measInfo":
            self.info = _MeasInfo(raw, _attributes(raw).get("measInfoId"))
        elif parent == b"measInfo":
            self._declaration(name, raw)
        elif name == b"fileHeader":
            self.sender = _UNSET
        elif name == b"fileSender" and parent == b"fileHeader" and self.sender is _UNSET:
            self.sender = _attributes(raw)

    def _declaration(self, name: bytes, raw: bytes) -> None:
        """A child of the open measInfo other than a measValue."""
        info = self.info
        if name in (b"measType", b"measTypes") or (info.declared and name in (b"job",
                                                                              b"granPeriod")):
            raise _Declined  # not in the plain form, or declared after results
        if name == b"job" and info.job is _UNSET:
            info.job = _attributes(raw).get("jobId")
        elif name == b"granPeriod" and info.period is None:
            attributes = _attributes(raw)
            info.period = (attributes.get("endTime"), attributes.get("duration"))

    def _end(self, name: bytes) -> None:
        opened_name, raw = self.stack.pop()
        if opened_name != name:
            raise _Declined
        if name == b"measInfo":
            if not self.info.declared:
                self._declare()
            self.rows.end_info()
            self.info = None
            self.spool.take(self.rows, at_least=SPOOL_VALUES)
        elif name == b"fileHeader":
            attributes = _attributes(raw)
            self.rows.header(attributes.get("vendorName"), attributes.get("dnPrefix"),
                             None if self.sender is _UNSET else self.sender)
        elif name in (b"managedElement", b"measEntity"):
            self.rows.element = _attributes(raw).get("localDn")
            self.rows.current = None
        if not self.stack:
            self.closed = True

    def _declare(self) -> None:
        info = self.info
        info.declared = True
        self.rows.declare(info.id, None if info.job is _UNSET else info.job, info.period,
                          info.types, compact=False)
        if not self.rows.period_error:
            info.plan = _plan(tuple(info.types.items()))

    def _meas_types(self, final: bool) -> bool:
        """A run of `<measType p="…">name</measType>`."""
        if self.info.declared:
            raise _Declined
        last = self.types_run
        if last is not None and self.buf.startswith(last[0], self.i):
            end, pairs = self.i + len(last[0]), last[1]
        else:
            run = _MEAS_TYPES.match(self.buf, self.i)
            if run is None:
                if not final and self.buf.find(b"</measType>", self.i) < 0:
                    return False  # not all of it read yet
                return self._tag(final)  # not in the plain form: declines
            end = run.end()
            raw = self.buf[self.i:end]
            pairs = _type_pairs(raw)  # names decoded
            self.types_run = raw, pairs
        self.info.types.update(pairs)
        self._check(self.i)
        self.i = self.checked = end  # XML by its pattern
        return True

    def _meas_value(self, final: bool) -> bool:
        info, buf, at = self.info, self.buf, self.i
        if not info.declared:
            self._declare()
        plan = info.plan
        end = None if plan is None else self._plain_run(plan, at)
        value = None if plan is None or end is not None else plan.value.match(buf, at)
        if end is not None:
            self.i = end
        elif value is not None:  # in the plain form with a `<suspect>`
            self._regular(value)
            self.i = value.end()
        else:
            tag = _TAG.match(buf, at)
            if tag is None:
                return self._need(b">", final)
            if tag.group(2) != b"measValue":
                return self._tag(final)  # another element whose name begins so
            end = tag.end()
            if not tag.group(4):
                close = buf.find(_VALUE_END, end)
                if close < 0:
                    return self._need(_VALUE_END, final)
                end = close + len(_VALUE_END)
            self._irregular(tag.end(), end)
            self.i = end
        self.spool.take(self.rows, at_least=SPOOL_VALUES)
        return True

    def _line(self, at: int) -> int:
        return self.lines + _newlines(self.buf, at) + 1

    def _plain_run(self, plan: _Plan, start: int) -> int | None:
        """MeasValues in the plain form without `<suspect>`, in a row from `start`: read
        together (in C, or each matched once, its groups laid end to end) unless a result is
        not one finite number; where they end, None when there is none."""
        buf, match = self.buf, plan.plain.match
        if read_plain_run is not None and (run := read_plain_run(buf, start, len(plan.names))):
            end, objects, packed = run
            self.rows.regular_values(objects, array("d", packed), plan.names)
            self._check(start)
            self.checked = end  # as below
            return end
        values, end = [], start
        while (value := match(buf, end)) is not None:
            values.append(value)
            end = value.end()
        if not values:
            return None
        groups = list(chain.from_iterable(value.groups() for value in values))
        stride = len(plan.names) + 1  # the object, then each result's text
        objects = groups[::stride]
        del groups[::stride]
        try:
            numbers = list(map(float, groups))
            regular = math.isfinite(sum(numbers))
        except ValueError:
            regular = False
        if not regular:
            for value in values:
                self._regular(value)
            return end
        self.rows.regular_values(list(map(bytes.decode, objects)), numbers, plan.names)
        self._check(start)
        self.checked = end  # XML by its pattern: all ASCII numbers, names decoded
        return end

    def _regular(self, value: re.Match) -> None:
        """A measValue in the plain form (`_Plan.value` or `.plain`): read here, unless a
        result is not one finite number."""
        names = self.info.plan.names
        n = len(names)
        groups = value.groups()
        texts, flag = groups[1:n + 1], groups[n + 1] if len(groups) > n + 1 else None
        suspect = flag is not None and flag.strip().lower() == b"true"
        try:
            obj = groups[0].decode()
        except ValueError as exc:
            raise _Declined from exc
        try:
            values = list(map(float, texts))
            regular = math.isfinite(sum(values))
        except ValueError:
            regular = False
        if regular:
            self.rows.regular_value(obj, values, names, suspect)
            return
        try:
            decoded = [text.decode() for text in texts]
        except ValueError as exc:
            raise _Declined from exc
        start = value.start()
        self.rows.value_results(obj, POSITIONS[:n], decoded, suspect, None,
                                lambda: self._line(start))

    def _irregular(self, start_tag_end: int, end: int) -> None:
        """A measValue not in the plain form, parsed by lxml on its own inside its measInfo's
        start tag (with the root's namespaces)."""
        chunk = self.buf[self.i:end]
        if any(part in chunk[1:] for part in _IN_VALUE):
            raise _Declined
        try:
            info = etree.fromstring(b"<measInfo" + self.declarations + b" " + self.info.raw
                                    + b">" + chunk + b"</measInfo>", _PARSER)
        except etree.XMLSyntaxError as exc:
            raise _Declined from exc
        el = info[0]
        # an element's line is the one its start tag ends on
        self.rows.meas_value(el, self._line(start_tag_end - 1) - el.sourceline)


def _newlines(buf: bytes, upto: int) -> int:
    """The line ends in `buf[:upto]`, counted by NumPy (a sixth of `bytes.count`'s time)."""
    return int(np.count_nonzero(np.frombuffer(buf, np.uint8, upto) == _NEWLINE))


class _Discard:
    """A parser target that builds nothing: the parse only checks the XML."""

    def close(self) -> None:
        return None


def scan_pm_file(path: Path, namespace: str, spool_dir: Path) -> PmRead | None:
    """Read one PM file of `namespace` on its bytes into a spool in `spool_dir`; None when
    the scan declines it (see the module docstring)."""
    rows, spool = PmRows(namespace), Spool(spool_dir)
    scanner = _Scanner(namespace, rows, spool)
    done = False
    try:
        with opened(path) as stream:
            while block := stream.read(BLOCK):
                scanner.feed(block, final=False)
            scanner.feed(b"", final=True)
        spool.take(rows)
        done = True
    except (_Declined, etree.XMLSyntaxError, ValueError, OSError, EOFError):
        return None  # the lxml reader reads it, or rejects it with its reason
    finally:
        spool.close(keep=done)
    return spool.result(rows)
