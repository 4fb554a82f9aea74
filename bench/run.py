"""`make bench` / `make bench-quick`: where time and memory go, at the operator's daily scale.

Stages are timed separately (simulate, the read floor, the end-to-end `run` with its Dagster
steps, ingest rows/s per entity, dbt per model, a no-new-data re-run for the fixed start-up
cost), then the growth of adding day N+1 after N days of history. Results: printed, and saved
as JSON plus a markdown table under `bench/results/`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import api_load, pm_ingest, stages
from bench.report import write_report
from quality_checks.benchmark import step_rules_cost

SIZES = {  # tickets/day and cells: `day` is Guangdong's daily volume (shared/spec/domain.md)
    "quick": {"tickets_per_day": 300, "cells": 1000, "growth": [1, 2]},
    "day": {"tickets_per_day": 25000, "cells": 100000, "growth": [1, 7, 30]},
}
START = "2026-03-02"
SOURCE_TZ = "Asia/Shanghai"
TRACE_CLIENTS, TRACE_REQUESTS = [1, 10, 50], 3000  # trace lookups per concurrency level
# History is built as the daily schedule would, not in one go: a single run over weeks of
# new data is a backfill, whose DuckDB spill (tens of GB) is not what this bench measures.
CATCH_UP_DAYS = 5
# the audit timed with and without the step rules (#16's added cost), best of this many each
STEP_RULES_REPEATS = 5


def _as_of(day_count: int) -> str:
    """Midnight (source time zone) after `day_count` simulated days, as UTC."""
    local = datetime.fromisoformat(START).replace(tzinfo=ZoneInfo(SOURCE_TZ))
    return (local + timedelta(days=day_count)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _simulate(out: Path, days: int, size: dict) -> stages.Timed | None:
    """Simulate into `out`, or reuse it when a previous bench (`--work DIR`) simulated the same
    arguments there (None: nothing timed)."""
    meta = out / "truth" / "meta.json"
    if meta.exists():
        done = json.loads(meta.read_text())
        if (done["days"], done["tickets_per_day"], done["cells"], done["seed"], done["start"]) \
                == (days, size["tickets_per_day"], size["cells"], 1, START):
            print(f"reusing the simulated landing root in {out}")
            return None
    timed = stages.cli("simulate", "--out", str(out / "landing"), "--truth", str(out / "truth"),
                       "--days", str(days), "--tickets-per-day", str(size["tickets_per_day"]),
                       "--cells", str(size["cells"]), "--seed", "1", "--start", START)
    if timed.returncode:
        raise SystemExit("simulate failed")
    return timed


def _run(landing: Path, home: Path, as_of: str) -> stages.Timed:
    timed = stages.cli("run", "--landing", str(landing), "--home", str(home), "--as-of", as_of)
    if timed.returncode:
        raise SystemExit("run failed")
    return timed


def measure_day(work: Path, size: dict, days: int) -> dict:
    sim = _simulate(work, days, size)
    landing, home = work / "landing", work / "home"
    shutil.rmtree(home, ignore_errors=True)  # a first run, also with a reused --work dir
    floor = stages.read_floor(landing)
    first = _run(landing, home, _as_of(days))
    steps = stages.dagster_step_seconds(home)
    dbt_models = stages.dbt_model_seconds(home)
    rows = stages.ingest_rows(home)
    again = _run(landing, home, _as_of(days))
    step_rules = step_rules_cost(home / "warehouse.duckdb",
                                 datetime.fromisoformat(_as_of(days)), STEP_RULES_REPEATS)
    return {
        "simulate_s": round(sim.seconds, 2) if sim else None,
        "floor": floor,
        "run_s": round(first.seconds, 2),
        "run_peak_rss_mb": round(first.peak_rss_mb, 1),
        "run_over_floor": round(first.seconds / max(floor["seconds"], 1e-9), 1),
        "rerun_no_new_data_s": round(again.seconds, 2),
        "steps_s": steps,
        "ingest_rows": rows,
        "ingest_rows_per_s": {e: round(n / steps[k], 0) for e, n in rows.items()
                              if (k := _step_for(e, steps)) and steps[k] > 0},
        "dbt_models_s": dict(sorted(dbt_models.items(), key=lambda kv: -kv[1])),
        "warehouse_mb": round(stages.disk_mb(home / "warehouse.duckdb"), 1),
        "snapshots_mb": round(stages.disk_mb(home / "snapshots"), 1)
        if (home / "snapshots").exists() else None,
        "trace": _trace_latency(home),
        "step_rules_audit": step_rules,
    }


def _trace_latency(home: Path) -> list[dict]:
    """Trace lookups against uvicorn over this home's current snapshot (bench/api_load.py)."""
    return api_load.measure(home, TRACE_CLIENTS, TRACE_REQUESTS)[1]


