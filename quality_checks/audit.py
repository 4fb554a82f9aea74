"""Audit runs: the rule suite over the facts (then findings and the rollup), and the
source-integrity suites over staging. Plain functions over a DuckDB connection, no Dagster."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from connectors.schema import RELOADED_FILES
from quality_checks.config import AuditConfig, load_audit_config
from quality_checks.facts import FACTS_TABLE, FactsError, read_facts
from quality_checks.findings import unexpected_by_rule, write_findings
from quality_checks.gx_runner import ExpectationOutcome, gx_session, validate_frame
from quality_checks.integrity import (
    TABLES,
    IntegrityTable,
    read_sql,
    reads_config,
    table_expectations,
)
from quality_checks.report import blocking_failures
from quality_checks.rollup import write_agg_audit_daily
from quality_checks.rules import (
    READING_COLUMN,
    expectation_columns,
    rule_checks,
    rule_expectations,
    with_reading,
)
from quality_checks.scope import (
    FactsMark,
    audited_since,
    changed_after,
    facts_mark,
    record_audit,
)
from quality_checks.steps import step_columns_joined

RULES_SUITE = "audit_rules"
WATERMARKS_FILE = "gx/integrity_watermarks.json"


def _write_json(path: Path, data: object, **dumps) -> None:
    """Write `data` as JSON to `path` via a temporary file and a rename: a reader sees the old
    file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, **dumps))
    tmp.replace(path)


class IntegrityWatermarks:
    """Per incremental table, the newest `_loaded_at` already validated (a JSON file beside
    the GX context, so it goes with the validation history it summarises)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._marks = json.loads(path.read_text()) if path.exists() else {}

    def get(self, table: str) -> datetime | None:
        mark = self._marks.get(table)
        return datetime.fromisoformat(mark) if mark else None

    def advance(self, table: str, loaded_through: datetime) -> None:
        self._marks[table] = loaded_through.isoformat()
        _write_json(self.path, self._marks, indent=2, sort_keys=True)

    def build(self, table: str) -> dict | None:
        """Of a table validated by build (`IntegrityTable.by_build`): the newest build number
        validated, the invocation of its oldest rows and the configuration applied."""
        mark = self._marks.get(table)
        return mark if isinstance(mark, dict) else None

    def advance_build(self, table: str, mark: dict) -> None:
        self._marks[table] = mark
        _write_json(self.path, self._marks, indent=2, sort_keys=True)


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


@dataclass(frozen=True)
class RuleOutcomes:
    """One validation of the rule suite: what each expectation found, for which run and
    as-of, over which tickets (`audited`; `since`: the facts' build number after which they
    changed, None when every ticket was validated), and how long GX took."""

    outcomes: list[ExpectationOutcome]
    seconds: float
    run_id: str
    as_of: datetime
    since: int | None = None
    audited: tuple[str, ...] = ()

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The tickets whose findings this validation replaces (None: every ticket)."""
        return None if self.since is None else self.audited


def validate_rules(
    facts: pd.DataFrame, cfg: AuditConfig, *, home_dir: Path, docs_dir: Path,
    run_id: str, as_of: datetime, since: int | None = None,
) -> RuleOutcomes:
    """Run the `audit_rules` suite over the normalised facts (Data Docs updated). Data Docs
    show each unexpected ticket with its reading (durations in h and min); the findings are
    the ticket ids alone."""
    started = datetime.now(UTC)
    expectations = rule_expectations(cfg)
    # GX filters the frame once per metric (~5 per expectation) with pandas `query`, whose
    # cost grows with the frame's width: it gets the columns the rules read, no others
    columns = ["ticket_id", *expectation_columns(expectations)]
    with gx_session(home_dir, docs_dir) as session:
        outcomes = validate_frame(
            session, name=RULES_SUITE, frame=with_reading(facts[columns], expectations),
            expectations=expectations, index_columns=["ticket_id"],
            shown_columns=[READING_COLUMN],
            run_name=f"{run_id}-asof-{as_of:%Y%m%dT%H%M%S}", run_time=started,
        )
    return RuleOutcomes(outcomes, (datetime.now(UTC) - started).total_seconds(), run_id, as_of,
                        since, tuple(facts["ticket_id"]))


