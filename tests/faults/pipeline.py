"""Running `complaint-trace run` as its own process (so it can be killed), and reading what a
home publishes in a form two homes can be compared in: marts, findings, quarantine and the
served traces, without the columns that name a run, a build or a load time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from api.reader import open_snapshot
from api.trace import trace_json
from serving.layout import current_snapshot

CLI = [sys.executable, "-m", "complaint_trace.cli"]
# what differs between two correct histories: who built a row, when, and from which load (a
# finding's `as_of` is that of the audit that last found it: the audit of a later run keeps
# the findings of tickets that did not change)
LINEAGE = {"dagster_run_id", "dbt_invocation_id", "built_as_of", "loaded_through", "_loaded_at",
           "changes_through", "_run_id", "run_id", "as_of", "found_at", "quarantined_at"}
COMPARED = ("main.dim_tickets", "main.fct_audit_facts", "main.fct_ticket_timeline",
            "main.fct_ticket_cells", "main.fct_cell_degradation_episodes",
            "main.fct_cell_network_events", "main.fct_quarantined_rows", "audit.findings",
            "audit.agg_audit_daily")


@dataclass(frozen=True)
class RunOutcome:
    returncode: int | None  # None: killed
    output: str


def run(landing: Path, home: Path, as_of: str, kill_after: float | None = None) -> RunOutcome:
    """One `complaint-trace run`; with `kill_after`, SIGKILL its whole process group after that
    many seconds (a crash of the machine: nothing gets to clean up)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("COMPLAINT_TRACE_") and k != "DAGSTER_HOME"}
    proc = subprocess.Popen(
        [*CLI, "run", "--landing", str(landing), "--home", str(home), "--as-of", as_of],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        start_new_session=True)
    if kill_after is None:
        output, _ = proc.communicate()
        return RunOutcome(proc.returncode, output)
    try:
        output, _ = proc.communicate(timeout=kill_after)
        return RunOutcome(proc.returncode, output)  # it finished first
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        time.sleep(0.2)
        return RunOutcome(None, output)


def _table(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
    kept = ", ".join(f'"{c}"' for c in columns if c not in LINEAGE)
    return con.execute(f"select {kept} from {table} order by all").fetchall()


def _trace(snapshot, ticket_id: str) -> dict:
    trace = json.loads(trace_json(snapshot, ticket_id, sees_pii=True))
    trace.pop("provenance")
    for finding in trace.get("findings") or ():
        for key in LINEAGE | {"as_of"}:
            finding.pop(key, None)
    return trace


def published_state(home: Path) -> dict[str, object]:
    """Every compared table of the warehouse and every served trace of the current snapshot."""
    state: dict[str, object] = {}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for table in COMPARED:
            state[table] = _table(con, table)
        tickets = [r[0] for r in con.execute(
            "select ticket_id from main.dim_tickets order by 1").fetchall()]
    path = current_snapshot(home / "snapshots")
    assert path is not None, "nothing published"
    snapshot = open_snapshot(path)
    try:
        state["traces"] = {t: _trace(snapshot, t) for t in tickets}
    finally:
        snapshot.con.close()
    return state


def differences(got: dict, want: dict) -> list[str]:
    """The compared parts that differ, each with a short sample (empty when equal)."""
    out = []
    for name in want:
        if got.get(name) != want[name]:
            if isinstance(want[name], dict):
                keys = [k for k in want[name] if got[name].get(k) != want[name][k]]
                keys += [k for k in got[name] if k not in want[name]]
                out.append(f"{name}: {len(keys)} differ, e.g. {keys[:3]}")
            else:
                extra = set(got[name]) - set(want[name])
                missing = set(want[name]) - set(got[name])
                out.append(f"{name}: {len(extra)} rows not in the clean run "
                           f"(e.g. {sorted(extra, key=str)[:1]}), {len(missing)} missing "
                           f"(e.g. {sorted(missing, key=str)[:1]})")
    return out
