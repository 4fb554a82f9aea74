"""One run at a time per home: a second `run` on the same home stops at once and names the
run in progress, instead of dying in dbt on DuckDB's file lock. The lock is an `flock` on
`<home>/run.lock`, so the kernel releases it when its process dies, killed or not."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = "run.lock"


class RunInProgress(RuntimeError):
    """Another process holds the home's run lock."""


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    return (f"run id {info.get('run_id', '?')}, pid {info.get('pid', '?')}, "
            f"started {info.get('started_at', '?')}")


_HELD: set[Path] = set()  # homes this process holds: the CLI's lock and the run's resource


def held_elsewhere(home: Path) -> str | None:
    """Who holds the home's run lock, when another process does (None: it is free). A probe,
    not a reservation: the run that follows still takes the lock itself."""
    path = (home / LOCK_FILE).resolve()
    if path in _HELD or not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


@contextmanager
def run_lock(home: Path, run_id: str) -> Iterator[None]:
    """Hold the home's run lock while the block runs; `RunInProgress` if another process has
    it. Re-entrant within a process (`complaint-trace run` takes it before the Dagster run
    whose resource takes it again; a run launched from the UI takes it only there)."""
    home.mkdir(parents=True, exist_ok=True)
    path = (home / LOCK_FILE).resolve()
    if path in _HELD:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress(f"another run is in progress on {home} ({_holder(path)})") \
                from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"run_id": run_id, "pid": os.getpid(),
                                 "started_at": datetime.now(UTC).isoformat()}).encode())
        _HELD.add(path)
        try:
            yield
        finally:
            _HELD.discard(path)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