def read_rule_frame(con: duckdb.DuckDBPyConnection, cfg: AuditConfig,
                    since: int | None = None) -> pd.DataFrame:
    """The frame the rule suite validates: the facts (those changed after build `since`)
    with each step rule's columns."""
    try:
        return read_facts(con, since, joined=step_columns_joined(cfg.step_rules))
    except duckdb.CatalogException as exc:
        raise FactsError(f"{exc}: build the dbt models first") from exc


def validate_changed_rules(con: duckdb.DuckDBPyConnection, cfg: AuditConfig, *,
                           home_dir: Path, docs_dir: Path, run_id: str,
                           as_of: datetime) -> RuleOutcomes:
    """The rule suite over the facts that changed since the last complete audit (all of them
    the first time, or after a change of rules or a rebuild of the facts)."""
    since = audited_since(con, cfg)
    return validate_rules(read_rule_frame(con, cfg, since), cfg, home_dir=home_dir,
                          docs_dir=docs_dir, run_id=run_id, as_of=as_of, since=since)


def audit_findings(
    con: duckdb.DuckDBPyConnection, *, home_dir: Path, docs_dir: Path, run_id: str,
    as_of: datetime, cfg: AuditConfig | None = None,
    validated: RuleOutcomes | None = None,
) -> AuditResult:
    """GX rule suite over `fct_audit_facts`, its failing rows written to `audit.findings`.
    `validated`: the suite's outcomes when this run already validated the same facts (the
    `audit/rule_outcomes` asset), so GX does not run twice."""
    cfg = cfg or load_audit_config(con)
    if validated is None:
        validated = validate_changed_rules(con, cfg, home_dir=home_dir, docs_dir=docs_dir,
                                           run_id=run_id, as_of=as_of)
    outcomes, seconds = validated.outcomes, validated.seconds
    findings = write_findings(
        con, unexpected_by_rule(outcomes), cfg, as_of=as_of, run_id=run_id, found_at=_now(),
        scope=validated.scope,
    )
    tickets = con.execute(f"select count(*) from {FACTS_TABLE}").fetchone()[0]
    return AuditResult(outcomes, findings, tickets, seconds)


def audit_rollup(con: duckdb.DuckDBPyConnection, as_of: datetime,
                 cfg: AuditConfig | None = None) -> int:
    """`audit.agg_audit_daily` from the facts and the findings already written (the days of
    the tickets audited since the last complete audit), then record the audit as complete."""
    cfg = cfg or load_audit_config(con)
    since = audited_since(con, cfg)
    rows = write_agg_audit_daily(con, read_rule_frame(con, cfg, since), rule_checks(cfg),
                                 full=since is None)
    record_audit(con, cfg, as_of)
    return rows


def run_audit(
    con: duckdb.DuckDBPyConnection, *, home_dir: Path, docs_dir: Path, run_id: str,
    as_of: datetime, cfg: AuditConfig | None = None,
) -> AuditResult:
    """Audit the facts as of `as_of`: GX rule suite -> `audit.findings` -> `agg_audit_daily`."""
    result = audit_findings(
        con, home_dir=home_dir, docs_dir=docs_dir, run_id=run_id, as_of=as_of, cfg=cfg
    )
    return AuditResult(result.outcomes, result.findings, result.tickets, result.seconds_gx,
                       audit_rollup(con, as_of, cfg))


def run_integrity(
    con: duckdb.DuckDBPyConnection, *, home_dir: Path, docs_dir: Path, run_id: str,
    cfg: AuditConfig | None = None, tables: tuple[IntegrityTable, ...] = TABLES,
) -> dict[str, list[ExpectationOutcome]]:
    """Run the source-integrity suite of each table; outcomes keyed by `IntegrityTable.name`.
    The configuration is read only when a suite needs a number from it (the raw ticket
    identity check runs before the dbt build that writes it)."""
    if cfg is None and any(reads_config(table) for table in tables):
        cfg = load_audit_config(con)
    started = datetime.now(UTC)
    outcomes: dict[str, list[ExpectationOutcome]] = {}
    watermarks = IntegrityWatermarks(home_dir / WATERMARKS_FILE)
    with gx_session(home_dir, docs_dir) as session:
        for table in tables:
            try:
                frame, scope, loaded_through = _read_facts_scope(con, table, watermarks, cfg) \
                    if table.by_build else _read_scope(con, table, watermarks)
            except duckdb.Error as exc:
                raise IntegrityInputError(f"cannot read {table.table}: {exc}") from exc
            expectations = table_expectations(table, cfg)
            for expectation in expectations:
                expectation.meta = {**(expectation.meta or {}), "scope": scope}
            outcomes[table.name] = validate_frame(
                session, name=f"integrity.{'__'.join(table.asset)}", frame=frame,
                expectations=expectations, index_columns=list(table.key),
                shown_columns=list(table.shown),
                run_name=f"{run_id}-integrity", run_time=started,
            )
            # A watermark moves only past rows that passed: rows that failed a blocking check
            # stay in scope, so a retry on the same data fails again instead of publishing.
            passed = not blocking_failures(outcomes[table.name])
            if table.incremental and loaded_through is not None and passed:
                watermarks.advance(table.table, loaded_through)
            if table.by_build and loaded_through is not None and passed:
                watermarks.advance_build(table.table, loaded_through)
    return outcomes


