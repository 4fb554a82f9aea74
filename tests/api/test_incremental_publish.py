"""Publishing carries unchanged trace documents over from the previous snapshot and rebuilds
only the tickets whose inputs changed; the result must equal a publish that builds every
document from scratch. The pipeline runs on the small simulated dataset delivered in two
steps (its first day, then the rest), as the daily schedule would see it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from api.docstore import docs_path
from api.reader import open_snapshot
from api.snapshot import current_snapshot, publish_snapshot
from api.trace import trace_json
from tests.conftest import _invoke


def _documents(snapshot: Path) -> dict[str, tuple]:
    con = sqlite3.connect(docs_path(snapshot))
    try:
        return {row[0]: (*row[1:-2], zlib.decompress(row[-2]), zlib.decompress(row[-1]))
                for row in con.execute("select * from trace_documents")}
    finally:
        con.close()


def _deliver_through(source: Path, target: Path, last_day: str) -> None:
    """Copy the landing files whose business date (file name prefix) is <= last_day."""
    for path in source.rglob("*"):
        if path.is_file() and path.name[:10] <= last_day:
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)


@pytest.fixture(scope="module")
def two_step_home(simulated_landing, tmp_path_factory):
    sim = simulated_landing
    meta = json.loads((sim.truth / "meta.json").read_text())
    first_day = meta["start"]
    midnight = (datetime.fromisoformat(first_day).replace(tzinfo=ZoneInfo(meta["source_tz"]))
                + timedelta(days=1)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    root = tmp_path_factory.mktemp("two_step")
    landing, home = root / "landing", root / "home"
    _deliver_through(sim.landing, landing, first_day)
    _invoke("run", "--landing", str(landing), "--home", str(home), "--as-of", midnight)
    first = current_snapshot(home / "snapshots")
    _deliver_through(sim.landing, landing, "9999-12-31")
    _invoke("run", "--landing", str(landing), "--home", str(home), "--as-of", sim.as_of)
    return home, first, current_snapshot(home / "snapshots"), sim


def test_incremental_publish_equals_a_full_rebuild(two_step_home, tmp_path):
    home, first, second, sim = two_step_home
    assert second != first
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        full = publish_snapshot(con, tmp_path / "full", run_id="full-rebuild",
                                as_of=datetime.fromisoformat(sim.as_of), keep=1,
                                reuse_documents=False)
        assert full.documents_built == full.row_counts["main.dim_tickets"]
        # the day's changes were small: most of the first snapshot's documents were reused
        again = publish_snapshot(con, home / "snapshots", run_id="republish",
                                 as_of=datetime.fromisoformat(sim.as_of), keep=5)
    incremental, rebuilt = _documents(second), _documents(full.path)
    assert incremental.keys() == rebuilt.keys()
    differing = sorted(t for t in rebuilt if incremental[t] != rebuilt[t])
    assert not differing, f"documents differ from a full rebuild: {differing[:10]}"
    assert again.documents_built == 0, "nothing changed, yet documents were rebuilt"


def test_second_run_rebuilt_only_the_documents_whose_inputs_changed(two_step_home):
    home, first, second, _ = two_step_home
    before, after = _documents(first), _documents(second)
    changed = {t for t in after if before.get(t) != after[t]}
    with duckdb.connect(str(second), read_only=True) as con:
        built = con.execute("select documents_built from main.snapshot_meta").fetchone()[0]
    assert changed, "the second day changed no document"
    assert len(changed) <= built < len(after), (len(changed), built, len(after))


def test_findings_in_a_trace_name_the_latest_audit_run(two_step_home):
    home, *_ = two_step_home
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        ticket_id, run_id, as_of = con.execute(
            "select ticket_id, run_id, as_of from audit.findings order by ticket_id limit 1"
        ).fetchone()
    snapshot = open_snapshot(current_snapshot(home / "snapshots"))
    try:
        trace = json.loads(trace_json(snapshot, ticket_id, sees_pii=True))
    finally:
        snapshot.con.close()
    assert trace["findings"], f"{ticket_id} has a finding but its trace shows none"
    for finding in trace["findings"]:
        assert finding["run_id"] == run_id
        assert finding["as_of"] == as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert finding["found_at"] is not None
