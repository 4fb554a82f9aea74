"""`GET /tickets`: search tickets; `GET /tickets/at-risk`: open tickets near or past an SLA
limit. Both cursor-paginated."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CallerDep, PageSizeDep, SnapshotDep
from api.listing import TicketFilter, at_risk, search_tickets
from api.routes import ERRORS, IsoDateTime, naive_utc
from api.schemas import AtRiskPage, AtRiskPublic, TicketPage, TicketSummaryPublic
from api.trace import utc
from complaint_trace.pii import mask_msisdn

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get("", response_model=TicketPage, responses=ERRORS)
def read_tickets(
    snapshot: SnapshotDep, caller: CallerDep, size: PageSizeDep,
    msisdn: Annotated[str | None, Query(pattern=r"^\d{5,15}$")] = None,
    status: Annotated[str | None, Query(max_length=32, description="status at as-of")] = None,
    created_from: Annotated[IsoDateTime | None, Query(description="inclusive")] = None,
    created_to: Annotated[IsoDateTime | None, Query(description="exclusive")] = None,
    district: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> TicketPage:
    """Tickets by MSISDN, status, creation range and district, oldest first."""
    flt = TicketFilter(msisdn=msisdn, status=status, created_from=naive_utc(created_from),
                       created_to=naive_utc(created_to), district=district)
    with snapshot.cursor() as cur:
        items, nxt = search_tickets(cur, flt, cursor, size)
    for item in items:
        item["created_at"] = utc(item["created_at"])
        if not caller.sees_pii:
            item["msisdn"] = mask_msisdn(item["msisdn"])
    return TicketPage(items=[TicketSummaryPublic(**i) for i in items], next_cursor=nxt)


@router.get("/at-risk", response_model=AtRiskPage, responses=ERRORS)
def read_at_risk(
    snapshot: SnapshotDep, caller: CallerDep, size: PageSizeDep,
    level: Annotated[int | None, Query(ge=1, le=100, description=(
        "only limits at or past this warning level (percent of the limit used; the levels "
        "are the seed sla_warning_levels: 50, 75, 90); default: any level reached"))] = None,
    department: Annotated[str | None, Query(max_length=100,
                                            description="the department owning it now")] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> AtRiskPage:
    """Open tickets whose SLA clock reached a warning level, most urgent (least time left)
    first: share of the limit used, time left or overdue by, the owning department."""
    with snapshot.cursor() as cur:
        items, nxt = at_risk(cur, level, department, cursor, size)
    for item in items:
        item["deadline_at"] = utc(item["deadline_at"])
    return AtRiskPage(items=[AtRiskPublic(**i) for i in items], next_cursor=nxt)
