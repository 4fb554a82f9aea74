"""The C reader of plain measValue runs (`connectors/standard/_pm_plain.c`) reads exactly what
the Python reader it stands in for reads: the measValues `pm_scan._Plan.plain` matches one
after another from a position, each result as Python's `float()` reads it; or it answers None
and leaves the run to Python. The expected values here come from that pattern and `float()`."""

from __future__ import annotations

import math
import struct

import pytest

from connectors.standard import _pm_plain, pm_scan

read_plain_run = _pm_plain.read_plain_run


def _value(obj: str, *texts: str, blank: str = "\n  ") -> bytes:
    results = "".join(f'{blank}<r p="{p}">{text}</r>' for p, text in enumerate(texts, 1))
    return f'<measValue measObjLdn="{obj}">{results}{blank}</measValue>\n'.encode()


def _python(buf: bytes, start: int, n: int) -> tuple[int, list[str], list[float]] | None:
    """The run as the Python reader reads it; None when it is not all finite numbers."""
    plan = pm_scan._plan(tuple((str(p), f"c{p}") for p in range(1, n + 1)))
    matches, end = [], start
    while (match := plan.plain.match(buf, end)) is not None:
        matches.append(match)
        end = match.end()
    texts = [text for match in matches for text in match.groups()[1:]]
    try:
        numbers = [float(text) for text in texts]
    except ValueError:
        return None
    if not matches or not math.isfinite(sum(numbers)):
        return None
    return end, [match.group(1).decode() for match in matches], numbers


def _bits(values: list[float]) -> bytes:
    return struct.pack(f"{len(values)}d", *values)  # -0.0 and 0.0 differ


@pytest.mark.parametrize("texts", [
    ("7", "8"), ("-0", "+5"), ("007", "123456789012345"), ("9007199254740993", "1" * 40),
    ("1.5", "1e3"), (".5", "5."), ("1E-7", "-2.5e+300"), (" 9 ", "\t3\n"),
    ("0.1", "2.2250738585072014e-308"), ("123456789012345678", "-4.9e-324"),
], ids=repr)
def test_numbers_read_as_float_reads_them(texts):
    buf = b"<x>" + _value("C=1", *texts) + _value("C=2", "1", "2", blank="") + b"</measInfo>"
    read = read_plain_run(buf, 3, 2)
    expected = _python(buf, 3, 2)
    assert read is not None and expected is not None
    end, objects, packed = read
    assert (end, objects) == expected[:2] == (len(buf) - len(b"</measInfo>"), ["C=1", "C=2"])
    assert packed == _bits(expected[2])


@pytest.mark.parametrize("texts", [
    ("1_000", "2"), ("1" * 300, "2"),  # float() takes them; Python reads them
    ("inf", "2"), ("nan", "2"), ("1e999", "2"), ("1e308", "1e308"),  # not finite, or the sum
    ("", "2"), ("abc", "2"), ("0x10", "2"), ("１", "2"),
], ids=repr)
def test_what_is_not_plainly_a_finite_number_is_left_to_python(texts):
    buf = _value("C=1", *texts)
    assert read_plain_run(buf, 0, 2) is None
    if texts[0] != "1_000" and len(texts[0]) < 300:
        assert _python(buf, 0, 2) is None  # the Python reader reads it one by one too


