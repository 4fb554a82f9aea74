"""Measurements the benchmark takes: each returns plain numbers, so `run.py` only arranges them."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from complaint_trace.settings import REPO_ROOT

READERS = {  # landing file suffix -> DuckDB table function that reads it
    ".csv": "read_csv", ".csv.gz": "read_csv",
    ".jsonl": "read_json", ".jsonl.gz": "read_json",
    ".parquet": "read_parquet",
}


@dataclass
class Timed:
    seconds: float
    peak_rss_mb: float
    returncode: int
    output_tail: str


def cli(*args: str) -> Timed:
    """Run `complaint-trace ARGS` in a child process; wall time and the child's peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "complaint_trace.cli", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    tail = (proc.stdout + proc.stderr)[-2000:]
    if proc.returncode != 0:
        print(f"complaint-trace {' '.join(args)} failed:\n{tail}", file=sys.stderr)
    return Timed(seconds, peak / 1024, proc.returncode, tail)


def reader_of(path: Path) -> str | None:
    name = path.name
    return next((fn for suffix, fn in READERS.items() if name.endswith(suffix)), None)


def read_floor(landing: Path) -> dict:
    """The floor: DuckDB reading every landing file once (`count(*)` through its reader)."""
    con = duckdb.connect()
    files = sorted(p for p in landing.rglob("*") if p.is_file() and reader_of(p))
    rows = 0
    start = time.perf_counter()
    for path in files:
        fn = reader_of(path)
        opts = ", all_varchar = true" if fn == "read_csv" else ""
        rows += con.execute(f"select count(*) from {fn}(?{opts})", [str(path)]).fetchone()[0]
    return {"seconds": time.perf_counter() - start, "files": len(files), "rows": rows,
            "bytes": sum(p.stat().st_size for p in files)}


def dagster_step_seconds(home: Path) -> dict[str, float]:
    """Seconds per step of the latest run in the home's Dagster instance."""
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            return {}
        stats = instance.get_run_step_stats(runs[0].run_id)
        return {s.step_key: round((s.end_time or 0) - (s.start_time or 0), 3) for s in stats}


def ingest_rows(home: Path) -> dict[str, int]:
    """Rows loaded per entity over all files in the manifest."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return dict(con.execute(
            "select entity, sum(rows_loaded) from raw_meta.file_manifest group by entity"
        ).fetchall())


def dbt_model_seconds(home: Path) -> dict[str, float]:
    """Seconds per dbt node of the home's latest dbt invocation (dbt's own run_results.json,
    which dagster-dbt writes under `<home>/dbt/runs/<run id>/`)."""
    found = sorted((home / "dbt" / "runs").rglob("run_results.json"),
                   key=lambda p: p.stat().st_mtime)
    if not found:
        return {}
    data = json.loads(found[-1].read_text())
    return {r["unique_id"]: round(r["execution_time"], 3) for r in data.get("results", [])}


def disk_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def documents_built(home: Path) -> int | None:
    """Trace documents the latest publish built (the rest were carried over unchanged)."""
    from serving.layout import current_snapshot

    path = current_snapshot(home / "snapshots")
    if path is None:
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select documents_built from main.snapshot_meta").fetchone()[0]
