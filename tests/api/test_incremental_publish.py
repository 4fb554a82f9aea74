"""Publishing carries unchanged trace documents over from the previous snapshot and rebuilds
only the tickets whose inputs changed; the result must equal a publish that builds every
document from scratch. The pipeline runs on the small simulated dataset delivered in two
steps (its first day, then the rest), as the daily schedule would see it."""

from __future__ import annotations

import json
import shutil
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from api.reader import open_snapshot
from api.trace import trace_json
from serving.layout import DOCUMENT_COLUMNS, NETWORK_TABLES, current_snapshot
from serving.publish import publish_snapshot
from tests.conftest import _invoke


def _store_of(snapshot: Path):
    """The document store as the snapshot file `snapshot` sees it (its generation)."""
    opened = open_snapshot(snapshot)
    opened.con.close()
    return opened.docs


def _documents(snapshot: Path) -> dict[str, tuple]:
    """The trace documents a snapshot sees."""
    rows = _store_of(snapshot).query(
        f"select {', '.join(DOCUMENT_COLUMNS)} from trace_documents", ())
    return {row[0]: (*row[1:-3], zlib.decompress(row[-3]), zlib.decompress(row[-2]), row[-1])
            for row in rows}


def _network_records(snapshot: Path) -> dict[str, list[tuple]]:
    """The per-cell network records a snapshot sees, sorted."""
    docs = _store_of(snapshot)
    return {table: sorted(docs.query(f"select {', '.join(columns)} from {table}", ()))
            for table, (columns, _) in NETWORK_TABLES.items()}


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
    series = []
    for snapshot in (first, second):
        with duckdb.connect(str(snapshot), read_only=True) as con:
            series.append(con.execute("select kpi_series from main.snapshot_meta").fetchone()[0])
    # one series of flagged hours: the second publish hashed only the KPI days new or reloaded
    assert series[0] is not None and series[0] == series[1]
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
    incremental_network, rebuilt_network = _network_records(second), _network_records(full.path)
    assert all(rebuilt_network.values()), "the full rebuild stored no network events"
    assert incremental_network == rebuilt_network
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


def test_every_trace_shows_the_timeline_mart_rows_of_its_ticket(two_step_home):
    """The network events a trace takes per cell at request time, cut to the ticket's window,
    are exactly the items the timeline mart holds for that ticket; each linked cell lists the
    alarms with an edge on that timeline plus the F1 facts' alarms, and the episodes with one."""
    home, *_ = two_step_home
    timelines: dict[str, list[tuple]] = {}
    cell_records: dict[tuple[str, str], set[str]] = {}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for ticket_id, at, kind, record, cell_id in con.execute(
                "select ticket_id, item_at, item_type, source_record_id, cell_id "
                "from main.fct_ticket_timeline "
                "order by ticket_id, item_at, source_record_id, item_type").fetchall():
            timelines.setdefault(ticket_id, []).append((at, kind, record))
            if cell_id is not None:
                cell_records.setdefault((ticket_id, cell_id), set()).add(record)
        for ticket_id, alarm_id, cell_id in con.execute(
                "select f.ticket_id, a.alarm_id, a.cell_id from main.fct_audit_facts as f, "
                "unnest(string_split(f.f1_alarm_ids, ',')) as u(alarm_id) "
                "inner join main.stg_netops__alarms as a on a.alarm_id = u.alarm_id").fetchall():
            cell_records.setdefault((ticket_id, cell_id), set()).add(alarm_id)
        tickets = [row[0] for row in con.execute("select ticket_id from main.dim_tickets")
                   .fetchall()]
        episode_ids = {(cell, start): episode for cell, start, episode in con.execute(
            "select cell_id, episode_start_at, episode_id "
            "from main.fct_cell_degradation_episodes").fetchall()}
    snapshot = open_snapshot(current_snapshot(home / "snapshots"))
    try:
        shown_network = 0
        for ticket_id in tickets:
            trace = json.loads(trace_json(snapshot, ticket_id, sees_pii=True))
            shown = [(datetime.fromisoformat(i["at"].removesuffix("Z")), i["type"],
                      i["source_record_id"]) for i in trace["timeline"]]
            assert shown == timelines.get(ticket_id, []), ticket_id
            for cell in trace["linked_cells"]:
                records = {a["alarm_id"] for a in cell["alarms"]}
                records |= {episode_ids[cell["cell_id"], datetime.fromisoformat(
                    e["started_at"].removesuffix("Z"))] for e in cell["degradation_episodes"]}
                expected = cell_records.get((ticket_id, cell["cell_id"]), set())
                assert records == expected, (ticket_id, cell["cell_id"])
                shown_network += len(records)
    finally:
        snapshot.con.close()
    assert shown_network, "no trace showed a network event: the test checks nothing"
