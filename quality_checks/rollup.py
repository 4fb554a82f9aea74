"""`audit.agg_audit_daily`: per day x rule x department, tickets audited, findings, rate.

A ticket is audited by a rule when it is in the rule's domain (`RuleCheck.applies_to`, the
same condition GX filters with); its day is the ticket's business creation date and its
department the one the rule holds accountable (`RuleCheck.department_columns`, coalesced as
`findings.py` does), so `findings` here reconciles with `audit.findings` row for row.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from quality_checks.facts import FACTS_TABLE
from quality_checks.findings import UNKNOWN_DEPARTMENT
from quality_checks.rules import RuleCheck, audited_rows

AGG_DDL = """
create schema if not exists audit;
create table if not exists audit.agg_audit_daily (
    day date not null, rule_id varchar not null, department varchar not null,
    tickets_audited bigint, findings bigint, finding_rate double,
    primary key (day, rule_id, department)
);
create table if not exists audit.rule_audits (
    ticket_id varchar not null, rule_id varchar not null, day date, department varchar
);
"""
# `audit.rule_audits`: one row per ticket and rule auditing it, kept between audits so an
# audit of the changed tickets recounts only their days. Unique by construction (the audited
# tickets replace their own rows, and `audited_tickets` refuses a repeated pair) rather than
# by a primary key: DuckDB's index on ~11 rows per ticket cost 1.2 s of a day's 1.5 s rollup.


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The rollup's tables, and `rule_audits` without the primary key of earlier versions."""
    con.execute(AGG_DDL)
    keyed = con.execute("""select count(*) from duckdb_constraints()
        where schema_name = 'audit' and table_name = 'rule_audits'
            and constraint_type = 'PRIMARY KEY'""").fetchall()[0][0]
    if keyed:
        con.execute("begin transaction")
        con.execute("create table audit.rule_audits_unkeyed as from audit.rule_audits")
        con.execute("drop table audit.rule_audits")
        con.execute("alter table audit.rule_audits_unkeyed rename to rule_audits")
        con.execute("commit")


def _department(rows: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """The first non-null of `columns`, as `findings.py` coalesces them."""
    department = pd.Series(UNKNOWN_DEPARTMENT, index=rows.index, dtype="object")
    for column in reversed(columns):
        department = rows[column].astype("object").where(rows[column].notna(), department)
    return department


def audited_tickets(facts: pd.DataFrame, checks: Sequence[RuleCheck]) -> pd.DataFrame:
    """One row per (rule, audited ticket) with its day and accountable department."""
    parts = []
    for rule in checks:
        departments = tuple(rule.frame_column(c) for c in rule.department_columns)
        rows = audited_rows(facts, rule, ("ticket_id", "created_date_local", *departments))
        parts.append(pd.DataFrame({
            "rule_id": rule.rule_id,
            "ticket_id": rows["ticket_id"].astype(str),
            "day": pd.to_datetime(rows["created_date_local"]).dt.date,
            "department": _department(rows, departments),
        }))
    audited = pd.concat(parts, ignore_index=True)
    repeated = audited.duplicated(["rule_id", "ticket_id"])
    if repeated.any():
        pairs = audited.loc[repeated, ["rule_id", "ticket_id"]].head(3).to_numpy().tolist()
        raise RuntimeError(f"a ticket appears twice in the facts audited: {pairs}")
    return audited


def write_agg_audit_daily(con: duckdb.DuckDBPyConnection, facts: pd.DataFrame,
                          checks: Sequence[RuleCheck], full: bool = True) -> int:
    """Bring `audit.agg_audit_daily` up to date with `facts` and the current `audit.findings`:
    with `full`, rebuilt from every ticket in `facts`; otherwise `facts` holds the tickets
    audited again, whose rule audits replace their earlier ones (those of tickets gone from
    the facts are dropped), and only the days they were or are on are counted again."""
    _ensure_tables(con)
    con.register("audited", audited_tickets(facts, checks))
    con.execute("begin transaction")
    try:
        con.execute("create or replace temp table recounted_days (day date)")
        if full:
            con.execute("delete from audit.rule_audits")
            con.execute("delete from audit.agg_audit_daily")
        else:
            con.execute(f"""insert into recounted_days
                select day from audit.rule_audits
                where ticket_id in (select ticket_id from audited)
                    or ticket_id not in (select ticket_id from {FACTS_TABLE})""")
            con.execute(f"""delete from audit.rule_audits
                where ticket_id in (select ticket_id from audited)
                    or ticket_id not in (select ticket_id from {FACTS_TABLE})""")
        con.execute("insert into audit.rule_audits "
                    "select ticket_id, rule_id, day::date, department from audited")
        con.execute("insert into recounted_days select day::date from audited")
        con.execute("delete from audit.agg_audit_daily "
                    "where day in (select day from recounted_days)")
        con.execute("""
            insert into audit.agg_audit_daily
            select a.day, a.rule_id, a.department,
                   count(*) as tickets_audited,
                   count(f.ticket_id) as findings,
                   count(f.ticket_id) / count(*) as finding_rate
            from audit.rule_audits as a
            left join audit.findings as f
                on f.ticket_id = a.ticket_id and f.rule_id = a.rule_id
            where a.day in (select day from recounted_days)
            group by all
            order by 1, 2, 3
        """)
        orphans = con.execute("""
            select count(*) from audit.findings as f
            anti join audit.rule_audits as a
                on a.ticket_id = f.ticket_id and a.rule_id = f.rule_id
        """).fetchone()[0]
        if orphans:
            raise RuntimeError(f"{orphans} findings fall outside their rule's audited tickets")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("audited")
    return con.execute("select count(*) from audit.agg_audit_daily").fetchall()[0][0]
