"""Alarm feeds in the industry's formats, read into the contract's `netops/alarms` rows:
TM Forum TMF642 `Alarm` resources and ONAP VES 7 fault events (docs/spec/standard-feeds.md).

A file is a JSON array, one JSON object, or JSON Lines. Each record becomes one contract row
as text, so the contract's own checks (`connectors/validate.py`) type and check it like a
delivered CSV row; a record that is not an alarm of the format is quarantined with the
reason. A clearing record (TMF642 `perceivedSeverity: cleared`, VES `eventSeverity: NORMAL`)
carries the time the alarm cleared and no severity: staging keeps the severity an earlier
delivery of the same alarm gave.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.columns import FileRejected
from connectors.standard.pm_xml import opened

SEVERITIES = ("critical", "major", "minor", "warning")


class NotAnAlarm(ValueError):
    """A record of the file that is not an alarm of the format: quarantined, the rest loads."""


@dataclass
class RecordsRead:
    """Contract rows as text (`None`: absent) with each record's position and raw JSON, and
    the records quarantined as (position, reason, raw)."""

    rows: list[dict[str, str | None]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)
    quarantined: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.quarantined)


def _records(path: Path, rel: str) -> Iterator[tuple[int, Any, str]]:
    """(position, parsed record or the parse error, raw text) of every record of the file."""
    with opened(path) as stream:
        try:
            text = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileRejected(f"{rel}: not UTF-8 text ({exc.reason})") from exc
        except (OSError, EOFError) as exc:
            raise FileRejected(f"{rel}: unreadable: {exc}") from exc
    if not text.strip():
        return
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None  # JSON Lines, or malformed: record by record
    if whole is not None:
        records = whole if isinstance(whole, list) else [whole]
        for position, record in enumerate(records, 1):
            yield position, record, json.dumps(record, ensure_ascii=False)
        return
    position = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        position += 1
        try:
            yield position, json.loads(line), line
        except json.JSONDecodeError as exc:
            yield position, NotAnAlarm(f"invalid JSON: {exc.msg}"), line


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def tmf642_alarm(record: Any) -> dict[str, str | None]:
    """A TMF642 `Alarm` (or an alarm event's `event.alarm`) as a contract alarm row."""
    if isinstance(record, dict) and isinstance(record.get("event"), dict) \
            and isinstance(record["event"].get("alarm"), dict):
        record = record["event"]["alarm"]  # AlarmCreateEvent / AlarmClearedEvent / …
    if not isinstance(record, dict):
        raise NotAnAlarm("not a JSON object")
    kind = str(record.get("@type") or record.get("@baseType") or "Alarm")
    if "alarm" not in kind.lower():
        raise NotAnAlarm(f"@type {kind!r} is not an Alarm")
    severity = str(record.get("perceivedSeverity") or "").strip().lower()
    obj = record.get("alarmedObject")
    cleared_at = record.get("alarmClearedTime")
    if severity == "cleared" and not cleared_at:
        cleared_at = record.get("alarmChangedTime") or record.get("alarmReportingTime")
    return {
        "alarm_id": _text(record.get("id")),
        "cell_id": _text(obj.get("id")) if isinstance(obj, dict) else _text(obj),
        "raised_at": _text(record.get("alarmRaisedTime")),
        "cleared_at": _text(cleared_at),
        # cleared carries no severity; indeterminate is none of the contract's four
        "severity": severity if severity in SEVERITIES else
        (None if severity in ("cleared", "indeterminate", "") else severity),
        "alarm_type": _text(record.get("probableCause") or record.get("alarmType")),
    }


def _epoch_micros(value: Any, name: str) -> str | None:
    if value is None:
        return None
    try:
        micros = int(value)
    except (TypeError, ValueError):
        raise NotAnAlarm(f"{name} is not epoch microseconds: {value!r}") from None
    return _utc_text(datetime.fromtimestamp(micros / 1_000_000, UTC))


def ves_fault(record: Any) -> dict[str, str | None]:
    """An ONAP VES 7 fault event (`{"event": {commonEventHeader, faultFields}}`) as a
    contract alarm row: `eventId` names the alarm (its raise and its clear share it)."""
    event = record.get("event") if isinstance(record, dict) else None
    if not isinstance(event, dict):
        raise NotAnAlarm("not a VES event (no `event` object)")
    header, fault = event.get("commonEventHeader"), event.get("faultFields")
    if not isinstance(header, dict) or not isinstance(fault, dict):
        raise NotAnAlarm("VES event without commonEventHeader or faultFields")
    if str(header.get("domain", "")).lower() != "fault":
        raise NotAnAlarm(f"VES domain {header.get('domain')!r} is not fault")
    source = fault.get("alarmInterfaceA") or header.get("eventSourceName") \
        or header.get("sourceName")
    if not source:
        raise NotAnAlarm("VES fault without eventSourceName (sourceName) or alarmInterfaceA")
    severity = str(fault.get("eventSeverity") or "").strip().lower()
    clears = severity == "normal"
    return {
        "alarm_id": _text(header.get("eventId")),
        "cell_id": _text(source),
        "raised_at": _epoch_micros(header.get("startEpochMicrosec"), "startEpochMicrosec"),
        "cleared_at": _epoch_micros(header.get("lastEpochMicrosec"), "lastEpochMicrosec")
        if clears else None,
        "severity": None if clears else (severity or None),
        "alarm_type": _text(fault.get("alarmCondition")),
    }


def read_alarm_file(path: Path, rel: str,
                    convert: Callable[[Any], dict[str, str | None]]) -> RecordsRead:
    """Every record of the file through `convert`; those it refuses are quarantined."""
    read = RecordsRead()
    for position, record, raw in _records(path, rel):
        try:
            if isinstance(record, NotAnAlarm):
                raise record
            row = convert(record)
        except NotAnAlarm as exc:
            read.quarantined.append((position, str(exc), raw))
            continue
        read.rows.append(row)
        read.positions.append(position)
        read.raws.append(raw)
    return read
