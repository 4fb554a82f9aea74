"""Routers, one module per resource, and what they share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query

from api.config import ApiSettings
from api.schemas import ErrorPublic

ERRORS: dict = {code: {"model": ErrorPublic, "description": text} for code, text in (
    (401, "missing or invalid API key"), (403, "the key's role may not do this"),
    (404, "no such ticket"), (422, "malformed input"), (503, "no snapshot published yet"))}

_PAGE = ApiSettings()
Limit = Annotated[int | None, Query(ge=1, le=_PAGE.page_size_max, description=(
    f"page size (default {_PAGE.page_size_default}, at most {_PAGE.page_size_max})"))]


def naive_utc(value: datetime | None) -> datetime | None:
    """Query times with an offset become the warehouse's naive UTC; naive ones are UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
