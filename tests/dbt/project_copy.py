"""A copy of the dbt project with rows added to its seeds: how an operator changes policy (a
seed edit, no code), tried in a test without touching the project itself."""

from __future__ import annotations

import shutil
from pathlib import Path

from complaint_trace.settings import DBT_PROJECT_DIR


def project_with_seed_rows(root: Path, rows: dict[str, str],
                           replaced: dict[str, str] | None = None) -> Path:
    """The project copied under `root`, with `rows` (seed name -> CSV lines) appended and the
    seeds of `replaced` (seed name -> whole CSV text) replaced."""
    project = root / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns(
        "target", "logs", "dbt_packages", ".user.yml"))
    for seed, lines in rows.items():
        path = project / "seeds" / f"{seed}.csv"
        path.write_text(path.read_text() + lines)
    for seed, text in (replaced or {}).items():
        (project / "seeds" / f"{seed}.csv").write_text(text)
    return project
