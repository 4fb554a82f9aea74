"""Hand-made `fct_audit_facts` rows (docs/architecture.md columns) for the audit tests.

`fact(...)` is a clean ticket: resolved within every limit, contacted in time, no alarm,
no degradation, no repeat, no survey dispute. Each test overrides what its case needs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from quality_checks.config import AuditConfig, load_audit_config

CREATED = datetime(2024, 3, 1, 2, 0, 0)  # 10:00 in Asia/Shanghai

# Column -> DuckDB type, in the order of docs/architecture.md.
FACT_COLUMNS: dict[str, str] = {
    "ticket_id": "varchar", "msisdn": "varchar", "created_at": "timestamp",
    "category": "varchar", "category_family": "varchar", "priority": "varchar",
    "tier_at_creation": "varchar", "created_date_local": "date", "channel": "varchar",
    "segment": "varchar", "sla_tier": "varchar", "policy_id": "varchar", "is_cancelled": "boolean",
    "closure_code": "varchar", "claims_network_fix": "boolean",
    "is_exempt_from_timeouts": "boolean", "is_exempt_from_contact_check": "boolean",
    "first_contact_limit_minutes": "double", "resolution_limit_minutes": "double",
    "first_contact_at": "timestamp", "first_contact_source": "varchar",
    "first_contact_record_id": "varchar", "first_contact_delay_minutes": "double",
    "first_contact_deadline_at": "timestamp",
    "first_contact_deadline_passed_while_waiting": "boolean",
    "first_contact_deadline_department": "varchar", "resolved_at": "timestamp",
    "resolving_event_id": "varchar", "resolving_department": "varchar",
    "resolution_clock_minutes": "double", "is_open_at_as_of": "boolean",
    "clock_minutes_at_as_of": "double", "pending_minutes": "double",
    "resolution_deadline_at": "timestamp", "resolution_deadline_department": "varchar",
    "has_contact_before_resolution": "boolean", "f1_alarm_count": "integer",
    "f1_alarm_ids": "varchar[]", "f1_cell_ids": "varchar[]", "f1_max_severity": "varchar",
    "f2_cell_id": "varchar", "f2_degraded_share": "double", "f2_hours_with_data": "integer",
    "f2_degraded_hours": "integer", "next_same_family_ticket_id": "varchar",
    "hours_to_next_same_family_ticket": "double", "was_reopened": "boolean",
    "reopen_event_id": "varchar", "has_disputing_survey": "boolean",
    "disputing_survey_at": "timestamp", "reopened_at": "timestamp",
    "owning_department": "varchar", "days_open_at_as_of": "double",
    "days_to_first_reopen": "double", "days_to_disputing_survey": "double",
    "linked_cell_count": "integer",
    "network_trace": "varchar",
}


def fact(ticket_id: str, **overrides) -> dict:
    """A clean resolved ticket (normal priority, silver tier: 120 min / 48 h)."""
    row = {
        "ticket_id": ticket_id, "msisdn": "13800000000", "created_at": CREATED,
        "category": "network.data_speed", "category_family": "network", "priority": "normal",
        "tier_at_creation": "silver", "created_date_local": CREATED.date(),
        "channel": "hotline", "segment": "individual", "sla_tier": "silver",
        "policy_id": "default-normal-silver", "is_cancelled": False,
        "closure_code": "explained", "claims_network_fix": False,
        "is_exempt_from_timeouts": False, "is_exempt_from_contact_check": False,
        "first_contact_limit_minutes": 120.0, "resolution_limit_minutes": 2880.0,
        "first_contact_at": CREATED + timedelta(minutes=30),
        "first_contact_source": "ticket_event", "first_contact_record_id": f"E-{ticket_id}-2",
        "first_contact_delay_minutes": 30.0,
        "first_contact_deadline_at": CREATED + timedelta(minutes=120),
        "first_contact_deadline_passed_while_waiting": False,
        "first_contact_deadline_department": "frontline",
        "resolved_at": CREATED + timedelta(hours=10), "resolving_event_id": f"E-{ticket_id}-9",
        "resolving_department": "network_ops", "resolution_clock_minutes": 600.0,
        "is_open_at_as_of": False, "clock_minutes_at_as_of": 600.0, "pending_minutes": 0.0,
        "resolution_deadline_at": CREATED + timedelta(hours=48),
        "resolution_deadline_department": "network_ops",
        "has_contact_before_resolution": True, "f1_alarm_count": 0, "f1_alarm_ids": [],
        "f1_cell_ids": [], "f1_max_severity": None, "f2_cell_id": None,
        "f2_degraded_share": None, "f2_hours_with_data": None, "f2_degraded_hours": None,
        "next_same_family_ticket_id": None, "hours_to_next_same_family_ticket": None,
        "was_reopened": False, "reopen_event_id": None, "has_disputing_survey": False,
        "disputing_survey_at": None, "reopened_at": None, "owning_department": "network_ops",
        "days_open_at_as_of": None, "days_to_first_reopen": None,
        "days_to_disputing_survey": None, "linked_cell_count": 2, "network_trace": "present",
    }
    unknown = set(overrides) - set(row)
    assert not unknown, f"not a facts column: {unknown}"
    row.update(overrides)
    return row


def load_facts(path: Path | str, rows: list[dict]) -> duckdb.DuckDBPyConnection:
    """A warehouse file holding `main.fct_audit_facts` made of `rows`, typed as dbt makes it."""
    frame = pd.DataFrame(rows, columns=list(FACT_COLUMNS))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.register("rows_frame", frame)
    casts = ", ".join(f"cast({c} as {t}) as {c}" for c, t in FACT_COLUMNS.items())
    con.execute(f"create or replace table main.fct_audit_facts as select {casts} from rows_frame")
    con.unregister("rows_frame")
    return con


RULE_CATALOG = [
    ("T1", "resolve_timeout", "medium", "resolution clock past the limit"),
    ("T2", "first_contact_timeout", "low", "first contact late or missing"),
    ("T3", "overdue_open", "high", "open and past the limit at as-of"),
    ("F1", "alarm_active_at_resolution", "high", "alarm not cleared after resolution"),
    ("F2", "kpi_not_recovered", "high", "KPIs still degraded, after resolution"),
    ("F3", "no_customer_contact", "low", "no contact before resolution"),
    ("F4", "repeat_complaint", "medium", "same family again soon after"),
    ("F5", "survey_disputes_resolution", "medium", "survey says not solved"),
    ("R1", "appeal_risk", "high", "the customer may appeal to the regulator"),
]


def write_audit_config(con: duckdb.DuckDBPyConnection, **vars_) -> duckdb.DuckDBPyConnection:
    """The tables a dbt build leaves for the audit: the resolved vars
    (`dim_audit_settings`), the `rule_catalog` seed and the `step_policy` seed (empty)."""
    con.execute("create or replace table main.dim_audit_settings "
                "(var_name varchar, var_value double)")
    con.executemany("insert into main.dim_audit_settings values (?, ?)", list(vars_.items()))
    con.execute("create or replace table main.rule_catalog "
                "(rule_id varchar, rule_name varchar, severity varchar, description varchar)")
    con.executemany("insert into main.rule_catalog values (?, ?, ?, ?)", RULE_CATALOG)
    # no step rule (audit-rules §10) unless a test adds one: they read fct_ticket_steps
    con.execute("create or replace table main.step_policy (rule_id varchar, rule_name varchar, "
                "from_action varchar, to_action varchar, category_family varchar, "
                "calendar varchar, severity varchar, urgent_minutes integer, "
                "high_minutes integer, normal_minutes integer, low_minutes integer, "
                "description varchar)")
    return con


def audit_config(**vars_) -> AuditConfig:
    """The audit configuration a build with these vars gives, read by the real loader."""
    with duckdb.connect() as con:
        return load_audit_config(write_audit_config(con, **vars_))
