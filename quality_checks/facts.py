"""`main.fct_audit_facts` (docs/architecture.md) as the DataFrame the rule suite validates."""

from __future__ import annotations

import duckdb
import pandas as pd

FACTS_TABLE = "main.fct_audit_facts"

# Flags the rules filter or expect on. A null flag means "not established" and reads as false:
# no disputing survey, no contact before resolution, not reopened, not cancelled, no exemption.
BOOLEAN_COLUMNS = (
    "is_cancelled",
    "claims_network_fix",
    "is_exempt_from_timeouts",
    "is_exempt_from_contact_check",
    "first_contact_deadline_passed_while_waiting",
    "has_contact_before_resolution",
    "is_open_at_as_of",
    "was_reopened",
    "has_disputing_survey",
)
# Measures the rules compare. Nulls stay null (float NaN): each rule says how it treats them.
NUMERIC_COLUMNS = (
    "first_contact_limit_minutes",
    "resolution_limit_minutes",
    "first_contact_delay_minutes",
    "resolution_clock_minutes",
    "clock_minutes_at_as_of",
    "pending_minutes",
    "f1_alarm_count",
    "f2_degraded_share",
    "f2_hours_with_data",
    "f2_degraded_hours",
    "hours_to_next_same_family_ticket",
    "linked_cell_count",
    "days_open_at_as_of",
    "days_to_first_reopen",
    "days_to_disputing_survey",
)
REQUIRED_COLUMNS = (
    "ticket_id",
    "created_at",
    "created_date_local",
    "resolved_at",
    "resolution_deadline_department",
    "first_contact_deadline_department",
    "resolving_department",
    "owning_department",
    "network_trace",
    *BOOLEAN_COLUMNS,
    *NUMERIC_COLUMNS,
)


class FactsError(RuntimeError):
    """`fct_audit_facts` is missing or lacks a column the audit needs."""


def read_facts(con: duckdb.DuckDBPyConnection, since: int | None = None, *,
               joined: tuple[list[str], list[str]] = ([], [])) -> pd.DataFrame:
    """Read the facts table and normalise it for validation (see `normalise_facts`); with
    `since`, only the rows of tickets whose facts changed after that build
    (`quality_checks/scope.py`). `joined`: further select expressions and the joins they
    read, over the facts aliased `facts`, each join at most one row per ticket (checked)."""
    schema, table = FACTS_TABLE.split(".")
    present = {name for (name,) in con.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [schema, table]).fetchall()}
    if not present:
        raise FactsError(f"{FACTS_TABLE} not found: build the dbt models first")
    # only what the rules filter and expect on: the facts have ~50 columns, and converting
    # all of them to pandas would be most of the audit's read time
    columns = [f"facts.{c}" for c in REQUIRED_COLUMNS if c in present]
    extra, joins = joined
    where = f" where facts.changes_through > {int(since)}" if since is not None else ""
    frame = con.execute(f"select {', '.join([*columns, *extra])} from {FACTS_TABLE} as facts "
                        f"{' '.join(joins)}{where} order by facts.ticket_id").df()
    if joins and not frame["ticket_id"].is_unique:
        raise FactsError(f"a table joined to {FACTS_TABLE} repeats a ticket")
    return normalise_facts(frame)


def normalise_facts(frame: pd.DataFrame) -> pd.DataFrame:
    """Check the columns, make flags plain booleans and measures floats.

    GX filters rows with pandas `query`; nullable booleans there would make a null flag
    neither true nor false, so the null-means-false reading is made here, once, explicitly.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise FactsError(f"{FACTS_TABLE} lacks column(s): {', '.join(missing)}")
    frame = frame.copy()
    for column in BOOLEAN_COLUMNS:
        frame[column] = frame[column].astype("boolean").fillna(False).astype(bool)
    for column in NUMERIC_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
    frame["ticket_id"] = frame["ticket_id"].astype(str)
    return frame.reset_index(drop=True)
