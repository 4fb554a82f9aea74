"""The Dagster definitions pass Dagster's own validation, as the UI loads them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from complaint_trace.settings import REPO_ROOT


def test_dagster_definitions_validate_passes(tmp_path: Path):
    dagster = Path(sys.executable).with_name("dagster")
    home = tmp_path / "dagster"
    home.mkdir()
    proc = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={"PATH": str(dagster.parent), "DAGSTER_HOME": str(home),
             "COMPLAINT_TRACE_HOME": str(tmp_path / "home"), "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation successful" in proc.stdout + proc.stderr
