"""The audit layer's assets: `audit/rule_outcomes` (the GX `audit_rules` suite over
`fct_audit_facts`, with one check per rule), `audit/findings` (the suite's failing rows, one
per ticket and rule) and `audit/agg_audit_daily` (the per-day rollup auditors and BI read).

The rule suite runs once a run: its outcomes are the `rule_outcomes` asset's output, which
Dagster hands to the findings step as its input (stored by the run's IO manager).
"""


import csv
from collections import Counter
from pathlib import Path

import dagster as dg

from complaint_trace.settings import DBT_PROJECT_DIR
from quality_checks.audit import (
    RuleOutcomes,
    audit_findings,
    audit_rollup,
    standing_findings,
    validate_changed_rules,
)
from quality_checks.config import RULE_IDS, load_audit_config
from quality_checks.gx_runner import data_docs_index
from quality_checks.report import rule_outcomes, rule_tickets

FACTS = dg.AssetKey(["fct_audit_facts"])
RULE_OUTCOMES = dg.AssetKey(["audit", "rule_outcomes"])
FINDINGS = dg.AssetKey(["audit", "findings"])
AGG = dg.AssetKey(["audit", "agg_audit_daily"])


def seeded_rule_ids(project_dir: Path = DBT_PROJECT_DIR) -> tuple[str, ...]:
    """The rules a check is declared for: the fixed ones, then each row of the `step_policy`
    seed file (audit-rules §10: a row is a rule). Read when the definitions are built; the
    audit itself reads the seed the warehouse was built with."""
    with (project_dir / "seeds" / "step_policy.csv").open(newline="", encoding="utf-8") as f:
        steps = [row["rule_id"].strip() for row in csv.DictReader(f)]
    return (*RULE_IDS, *steps)


def rule_outcomes_asset_of(rule_ids: tuple[str, ...]) -> dg.AssetsDefinition:
    """`audit/rule_outcomes` with one check per rule of `rule_ids`."""

    @dg.asset(
        key=RULE_OUTCOMES,
        deps=[FACTS],
        group_name="audit",
        required_resource_keys={"warehouse", "pipeline"},
        kinds={"great_expectations"},
        check_specs=[
            dg.AssetCheckSpec(name=f"rule_{rule_id}", asset=RULE_OUTCOMES,
                              description=f"No ticket breaks audit rule {rule_id} "
                                          "(audit-rules §2, §5, §10, §11).")
            for rule_id in rule_ids
        ],
    )
    def rule_outcomes_asset(context: dg.AssetExecutionContext):
        """The GX `audit_rules` suite over `fct_audit_facts` (and `fct_ticket_steps` for the
        step rules) as of the run's as-of, over the tickets whose facts changed since the
        last complete audit (all of them the first time): per rule and expectation, the
        tickets that break it (Data Docs updated). Each rule's check fails, as a warning,
        while any ticket breaks it, audited now or before."""
        pipeline = context.resources.pipeline
        settings = pipeline.settings()
        with context.resources.warehouse.connect() as con:
            cfg = load_audit_config(con)
            validated = validate_changed_rules(con, cfg, home_dir=settings.home_dir,
                                               docs_dir=settings.data_docs_dir,
                                               run_id=context.run.run_id,
                                               as_of=pipeline.as_of_utc())
            standing = standing_findings(con, validated)
        unchecked = sorted(set(cfg.rules) - set(rule_ids))
        if unchecked:
            context.log.warning(f"rules {', '.join(unchecked)} are in the warehouse's policy "
                                "but have no check here: reload the code location")
        docs = str(data_docs_index(settings.data_docs_dir))
        for rule_id in rule_ids:
            yield _rule_check(rule_id, cfg, validated, standing, docs)
        yield dg.Output(validated, metadata={
            "tickets_audited": len(validated.audited),
            "scope": "every ticket" if validated.since is None
                     else f"tickets changed after facts build {validated.since}",
            "expectations": len(validated.outcomes),
            "failed_expectations": sum(not o.success for o in validated.outcomes),
            "as_of": validated.as_of.strftime("%Y-%m-%d %H:%M:%S"),
            "gx_seconds": round(validated.seconds, 2),
        })

    return rule_outcomes_asset


