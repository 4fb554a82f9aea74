"""TM Forum TMF621 `TroubleTicket` resources (v4 and v5), read into the contract's
`ticketing/tickets` and `ticketing/ticket_events` rows (docs/spec/standard-feeds.md).

A ticket resource carries its whole status history, so a feed delivers a ticket again each
time it changes: every delivery gives the ticket row and one event per status change, and the
events of a later delivery carry the same ids (the loader's latest delivery wins).

- Status names are matched case-insensitively (`"Pending"`); a name that is none of TMF621's
  states passes through, so the contract's check quarantines that event alone.
- A status change's own `action`, `department`, `operatorId`, `closureCode` and `id` (a
  sub-classed `StatusChange`) are taken when present; otherwise the action follows from the
  status and the one before it, and the event id is `<ticket id>-<n>`, n counting the history.
- Priority (else severity), channel and ticket type are mapped by the seed
  `tmf621_value_map`; a value it does not list passes through (lower-cased for the enums).
"""

from __future__ import annotations

import csv
import functools
from datetime import datetime
from typing import Any

from complaint_trace.contract import TMF621_STATES, entity
from complaint_trace.settings import DBT_PROJECT_DIR
from connectors.standard.records import Part, Refused, Row, raw_json, text

TICKETS, EVENTS = entity("ticketing/tickets"), entity("ticketing/ticket_events")
VALUE_MAP = DBT_PROJECT_DIR / "seeds" / "tmf621_value_map.csv"
_STATES = {state.lower(): state for state in TMF621_STATES}
# the action a status change to `status` is when no `action` comes with it
_ACTION_OF_STATUS = {"acknowledged": "dispatched", "inProgress": "accepted",
                     "pending": "pending_customer", "held": "pending_customer",
                     "resolved": "resolved", "closed": "closed", "cancelled": "cancelled",
                     "rejected": "cancelled"}
_WAITING, _DONE = ("pending", "held"), ("resolved", "closed")
_CUSTOMER_ROLES = ("customer", "reporter", "originator")


@functools.cache
def value_map() -> dict[tuple[str, str], str]:
    """(field, TMF value lower-cased) -> contract value, from the seed."""
    with VALUE_MAP.open(encoding="utf-8", newline="") as f:
        return {(row["field"], row["tmf_value"].strip().lower()): row["contract_value"]
                for row in csv.DictReader(f)}


def _mapped(field: str, value: Any, lower: bool = True) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    shown = str(value).strip()
    return value_map().get((field, shown.lower()), shown.lower() if lower else shown)


def _name(value: Any) -> Any:
    """A reference's name (`channel: {"name": …}`) or the value itself."""
    return value.get("name") or value.get("id") if isinstance(value, dict) else value


def _characteristic(record: dict, name: str) -> Any:
    """An extension value: a field of the ticket, or a `troubleTicketCharacteristic` (v5) or
    `characteristic` entry of that name."""
    if name in record:
        return record[name]
    for key in ("troubleTicketCharacteristic", "characteristic"):
        for item in record.get(key) or []:
            if isinstance(item, dict) and item.get("name") == name:
                return item.get("value")
    return None


def _party_id(party: dict) -> Any:
    inner = party.get("partyOrPartyRole")  # v5 RelatedPartyRefOrPartyRoleRef
    return party.get("id") or (inner.get("id") if isinstance(inner, dict) else None)


def _msisdn(record: dict) -> str | None:
    """The customer's MSISDN: the id of the related party in the customer's role."""
    parties = [p for p in record.get("relatedParty") or [] if isinstance(p, dict)]
    for party in parties:
        if str(party.get("role") or "").strip().lower() in _CUSTOMER_ROLES:
            return text(party.get("msisdn") or _party_id(party))
    return None


def _repeat_of(record: dict) -> str | None:
    """The earlier ticket this one repeats: its first `troubleTicketRelationship`."""
    for relation in record.get("troubleTicketRelationship") or []:
        if isinstance(relation, dict) and relation.get("id"):
            return text(relation["id"])
    return None