def _read_scope(con: duckdb.DuckDBPyConnection, table: IntegrityTable,
                watermarks: IntegrityWatermarks) -> tuple[pd.DataFrame, str, datetime | None]:
    """The rows to validate, a description of them, and (incremental tables) the newest
    `_loaded_at` among them, which becomes the table's watermark once validated."""
    if not table.incremental:
        return con.execute(read_sql(table)).df(), "all rows", None
    after = watermarks.get(table.table)
    loaded_through = con.execute(f"select max(_loaded_at) from {table.table}").fetchone()[0]
    if after is None:
        return con.execute(read_sql(table)).df(), "all rows (first validation)", loaded_through
    reloaded = con.execute(f"select max(loaded_at) from {RELOADED_FILES}").fetchone()[0]
    if reloaded is not None and reloaded > after:
        # a file changed in place since: staging restaged rows under their older `_loaded_at`
        # and may have dropped rows another table's relation relied on
        frame = con.execute(read_sql(table)).df()
        return frame, "all rows (a file was changed in place)", loaded_through
    # rows loaded after the watermark but not after `loaded_through`: a consistent cut
    frame = con.execute(read_sql(table, loaded_after=True) + " and s._loaded_at <= ?",
                        [after, loaded_through]).df()
    return frame, f"rows loaded after {after.isoformat(sep=' ')}", loaded_through


def _read_facts_scope(con: duckdb.DuckDBPyConnection, table: IntegrityTable,
                      watermarks: IntegrityWatermarks, cfg: AuditConfig
                      ) -> tuple[pd.DataFrame, str, dict | None]:
    """As `_read_scope`, for a table validated by build: the rows of the builds after the last
    validation, or every row when `scope.changed_after` says so; and the mark the validation
    advances to (None: facts without build numbers, validated whole every time)."""
    now = facts_mark(con, cfg)
    if now.changes_through is None:
        return con.execute(read_sql(table)).df(), "all rows", None
    stored = watermarks.build(table.table)
    after = changed_after(None if stored is None else FactsMark(**stored), now)
    if after is None:
        scope = "all rows (first validation of these facts and rules)"
        return con.execute(read_sql(table)).df(), scope, asdict(now)
    frame = con.execute(read_sql(table, built_after=True), [after, now.changes_through]).df()
    return frame, f"tickets changed after build {after}", asdict(now)


def standing_findings(con: duckdb.DuckDBPyConnection,
                      validated: RuleOutcomes) -> dict[str, list[str]]:
    """Per rule, the tickets with a finding from an earlier audit that this validation does
    not audit again (so the rule still stands broken by them)."""
    if validated.scope is None:
        return {}
    exists = con.execute("select count(*) from information_schema.tables where "
                         "table_schema = 'audit' and table_name = 'findings'").fetchall()[0][0]
    if not exists:
        return {}
    con.register("revalidated", pd.DataFrame({"ticket_id": list(validated.scope)},
                                             dtype="object"))
    try:
        rows = con.execute(f"""select rule_id, list(ticket_id order by ticket_id)
            from audit.findings
            where ticket_id not in (select ticket_id from revalidated)
                and ticket_id in (select ticket_id from {FACTS_TABLE})
            group by rule_id""").fetchall()
    finally:
        con.unregister("revalidated")
    return dict(rows)
