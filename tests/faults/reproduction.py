"""The world and helpers of the trust issue's reproductions (`test_reproductions*.py`), each as
an operator met it, on the world it names (`simulate --days 1 --tickets-per-day 200 --cells 300
--seed 3 --bad-row-rate 0`). Expected values are read from the landing files themselves, never
from the pipeline's output. Two test files, so the two test workers share the slow runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import _invoke
from tests.faults import landing as lf
from tests.faults.pipeline import differences, published_state

WORLD = ["--days", "1", "--tickets-per-day", "200", "--cells", "300", "--seed", "3",
         "--bad-row-rate", "0"]
EVENTS = "ticketing/ticket_events"
TICKETS = "ticketing/tickets"
KPI_HOURS = "netops/cell_kpi_hourly"


@pytest.fixture(scope="module", name="world")
def world_fixture(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("repro_world")
    _invoke("simulate", "--out", str(root / "landing"), "--truth", str(root / "truth"), *WORLD)
    return root / "landing", json.loads((root / "truth" / "meta.json").read_text())["as_of"]


@pytest.fixture(name="landing")
def landing_fixture(world, tmp_path) -> Path:
    copy = tmp_path / "landing"
    shutil.copytree(world[0], copy)
    return copy


def run(landing: Path, home: Path, as_of: str) -> str:
    return _invoke("run", "--landing", str(landing), "--home", str(home), "--as-of", as_of)


def run_fails(landing: Path, home: Path, as_of: str) -> str:
    from typer.testing import CliRunner

    from complaint_trace.cli import app
    result = CliRunner().invoke(app, ["run", "--landing", str(landing), "--home", str(home),
                                      "--as-of", as_of], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return result.output


def only_file(landing: Path, entity: str) -> Path:
    (path,) = (landing / entity).iterdir()
    return path


def count(home: Path, sql: str) -> int:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def change_between_runs(world, landing: Path, home: Path, changes: dict) -> list[Path]:
    """Run, change each named entity's only file in place (`{entity: change}`), run again;
    the changed files, in the order given."""
    run(landing, home, world[1])
    paths = [only_file(landing, entity) for entity in changes]
    for path, change in zip(paths, changes.values(), strict=True):
        lf.rewrite(path, change)
    run(landing, home, world[1])
    return paths


def assert_as_one_clean_run(world, landing: Path, home: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    run(landing, clean, world[1])
    assert differences(published_state(home), published_state(clean)) == []
