"""dbt's data tests as one asset check per model, `dbt_tests`, instead of one per test.

dagster-dbt makes every dbt test an asset check of its own; the project has ~280, and each
costs a run three stored events (planned, output, evaluation): ~850 of a run's ~1,100, about
15 s of Dagster's bookkeeping a run on the CI machine however little changed. One check per
model keeps what an operator reads in the UI (which model's tests failed, which tests, how
many rows) at one sixth of the events. The outcome comes from dbt's own `run_results.json`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_UNIQUE_ID_METADATA_KEY,
    get_asset_check_key_for_test,
)

CHECK_NAME = "dbt_tests"
PASSED = "pass"
FAILED = ("fail", "error")  # a warn-severity test that fails reports `warn`


def model_check_spec(asset_key: dg.AssetKey, model_unique_id: str) -> dg.AssetCheckSpec:
    """The check that stands for all dbt tests of the model or seed `asset_key`. It names the
    model's dbt node (dagster-dbt's `dagster_dbt/unique_id`), so a run that selects the check
    without its model selects the model's node for dbt, whose tests `checks_only_args` keeps."""
    return dg.AssetCheckSpec(
        name=CHECK_NAME, asset=asset_key,
        description="The dbt data tests of this model in this run: passed when every one "
                    "passed; metadata names each that did not, with its failing row count.",
        metadata={DAGSTER_DBT_UNIQUE_ID_METADATA_KEY: model_unique_id})


def checks_only_args(context: dg.AssetExecutionContext) -> list[str]:
    """The dbt arguments of a run that selects checks and no model (the UI's "execute" on a
    check): dbt runs only tests, so no model is rebuilt without its materialisation. Models
    with the checks of other models cannot be one dbt selection: refused, with the reason."""
    checks, models = context.selected_asset_check_keys, context.selected_asset_keys
    if checks and not models:
        return ["--resource-type", "test"]
    apart = sorted(c.asset_key.to_user_string() for c in checks if c.asset_key not in models)
    if apart:
        raise dg.Failure(
            f"the dbt_tests checks of {', '.join(apart)} are selected without their models "
            "while other models are: select each check with its model, or checks alone")
    return []


def is_test_event(event: Any) -> bool:
    """A per-test event dagster-dbt derives from a dbt test (an observation: no check has the
    test's own name); `model_check_results` reports the tests instead."""
    if not isinstance(event, dg.AssetObservation):
        return False
    unique_id = getattr(event.metadata.get("unique_id"), "value", "")
    return str(unique_id).startswith("test.")


def tested_asset(manifest: Mapping[str, Any], translator, unique_id: str,
                 project=None) -> dg.AssetKey | None:
    """The asset whose `dbt_tests` check reports the dbt test `unique_id` (dagster-dbt's own
    rule for a test's asset), None when the node is not a test of one asset."""
    key = get_asset_check_key_for_test(manifest, translator, unique_id, project=project)
    return None if key is None else key.asset_key


def tests_by_asset(manifest: Mapping[str, Any], translator) -> dict[dg.AssetKey, list[str]]:
    """The unique ids of the dbt tests attached to each asset."""
    out: dict[dg.AssetKey, list[str]] = defaultdict(list)
    for unique_id in manifest["nodes"]:
        asset_key = tested_asset(manifest, translator, unique_id)
        if asset_key is not None:
            out[asset_key].append(unique_id)
    return out


def model_check_results(
    checks: set[dg.AssetCheckKey], tests: Mapping[dg.AssetKey, list[str]],
    manifest: Mapping[str, Any], run_results_path: Path,
) -> Iterator[dg.AssetCheckResult]:
    """One result per check in `checks` whose model had tests run in this build."""
    if not run_results_path.exists():  # dbt ended before it wrote any result
        return
    results = {r["unique_id"]: r for r in json.loads(run_results_path.read_text())["results"]}
    for check in sorted(checks, key=lambda c: c.asset_key.to_user_string()):
        ran = [results[t] for t in tests.get(check.asset_key, ()) if t in results]
        if not ran:
            continue
        not_passed = [r for r in ran if r["status"] != PASSED]
        failed = [r for r in not_passed if r["status"] in FAILED]
        yield dg.AssetCheckResult(
            asset_key=check.asset_key, check_name=check.name, passed=not not_passed,
            severity=dg.AssetCheckSeverity.ERROR if failed else dg.AssetCheckSeverity.WARN,
            metadata={
                "tests_run": len(ran),
                "tests_not_passed": len(not_passed),
                "not_passed": dg.MetadataValue.md("\n".join(
                    f"- `{manifest['nodes'][r['unique_id']]['name']}`: {r['status']}"
                    f" ({r.get('failures') or 0} rows)" for r in not_passed) or "none"),
            })
