"""Shared fixtures. `pipeline_home` simulates one small dataset and runs the whole pipeline
once per test session through the public CLI; the slower end-to-end tests share it."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complaint_trace.cli import app
from orchestration.dbt_project import prepare_manifest

SMALL_DATASET = ["--days", "2", "--tickets-per-day", "200", "--cells", "400", "--seed", "11"]


# seconds the slowest test files took (`pytest --durations=80`, summed by file, 2026-12-03,
# a fresh-clone `.ci/run`: 17 min 21 s): `make test` hands whole files to its workers in
# collection order (`--dist loadfile --no-loadscope-reorder`), so these go first, longest
# first, and no worker is left alone with a long file at the end; only their order matters
SLOW_FILES = {
    "faults/test_delivery_order.py": 279,
    "faults/test_reproductions_publish.py": 215,
    "dbt/test_marts_on_handmade_rows.py": 184,
    "faults/test_run_hygiene.py": 138,
    "orchestration/test_ingestion_cli.py": 127,
    "faults/test_reproductions.py": 124,
    "api/test_incremental_publish.py": 93,
    "quality_checks/test_integrity_suite.py": 64,
    "simulator/test_standard_feeds.py": 58,
    "quality_checks/test_data_docs.py": 52,
    "dbt/test_sla_warnings.py": 51,
    "dbt/test_audit_settings.py": 44,
}
TESTS_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    """The slowest files first (`SLOW_FILES`), the rest as collected; a file's tests keep
    their order (the sort is stable)."""
    def slowest_first(item) -> int:
        try:
            return -SLOW_FILES.get(item.path.relative_to(TESTS_DIR).as_posix(), 0)
        except ValueError:  # not below tests/
            return 0
    items.sort(key=slowest_first)


def pytest_configure(config):
    """Parse the dbt project once, in the process that starts the test workers (`make test`
    runs pytest-xdist), so that no two workers write dbt's manifest at the same time."""
    if not hasattr(config, "workerinput"):
        prepare_manifest()


@dataclass(frozen=True)
class SimulatedRun:
    home: Path
    landing: Path
    truth: Path
    as_of: str
    run_output: str = ""  # what `complaint-trace run` printed (pipeline_home only)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    """Each test starts without `COMPLAINT_TRACE_*`/`DAGSTER_HOME` and gets the environment
    back afterwards: `run` and `serve` export their settings for the layers they start."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("COMPLAINT_TRACE_") or name == "DAGSTER_HOME":
            monkeypatch.delenv(name)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _invoke(*args: str) -> str:
    saved = dict(os.environ)
    try:
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert result.exit_code == 0, f"complaint-trace {' '.join(args)} failed:\n{result.output}"
    return result.output


@pytest.fixture(scope="session")
def simulated_landing(tmp_path_factory) -> SimulatedRun:
    """A small simulated landing root with its ground truth (not yet ingested)."""
    root = tmp_path_factory.mktemp("sim")
    landing, truth = root / "landing", root / "truth"
    _invoke("simulate", "--out", str(landing), "--truth", str(truth), *SMALL_DATASET)
    as_of = json.loads((truth / "meta.json").read_text())["as_of"]
    return SimulatedRun(home=root / "home", landing=landing, truth=truth, as_of=as_of)


@pytest.fixture(scope="session")
def pipeline_home(simulated_landing: SimulatedRun) -> SimulatedRun:
    """The small simulated dataset after one full `complaint-trace run` (ingest to publish)."""
    sim = simulated_landing
    output = _invoke("run", "--landing", str(sim.landing), "--home", str(sim.home),
                     "--as-of", sim.as_of)
    return dataclasses.replace(sim, run_output=output)