def _step_for(entity: str, steps: dict[str, float]) -> str | None:
    """The Dagster step that ingested `entity` (step keys are asset keys joined by `__`)."""
    key = entity.replace("/", "__")
    return next((k for k in steps if k.endswith(key)), None)


def measure_growth(work: Path, size: dict, checkpoints: list[int],
                   results: list[dict]) -> None:
    """Cost of adding day N+1 after N days of history, for each N in `checkpoints`; each
    result is appended to `results` as soon as it is measured."""
    source = work / "growth_source"
    _simulate(source, max(checkpoints) + 1, size)
    landing, home = work / "growth_landing", work / "growth_home"
    for stale in (landing, home):
        shutil.rmtree(stale, ignore_errors=True)
    start = datetime.fromisoformat(START).date()
    loaded_days = 0
    for n in sorted(checkpoints):
        while loaded_days < n:  # catch up to n days of history (not timed), a few days a run
            loaded_days = min(n, loaded_days + CATCH_UP_DAYS)
            _copy_through(source / "landing", landing, start + timedelta(days=loaded_days - 1))
            _run(landing, home, _as_of(loaded_days))
        _copy_through(source / "landing", landing, start + timedelta(days=n))
        timed = _run(landing, home, _as_of(n + 1))
        loaded_days = n + 1
        at_50 = next(lv for lv in _trace_latency(home) if lv["clients"] == 50)
        models = sorted(stages.dbt_model_seconds(home).items(), key=lambda kv: -kv[1])
        results.append({"history_days": n, "add_one_day_s": round(timed.seconds, 2),
                        "steps_s": stages.dagster_step_seconds(home),
                        "dbt_nodes_top_s": dict(models[:12]),
                        "documents_built": stages.documents_built(home),
                        "warehouse_mb": round(stages.disk_mb(home / "warehouse.duckdb"), 1),
                        "snapshots_mb": round(stages.disk_mb(home / "snapshots"), 1),
                        "trace_50_clients": at_50})


def _copy_through(source: Path, target: Path, last_day) -> None:
    """Deliver every landing file whose business date (file name prefix) is <= last_day."""
    for path in source.rglob("*"):
        if path.is_file() and path.name[:10] <= last_day.isoformat():
            dest = target / path.relative_to(source)
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    parser.add_argument("--days", type=int, default=1, help="days in the main dataset")
    parser.add_argument("--growth", default=None,
                        help="history sizes in days, e.g. 1,7,30; 'none' skips")
    parser.add_argument("--work", type=Path, default=None, help="scratch dir (default: temporary)")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    checkpoints = (size["growth"] if args.growth is None else
                   [] if args.growth == "none" else [int(x) for x in args.growth.split(",")])
    work = args.work or Path(tempfile.mkdtemp(prefix="complaint-trace-bench-"))
    result = {
        "size": args.size, "days": args.days, **size,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "day": measure_day(work / "day", size, args.days),
        # 3GPP PM XML of the size's network, four quarter-hours: the steady rate of a day's
        # 96 (bench/pm_ingest.py)
        "pm_ingest": pm_ingest.run(size["cells"], quarters=pm_ingest.STEADY_QUARTERS),
        "growth": [],
    }
    write_report(result, quiet=True)  # the day's numbers are kept even if growth fails
    try:
        if checkpoints:
            measure_growth(work / "growth", size, checkpoints, result["growth"])
    except SystemExit as failure:
        result["growth_error"] = str(failure)
    print(json.dumps(result, indent=2))
    print(f"saved: {write_report(result)}")
    if "growth_error" in result:
        raise SystemExit(f"growth: {result['growth_error']}")


if __name__ == "__main__":
    main()
