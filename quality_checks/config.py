"""Audit configuration: the numbers and the rule catalog the last dbt build used.

Thresholds and windows are never copied into this package, nor read from `dbt_project.yml` a
second time: dbt writes the vars it resolved into `dim_audit_settings`, and the
`rule_catalog` and `step_policy` seeds are warehouse tables (a step policy row is a rule:
audit-rules §10). `load_audit_config` reads both and fails with an
error naming the missing var, table or column, so a config drift is loud, not silently wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

RULE_IDS = ("T1", "T2", "T3", "F1", "F2", "F3", "F4", "F5", "R1")

# The dbt vars the audit needs (dim_audit_settings writes them; docs/architecture.md lists
# their meaning and defaults).
REQUIRED_VARS = (
    "alarm_clear_grace_hours",
    "kpi_recovery_window_hours",
    "kpi_not_recovered_share",
    "repeat_complaint_window_days",
    "appeal_window_days",
    "integrity_max_unknown_ticket_event_share",
    "integrity_min_network_trace_share",
)
RULE_CATALOG_COLUMNS = ("rule_id", "rule_name", "severity")


class AuditConfigError(RuntimeError):
    """The dbt project lacks a var, seed or column the audit needs."""


@dataclass(frozen=True)
class RuleInfo:
    rule_id: str
    rule_name: str
    severity: str
    description: str


@dataclass(frozen=True)
class StepRule:
    """A row of the `step_policy` seed (audit-rules §10): one step deadline rule."""

    rule_id: str
    rule_name: str
    from_action: str
    to_action: str
    category_family: str | None
    calendar: str
    severity: str
    limits_minutes: tuple[tuple[str, float], ...]  # (priority, limit)
    description: str = ""


@dataclass(frozen=True)
class AuditConfig:
    rules: dict[str, RuleInfo]
    alarm_clear_grace_hours: float
    kpi_recovery_window_hours: float
    kpi_not_recovered_share: float
    repeat_complaint_window_days: float
    appeal_window_days: float
    integrity_max_unknown_ticket_event_share: float
    integrity_min_network_trace_share: float
    step_rules: tuple[StepRule, ...] = ()

    @property
    def repeat_complaint_window_hours(self) -> float:
        return self.repeat_complaint_window_days * 24.0

    def limits(self) -> dict[str, float]:
        """Every configured number, for evidence and Data Docs notes."""
        return {name: getattr(self, name) for name in REQUIRED_VARS}


SETTINGS_TABLE = "main.dim_audit_settings"
RULE_CATALOG_TABLE = "main.rule_catalog"
STEP_POLICY_TABLE = "main.step_policy"
PRIORITIES = ("urgent", "high", "normal", "low")
# a step rule's id names the facts columns of its rule frame (`O1__step_clock_minutes`)
_RULE_ID = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _read_vars(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    try:
        rows = con.execute(f"select var_name, var_value from {SETTINGS_TABLE}").fetchall()
    except duckdb.CatalogException as exc:
        raise AuditConfigError(
            f"{SETTINGS_TABLE} not found: the dbt build that writes it has not run") from exc
    return dict(rows)


def _read_rule_catalog(con: duckdb.DuckDBPyConnection) -> dict[str, RuleInfo]:
    try:
        frame = con.execute(f"select * from {RULE_CATALOG_TABLE}").df()
    except duckdb.CatalogException as exc:
        raise AuditConfigError(
            f"dbt seed {RULE_CATALOG_TABLE} not found: the dbt build has not run") from exc
    missing = [c for c in RULE_CATALOG_COLUMNS if c not in frame.columns]
    if missing:
        raise AuditConfigError(f"{RULE_CATALOG_TABLE} lacks column(s) {', '.join(missing)}")
    rules = {
        str(row["rule_id"]).strip(): RuleInfo(
            rule_id=str(row["rule_id"]).strip(),
            rule_name=str(row["rule_name"]).strip(),
            severity=str(row["severity"]).strip(),
            description=str(row.get("description") or "").strip(),
        )
        for row in frame.to_dict("records")
    }
    absent = [r for r in RULE_IDS if r not in rules]
    if absent:
        raise AuditConfigError(f"{RULE_CATALOG_TABLE} lacks rule(s) {', '.join(absent)}")
    return rules


def _read_step_rules(con: duckdb.DuckDBPyConnection,
                     catalog: dict[str, RuleInfo]) -> tuple[StepRule, ...]:
    try:
        frame = con.execute(f"select * from {STEP_POLICY_TABLE} order by rule_id").df()
    except duckdb.CatalogException as exc:
        raise AuditConfigError(
            f"dbt seed {STEP_POLICY_TABLE} not found: the dbt build has not run") from exc
    rules = []
    for row in frame.to_dict("records"):
        rule_id = str(row["rule_id"]).strip()
        if not _RULE_ID.fullmatch(rule_id) or rule_id in catalog:
            raise AuditConfigError(
                f"{STEP_POLICY_TABLE}: rule id {rule_id!r} must be letters and digits and not "
                f"one of {RULE_CATALOG_TABLE}'s")
        family, description = row.get("category_family"), row.get("description")
        rules.append(StepRule(
            rule_id=rule_id, rule_name=str(row["rule_name"]).strip(),
            from_action=str(row["from_action"]), to_action=str(row["to_action"]),
            category_family=None if pd.isna(family) else str(family),
            calendar=str(row["calendar"]), severity=str(row["severity"]).strip(),
            limits_minutes=tuple((p, float(row[f"{p}_minutes"])) for p in PRIORITIES),
            description="" if pd.isna(description) else str(description).strip()))
    return tuple(rules)


def _step_rule_info(rule: StepRule) -> RuleInfo:
    limits = ", ".join(f"{p} {m:g}" for p, m in rule.limits_minutes)
    scope = f" ({rule.category_family} tickets)" if rule.category_family else ""
    what = rule.description or f"Step {rule.from_action} to {rule.to_action} took longer " \
        "than its limit"
    return RuleInfo(rule.rule_id, rule.rule_name, rule.severity,
                    f"{what}{scope}: {rule.calendar} minutes, {limits}")


def load_audit_config(con: duckdb.DuckDBPyConnection) -> AuditConfig:
    """The audit's thresholds and rule catalog, as the warehouse's last dbt build resolved
    them."""
    dbt_vars = _read_vars(con)
    missing = [name for name in REQUIRED_VARS if dbt_vars.get(name) is None]
    if missing:
        raise AuditConfigError(
            f"{SETTINGS_TABLE} lacks {', '.join(missing)} (dbt_project.yml vars; the model "
            "dim_audit_settings lists the vars the audit reads)"
        )
    numbers = {name: float(dbt_vars[name]) for name in REQUIRED_VARS}
    catalog = _read_rule_catalog(con)
    step_rules = _read_step_rules(con, catalog)
    rules = {**catalog, **{rule.rule_id: _step_rule_info(rule) for rule in step_rules}}
    return AuditConfig(rules=rules, step_rules=step_rules, **numbers)
