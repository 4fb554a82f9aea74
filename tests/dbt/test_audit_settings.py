"""The audit applies the numbers dbt built with: dbt writes its resolved vars into
`dim_audit_settings`, and the audit reads them (and the rule catalogue seed) from there, so an
override given to dbt alone reaches the audit too."""

from __future__ import annotations

import duckdb
import pytest
import yaml

from complaint_trace.settings import DBT_PROJECT_DIR
from quality_checks.config import REQUIRED_VARS, AuditConfigError, load_audit_config
from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.dbt_runner import dbt


def _project_vars() -> dict:
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def test_a_build_gives_the_audit_the_project_vars_and_the_section_6_severities(
    handmade_build: BuiltWarehouse,
) -> None:
    with duckdb.connect(str(handmade_build.path), read_only=True) as con:
        cfg = load_audit_config(con)
    assert cfg.limits() == {name: float(_project_vars()[name]) for name in REQUIRED_VARS}
    severities = {rule_id: info.severity for rule_id, info in cfg.rules.items()}
    assert severities == {"F1": "high", "F2": "high", "T3": "high", "T1": "medium",
                          "F4": "medium", "F5": "medium", "T2": "low", "F3": "low", "R1": "high",
                          "O1": "low", "O2": "low"}  # §11 R1; §10 the step rules


def test_a_var_given_to_dbt_alone_reaches_the_audit(tmp_path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    overrides = {"kpi_not_recovered_share": 0.4, "repeat_complaint_window_days": 10}
    dbt("build", warehouse=warehouse, as_of="2024-03-10 00:00:00", work=tmp_path,
        extra=("--select", "dim_audit_settings", "rule_catalog", "step_policy",
               "--indirect-selection", "cautious"), more_vars=overrides)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cfg = load_audit_config(con)
    assert (cfg.kpi_not_recovered_share, cfg.repeat_complaint_window_days) == (0.4, 10.0)
    assert cfg.alarm_clear_grace_hours == float(_project_vars()["alarm_clear_grace_hours"])


def test_a_warehouse_dbt_has_not_built_is_a_clear_error(tmp_path) -> None:
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con, \
            pytest.raises(AuditConfigError, match="dim_audit_settings not found"):
        load_audit_config(con)
