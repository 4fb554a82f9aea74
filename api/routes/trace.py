"""`GET /tickets/{ticket_id}/trace`: the whole trace of one ticket."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Response

from api.deps import CallerDep, SnapshotDep
from api.routes import ERRORS
from api.schemas import TICKET_ID_PATTERN, TracePublic
from api.trace import trace_json

router = APIRouter(prefix="/tickets", tags=["trace"])

TicketId = Annotated[str, Path(max_length=64, pattern=TICKET_ID_PATTERN,
                               description="the ticket number", examples=["TT20260301000123"])]


@router.get("/{ticket_id}/trace", response_model=TracePublic, responses=ERRORS)
async def read_trace(ticket_id: TicketId, snapshot: SnapshotDep, caller: CallerDep) -> Response:
    """The ticket, customer, SLA, linked cells, timeline, findings and provenance in one answer."""
    # Async on purpose: the lookup is one sub-millisecond indexed read, cheaper to run inline
    # than the thread-pool hop a sync handler costs (measured by bench/api_load.py).
    # The snapshot holds the document already in TracePublic's shape (a test validates it), so
    # it is sent as is: re-validating 100 nested items per request would cost most of the budget.
    text = trace_json(snapshot, ticket_id, sees_pii=caller.sees_pii)
    if text is None:
        raise HTTPException(404, f"Ticket not found: {ticket_id}")
    return Response(content=text, media_type="application/json")
