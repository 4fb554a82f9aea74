"""`python -m bench.live`: live monitoring at N days of history (issue #14 §5). Ticketing and
CRM deliver every 15 minutes (`simulate --delivery-minutes 15`); after N days of history
have been built (not timed, a few days a run, then up to the slot before the measured one),
one 15-minute batch lands and the bench times, from its last file landing to the API serving
a ticket it created (`delivery_to_served_s`): the sensor's tick (its interval, the worst
case, plus its evaluation), the run the sensor requests (per Dagster step), and the API
picking up the new snapshot. Meanwhile 50 clients look traces up without pause, so the trace
latency is measured while the run publishes. Results: printed, and saved as
`bench/results/live-<size>-<time>.{json,md}`.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb

from api.security import new_key
from bench import api_load, stages
from bench.run import CATCH_UP_DAYS, SIZES, SOURCE_TZ, START
from complaint_trace.contract import ENTITIES
from complaint_trace.settings import Settings
from complaint_trace.simulator import delivery_batches
from connectors.files import landing_fingerprint
from orchestration.resources import PipelineConfig
from orchestration.sensors import landing_sensor
from serving.layout import current_snapshot

DELIVERY_MINUTES = 15
MEASURED_SLOT = "10:00"  # local start of the measured batch on the day after the history
SENSOR_INTERVAL_S = Settings.model_fields["sensor_interval_seconds"].default
RESULTS = Path(__file__).resolve().parent / "results"


def _local_midnight_utc(day_count: int) -> datetime:
    local = datetime.fromisoformat(START).replace(tzinfo=ZoneInfo(SOURCE_TZ))
    return (local + timedelta(days=day_count)).astimezone(UTC)


def _simulate(out: Path, days: int, size: dict) -> None:
    meta = out / "truth" / "meta.json"
    if meta.exists() and json.loads(meta.read_text())["days"] == days:
        print(f"reusing the simulated 15-minute landing root in {out}")
        return
    shutil.rmtree(out, ignore_errors=True)
    timed = stages.cli("simulate", "--out", str(out / "landing"), "--truth", str(out / "truth"),
                       "--days", str(days), "--tickets-per-day", str(size["tickets_per_day"]),
                       "--cells", str(size["cells"]), "--seed", "1", "--start", START,
                       "--delivery-minutes", str(DELIVERY_MINUTES))
    if timed.returncode:
        raise SystemExit("simulate failed")


def _deliver(batches, source: Path, landing: Path, through: datetime) -> None:
    """Copy every file of the batches ending at or before `through` (not yet copied)."""
    for batch in batches:
        if batch.end > through:
            break
        for path in batch.files:
            dest = landing / path.relative_to(source)
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)


def _run(landing: Path, home: Path, as_of: datetime) -> stages.Timed:
    timed = stages.cli("run", "--landing", str(landing), "--home", str(home), "--as-of",
                       as_of.strftime("%Y-%m-%d %H:%M:%S"))
    if timed.returncode:
        raise SystemExit(f"run as of {as_of} failed")
    return timed


def _new_ticket(batch, source: Path) -> str:
    """A ticket the batch creates (read from its tickets file)."""
    tickets = [p for p in batch.files if p.relative_to(source).parts[:2] == ("ticketing",
                                                                             "tickets")]
    if not tickets:
        raise SystemExit("the measured batch delivers no ticket")
    with duckdb.connect() as con:
        reader = stages.reader_of(tickets[0])
        return con.execute(f"select min(ticket_id) from {reader}('{tickets[0]}')").fetchone()[0]


class Load(threading.Thread):
    """50 clients looking up random traces without pause until stopped."""

    def __init__(self, port: int, key: str, ticket_ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.ticket_ids = port, key, ticket_ids
        self.rounds: list[dict] = []
        self.latencies_ms: list[float] = []  # every lookup's, over the whole measured run
        self.stopping = threading.Event()

    def run(self) -> None:
        rng = random.Random(7)
        while not self.stopping.is_set():
            self.rounds.append(api_load.run_level(self.port, self.key, self.ticket_ids, 50,
                                                  500, rng, self.latencies_ms))

    def worst(self) -> dict:
        return max(self.rounds, key=lambda r: r["p99_ms"]) if self.rounds else {}

    def pooled(self) -> dict:
        """The quantiles of every lookup made while the run went on (the target's p99)."""
        if not self.latencies_ms:
            return {}
        return {"requests": len(self.latencies_ms),
                **api_load.quantiles_ms(sorted(self.latencies_ms))}


def _served(port: int, key: str, ticket_id: str, timeout: float = 600.0) -> float:
    """Seconds until the API serves `ticket_id`'s trace."""
    start = time.perf_counter()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/tickets/{ticket_id}/trace",
                                     headers={"X-API-Key": key})
    while time.perf_counter() - start < timeout:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - start
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise
        time.sleep(0.1)
    raise SystemExit(f"{ticket_id} was not served within {timeout} s")