def _ticket_row(record: dict, ticket_id: str) -> Row:
    priority = record.get("priority") or None
    return {
        "ticket_id": ticket_id,
        "msisdn": _msisdn(record),
        "created_at": text(record.get("creationDate")),
        "channel": _mapped("channel", _name(record.get("channel"))),
        "category": _mapped("ticket_type", _characteristic(record, "category")
                            or record.get("ticketType"), lower=False),
        "priority": _mapped("priority", priority) if priority is not None
        else _mapped("severity", record.get("severity")),
        "description": text(record.get("description") or record.get("name")),
        "reported_district": text(_characteristic(record, "reportedDistrict")),
        "reported_lat": text(_characteristic(record, "reportedLat")),
        "reported_lon": text(_characteristic(record, "reportedLon")),
        "reopened_from_ticket_id": _repeat_of(record),
    }


def _history(record: dict) -> list[Any]:
    """The status changes (v4 `statusChange`, v5 `statusChangeHistory`), else the current
    status as the one change."""
    history = record.get("statusChangeHistory") or record.get("statusChange")
    if history:
        return history if isinstance(history, list) else [history]
    if record.get("status"):
        return [{"status": record["status"],
                 "changeDate": record.get("statusChangeDate") or record.get("lastUpdate")
                 or record.get("creationDate"),
                 "changeReason": record.get("statusChangeReason")}]
    return []


def _action(status: str, previous: str | None, first: bool) -> str | None:
    if first and status == "acknowledged":
        return "created"
    if status == "inProgress" and previous in _WAITING:
        return "resumed"
    if status in ("inProgress", "acknowledged") and previous in _DONE:
        return "reopened"
    return _ACTION_OF_STATUS.get(status)


def _instant(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _notes_by_event(record: dict, events: list[Row]) -> dict[int, list[str]]:
    """Each ticket `note` on the event in force when it was written (else the last event)."""
    attached: dict[int, list[str]] = {}
    times = [_instant(e["event_at"]) for e in events]
    for note in record.get("note") or []:
        if not isinstance(note, dict) or not note.get("text") or not events:
            continue
        written = _instant(note.get("date"))
        index = len(events) - 1
        if written is not None and all(t is not None for t in times):
            earlier = [i for i, t in enumerate(times) if t <= written]
            index = max(earlier, key=lambda i: (times[i], i)) if earlier else 0
        attached.setdefault(index, []).append(str(note["text"]))
    return attached


def _event_parts(record: dict, ticket_id: str) -> list[Part]:
    parts: list[Part] = []
    events: list[tuple[Row, str]] = []
    previous: str | None = None
    for n, change in enumerate(_history(record), 1):
        raw = raw_json(change)
        if not isinstance(change, dict):
            parts.append(Part(EVENTS, raw, refused=f"ticket {ticket_id}: status change {n} "
                                                   "is not a JSON object"))
            continue
        given = str(change.get("status") or "").strip()
        status = _STATES.get(given.lower(), given or None)
        events.append(({
            "event_id": text(change.get("id")) or f"{ticket_id}-{n}",
            "ticket_id": ticket_id,
            "event_at": text(change.get("changeDate") or change.get("statusChangeDate")),
            "action": text(change.get("action")) or _action(status, previous, not events),
            "status_after": status,
            "department": text(change.get("department")),
            "operator_id": text(change.get("operatorId")),
            "closure_code": text(change.get("closureCode")),
            "note": text(change.get("changeReason") or change.get("statusChangeReason")),
        }, raw))
        previous = status
    rows = [row for row, _ in events]
    for index, texts in _notes_by_event(record, rows).items():
        rows[index]["note"] = "\n".join([*filter(None, [rows[index]["note"]]), *texts])
    return [*parts, *(Part(EVENTS, raw, row=row) for row, raw in events)]


def trouble_tickets(record: Any, raw: str) -> list[Part]:
    """A TMF621 `TroubleTicket` (or a ticket event's `event.troubleTicket`) as a ticket row
    and its events."""
    if isinstance(record, dict) and isinstance(record.get("event"), dict) \
            and isinstance(record["event"].get("troubleTicket"), dict):
        record = record["event"]["troubleTicket"]  # TroubleTicketCreateEvent / …
    if not isinstance(record, dict):
        raise Refused("not a JSON object")
    ticket_id = text(record.get("id"))
    if not ticket_id or not ticket_id.strip():
        raise Refused("TMF621 ticket without id")
    return [Part(TICKETS, raw, row=_ticket_row(record, ticket_id)),
            *_event_parts(record, ticket_id)]
