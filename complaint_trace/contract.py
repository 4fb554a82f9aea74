"""The landing data contract (shared/spec/data-contract.md, v1) as data.

One `Entity` per landing folder. Connectors validate against it, the simulator writes to
it, and a test checks it column by column against the spec's own tables, so the three
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHANNELS = ("hotline", "app", "web", "store", "account_manager")
TMF621_STATES = (
    "acknowledged", "inProgress", "pending", "held", "resolved", "closed", "cancelled", "rejected",
)
TICKET_ACTIONS = (
    "created", "dispatched", "accepted", "customer_contacted", "site_visit", "pending_customer",
    "resumed", "escalated", "resolved", "closed", "reopened", "cancelled",
)
CLOSURE_CODES = (
    "network_fixed", "network_optimized", "coverage_planned", "explained", "billing_adjusted",
    "customer_unreachable", "no_fault_found", "duplicate",
)
CATEGORY_FAMILIES = ("network", "billing", "service", "product")
NETWORK_KINDS = ("coverage", "data_speed", "call_drop", "no_service", "call_quality")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string | enum | timestamp | double | integer | bigint | boolean
    required: bool = False
    values: tuple[str, ...] = ()  # enumerations
    min: float | None = None  # inclusive range checks
    max: float | None = None


@dataclass(frozen=True)
class Entity:
    source: str  # crm | ticketing | netops
    name: str  # folder and raw table name
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def path(self) -> str:
        return f"{self.source}/{self.name}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, type_: str, **kw) -> Column:
    return Column(name, type_, **kw)


PCT = {"min": 0.0, "max": 100.0}

ENTITIES: tuple[Entity, ...] = (
    Entity("crm", "customers", ("customer_id", "updated_at"), (
        _c("customer_id", "string", required=True),
        _c("msisdn", "string", required=True),
        _c("customer_name", "string"),
        _c("tier", "enum", values=("platinum", "gold", "silver", "standard")),
        _c("segment", "enum", values=("individual", "enterprise")),
        _c("enterprise_name", "string"),
        _c("home_district", "string"),
        _c("plan_code", "string"),
        _c("registered_at", "timestamp"),
        _c("updated_at", "timestamp", required=True),
    )),
    Entity("crm", "contacts", ("contact_id",), (
        _c("contact_id", "string", required=True),
        _c("msisdn", "string", required=True),
        _c("channel", "enum", values=CHANNELS),
        _c("direction", "enum", values=("inbound", "outbound")),
        _c("contact_at", "timestamp", required=True),
        _c("topic", "string"),
        _c("related_ticket_id", "string"),
        _c("resolved_on_contact", "boolean"),
        _c("agent_id", "string"),
    )),
    Entity("ticketing", "tickets", ("ticket_id",), (
        _c("ticket_id", "string", required=True),
        _c("msisdn", "string", required=True),
        _c("created_at", "timestamp", required=True),
        _c("channel", "enum", values=(*CHANNELS, "regulator")),
        _c("category", "string"),
        _c("priority", "enum", values=("urgent", "high", "normal", "low")),
        _c("description", "string"),
        _c("reported_district", "string"),
        _c("reported_lat", "double", min=-90.0, max=90.0),
        _c("reported_lon", "double", min=-180.0, max=180.0),
        _c("reopened_from_ticket_id", "string"),
    )),
    Entity("ticketing", "ticket_events", ("event_id",), (
        _c("event_id", "string", required=True),
        _c("ticket_id", "string", required=True),
        _c("event_at", "timestamp", required=True),
        _c("action", "enum", values=TICKET_ACTIONS),
        _c("status_after", "enum", values=TMF621_STATES),
        _c("department", "string"),
        _c("operator_id", "string"),
        _c("closure_code", "enum", values=CLOSURE_CODES),
        _c("note", "string"),
    )),
    Entity("ticketing", "surveys", ("ticket_id", "surveyed_at"), (
        _c("ticket_id", "string", required=True),
        _c("surveyed_at", "timestamp", required=True),
        _c("resolved_confirmed", "boolean"),
        _c("score", "integer", min=1, max=5),
    )),
    Entity("netops", "cells", ("cell_id",), (
        _c("cell_id", "string", required=True),
        _c("site_id", "string"),
        _c("cell_name", "string"),
        _c("rat", "enum", values=("4G", "5G")),
        _c("site_type", "enum", values=("macro", "micro", "indoor", "pico")),
        _c("district", "string"),
        _c("latitude", "double", min=-90.0, max=90.0),
        _c("longitude", "double", min=-180.0, max=180.0),
        _c("status", "enum", values=("active", "decommissioned")),
    )),
    Entity("netops", "cell_kpi_hourly", ("cell_id", "period_start"), (
        _c("cell_id", "string", required=True),
        _c("period_start", "timestamp", required=True),
        _c("prb_util_dl_pct", "double", **PCT),
        _c("user_dl_rate_mbps", "double", min=0.0),
        _c("access_success_pct", "double", **PCT),
        _c("drop_rate_pct", "double", **PCT),
        _c("good_coverage_pct", "double", **PCT),
        _c("traffic_gb", "double", min=0.0),
        _c("active_users", "integer", min=0),
    )),
    Entity("netops", "alarms", ("alarm_id",), (
        _c("alarm_id", "string", required=True),
        _c("cell_id", "string", required=True),
        _c("raised_at", "timestamp", required=True),
        _c("cleared_at", "timestamp"),
        _c("severity", "enum", values=("critical", "major", "minor", "warning")),
        _c("alarm_type", "string"),
    )),
    Entity("netops", "user_cell_sessions", ("msisdn", "cell_id", "period_start"), (
        _c("msisdn", "string", required=True),
        _c("cell_id", "string", required=True),
        _c("period_start", "timestamp", required=True),
        _c("duration_s", "integer", min=0, max=3600),
        _c("bytes_dl", "bigint", min=0),
    )),
)

ENTITIES_BY_PATH: dict[str, Entity] = {e.path: e for e in ENTITIES}
SOURCES: tuple[str, ...] = ("crm", "ticketing", "netops")


def entity(path: str) -> Entity:
    """Look an entity up by its landing path, e.g. `netops/alarms`."""
    try:
        return ENTITIES_BY_PATH[path]
    except KeyError:
        raise KeyError(f"unknown entity {path!r}; known: {sorted(ENTITIES_BY_PATH)}") from None