def measure(work: Path, size: dict, history: list[int]) -> list[dict]:
    source = work / "source-15min"
    _simulate(source, max(history) + 1, size)
    batches = delivery_batches(source / "landing", DELIVERY_MINUTES, SOURCE_TZ)
    landing, home = work / "landing", work / "home"
    for stale in (landing, home):
        shutil.rmtree(stale, ignore_errors=True)
    hour, minute = map(int, MEASURED_SLOT.split(":"))
    results, built = [], 0
    for n in sorted(history):
        while built < n:  # n days of history, a few days a run (not timed)
            built = min(n, built + CATCH_UP_DAYS)
            _deliver(batches, source / "landing", landing, _local_midnight_utc(built))
            _run(landing, home, _local_midnight_utc(built))
        end = _local_midnight_utc(n) + timedelta(hours=hour, minutes=minute + DELIVERY_MINUTES)
        measured = next(b for b in batches if b.end == end)
        before = end - timedelta(minutes=DELIVERY_MINUTES)
        _deliver(batches, source / "landing", landing, before)
        _run(landing, home, before)  # everything up to the measured slot (not timed)
        results.append(_measure_batch(source / "landing", landing, home, measured, n))
        built = n + 1
        _deliver(batches, source / "landing", landing, _local_midnight_utc(built))
        _run(landing, home, _local_midnight_utc(built))
    return results


def _measure_batch(source: Path, landing: Path, home: Path, batch, n: int) -> dict:
    pipeline = PipelineConfig(home=str(home), landing=str(landing), source_tz=SOURCE_TZ,
                              delivery_minutes=DELIVERY_MINUTES)
    _, cursor = landing_fingerprint(landing, ENTITIES)
    with duckdb.connect(str(current_snapshot(home / "snapshots")), read_only=True) as con:
        ticket_ids = [r[0] for r in con.execute("select ticket_id from main.dim_tickets")
                      .fetchall()]
    ticket = _new_ticket(batch, source)
    key = new_key()
    with api_load.uvicorn_serving(home, key, "handler", 2) as port:
        load = Load(port, key, ticket_ids)
        load.start()
        _deliver([batch], source, landing, batch.end)  # the batch lands
        landed = time.perf_counter()
        tick = landing_sensor(dg.build_sensor_context(
            instance=dg.DagsterInstance.ephemeral(), cursor=cursor,
            resources={"pipeline": pipeline}))
        sensor_s = time.perf_counter() - landed
        assert isinstance(tick, dg.RunRequest), tick
        as_of = tick.run_config["resources"]["pipeline"]["config"]["as_of"]
        run = _run(landing, home, datetime.fromisoformat(as_of))
        served_s = _served(port, key, ticket)
        load.stopping.set()
        load.join()
    measured = sensor_s + run.seconds + served_s
    return {
        "history_days": n, "batch_end_utc": batch.end.strftime("%Y-%m-%d %H:%M:%S"),
        "batch_files": len(batch.files), "as_of": as_of,
        "delivery_to_served_s": round(SENSOR_INTERVAL_S + measured, 2),
        "breakdown_s": {"sensor_tick_wait_worst": SENSOR_INTERVAL_S,
                        "sensor_evaluation": round(sensor_s, 2),
                        "run": round(run.seconds, 2), "api_picks_up": round(served_s, 2)},
        "steps_s": stages.dagster_step_seconds(home),
        "documents_built": stages.documents_built(home),
        "warehouse_mb": round(stages.disk_mb(home / "warehouse.duckdb"), 1),
        "snapshots_mb": round(stages.disk_mb(home / "snapshots"), 1),
        "trace_50_clients_while_publishing": load.pooled(),
        "trace_50_clients_worst_round": load.worst(),
        "load_rounds": len(load.rounds),
        # every round's p99 in order, to see whether the tail is one moment (the switch to the
        # new snapshot) or the whole run
        "load_rounds_p99_ms": [r["p99_ms"] for r in load.rounds],
    }


def _write(report: dict) -> Path:
    stamp = report["measured_at"].replace(":", "").replace("-", "")
    base = RESULTS / f"live-{report['size']}-{stamp}"
    base.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"# Live monitoring, {report['size']} size ({report['tickets_per_day']:,} "
             f"tickets/day, {report['cells']:,} cells), {report['measured_at']}", "",
             "| history days | delivery → served | sensor (worst tick + eval) | run | API picks up "
             "| trace p99 @ 50 clients while publishing (all lookups) | worst 500-lookup round "
             "| warehouse | snapshots |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in report["results"]:
        b = r["breakdown_s"]
        lines.append(f"| {r['history_days']} | **{r['delivery_to_served_s']} s** | "
                     f"{b['sensor_tick_wait_worst']} + {b['sensor_evaluation']} s | {b['run']} s "
                     f"| {b['api_picks_up']} s | "
                     f"{r['trace_50_clients_while_publishing'].get('p99_ms')} ms | "
                     f"{r['trace_50_clients_worst_round'].get('p99_ms')} ms | "
                     f"{r['warehouse_mb']} MB | {r['snapshots_mb']} MB |")
    lines += ["", "Steps of each measured run (s):", ""]
    lines += [f"- {r['history_days']} days: " + ", ".join(
        f"{k} {v}" for k, v in sorted(r["steps_s"].items(), key=lambda kv: -kv[1]))
        for r in report["results"]]
    base.with_suffix(".md").write_text("\n".join(lines) + "\n")
    return base


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    parser.add_argument("--history", default="1,7,30", help="days of history, comma-separated")
    parser.add_argument("--work", type=Path, default=None, help="scratch dir (default: temporary)")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-live-"))
    report = {"size": args.size, **{k: size[k] for k in ("tickets_per_day", "cells")},
              "delivery_minutes": DELIVERY_MINUTES, "sensor_interval_s": SENSOR_INTERVAL_S,
              "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "results": measure(work, size, [int(x) for x in args.history.split(",")])}
    base = _write(report)
    print(base.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
