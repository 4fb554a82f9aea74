"""`GET /findings` and `GET /audit/summary`: the auditors' view (roles auditor, admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AuditorDep, PageSizeDep, SnapshotDep
from api.listing import FindingFilter, audit_summary, list_findings
from api.routes import ERRORS, IsoDate
from api.schemas import (
    TICKET_ID_PATTERN,
    AuditDailyPublic,
    AuditSummaryPublic,
    FindingPage,
)
from api.trace import finding_from_row, provenance

router = APIRouter(tags=["audit"])

RuleId = Annotated[str | None, Query(pattern=r"^[A-Z][0-9]{1,2}$", description="e.g. F1")]
Department = Annotated[str | None, Query(max_length=100)]
DayFrom = Annotated[IsoDate | None, Query(alias="from", description="ticket created on/after")]
DayTo = Annotated[IsoDate | None, Query(alias="to", description="ticket created on/before")]


@router.get("/findings", response_model=FindingPage, responses=ERRORS)
def read_findings(
    snapshot: SnapshotDep, caller: AuditorDep, size: PageSizeDep,
    rule: RuleId = None, department: Department = None, day_from: DayFrom = None,
    day_to: DayTo = None,
    severity: Annotated[str | None, Query(pattern=r"^(high|medium|low)$")] = None,
    ticket_id: Annotated[str | None, Query(max_length=64, pattern=TICKET_ID_PATTERN)] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> FindingPage:
    """Audit findings (one per ticket and rule) by rule, department, severity and day."""
    flt = FindingFilter(rule_id=rule, department=department, severity=severity,
                        ticket_id=ticket_id, day_from=day_from, day_to=day_to)
    with snapshot.cursor() as cur:
        rows, nxt = list_findings(cur, flt, cursor, size)
    return FindingPage(items=[finding_from_row(r, caller.sees_pii) for r in rows],
                       next_cursor=nxt)


@router.get("/audit/summary", response_model=AuditSummaryPublic, responses=ERRORS)
def read_audit_summary(snapshot: SnapshotDep, caller: AuditorDep, rule: RuleId = None,
                       department: Department = None, day_from: DayFrom = None,
                       day_to: DayTo = None) -> AuditSummaryPublic:
    """Tickets audited, findings and finding rate by day x rule x department."""
    with snapshot.cursor() as cur:
        rows = audit_summary(cur, rule, department, day_from, day_to)
    return AuditSummaryPublic(rows=[AuditDailyPublic(**r) for r in rows],
                              provenance=provenance(snapshot))