@pytest.mark.parametrize("after", [
    _value("C=9", "1"),  # fewer results than types
    _value("C=9", "1", "2", "3"),  # more
    b'<measValue measObjLdn="C=9"><r p="2">1</r><r p="1">2</r></measValue>',  # out of order
    b'<measValue measObjLdn="C=9"><r p="1">1</r><r p="2">2</r><suspect>true</suspect>'
    b"</measValue>",
    b'<measValue measObjLdn="C=9"><r p="1">1</r><r p="2">2</r>',  # cut: not all read yet
    b'<measValue measObjLdn="C=9"><r p="01">1</r><r p="2">2</r></measValue>',
    b'<measValue measObjLdn=""><r p="1">1</r><r p="2">2</r></measValue>',
    b'<measValue measObjLdn="C&amp;9"><r p="1">1</r><r p="2">2</r></measValue>',
    b'<measValue measObjLdn="C=9"><r p="1">1&#48;</r><r p="2">2</r></measValue>',
    b'<measValue  measObjLdn="C=9"><r p="1">1</r><r p="2">2</r></measValue>',
    b'<measValue measObjLdn="C=9">\x0c<r p="1">1</r><r p="2">2</r></measValue>',
    b'<measValue measObjLdn="C=9"><r p="1">1\r</r><r p="2">2</r></measValue>',
], ids=lambda b: b[:70].decode(errors="replace"))
def test_a_run_ends_where_the_pattern_stops_matching(after):
    buf = _value("C=1", "1", "2") + _value("C=2", "3", "4", blank=" \t") + after
    read = read_plain_run(buf, 0, 2)
    assert read is not None
    assert read[:2] == _python(buf, 0, 2)[:2] == (len(buf) - len(after), ["C=1", "C=2"])
    assert read[2] == _bits([1, 2, 3, 4])


def test_objects_are_decoded_as_utf8_or_left_to_python():
    chinese = _value("小区=1", "1", "2")
    assert read_plain_run(chinese, 0, 2)[1] == ["小区=1"]
    assert read_plain_run(chinese.replace("小".encode(), b"\xff\xfe"), 0, 2) is None


def test_no_meas_value_at_the_start_or_no_types_is_none():
    buf = _value("C=1", "1", "2")
    assert read_plain_run(b" " + buf, 0, 2) is None
    assert read_plain_run(buf, 1, 2) is None
    assert read_plain_run(buf, 0, 0) is None
    assert read_plain_run(buf, len(buf), 2) is None
    assert read_plain_run(buf, len(buf) + 5, 2) is None


def test_a_run_of_many_measvalues_and_many_types():
    n = 1200  # more results than a first buffer holds, positions of four digits
    texts = [str(p * 3) for p in range(1, n + 1)]
    buf = b"".join(_value(f"C={k}", *texts, blank="") for k in range(5))
    end, objects, packed = read_plain_run(buf, 0, n)
    assert (end, objects) == (len(buf), [f"C={k}" for k in range(5)])
    assert packed == _bits([float(t) for t in texts] * 5)


_PIECES = ["0", "7", "-", "+", ".", "e", "E", "5", "9" * 16, " ", "\t", "\n", "\r", "_", "inf",
           "nan", "x", "１", "1e308", "&amp;", "<", "\x0b"]


def _number(rng) -> str:
    """A number as a PM file may write it: an integer, a decimal, an exponent, a sign, white
    space around."""
    whole = str(rng.choice([0, 1, 7, 42, 10**15 - 1, 10**15, 2**53 + 1, rng.randrange(10**6)]))
    text = rng.choice(["-", "+", ""]) + whole + rng.choice(
        ["", "", "." + str(rng.randrange(1000)), "e" + str(rng.randint(-310, 310)), "."])
    return rng.choice(["", " ", "\t", "\n "]) + text + rng.choice(["", " ", "\n"])


def test_random_runs_read_as_the_python_reader_reads_them():
    """Seeded random runs of 1-4 measValues of 3 results, texts drawn from pieces numbers and
    what breaks them are made of: wherever the C reader answers, it answers what the pattern
    and float() give; where it leaves a run to Python, the pattern or float() must have a
    reason not to read it plainly (a text C defers on, or not a finite number)."""
    import random

    rng = random.Random(20261204)
    answered = deferred = 0
    for _ in range(3000):
        values = []
        for k in range(rng.randint(1, 4)):
            texts = [_number(rng) if rng.random() < 0.9 else
                     "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 3)))
                     for _ in range(3)]
            values.append(_value(f"C={k}", *texts, blank=rng.choice(["", " ", "\n  ", "\r\n"])))
        buf = b"".join(values) + b"</measInfo>"
        read, expected = read_plain_run(buf, 0, 3), _python(buf, 0, 3)
        if read is None:
            deferred += 1
            matches = expected is None or b"_" in buf
            assert matches, buf
            continue
        answered += 1
        assert expected is not None, buf
        assert read[:2] == expected[:2] and read[2] == _bits(expected[2]), buf
    assert answered > 300 and deferred > 300  # both ways were exercised
