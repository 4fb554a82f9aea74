"""JSON record feeds (TMF621, TMF642, VES): a file is a JSON array, one JSON object, or JSON
Lines, and a converter turns each record into rows of contract entities as text, so the
contract's own checks (`connectors/validate.py`) type and check them like a delivered CSV row.

A record the converter refuses is quarantined whole with the reason; a part of a record it
refuses (one status change of a ticket) is quarantined alone. Every row and refusal of a file
takes the next row number, in file order, so a later record of the same key wins and every
quarantine row of a file has its own number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from complaint_trace.contract import Entity
from connectors.columns import FileRejected
from connectors.files import opened

Row = dict[str, str | None]  # a contract row as text; None: absent


class Refused(ValueError):
    """A record, or a part of one, that is not what the format says: quarantined with this
    reason while the rest of the file loads."""


@dataclass(frozen=True)
class Part:
    """One contract row a record gives (`row`), or a part of the record refused (`refused`),
    with the raw JSON it came from."""

    target: Entity
    raw: str
    row: Row | None = None
    refused: str | None = None


Converter = Callable[[Any, str], list[Part]]  # (parsed record, its raw JSON) -> its parts


@dataclass
class RecordsRead:
    """One target entity's rows of a file, with their row numbers and raw JSON, and the
    records or parts quarantined as (row number, reason, raw)."""

    rows: list[Row] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    quarantined: list[tuple[int, str, str]] = field(default_factory=list)


def raw_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def text(value: Any) -> str | None:
    return None if value is None else str(value)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _records(path: Path, rel: str) -> Iterator[tuple[Any, str]]:
    """(parsed record or the `Refused` parse error, raw text) of every record of the file."""
    with opened(path) as stream:
        try:
            content = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileRejected(f"{rel}: not UTF-8 text ({exc.reason})") from exc
        except (OSError, EOFError) as exc:
            raise FileRejected(f"{rel}: unreadable: {exc}") from exc
    if not content.strip():
        return
    try:
        whole = json.loads(content)
    except json.JSONDecodeError:
        whole = None  # JSON Lines, or malformed: record by record
    if whole is not None:
        for record in whole if isinstance(whole, list) else [whole]:
            yield record, raw_json(record)
        return
    for line in content.splitlines():
        if not line.strip():
            continue
        try:
            yield json.loads(line), line
        except json.JSONDecodeError as exc:
            yield Refused(f"invalid JSON: {exc.msg}"), line


def read_record_file(path: Path, rel: str, convert: Converter,
                     targets: tuple[Entity, ...]) -> dict[Entity, RecordsRead]:
    """Every record of the file through `convert`, by target entity; a record refused whole
    is quarantined under the first target."""
    reads = {target: RecordsRead() for target in targets}
    number = 0
    for record, raw in _records(path, rel):
        try:
            if isinstance(record, Refused):
                raise record
            parts = convert(record, raw)
        except Refused as exc:
            parts = [Part(targets[0], raw, refused=str(exc))]
        for part in parts:
            number += 1
            read = reads[part.target]
            if part.refused is not None:
                read.quarantined.append((number, part.refused, part.raw))
                continue
            read.rows.append(part.row)
            read.positions.append(number)
            read.raws.append(part.raw)
    return reads
