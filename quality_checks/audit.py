"""Audit runs: the rule suite over the facts (then findings and the rollup), and the
source-integrity suites over staging. Plain functions over a DuckDB connection, no Dagster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from quality_checks.config import AuditConfig, load_audit_config
from quality_checks.facts import read_facts
from quality_checks.findings import unexpected_by_rule, write_findings
from quality_checks.gx_runner import ExpectationOutcome, gx_session, validate_frame
from quality_checks.integrity import TABLES, IntegrityTable, read_sql, table_expectations
from quality_checks.rollup import write_agg_audit_daily
from quality_checks.rules import rule_expectations

RULES_SUITE = "audit_rules"


class IntegrityInputError(RuntimeError):
    """A table the integrity suite audits is missing or lacks a column."""


@dataclass(frozen=True)
class AuditResult:
    outcomes: list[ExpectationOutcome]
    findings: int
    tickets: int
    seconds_gx: float
    agg_rows: int = 0


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def validate_rules(
    facts: pd.DataFrame, cfg: AuditConfig, *, home_dir: Path, docs_dir: Path,
    run_id: str, as_of: datetime,
) -> tuple[list[ExpectationOutcome], float]:
    """Run the `audit_rules` suite over the normalised facts (Data Docs updated)."""
    started = datetime.now(UTC)
    with gx_session(home_dir, docs_dir) as session:
        outcomes = validate_frame(
            session, name=RULES_SUITE, frame=facts, expectations=rule_expectations(cfg),
            index_columns=["ticket_id"], run_name=f"{run_id}-asof-{as_of:%Y%m%dT%H%M%S}",
            run_time=started,
        )
    return outcomes, (datetime.now(UTC) - started).total_seconds()


def audit_findings(
    con: duckdb.DuckDBPyConnection, *, home_dir: Path, docs_dir: Path, run_id: str,
    as_of: datetime, cfg: AuditConfig | None = None,
) -> AuditResult:
    """GX rule suite over `fct_audit_facts`, its failing rows written to `audit.findings`."""
    cfg = cfg or load_audit_config()
    facts = read_facts(con)
    outcomes, seconds = validate_rules(
        facts, cfg, home_dir=home_dir, docs_dir=docs_dir, run_id=run_id, as_of=as_of
    )
    findings = write_findings(
        con, unexpected_by_rule(outcomes), cfg, as_of=as_of, run_id=run_id, found_at=_now()
    )
    return AuditResult(outcomes, findings, len(facts), seconds)


def audit_rollup(con: duckdb.DuckDBPyConnection) -> int:
    """`audit.agg_audit_daily` from the facts and the findings already written."""
    return write_agg_audit_daily(con, read_facts(con))


def run_audit(
    con: duckdb.DuckDBPyConnection, *, home_dir: Path, docs_dir: Path, run_id: str,
    as_of: datetime, cfg: AuditConfig | None = None,
) -> AuditResult:
    """Audit the facts as of `as_of`: GX rule suite -> `audit.findings` -> `agg_audit_daily`."""
    result = audit_findings(
        con, home_dir=home_dir, docs_dir=docs_dir, run_id=run_id, as_of=as_of, cfg=cfg
    )
    return AuditResult(result.outcomes, result.findings, result.tickets, result.seconds_gx,
                       audit_rollup(con))


def run_integrity(
    con: duckdb.DuckDBPyConnection, *, home_dir: Path, docs_dir: Path, run_id: str,
    cfg: AuditConfig | None = None, tables: tuple[IntegrityTable, ...] = TABLES,
) -> dict[str, list[ExpectationOutcome]]:
    """Run the source-integrity suite of each table; outcomes keyed by `IntegrityTable.name`."""
    cfg = cfg or load_audit_config()
    started = datetime.now(UTC)
    outcomes: dict[str, list[ExpectationOutcome]] = {}
    with gx_session(home_dir, docs_dir) as session:
        for table in tables:
            try:
                frame = con.execute(read_sql(table)).df()
            except duckdb.Error as exc:
                raise IntegrityInputError(f"cannot read {table.table}: {exc}") from exc
            outcomes[table.name] = validate_frame(
                session, name=f"integrity.{'__'.join(table.asset)}", frame=frame,
                expectations=table_expectations(table, cfg), index_columns=list(table.key),
                run_name=f"{run_id}-integrity", run_time=started,
            )
    return outcomes
