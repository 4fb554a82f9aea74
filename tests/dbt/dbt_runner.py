"""Run the dbt project against a given warehouse file, the way the Dagster asset does (the
warehouse as a var, the as-of time and run id as environment variables: `run_context_env`),
with artefacts kept out of the project folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from complaint_trace.settings import DBT_PROJECT_DIR
from orchestration.assets.dbt import PARTIAL_PARSE_FILE, run_context_env, seed_partial_parse

DBT = Path(sys.executable).parent / "dbt"

# the target of the last run with the same project, warehouse and vars: the next run starts
# from its parse, as a Dagster run starts from the previous run's (`seed_partial_parse`)
_last_targets: dict[str, Path] = {}


@dataclass(frozen=True)
class DbtRun:
    returncode: int
    output: str
    target: Path

    def run_results(self) -> dict:
        return json.loads((self.target / "run_results.json").read_text())


def dbt(command: str, *, warehouse: Path, as_of: str, work: Path, run_id: str = "test-run",
        extra: tuple[str, ...] = (), more_vars: dict | None = None,
        project: Path = DBT_PROJECT_DIR) -> DbtRun:
    """`dbt <command>` with this project (or a copy of it); raises with dbt's output when it
    fails."""
    target = work / "target"
    dbt_vars = {"warehouse_path": str(warehouse), **(more_vars or {})}
    parse_key = json.dumps([str(project), dbt_vars], sort_keys=True)
    if parse_key in _last_targets:
        seed_partial_parse(target, [_last_targets[parse_key]])
    args = [str(DBT), command, "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(target),
            "--log-path", str(work / "logs"), "--vars", json.dumps(dbt_vars), *extra]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=project,
                          env={**os.environ, **run_context_env(as_of=as_of, run_id=run_id)})
    run = DbtRun(proc.returncode, proc.stdout + proc.stderr, target)
    if (target / PARTIAL_PARSE_FILE).exists():
        _last_targets[parse_key] = target
    if proc.returncode != 0:
        raise AssertionError(f"dbt {command} failed:\n{run.output[-6000:]}")
    return run
