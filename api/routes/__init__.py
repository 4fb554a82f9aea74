"""Routers, one module per resource, and what they share."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BeforeValidator

from api.schemas import ErrorPublic

ERRORS: dict = {code: {"model": ErrorPublic, "description": text} for code, text in (
    (401, "missing or invalid API key"), (403, "the key's role may not do this"),
    (404, "no such ticket"), (422, "malformed input"), (503, "no snapshot published yet"))}



_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # what ISO 8601 text starts with


def _iso_datetime(value: object) -> datetime:
    """ISO 8601 text only (pydantic's lax mode would read `0` or `-99999999999` as epoch
    seconds), and a moment that UTC can still hold (`9999-12-31T23:00:00-02:00` cannot)."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("expected an ISO 8601 date-time, e.g. 2026-03-02T08:00:00+08:00")
    parsed = datetime.fromisoformat(value)
    try:
        naive_utc(parsed)
    except OverflowError as exc:
        raise ValueError("date-time out of range once converted to UTC") from exc
    return parsed


def _iso_date(value: object) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("expected an ISO 8601 date, e.g. 2026-03-02")
    return date.fromisoformat(value)


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


def naive_utc(value: datetime | None) -> datetime | None:
    """Query times with an offset become the warehouse's naive UTC; naive ones are UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
