"""Response models: every field the API returns, so `/docs` documents it.

Timestamps are UTC (the warehouse stores naive UTC; the API marks them with `Z`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

TICKET_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
"""A ticket number: the contract says only `string`; we accept what a URL path segment carries
safely (letters, digits, `.`, `_`, `:`, `-`), up to 64 characters."""


class ErrorPublic(BaseModel):
    error: str = Field(description="machine-readable code, e.g. `not_found`, `unauthorized`")
    message: str = Field(description="what went wrong, for a person")
    details: list[dict[str, Any]] | None = Field(None, description="per-field problems (422)")


class TicketPublic(BaseModel):
    ticket_id: str
    created_at: datetime
    channel: str | None
    category: str | None
    category_family: str | None
    priority: str | None
    description: str | None
    reported_district: str | None
    status: str | None = Field(description="status at the snapshot's as-of time (TMF621 state)")
    owning_department: str | None
    resolved_at: datetime | None
    closure_code: str | None
    reopened_from_ticket_id: str | None


class CustomerPublic(BaseModel):
    customer_id: str | None
    msisdn: str = Field(description="masked like `138****1234` unless the caller may see PII")
    msisdn_masked: bool
    customer_name: str | None = Field(description="only for callers who may see PII")
    tier_at_creation: str | None
    segment: str | None


class BreachPublic(BaseModel):
    rule_id: str
    rule_name: str | None
    severity: str | None
    department: str | None


# The limits `fct_sla_warnings` watches (its accepted values): one list for every schema.
SlaLimit = Literal["resolution", "first_contact", "appeal"]


class SlaWarningPublic(BaseModel):
    sla_limit: SlaLimit = Field(
        description="the limit still running: resolution, first contact while no operator "
                    "has contacted the customer, or appeal (R1: the days after creation from "
                    "which the customer may appeal to the regulator; reached = breached)")
    limit_minutes: float
    used_minutes: float = Field(description="the SLA clock at as-of (pauses held); for the "
                                "first contact, wall-clock minutes since creation")
    share_used: float | None
    minutes_left: float = Field(description="negative: overdue by")
    deadline_at: datetime | None
    warning_level_pct: int | None = Field(description="the highest warning level reached "
                                          "(seed sla_warning_levels: 50, 75, 90); null below")
    is_breached: bool = Field(description="more than the limit used")
    department: str | None = Field(description="the department that owns the ticket now")


class ClockSegmentPublic(BaseModel):
    state: Literal["running", "paused", "stopped"]
    started_at: datetime
    ended_at: datetime | None = Field(description="null: the segment still lasts at as-of")
    began_by: str = Field(description="the action of the event that began it; `created` for "
                          "the first segment")
    began_by_event_id: str | None
    department: str | None = Field(description="the department of that event")
    counted_minutes: float = Field(description="clock minutes the segment counted (running "
                                   "only; the open one until as-of)")
    running_total_minutes: float = Field(description="the clock after this segment")


class SlaPublic(BaseModel):
    policy_id: str | None = Field(description="the sla_policy row whose limits apply "
                                  "(audit-rules §8); null when none matches")
    first_contact_limit_minutes: float | None
    resolution_limit_minutes: float | None
    first_contact_at: datetime | None
    first_contact_source: str | None = Field(description="`ticket_event` or `crm_contact`")
    first_contact_record_id: str | None
    first_contact_delay_minutes: float | None
    first_contact_deadline_at: datetime | None
    resolution_deadline_at: datetime | None
    resolution_clock_minutes: float | None = Field(description="clock at resolution")
    clock_minutes_at_as_of: float | None
    pending_minutes: float | None = Field(description="time paused while pending the customer")
    is_open_at_as_of: bool | None
    breaches: list[BreachPublic] = Field(description="T1-T3 findings of this ticket")
    warnings: list[SlaWarningPublic] = Field(
        default_factory=list, description="open at as-of: each running limit's share used, "
        "time left and warning level (as `GET /tickets/at-risk`)")
    clock_segments: list[ClockSegmentPublic] = Field(
        default_factory=list, description="the resolution clock's segments in order "
        "(audit-rules §12): why the deadline fell where it did")


class CellInventoryPublic(BaseModel):
    cell_name: str | None
    site_id: str | None
    rat: str | None
    site_type: str | None
    district: str | None
    latitude: float | None
    longitude: float | None
    status: str | None


class KpiSummaryPublic(BaseModel):
    hours_with_data: int | None
    degraded_hours: int | None
    prb_util_dl_pct: float | None = Field(description="mean over the hours with data")
    user_dl_rate_mbps: float | None
    access_success_pct: float | None
    drop_rate_pct: float | None
    good_coverage_pct: float | None
    traffic_gb: float | None = Field(description="total traffic over the hours with data")


class AlarmPublic(BaseModel):
    alarm_id: str
    severity: str | None
    alarm_type: str | None
    raised_at: datetime
    cleared_at: datetime | None


class EpisodePublic(BaseModel):
    started_at: datetime
    ended_at: datetime
    degraded_hours: int | None
    worst: dict[str, float | None] = Field(
        description="worst value of each KPI over its breached hours (null: never breached)")


class LinkedCellPublic(BaseModel):
    cell_id: str
    rank: int
    dwell_seconds: int | None = Field(description="seconds on the cell in the complaint window")
    session_hours: int | None
    inventory: CellInventoryPublic
    kpi_before: KpiSummaryPublic = Field(description="the complaint window")
    kpi_after: KpiSummaryPublic = Field(description="the 24 h after resolution")
    alarms: list[AlarmPublic]
    degradation_episodes: list[EpisodePublic]


class TimelineItemPublic(BaseModel):
    at: datetime
    type: str = Field(description="crm_contact, ticket_event, alarm_raised, alarm_cleared, "
                      "degradation_start, degradation_end, survey, repeat_ticket")
    source_system: str = Field(description="crm, ticketing or netops")
    source_table: str = Field(description="the source entity, e.g. `ticket_events`")
    source_record_id: str = Field(description="the record's key in that source")
    summary: str = Field(description="one readable line")
    cell_id: str | None
    department: str | None
    status: str | None = Field(description="state after a ticket event, alarm severity, "
                               "contact direction, survey verdict")
    code: str | None = Field(description="closure code, alarm type, channel, score")
    detail: str | None = Field(description="note, topic or description")
    action: str | None = Field(None, description="a ticket event's action (data contract "
                               "`ticket_events.action`, e.g. `dispatched`); null otherwise")


class FindingPublic(BaseModel):
    ticket_id: str
    rule_id: str
    rule_name: str | None
    severity: str | None
    department: str | None
    evidence: dict[str, Any]
    run_id: str | None
    as_of: datetime | None
    found_at: datetime | None


class ProvenancePublic(BaseModel):
    run_id: str
    as_of: datetime | None
    built_at: datetime
    snapshot_version: str


class TracePublic(BaseModel):
    ticket: TicketPublic
    customer: CustomerPublic
    sla: SlaPublic
    network_trace: Literal["present", "missing"]
    linked_cells: list[LinkedCellPublic] = Field(description="in rank order")
    timeline: list[TimelineItemPublic] = Field(description="in time order")
    findings: list[FindingPublic]
    provenance: ProvenancePublic


class TicketSummaryPublic(BaseModel):
    ticket_id: str
    created_at: datetime
    msisdn: str
    category: str | None
    priority: str | None
    status: str | None
    reported_district: str | None
    network_trace: str | None


class TicketPage(BaseModel):
    items: list[TicketSummaryPublic]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at end")


class FindingPage(BaseModel):
    items: list[FindingPublic]
    next_cursor: str | None


class AuditDailyPublic(BaseModel):
    day: date
    rule_id: str
    department: str | None
    tickets_audited: int
    findings: int
    finding_rate: float | None


class AuditSummaryPublic(BaseModel):
    rows: list[AuditDailyPublic] = Field(description="by day, rule and department")
    provenance: ProvenancePublic


class HealthPublic(BaseModel):
    status: Literal["ok"]
    snapshot_version: str
    run_id: str
    as_of: datetime | None
    built_at: datetime
    row_counts: dict[str, int]


class AtRiskPublic(BaseModel):
    ticket_id: str
    priority: str | None
    sla_limit: SlaLimit
    limit_minutes: float
    used_minutes: float
    share_used: float | None
    minutes_left: float = Field(description="negative: overdue by")
    deadline_at: datetime | None
    warning_level_pct: int | None
    is_breached: bool
    department: str | None = Field(description="the department that owns the ticket now")


class AtRiskPage(BaseModel):
    items: list[AtRiskPublic] = Field(description="by time left, ascending (most urgent first)")
    next_cursor: str | None
