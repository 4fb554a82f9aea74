"""The audit layer's assets: `audit/findings` (the GX rule suite's failing rows, one per
ticket and rule) and `audit/agg_audit_daily` (the per-day rollup auditors and BI read)."""


from collections import Counter

import dagster as dg

from complaint_trace.settings import get_settings
from quality_checks.audit import audit_findings, audit_rollup, load_rule_outcomes
from quality_checks.gx_runner import data_docs_index

FACTS = dg.AssetKey(["fct_audit_facts"])
FINDINGS = dg.AssetKey(["audit", "findings"])
AGG = dg.AssetKey(["audit", "agg_audit_daily"])


@dg.asset(
    key=FINDINGS,
    deps=[FACTS],
    group_name="audit",
    required_resource_keys={"warehouse", "pipeline"},
    kinds={"great_expectations", "duckdb"},
)
def findings(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Audit findings (audit-rules §6): the tickets breaking T1–T3 / F1–F5 as of the run's
    as-of time, found by the GX `audit_rules` suite over `fct_audit_facts`, with evidence JSON
    and the accountable department. Replaces the previous audit; Data Docs are rebuilt."""
    pipeline, warehouse = context.resources.pipeline, context.resources.warehouse
    if not pipeline.as_of:
        context.log.warning("no as-of configured: the audit uses now, which may differ from "
                            "the as-of dbt used for fct_audit_facts; pass --as-of")
    settings = get_settings(home=pipeline.home)
    as_of = pipeline.as_of_utc()
    # the `audit_rules` check (blocking, so it ran first) validated the same facts this run
    validated = load_rule_outcomes(settings.home_dir, context.run_id, as_of)
    with warehouse.connect() as con:
        result = audit_findings(con, home_dir=settings.home_dir,
                                docs_dir=settings.data_docs_dir, run_id=context.run_id,
                                as_of=as_of, validated=validated)
        per_rule = dict(sorted(Counter(
            rule for (rule,) in con.execute("select rule_id from audit.findings").fetchall()
        ).items()))
    docs = data_docs_index(settings.data_docs_dir)
    context.log.info(f"{result.findings} findings; Data Docs: {docs}")
    return dg.MaterializeResult(metadata={
        "findings": result.findings,
        "findings_by_rule": per_rule,
        "tickets_audited": result.tickets,
        "as_of": as_of.strftime("%Y-%m-%d %H:%M:%S"),
        "gx_seconds": round(result.seconds_gx, 2),
        "validated_by": "the audit_rules check" if validated else "this step",
        "data_docs": dg.MetadataValue.path(str(docs)),
    })


@dg.asset(
    key=AGG,
    deps=[FINDINGS],
    group_name="audit",
    required_resource_keys={"warehouse"},
    kinds={"duckdb"},
)
def agg_audit_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Per business day x rule x accountable department: tickets audited, findings, rate."""
    with context.resources.warehouse.connect() as con:
        rows = audit_rollup(con)
        totals = con.execute(
            "select coalesce(sum(tickets_audited), 0), coalesce(sum(findings), 0)"
            " from audit.agg_audit_daily"
        ).fetchone()
    return dg.MaterializeResult(metadata={
        "rows": rows, "rule_audits": int(totals[0]), "findings": int(totals[1]),
    })


ASSETS: list = [findings, agg_audit_daily]
