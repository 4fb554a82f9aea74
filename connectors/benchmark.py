"""Ingest throughput for hourly cell KPIs at day scale (issue 3 closing note).

Writes one day of `netops/cell_kpi_hourly` (default 100 000 cells x 24 h = 2.4 M rows) as a
CSV with DuckDB, loads it once with `connectors.load_entity` into a fresh warehouse, and
writes rows/s to `bench/results/ingest_kpi.json`. Run once: `python -m connectors.benchmark`.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import duckdb

from complaint_trace.contract import entity
from connectors import load_entity

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"


def write_kpi_day(path: Path, cells: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(f"""
        copy (
            select '460-00-' || (c // 3) || '-' || (c % 3) as cell_id,
                   strftime(timestamp '2026-03-02' + to_hours(h), '%Y-%m-%d %H:%M:%S')
                       as period_start,
                   round(random() * 100, 2) as prb_util_dl_pct,
                   round(random() * 80, 2) as user_dl_rate_mbps,
                   round(90 + random() * 10, 2) as access_success_pct,
                   round(random() * 3, 3) as drop_rate_pct,
                   round(80 + random() * 20, 2) as good_coverage_pct,
                   round(random() * 50, 3) as traffic_gb,
                   (random() * 500)::integer as active_users
            from range({cells}) as c(c), range(24) as h(h)
        ) to '{path}' (header true)
    """)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        csv_path = landing / "netops" / "cell_kpi_hourly" / "2026-03-02.csv"
        write_kpi_day(csv_path, args.cells)
        con = duckdb.connect(str(Path(tmp) / "warehouse.duckdb"))
        con.execute("set enable_progress_bar = false")
        start = time.perf_counter()
        report = load_entity(con, landing, entity("netops/cell_kpi_hourly"), "Asia/Shanghai", "b")
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        load_entity(con, landing, entity("netops/cell_kpi_hourly"), "Asia/Shanghai", "b2")
        rerun = time.perf_counter() - start
        result = {
            "rows": report.rows_read, "rows_loaded": report.rows_loaded,
            "csv_mb": round(csv_path.stat().st_size / 2**20, 1),
            "seconds": round(seconds, 2), "rows_per_s": round(report.rows_read / seconds),
            "rerun_unchanged_s": round(rerun, 2),
            "cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ingest_kpi.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
