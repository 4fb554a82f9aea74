"""Run the dbt project against a given warehouse file, the way the Dagster asset does (vars
`as_of`, `dagster_run_id`, `warehouse_path`), with artefacts kept out of the project folder."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from complaint_trace.settings import DBT_PROJECT_DIR

DBT = Path(sys.executable).parent / "dbt"


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
    dbt_vars = {"as_of": as_of, "dagster_run_id": run_id, "warehouse_path": str(warehouse),
                **(more_vars or {})}
    args = [str(DBT), command, "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(target),
            "--log-path", str(work / "logs"), "--vars", json.dumps(dbt_vars), *extra]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=project)
    run = DbtRun(proc.returncode, proc.stdout + proc.stderr, target)
    if proc.returncode != 0:
        raise AssertionError(f"dbt {command} failed:\n{run.output[-6000:]}")
    return run
