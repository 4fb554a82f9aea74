"""Findings (audit-rules §6): one row per (ticket, rule) that fires, with JSON evidence.

The tickets come from the GX result (the unexpected rows of each rule's expectations); the
evidence, department and day come from `fct_audit_facts` in one vectorised DuckDB statement.
`audit.findings` holds the current findings: an audit replaces, in one transaction, the
findings of the tickets it validated (every ticket, or those whose facts changed:
`scope.py`) and drops those of tickets no longer in the facts, so a re-run with the same
inputs and as-of yields the same rows (only `run_id`, `as_of` and `found_at` name the run
that found them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb
import pandas as pd

from quality_checks.config import AuditConfig
from quality_checks.facts import FACTS_TABLE
from quality_checks.gx_runner import ExpectationOutcome
from quality_checks.rules import RuleCheck, rule_checks

UNKNOWN_DEPARTMENT = "unknown"  # label when the facts name no owner; kept visible, not dropped

FINDINGS_DDL = """
create schema if not exists audit;
create table if not exists audit.findings (
    ticket_id varchar not null, rule_id varchar not null, rule_name varchar,
    severity varchar, department varchar, evidence varchar, run_id varchar,
    as_of timestamp, found_at timestamp, day date,
    primary key (ticket_id, rule_id)
);
"""


def unexpected_by_rule(outcomes: Iterable[ExpectationOutcome]) -> pd.DataFrame:
    """Union of each rule's unexpected ticket ids: one row per (rule_id, ticket_id)."""
    pairs = {(o.meta["rule_id"], ticket) for o in outcomes for ticket in o.unexpected_ids}
    return pd.DataFrame(sorted(pairs), columns=["rule_id", "ticket_id"]).astype(str)


def _column_types(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    schema, table = source.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return dict(rows)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _evidence_field(column: str, data_type: str) -> str:
    # Times as ISO 8601 UTC so the JSON reads the same in any tool.
    if data_type.startswith("TIMESTAMP"):
        return f"{column} := strftime(f.{column}, '%Y-%m-%dT%H:%M:%SZ')"
    return f"{column} := f.{column}"


def _rule_select(rule: RuleCheck, cfg: AuditConfig, types: dict[str, str]) -> str:
    fields = ["ticket_id := f.ticket_id"]
    fields += [_evidence_field(c, types[c]) for c in rule.evidence_columns if c in types]
    fields.append(f"{rule.department_column} := f.{rule.department_column}")
    fields += [f"{name} := {float(getattr(cfg, name))!r}" for name in rule.evidence_limits]
    info = cfg.rules[rule.rule_id]
    departments = ", ".join(f"f.{c}" for c in rule.department_columns)
    # The as-of is evidence only while the ticket is open (its clock, status and deadlines are
    # measured at it); a closed ticket's evidence stays the same from one run to the next.
    evidence = f"to_json(struct_pack({', '.join(fields)}))::varchar"
    if "is_open_at_as_of" in types:
        evidence = (f"case when f.is_open_at_as_of then to_json(struct_pack("
                    f"{', '.join(fields)}, as_of := $as_of_text))::varchar else {evidence} end")
    # a step rule's rows in its source are those of its rule id
    source = (f"(select * from {rule.source} where rule_id = {_literal(rule.rule_id)})"
              if rule.step else rule.source)
    return f"""
        select u.ticket_id, u.rule_id,
               {_literal(info.rule_name)} as rule_name, {_literal(info.severity)} as severity,
               coalesce({departments}, '{UNKNOWN_DEPARTMENT}') as department,
               {evidence} as evidence,
               f.created_date_local::date as day
        from unexpected as u
        inner join {source} as f on f.ticket_id = u.ticket_id
        where u.rule_id = {_literal(rule.rule_id)}"""


def write_findings(
    con: duckdb.DuckDBPyConnection,
    unexpected: pd.DataFrame,
    cfg: AuditConfig,
    *,
    as_of: datetime,
    run_id: str,
    found_at: datetime,
    scope: tuple[str, ...] | None = None,
) -> int:
    """Replace the findings of the tickets in `scope` (None: of every ticket) with these, and
    drop those of tickets gone from the facts; returns how many were written."""
    checks = rule_checks(cfg)
    types = {source: _column_types(con, source) for source in {rule.source for rule in checks}}
    selects = " union all ".join(_rule_select(rule, cfg, types[rule.source])
                                 for rule in checks)
    con.execute(FINDINGS_DDL)
    con.register("unexpected", unexpected)
    con.register("scope", pd.DataFrame({"ticket_id": list(scope or ())}, dtype="object"))
    con.execute("begin transaction")
    try:
        if scope is None:
            con.execute("delete from audit.findings")
        else:
            con.execute(f"""delete from audit.findings
                where ticket_id in (select ticket_id from scope)
                    or ticket_id not in (select ticket_id from {FACTS_TABLE})""")
        written = con.execute(
            f"""insert into audit.findings
                select ticket_id, rule_id, rule_name, severity, department, evidence,
                       $run_id, $as_of, $found_at, day
                from ({selects}) order by rule_id, ticket_id""",
            {"run_id": run_id, "as_of": as_of, "found_at": found_at,
             "as_of_text": as_of.strftime("%Y-%m-%dT%H:%M:%SZ")},
        ).fetchone()[0]
        if written != len(unexpected):
            # Every unexpected row is a facts row, so the counts must reconcile.
            raise RuntimeError(f"{len(unexpected)} failing rows gave {written} findings")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("unexpected")
        con.unregister("scope")
    return written
