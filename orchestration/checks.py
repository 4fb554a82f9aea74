"""GX audits as Dagster asset checks, each on the asset it audits (style guide: plain
`@asset_check` functions running a GX 1.x checkpoint).

- `raw_ticket_identity` on `ticketing/tickets` (blocking): a ticket number delivered for two
  subscribers stops the run before dbt.
- `source_integrity` on every staging model and `fct_audit_facts`: contract keys, nulls, enums,
  ranges, relations; blocking for duplicate tickets and events of unknown tickets.
- `sla_warnings` on `fct_sla_warnings`: open tickets per warning level.
The rule checks (one per rule T1–T3 / F1–F5) are the `audit/rule_outcomes` asset's own
(orchestration/assets/audit.py).
"""


import dagster as dg

from quality_checks.audit import run_integrity
from quality_checks.gx_runner import ExpectationOutcome, data_docs_index
from quality_checks.integrity import FACTS as FACTS_TABLE
from quality_checks.integrity import (
    RAW_TICKET_IDENTITY,
    STAGING_TABLES,
    IntegrityTable,
    is_blocking,
)
from quality_checks.report import blocking_failures, describe

RESOURCES = {"warehouse", "pipeline"}


def _docs(context) -> str:
    return str(data_docs_index(context.resources.pipeline.settings().data_docs_dir))


def _gx_dirs(context) -> dict:
    settings = context.resources.pipeline.settings()
    return {"home_dir": settings.home_dir, "docs_dir": settings.data_docs_dir}


def _table_result(
    table: IntegrityTable, outcomes: list[ExpectationOutcome], docs: str,
    upstream_blocked: list[str] | None = None,
) -> dg.AssetCheckResult:
    failed = [o for o in outcomes if not o.success]
    blocked = [o.meta["check"] for o in blocking_failures(outcomes)]
    upstream_blocked = upstream_blocked or []
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(table.asset)),
        check_name=_integrity_check_name(table),
        passed=not failed and not upstream_blocked,
        severity=(dg.AssetCheckSeverity.ERROR if blocked or upstream_blocked
                  else dg.AssetCheckSeverity.WARN),
        metadata={
            "table": table.table,
            "rows_validated": max((o.element_count for o in outcomes), default=0),
            "scope": outcomes[0].meta.get("scope", "all rows") if outcomes else "no checks",
            "checks": len(outcomes),
            "failed_checks": len(failed),
            "failed_checks_named": [o.meta["check"] for o in failed],
            "blocking_failures": blocked,
            "upstream_blocking_failures": upstream_blocked,
            "unexpected_rows": sum(o.unexpected_count for o in failed),
            "failures": dg.MetadataValue.json([describe(o) for o in failed]),
            "data_docs": dg.MetadataValue.path(docs),
        },
    )


def _integrity_check_name(table: IntegrityTable) -> str:
    return "raw_ticket_identity" if table is RAW_TICKET_IDENTITY else "source_integrity"


@dg.asset_check(
    asset=dg.AssetKey(list(RAW_TICKET_IDENTITY.asset)),
    name="raw_ticket_identity",
    blocking=True,
    required_resource_keys=RESOURCES,
    description="Each ticket number is delivered for one subscriber only (blocking).",
)
def raw_ticket_identity(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    with context.resources.warehouse.connect(read_only=True) as con:
        outcomes = run_integrity(con, run_id=context.run.run_id, tables=(RAW_TICKET_IDENTITY,),
                                 **_gx_dirs(context))
    return _table_result(RAW_TICKET_IDENTITY, outcomes[RAW_TICKET_IDENTITY.name], _docs(context))


@dg.multi_asset_check(
    name="source_integrity",
    specs=[
        dg.AssetCheckSpec(
            name="source_integrity", asset=dg.AssetKey(list(t.asset)),
            blocking=is_blocking(t) or t is FACTS_TABLE,
            description=f"Source integrity of {t.table}: keys, nulls, enums, ranges, relations.",
        )
        for t in STAGING_TABLES
    ],
    required_resource_keys=RESOURCES,
)
def source_integrity(context: dg.AssetCheckExecutionContext):
    """The GX integrity suites over staging and the facts; one result per audited asset."""
    with context.resources.warehouse.connect(read_only=True) as con:
        outcomes = run_integrity(con, run_id=context.run.run_id, tables=STAGING_TABLES,
                                 **_gx_dirs(context))
    docs = _docs(context)
    # Dagster gates only the direct dependents of a blocking check; the audit and the publish
    # step read the facts, so the facts' check also fails on any blocking staging breach.
    upstream = [f"{name}: {o.meta['check']}" for name, found in outcomes.items()
                for o in blocking_failures(found)]
    for table in STAGING_TABLES:
        yield _table_result(table, outcomes[table.name], docs,
                            upstream if table is FACTS_TABLE else None)


SLA_WARNINGS = dg.AssetKey(["fct_sla_warnings"])


@dg.asset_check(
    asset=SLA_WARNINGS,
    name="sla_warnings",
    required_resource_keys=RESOURCES,
    description="Open tickets per SLA warning level (seed sla_warning_levels) and overdue: "
                "fails, as a warning, while any open limit is at the top level or overdue.",
)
def sla_warnings(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    with context.resources.warehouse.connect(read_only=True) as con:
        levels = [r[0] for r in con.execute("select warning_level_pct from main.sla_warning_levels "
                                            "order by 1").fetchall()]
        counts = dict(con.execute(
            "select case when is_breached then 'overdue' else warning_level_pct::varchar || ' %'"
            " end, count(*) from main.fct_sla_warnings where warning_level_pct is not null "
            "or is_breached group by all").fetchall())
        urgent = [r[0] for r in con.execute(
            "select ticket_id from main.fct_sla_warnings where warning_level_pct is not null "
            "or is_breached order by minutes_left, ticket_id limit 20").fetchall()]
    per_level = {f"{level} %": counts.get(f"{level} %", 0) for level in levels}
    top = per_level.get(f"{levels[-1]} %", 0) if levels else 0
    return dg.AssetCheckResult(
        passed=top == 0 and not counts.get("overdue"),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={**per_level, "overdue": counts.get("overdue", 0),
                  "most_urgent_ticket_ids": urgent},
    )


CHECKS: list = [raw_ticket_identity, source_integrity, sla_warnings]
