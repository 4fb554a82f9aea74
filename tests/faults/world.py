"""The small simulated world the fault tests deliver (2 business days, bad rows included)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.faults.pipeline import CLI

WORLD = ["--days", "2", "--tickets-per-day", "60", "--cells", "120", "--seed", "5"]


def simulate_world(root: Path) -> tuple[Path, str]:
    """(landing root, as-of) of the world, written under `root`."""
    landing, truth = root / "world", root / "truth"
    subprocess.run([*CLI, "simulate", "--out", str(landing), "--truth", str(truth), *WORLD],
                   check=True, capture_output=True)
    return landing, json.loads((truth / "meta.json").read_text())["as_of"]
