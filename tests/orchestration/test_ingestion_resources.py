"""The warehouse resource waits for another process's DuckDB write lock, within its limit."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.resources import WarehouseResource

HOLD = ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(float(sys.argv[2]))")


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_connect_waits_for_another_writer(tmp_path: Path):
    path = tmp_path / "warehouse.duckdb"
    holder = _hold_lock(path, 1.5)
    start = time.monotonic()
    with WarehouseResource(path=str(path), lock_timeout_s=30).connect() as con:
        assert con.execute("select 42").fetchone() == (42,)
    assert time.monotonic() - start > 0.5
    holder.wait()


def test_connect_gives_up_after_its_timeout(tmp_path: Path):
    path = tmp_path / "warehouse.duckdb"
    holder = _hold_lock(path, 5)
    try:
        with pytest.raises(duckdb.IOException, match="lock"):
            with WarehouseResource(path=str(path), lock_timeout_s=0.5).connect():
                pass
    finally:
        holder.kill()
        holder.wait()
