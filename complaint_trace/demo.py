"""`make demo`: simulate the default dataset, run the whole pipeline, then serve the Dagster UI
and the trace API until Ctrl-C. Each step is the public CLI, so the demo shows what a user runs."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from complaint_trace.settings import REPO_ROOT, get_settings


def _cli(*args: str, env: dict[str, str] | None = None) -> int:
    cmd = [sys.executable, "-m", "complaint_trace.cli", *args]
    print(f"\n$ complaint-trace {' '.join(args)}", flush=True)
    return subprocess.call(cmd, cwd=REPO_ROOT, env=env)


def _simulate(home: Path, sim_args: list[str]) -> str:
    """Simulate once per argument set (re-running the demo reuses the landing root)."""
    landing, truth = home / "landing", home / "truth"
    meta = truth / "meta.json"
    if not meta.exists():
        code = _cli("simulate", "--out", str(landing), "--truth", str(truth), *sim_args)
        if code != 0:
            sys.exit(code)
    else:
        print(f"reusing the simulated landing root {landing} (delete {home} to start afresh)")
    return json.loads(meta.read_text())["as_of"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", default=".complaint-trace")
    parser.add_argument("--days", default="3")
    parser.add_argument("--tickets-per-day", default="400")
    parser.add_argument("--cells", default="2000")
    parser.add_argument("--seed", default="7")
    parser.add_argument("--dagster-port", type=int, default=3000)
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--no-serve", action="store_true", help="stop after the pipeline run")
    args = parser.parse_args(argv)

    settings = get_settings(home=Path(args.home))
    home = settings.home_dir
    home.mkdir(parents=True, exist_ok=True)
    sim_args = ["--days", args.days, "--tickets-per-day", args.tickets_per_day,
                "--cells", args.cells, "--seed", args.seed]
    as_of = _simulate(home, sim_args)
    code = _cli("run", "--landing", str(home / "landing"), "--home", str(home), "--as-of", as_of)
    if code != 0:
        sys.exit(code)
    if args.no_serve:
        return
    _serve(home, args.dagster_port, args.api_port)


def _serve(home: Path, dagster_port: int, api_port: int) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(home / "dagster"), "COMPLAINT_TRACE_HOME": str(home)}
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    dagster_bin = Path(sys.executable).with_name("dagster")
    procs = [
        subprocess.Popen([str(dagster_bin), "dev", "-m", "orchestration.definitions",
                          "-h", "127.0.0.1", "-p", str(dagster_port)], cwd=REPO_ROOT, env=env),
        subprocess.Popen([sys.executable, "-m", "complaint_trace.cli", "serve", "--home", str(home),
                          "--port", str(api_port)], cwd=REPO_ROOT, env=env),
    ]
    time.sleep(3)
    if procs[1].poll() is not None:
        print("the trace API did not start (see its error above); only the Dagster UI is up.")
    api = f"http://127.0.0.1:{api_port}"
    print(f"\nDagster UI:        http://127.0.0.1:{dagster_port}")
    print(f"Ticket pages:      {api}/ui/  (sign in with a key printed above)")
    print(f"Audit workbench:   {api}/ui/audit  (auditor or admin key)")
    print(f"Data Docs:         {api}/ui/data-docs/index.html")
    print(f"Trace API:         {api}/docs  and  {api}/redoc  (keys: {home / 'api_keys.json'})")
    print("Ctrl-C stops both.", flush=True)
    # A SIGTERM (e.g. `kill`) stops the servers like Ctrl-C does, instead of orphaning them.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        for proc in procs:
            proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