def _rule_check(rule_id: str, cfg, validated: RuleOutcomes, standing: dict[str, list[str]],
                docs: str) -> dg.AssetCheckResult:
    if rule_id not in cfg.rules:  # a step rule removed from the seed since the code loaded
        return dg.AssetCheckResult(
            asset_key=RULE_OUTCOMES, check_name=f"rule_{rule_id}", passed=True,
            metadata={"rule": rule_id, "configured": False})
    tickets = sorted({*rule_tickets(validated.outcomes, rule_id), *standing.get(rule_id, ())})
    info = cfg.rules[rule_id]
    return dg.AssetCheckResult(
        asset_key=RULE_OUTCOMES,
        check_name=f"rule_{rule_id}",
        passed=not tickets,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rule": f"{rule_id} {info.rule_name}",
            "severity": info.severity,
            "tickets_audited_now": max((o.element_count
                                        for o in rule_outcomes(validated.outcomes, rule_id)),
                                       default=0),
            "tickets_breaking": len(tickets),
            "sample_ticket_ids": tickets[:20],
            "gx_seconds": round(validated.seconds, 2),
            "data_docs": dg.MetadataValue.path(docs),
        },
    )


@dg.asset(
    key=FINDINGS,
    deps=[FACTS],
    ins={"validated": dg.AssetIn(RULE_OUTCOMES)},
    group_name="audit",
    required_resource_keys={"warehouse", "pipeline"},
    kinds={"great_expectations", "duckdb"},
)
def findings(context: dg.AssetExecutionContext, validated: RuleOutcomes) -> dg.MaterializeResult:
    """Audit findings (audit-rules §6): the tickets breaking T1–T3 / F1–F5 as of the run's
    as-of time, from the rule suite's outcomes, with evidence JSON and the accountable
    department. Replaces the previous audit."""
    pipeline, warehouse = context.resources.pipeline, context.resources.warehouse
    if not pipeline.as_of:
        context.log.warning("no as-of configured: the audit uses now, which may differ from "
                            "the as-of dbt used for fct_audit_facts; pass --as-of")
    settings = pipeline.settings()
    as_of = pipeline.as_of_utc()
    # outcomes of another run (this step materialised alone) may describe other facts
    reused = validated.run_id == context.run_id and validated.as_of == as_of
    with warehouse.connect() as con:
        result = audit_findings(con, home_dir=settings.home_dir,
                                docs_dir=settings.data_docs_dir, run_id=context.run_id,
                                as_of=as_of, validated=validated if reused else None)
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
        "validated_by": "the rule_outcomes step" if reused else "this step",
        "data_docs": dg.MetadataValue.path(str(docs)),
    })


@dg.asset(
    key=AGG,
    deps=[FINDINGS],
    group_name="audit",
    required_resource_keys={"warehouse", "pipeline"},
    kinds={"duckdb"},
)
def agg_audit_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Per business day x rule x accountable department: tickets audited, findings, rate."""
    with context.resources.warehouse.connect() as con:
        rows = audit_rollup(con, context.resources.pipeline.as_of_utc())
        totals = con.execute(
            "select coalesce(sum(tickets_audited), 0), coalesce(sum(findings), 0)"
            " from audit.agg_audit_daily"
        ).fetchone()
    return dg.MaterializeResult(metadata={
        "rows": rows, "rule_audits": int(totals[0]), "findings": int(totals[1]),
    })


def audit_assets(rule_ids: tuple[str, ...] | None = None) -> list:
    """The audit layer's assets, with a rule check per rule (default: `seeded_rule_ids`)."""
    return [rule_outcomes_asset_of(rule_ids or seeded_rule_ids()), findings, agg_audit_daily]
