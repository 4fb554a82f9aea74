"""Audit configuration read from the dbt project: the same vars and seeds dbt reads.

Thresholds and windows are never copied into this package: `load_audit_config` reads
`dbt_project.yml` vars and the `rule_catalog` seed, and fails with an error naming the
missing var, seed or column, so a config drift is loud instead of silently wrong.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from complaint_trace.settings import DBT_PROJECT_DIR

RULE_IDS = ("T1", "T2", "T3", "F1", "F2", "F3", "F4", "F5")

# The dbt vars the audit needs (docs/architecture.md lists their meaning and defaults).
REQUIRED_VARS = (
    "alarm_clear_grace_hours",
    "kpi_recovery_window_hours",
    "kpi_not_recovered_share",
    "repeat_complaint_window_days",
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
class AuditConfig:
    rules: dict[str, RuleInfo]
    alarm_clear_grace_hours: float
    kpi_recovery_window_hours: float
    kpi_not_recovered_share: float
    repeat_complaint_window_days: float
    integrity_max_unknown_ticket_event_share: float
    integrity_min_network_trace_share: float

    @property
    def repeat_complaint_window_hours(self) -> float:
        return self.repeat_complaint_window_days * 24.0

    def limits(self) -> dict[str, float]:
        """Every configured number, for evidence and Data Docs notes."""
        return {name: getattr(self, name) for name in REQUIRED_VARS}


def _read_vars(project_dir: Path) -> dict:
    path = project_dir / "dbt_project.yml"
    if not path.is_file():
        raise AuditConfigError(f"dbt project file not found: {path}")
    project = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return project.get("vars") or {}


def _read_rule_catalog(project_dir: Path) -> dict[str, RuleInfo]:
    path = project_dir / "seeds" / "rule_catalog.csv"
    if not path.is_file():
        raise AuditConfigError(f"dbt seed rule_catalog not found: {path}")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in RULE_CATALOG_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise AuditConfigError(f"{path} lacks column(s) {', '.join(missing)}")
        rules = {
            row["rule_id"].strip(): RuleInfo(
                rule_id=row["rule_id"].strip(),
                rule_name=row["rule_name"].strip(),
                severity=row["severity"].strip(),
                description=(row.get("description") or "").strip(),
            )
            for row in reader
        }
    absent = [r for r in RULE_IDS if r not in rules]
    if absent:
        raise AuditConfigError(f"{path} lacks rule(s) {', '.join(absent)}")
    return rules


def load_audit_config(project_dir: Path = DBT_PROJECT_DIR) -> AuditConfig:
    """Read the audit's thresholds and rule catalog from the dbt project."""
    dbt_vars = _read_vars(project_dir)
    missing = [name for name in REQUIRED_VARS if name not in dbt_vars]
    if missing:
        raise AuditConfigError(
            f"dbt_project.yml vars lack {', '.join(missing)} (see docs/architecture.md)"
        )
    try:
        numbers = {name: float(dbt_vars[name]) for name in REQUIRED_VARS}
    except (TypeError, ValueError) as exc:
        raise AuditConfigError(f"dbt_project.yml vars must be numbers: {exc}") from exc
    return AuditConfig(rules=_read_rule_catalog(project_dir), **numbers)
