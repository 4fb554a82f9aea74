"""Alarm feeds in the industry's formats, read into the contract's `netops/alarms` rows:
TM Forum TMF642 `Alarm` resources and ONAP VES 7 fault events (docs/spec/standard-feeds.md).

Each record becomes one contract row (`connectors/standard/records.py`). A clearing record
(TMF642 `perceivedSeverity: cleared`, VES `eventSeverity: NORMAL`) carries the time the alarm
cleared and no severity: staging keeps the severity an earlier delivery of the same alarm gave.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from complaint_trace.contract import entity
from connectors.standard.records import Part, Refused, Row, text, utc_text

SEVERITIES = ("critical", "major", "minor", "warning")
_ALARMS = entity("netops/alarms")


def tmf642_alarm(record: Any) -> Row:
    """A TMF642 `Alarm` (or an alarm event's `event.alarm`) as a contract alarm row."""
    if isinstance(record, dict) and isinstance(record.get("event"), dict) \
            and isinstance(record["event"].get("alarm"), dict):
        record = record["event"]["alarm"]  # AlarmCreateEvent / AlarmClearedEvent / …
    if not isinstance(record, dict):
        raise Refused("not a JSON object")
    kind = str(record.get("@type") or record.get("@baseType") or "Alarm")
    if "alarm" not in kind.lower():
        raise Refused(f"@type {kind!r} is not an Alarm")
    severity = str(record.get("perceivedSeverity") or "").strip().lower()
    obj = record.get("alarmedObject")
    cleared_at = record.get("alarmClearedTime")
    if severity == "cleared" and not cleared_at:
        cleared_at = record.get("alarmChangedTime") or record.get("alarmReportingTime")
    return {
        "alarm_id": text(record.get("id")),
        "cell_id": text(obj.get("id")) if isinstance(obj, dict) else text(obj),
        "raised_at": text(record.get("alarmRaisedTime")),
        "cleared_at": text(cleared_at),
        # cleared carries no severity; indeterminate is none of the contract's four
        "severity": severity if severity in SEVERITIES else
        (None if severity in ("cleared", "indeterminate", "") else severity),
        "alarm_type": text(record.get("probableCause") or record.get("alarmType")),
    }


def _epoch_micros(value: Any, name: str) -> str | None:
    if value is None:
        return None
    try:
        micros = int(value)
    except (TypeError, ValueError):
        raise Refused(f"{name} is not epoch microseconds: {value!r}") from None
    return utc_text(datetime.fromtimestamp(micros / 1_000_000, UTC))


def ves_fault(record: Any) -> Row:
    """An ONAP VES 7 fault event (`{"event": {commonEventHeader, faultFields}}`) as a
    contract alarm row: `eventId` names the alarm (its raise and its clear share it)."""
    event = record.get("event") if isinstance(record, dict) else None
    if not isinstance(event, dict):
        raise Refused("not a VES event (no `event` object)")
    header, fault = event.get("commonEventHeader"), event.get("faultFields")
    if not isinstance(header, dict) or not isinstance(fault, dict):
        raise Refused("VES event without commonEventHeader or faultFields")
    if str(header.get("domain", "")).lower() != "fault":
        raise Refused(f"VES domain {header.get('domain')!r} is not fault")
    source = fault.get("alarmInterfaceA") or header.get("eventSourceName") \
        or header.get("sourceName")
    if not source:
        raise Refused("VES fault without eventSourceName (sourceName) or alarmInterfaceA")
    severity = str(fault.get("eventSeverity") or "").strip().lower()
    clears = severity == "normal"
    return {
        "alarm_id": text(header.get("eventId")),
        "cell_id": text(source),
        "raised_at": _epoch_micros(header.get("startEpochMicrosec"), "startEpochMicrosec"),
        "cleared_at": _epoch_micros(header.get("lastEpochMicrosec"), "lastEpochMicrosec")
        if clears else None,
        "severity": None if clears else (severity or None),
        "alarm_type": text(fault.get("alarmCondition")),
    }


def tmf642_alarms(record: Any, raw: str) -> list[Part]:
    return [Part(_ALARMS, raw, row=tmf642_alarm(record))]


def ves_faults(record: Any, raw: str) -> list[Part]:
    return [Part(_ALARMS, raw, row=ves_fault(record))]
