"""What a run leaves behind and holds: one run per home (a second one is told which run is
going), no dbt child outliving a killed run, no temporary or dbt artefact piling up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from complaint_trace.settings import DBT_PROJECT_DIR, Settings
from tests.faults.pipeline import CLI
from tests.faults.world import simulate_world

KEPT = 2  # dbt run folders kept: fewer than this test's runs, so pruning shows
ENV = {**os.environ, "COMPLAINT_TRACE_DBT_RUNS_KEPT": str(KEPT)}


def _start(landing: Path, home: Path, as_of: str) -> subprocess.Popen:
    """A run in the background; end it with `_finish` (it reads the pipes: a run whose log
    fills a pipe's 64 KiB would block on it while `wait` waits)."""
    return subprocess.Popen(
        [*CLI, "run", "--landing", str(landing), "--home", str(home), "--as-of", as_of],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def _finish(run: subprocess.Popen, seconds: float = 600) -> None:
    _, stderr = run.communicate(timeout=seconds)
    assert run.returncode == 0, stderr[-3000:]


def _wait_for(condition, seconds: float = 120.0, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _dbt_builds(parent: int) -> list[int]:
    """Processes started by `parent` whose command line runs `complaint-trace-dbt build` (a
    run also asks the same CLI its `--version`, which ends at once)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if int(stat[1]) == parent and "complaint-trace-dbt\0build\0" in cmdline:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return simulate_world(tmp_path_factory.mktemp("hygiene_world"))


def test_runs_hold_the_home_alone_and_leave_nothing_behind(world, tmp_path) -> None:
    landing, as_of = world
    home = tmp_path / "home"
    settings = Settings(home=home)
    settings.snapshots_dir.mkdir(parents=True)
    leftover = settings.snapshots_dir / ".snapshot-20260101000000-killed.duckdb.tmp"
    leftover.write_bytes(b"half a snapshot")
    project_runs_before = set((DBT_PROJECT_DIR / "target").glob("complaint_trace_dbt_assets-*"))

    first = _start(landing, home, as_of)
    lock = home / "run.lock"
    _wait_for(lambda: lock.exists() and lock.read_text(), what="the run lock")
    running = json.loads(lock.read_text())["run_id"]
    second = subprocess.run(
        [*CLI, "run", "--landing", str(landing), "--home", str(home), "--as-of", as_of],
        capture_output=True, text=True, env=ENV)
    assert second.returncode == 3, second.stderr
    assert "another run is in progress" in second.stderr and running in second.stderr
    _finish(first)
    assert not leftover.exists()

    # a run killed while dbt runs: its dbt child ends with it, not seconds later
    killed = _start(landing, home, as_of)
    children: list[int] = []
    _wait_for(lambda: children.extend(_dbt_builds(killed.pid)) or children,
              what="the dbt child")
    child = children[0]
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()  # killed: it writes nothing more (its pipes are not read)
    _wait_for(lambda: not _alive(child), seconds=3.0, what="the dbt child to end")

    again = _start(landing, home, as_of)  # the third run: one dbt folder too many
    _finish(again)
    runs = [p for p in settings.dbt_runs_dir.iterdir() if p.is_dir()]
    assert len(runs) == KEPT
    assert set((DBT_PROJECT_DIR / "target").glob("complaint_trace_dbt_assets-*")) \
        == project_runs_before
