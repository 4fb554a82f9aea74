"""The dbt project as Dagster sees it: where it is, which dbt to run, and its manifest.

The manifest (dbt's parse of the project) is prepared when the definitions are built, never
when a module is imported: under `dagster dev` always (as dagster-dbt's `prepare_if_dev`
does), and otherwise when it is missing or older than a file of the project (a fresh
checkout, CI, a pull), so the asset graph never comes from a stale build artefact.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from complaint_trace.settings import DBT_PROJECT_DIR


def dbt_executable() -> str:
    """dbt as installed beside this interpreter (the venv need not be activated):
    `complaint-trace-dbt`, dbt's CLI in a process that ends with its run
    (complaint_trace/dbt_child.py), else plain `dbt`."""
    for name in ("complaint-trace-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.exists():
            return str(beside)
    return shutil.which("dbt") or "dbt"


def manifest_is_current(project: DbtProject) -> bool:
    """The manifest exists and is newer than every file it is parsed from, and than every
    folder of them (a folder's time changes when a file in it is added, renamed or
    deleted, which no remaining file's time shows)."""
    if not project.manifest_path.exists():
        return False
    built = project.manifest_path.stat().st_mtime
    sources = [project.project_dir / "dbt_project.yml", project.project_dir / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        sources += [project.project_dir / folder, *(project.project_dir / folder).rglob("*")]
    return all(path.stat().st_mtime <= built for path in sources if path.exists())


DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def prepare_manifest(project: DbtProject = DBT_PROJECT) -> None:
    """dagster-dbt's `prepare_if_dev` (parse under `dagster dev`), which also parses a missing
    or stale manifest, with the dbt this project installs (dagster-dbt's own preparer runs
    whichever `dbt` is first on PATH, and none need be: the venv need not be activated)."""
    if project.preparer.using_dagster_dev() or not manifest_is_current(project):
        dbt_resource(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()


def dbt_resource(project: DbtProject = DBT_PROJECT) -> DbtCliResource:
    """The `"dbt"` resource: the CLI over this project; the warehouse path travels as a var."""
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())
