"""Source-integrity suites over the dbt staging models (and created <= resolved on the facts).

Expectations come from the data contract as data (`complaint_trace.contract`): unique keys,
required columns not null, enumerations, ranges; plus the relations a trace relies on,
evaluated in DuckDB as one boolean column per row (MSISDN known to CRM, cell in the
inventory, event of a known ticket). A breach that would make traces wrong is `blocking`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import great_expectations.expectations as gxe
from great_expectations.expectations import Expectation

from complaint_trace.contract import ENTITIES, Entity
from quality_checks.config import AuditConfig


@dataclass(frozen=True)
class Relation:
    """`flag` is true when `column` of a row is found in `target_table.target_column`."""

    flag: str
    column: str
    target_table: str
    target_column: str
    blocking_share_var: str | None = None  # the row share that may miss, from config
    # rows whose `column` is in this table's `target_column` are held back with a reason
    # (fct_quarantined_rows), so they count as found: a quarantined ticket costs only itself
    held_back_by: str | None = None


@dataclass(frozen=True)
class IntegrityTable:
    table: str  # warehouse table, schema-qualified
    asset: tuple[str, ...]  # the Dagster asset key (dagster-dbt default: the model name)
    key: tuple[str, ...]
    entity: Entity | None = None
    relations: tuple[Relation, ...] = ()
    blocking_unique_key: bool = False
    extra: tuple[str, ...] = field(default_factory=tuple)  # other columns to read
    sql: str | None = None  # a derived frame instead of the table's columns
    incremental: bool = False  # validate only rows loaded since the last validation
    # validate only the rows of builds after the last validation (`changes_through`)
    by_build: bool = False
    shown: tuple[str, ...] = ()  # listed beside a failing row's key (must be read: `extra`)

    @property
    def name(self) -> str:
        return "/".join(self.asset)


def staging_model(entity: Entity) -> str:
    return f"stg_{entity.source}__{entity.name}"


def _entity(source: str, name: str) -> Entity:
    return next(e for e in ENTITIES if (e.source, e.name) == (source, name))


CELLS = "main.stg_netops__cells"
QUARANTINED_TICKETS = "main.int_tickets_quarantined"
_CELL_KNOWN = Relation("cell_in_inventory", "cell_id", CELLS, "cell_id")
_RELATIONS = {
    ("ticketing", "tickets"): (
        Relation("msisdn_known_to_crm", "msisdn", "main.stg_crm__customers", "msisdn"),
    ),
    ("ticketing", "ticket_events"): (
        Relation("ticket_known", "ticket_id", "main.stg_ticketing__tickets", "ticket_id",
                 blocking_share_var="integrity_max_unknown_ticket_event_share",
                 held_back_by=QUARANTINED_TICKETS),
    ),
    ("ticketing", "surveys"): (
        Relation("ticket_known", "ticket_id", "main.stg_ticketing__tickets", "ticket_id",
                 held_back_by=QUARANTINED_TICKETS),
    ),
    ("netops", "cell_kpi_hourly"): (_CELL_KNOWN,),
    ("netops", "alarms"): (_CELL_KNOWN,),
    ("netops", "user_cell_sessions"): (_CELL_KNOWN,),
}
# Columns the staging models rename (dbt_project/models/staging; house style `is_`, units):
# the suites keep the contract's names, so Data Docs read like the data contract.
STAGING_RENAMES = {
    ("netops", "cells"): {"status": "cell_status"},
    ("netops", "user_cell_sessions"): {"duration_s": "duration_seconds"},
    ("crm", "contacts"): {"resolved_on_contact": "is_resolved_on_contact"},
    ("ticketing", "surveys"): {"resolved_confirmed": "is_resolution_confirmed"},
}
# MSISDNs are personal data (domain glossary); where one is part of a key, the failing-row ids
# in Data Docs and Dagster show it masked as the API does (`138****1234`), plus a hash prefix
# that keeps distinct numbers distinct for the uniqueness check.
MASKED_KEY_COLUMNS = {"msisdn"}
_MASK_SQL = "left({c}, 3) || '****' || right({c}, 4) || '#' || left(md5({c}), 8)"
# Duplicate ticket numbers make a lookup ambiguous: the trace would be wrong, so it blocks.
_BLOCKING_KEYS = {("ticketing", "tickets")}
# The staging models dbt builds incrementally (KPI hours, sessions, tickets, their events and
# contacts). Their suites validate the rows loaded since the last validation (`_loaded_at`), so
# a new day costs a day of validation, not the history's; delete+insert on the unique key keeps
# the whole table unique, so checking keys within the new rows loses nothing. A relation check
# (an event's ticket is known) judges each delivery when it arrives.
INCREMENTAL_ENTITIES = {("netops", "cell_kpi_hourly"), ("netops", "user_cell_sessions"),
                        ("ticketing", "tickets"), ("ticketing", "ticket_events"),
                        ("crm", "contacts")}

# What an SLA policy row is matched on (audit-rules §8): a ticket no row matches is listed
# with these values, so the operator sees which row the policy table lacks.
POLICY_MATCH_SHOWN = ("priority", "sla_tier", "channel", "segment", "category_family",
                      "created_date_local")
# The facts are incremental by ticket, each row numbered by the build that changed it last:
# the suite validates the tickets changed since its last validation, as the rule suite does
# (quality_checks/scope.py), so the share of tickets with a network trace is the share among
# the tickets a delivery changed (a session feed missing now shows now, not diluted by history).
FACTS = IntegrityTable(
    table="main.fct_audit_facts", asset=("fct_audit_facts",), key=("ticket_id",), by_build=True,
    extra=("created_at", "resolved_at", "first_contact_limit_minutes",
           "resolution_limit_minutes", "network_trace", "policy_id", *POLICY_MATCH_SHOWN),
    shown=POLICY_MATCH_SHOWN,
)
# Staging keeps the latest delivery of a ticket number, which hides a number reused for
# another subscriber; raw still shows it. Such a ticket's trace would be wrong: blocking.
RAW_TICKET_IDENTITY = IntegrityTable(
    table="raw_ticketing.tickets", asset=("ticketing", "tickets"), key=("ticket_id",),
    blocking_unique_key=True,
    sql="select distinct ticket_id, msisdn from raw_ticketing.tickets",
)
STAGING_TABLES: tuple[IntegrityTable, ...] = (
    *(
        IntegrityTable(
            table=f"main.{staging_model(e)}", asset=(staging_model(e),), key=e.key, entity=e,
            relations=_RELATIONS.get((e.source, e.name), ()),
            blocking_unique_key=(e.source, e.name) in _BLOCKING_KEYS,
            incremental=(e.source, e.name) in INCREMENTAL_ENTITIES,
        )
        for e in ENTITIES
    ),
    FACTS,
)
TABLES: tuple[IntegrityTable, ...] = (RAW_TICKET_IDENTITY, *STAGING_TABLES)


def is_blocking(table: IntegrityTable) -> bool:
    """Whether any check of the table can block publishing."""
    return table.blocking_unique_key or any(r.blocking_share_var for r in table.relations)


def _meta(table: IntegrityTable, check: str, blocking: bool) -> dict:
    return {"table": table.table, "check": check, "blocking": blocking}


def _unique_key(t: IntegrityTable) -> Expectation:
    if len(t.key) == 1:
        expectation = gxe.ExpectColumnValuesToBeUnique(column=t.key[0])
    else:
        expectation = gxe.ExpectCompoundColumnsToBeUnique(column_list=list(t.key))
    expectation.meta = _meta(t, "unique key", t.blocking_unique_key)
    return expectation


def _contract_expectations(t: IntegrityTable) -> list[Expectation]:
    entity = t.entity
    assert entity is not None
    out: list[Expectation] = [_unique_key(t)]
    for col in entity.columns:
        if col.required:
            out.append(gxe.ExpectColumnValuesToNotBeNull(
                column=col.name, meta=_meta(t, f"{col.name} not null", False)))
        if col.values:
            out.append(gxe.ExpectColumnValuesToBeInSet(
                column=col.name, value_set=list(col.values),
                meta=_meta(t, f"{col.name} in enumeration", False)))
        if col.min is not None or col.max is not None:
            out.append(gxe.ExpectColumnValuesToBeBetween(
                column=col.name, min_value=col.min, max_value=col.max,
                meta=_meta(t, f"{col.name} in range", False)))
    return out


def _facts_expectations(t: IntegrityTable, cfg: AuditConfig) -> list[Expectation]:
    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="resolved_at", column_B="created_at", or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta=_meta(t, "created_at <= resolved_at", False)),
        gxe.ExpectColumnValuesToNotBeNull(
            column="policy_id", meta=_meta(t, "SLA policy found", False),
            notes="Each ticket matches a row of the sla_policy seed in force on its creation "
                  "date (audit-rules §8); the failing rows list the values matched on."),
        gxe.ExpectColumnValuesToBeInSet(
            column="network_trace", value_set=["present"],
            mostly=cfg.integrity_min_network_trace_share,
            meta=_meta(t, "share of tickets with a network trace", False)),
    ]


def reads_config(t: IntegrityTable) -> bool:
    """Whether the suite of `t` applies a number of the audit configuration."""
    return (not t.entity and not t.sql) or any(r.blocking_share_var for r in t.relations)


def table_expectations(t: IntegrityTable, cfg: AuditConfig | None) -> list[Expectation]:
    """The suite of one table, each expectation tagged with its check and whether it blocks;
    `cfg` may be None only for a table that does not `reads_config`."""
    if cfg is None and reads_config(t):
        raise ValueError(f"the integrity suite of {t.table} needs the audit configuration")
    if t.entity:
        out = _contract_expectations(t)
    elif t.sql:
        out = [_unique_key(t)]
    else:
        out = _facts_expectations(t, cfg)
    for rel in t.relations:
        share = getattr(cfg, rel.blocking_share_var) if rel.blocking_share_var else 0.0
        out.append(gxe.ExpectColumnValuesToBeInSet(
            column=rel.flag, value_set=[True], mostly=1.0 - share,
            meta=_meta(t, f"{rel.column} known in {rel.target_table}",
                       rel.blocking_share_var is not None)))
    return out


def read_sql(t: IntegrityTable, loaded_after: bool = False, built_after: bool = False) -> str:
    """The DuckDB query whose result the suite validates: checked columns and relation flags;
    with `loaded_after`, only rows whose `_loaded_at` is after the query's one parameter; with
    `built_after`, only rows whose `changes_through` is after the first and at most the
    second."""
    if t.sql:
        return t.sql
    columns = list(dict.fromkeys(
        [*t.key, *(c.name for c in t.entity.columns if c.required or c.values
                   or c.min is not None or c.max is not None)]
        if t.entity else [*t.key, *t.extra]
    ))
    def found(r: Relation) -> str:
        found = f"s.{r.column} in (select {r.target_column} from {r.target_table})"
        if r.held_back_by:
            found += f" or s.{r.column} in (select {r.target_column} from {r.held_back_by})"
        return f"coalesce({found}, false) as {r.flag}"

    flags = [found(r) for r in t.relations]
    renames = STAGING_RENAMES.get((t.entity.source, t.entity.name), {}) if t.entity else {}

    def column(name: str) -> str:
        source = f"s.{renames.get(name, name)}"
        masked = name in MASKED_KEY_COLUMNS and name in t.key
        return f"{_MASK_SQL.format(c=source) if masked else source} as {name}"

    select = ", ".join([*(column(c) for c in columns), *flags])
    where = " where s._loaded_at > ?" if loaded_after else \
        " where s.changes_through > ? and s.changes_through <= ?" if built_after else ""
    return f"select {select} from {t.table} as s{where}"
