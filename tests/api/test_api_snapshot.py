"""Publishing snapshots and following them without a restart."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from api_warehouse import F1_TICKET

from api.docstore import DocStore
from api.reader import open_snapshot
from serving.layout import CURRENT, current_snapshot
from serving.publish import SnapshotError, publish_snapshot, switch_current


def test_publish_writes_an_immutable_file_and_points_current_at_it(api_home):
    snaps = api_home.settings.snapshots_dir
    assert (snaps / CURRENT).read_text().strip() == api_home.first.path.name
    assert not list(snaps.glob(".*.tmp"))
    counts = dict(api_home.first.row_counts)
    # the documents live in the SQLite store beside the snapshot, one per ticket
    assert _store_of(api_home.first.path).count() == counts.pop("main.trace_documents")
    con = duckdb.connect(str(api_home.first.path), read_only=True)
    wh = duckdb.connect(str(api_home.warehouse), read_only=True)
    assert counts.get("main.dim_tickets") == count_of(wh, "main.dim_tickets")
    for table, count in counts.items():
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == count
    # the listings' tables and the seeds the pages label with only: what only the documents
    # need stays in the warehouse
    tables = {f"{s}.{t}" for s, t in con.execute(
        "select schema_name, table_name from duckdb_tables()").fetchall()}
    assert tables == {"main.dim_tickets", "audit.findings",
                      "audit.agg_audit_daily", "main.snapshot_meta", "main.snapshot_tables",
                      "main.document_fingerprints", "main.network_fingerprints",
                      "main.rule_catalog", "main.kpi_thresholds", "main.fct_sla_warnings"}
    assert con.execute("select run_id from snapshot_meta").fetchone()[0] == "run-11111111"


def _store_of(snapshot: Path) -> DocStore:
    """The document store as the snapshot file `snapshot` sees it."""
    opened = open_snapshot(snapshot)
    opened.con.close()
    return opened.docs


def _store_files(snaps: Path) -> list[Path]:
    return sorted(snaps.glob("documents-*.sqlite"))


def count_of(con, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def test_publish_from_a_warehouse_file_named_with_a_dash(api_home, tmp_path):
    dashed = tmp_path / "my-warehouse.duckdb"
    shutil.copy(api_home.warehouse, dashed)
    with duckdb.connect(str(dashed), read_only=True) as con:
        published = publish_snapshot(con, tmp_path / "snaps", run_id="run-dash0000",
                                     as_of=datetime(2026, 3, 5), keep=1)
    assert published.row_counts["main.trace_documents"] == \
        api_home.first.row_counts["main.trace_documents"]


def test_prune_keeps_the_newest_n_and_never_the_current(api_home):
    for i in range(2, 6):
        api_home.publish(f"run-{i}0000000", built_at=datetime(2026, 3, 5, i, 0, 0), keep=2)
    snaps = api_home.settings.snapshots_dir
    names = sorted(p.name for p in snaps.glob("snapshot-*.duckdb"))
    assert names == ["snapshot-20260305040000-run-4000.duckdb",
                     "snapshot-20260305050000-run-5000.duckdb"]
    assert current_snapshot(snaps).name == names[-1]
    # one store, shared: it knows the two snapshots left, and holds no row neither sees
    (store,) = _store_files(snaps)
    generations = [_store_of(snaps / n).generation for n in names]
    con = sqlite3.connect(store)
    try:
        assert dict(con.execute("select snapshot, generation from published")) == \
            dict(zip(names, generations, strict=True))
        assert con.execute("select count(*) from trace_documents where died <= ?",
                           (min(generations),)).fetchone() == (0,)
    finally:
        con.close()
    for name in names:
        assert _store_of(snaps / name).count() == api_home.first.row_counts["main.trace_documents"]


def test_a_new_generation_leaves_the_served_snapshot_as_it_was(api_home):
    """A document that changes is a new row of the next generation: the snapshot being served
    goes on reading the old one, the new snapshot reads the new one."""
    snaps = api_home.settings.snapshots_dir
    served = _store_of(api_home.first.path)
    before = served.get(F1_TICKET)
    con = duckdb.connect(str(api_home.warehouse))
    con.execute("update main.dim_tickets set priority = 'urgent' where ticket_id = ?",
                [F1_TICKET])
    con.close()
    second = api_home.publish("run-22222222", built_at=datetime(2026, 3, 5, 2, 0, 0))
    assert second.documents_built == 1
    assert served.get(F1_TICKET) == before
    after = _store_of(second.path).get(F1_TICKET)
    assert '"priority":"urgent"' in after[-3] and '"priority":"urgent"' not in before[-3]
    assert len(_store_files(snaps)) == 1


def test_an_unpublished_generation_is_undone_by_the_next_publish(api_home, monkeypatch):
    """A publish that wrote its generation but failed before its switch leaves rows no
    snapshot reads; the next publish discards them rather than show them."""
    import serving.publish as publish

    con = duckdb.connect(str(api_home.warehouse))
    con.execute("update main.dim_tickets set priority = 'urgent' where ticket_id = ?",
                [F1_TICKET])
    con.close()
    monkeypatch.setattr(publish, "record_published",
                        lambda *_: (_ for _ in ()).throw(OSError("killed")))
    with pytest.raises(OSError, match="killed"):
        api_home.publish("run-22222222", built_at=datetime(2026, 3, 5, 2, 0, 0))
    monkeypatch.undo()
    con = duckdb.connect(str(api_home.warehouse))
    con.execute("update main.dim_tickets set priority = 'low' where ticket_id = ?", [F1_TICKET])
    con.close()
    third = api_home.publish("run-33333333", built_at=datetime(2026, 3, 5, 3, 0, 0))
    rows = sqlite3.connect(_store_files(api_home.settings.snapshots_dir)[0]).execute(
        "select born, died from trace_documents where ticket_id = ? order by born",
        (F1_TICKET,)).fetchall()
    generation = _store_of(third.path).generation
    assert [born for born, died in rows if died is None] == [generation]
    assert '"priority":"low"' in _store_of(third.path).get(F1_TICKET)[-3]
    assert _store_of(api_home.first.path).get(F1_TICKET) is not None


def test_failed_publish_leaves_current_untouched(api_home):
    con = duckdb.connect(str(api_home.warehouse))
    con.execute("drop table audit.findings")
    with pytest.raises(SnapshotError, match="audit.findings"):
        publish_snapshot(con, api_home.settings.snapshots_dir, run_id="run-bad00000",
                         as_of=datetime(2026, 3, 5), keep=3)
    con.close()
    assert current_snapshot(api_home.settings.snapshots_dir) == api_home.first.path
    # the first snapshot, the document store and CURRENT; no temporary file left behind
    files = {p.name for p in api_home.settings.snapshots_dir.iterdir()
             if not p.name.endswith(("-wal", "-shm"))}
    assert files == {api_home.first.path.name, _store_files(api_home.settings.snapshots_dir)[0]
                     .name, CURRENT}


def test_new_snapshot_is_picked_up_without_restart_while_requests_keep_succeeding(client,
                                                                                  api_home):
    statuses, versions, stop = [], [], threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            response = client.get("/health")
            statuses.append(response.status_code)
            versions.append(response.json().get("snapshot_version"))

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        second = api_home.publish("run-22222222", built_at=datetime(2026, 3, 5, 2, 0, 0))
        # the trace answers from the new snapshot too
        body = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler"))
        assert body.json()["provenance"]["run_id"] == "run-22222222"
        while versions.count(second.version) < 3:
            pass
    finally:
        stop.set()
        thread.join()
    assert set(statuses) == {200}
    first_new = versions.index(second.version)
    assert versions[:first_new] == [api_home.first.version] * first_new
    assert set(versions[first_new:]) == {second.version}


def test_a_broken_current_keeps_the_previous_snapshot_served(client, api_home):
    assert client.get("/health").json()["run_id"] == "run-11111111"
    snaps = api_home.settings.snapshots_dir
    (snaps / "snapshot-20990101000000-garbage.duckdb").write_bytes(b"not a database")
    switch_current(snaps, "snapshot-20990101000000-garbage.duckdb")
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["run_id"] == "run-11111111"
    switch_current(snaps, "snapshot-20990101000000-missing.duckdb")
    assert client.get("/health").json()["run_id"] == "run-11111111"
    api_home.publish("run-33333333", built_at=datetime(2026, 3, 5, 3, 0, 0))
    assert client.get("/health").json()["run_id"] == "run-33333333"


def test_a_snapshot_without_its_document_store_is_not_taken(client, api_home):
    assert client.get("/health").json()["run_id"] == "run-11111111"
    snaps = api_home.settings.snapshots_dir
    api_home.publish("run-44444444", built_at=datetime(2026, 3, 5, 4, 0, 0))
    client.get("/health")  # the reader follows CURRENT to the second snapshot
    for path in snaps.glob("documents-*"):  # the store is lost
        path.unlink()
    third = api_home.publish("run-55555555", built_at=datetime(2026, 3, 5, 5, 0, 0))
    for path in snaps.glob("documents-*"):  # and the new one too, before the switch was seen
        path.unlink()
    switch_current(snaps, third.path.name)
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["run_id"] == "run-44444444"
    # the second snapshot's store was opened before its file went: traces still answer
    trace = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler"))
    assert trace.status_code == 200 and trace.json()["provenance"]["run_id"] == "run-44444444"


def test_a_store_from_before_network_events_per_cell_is_served_as_stored(api_home, tmp_path):
    # such a store has no network_json: its documents hold their network items themselves
    old = tmp_path / "old.docs.sqlite"
    with sqlite3.connect(_store_files(api_home.settings.snapshots_dir)[0]) as shared, \
            sqlite3.connect(old) as copy:
        shared.backup(copy)
    con = sqlite3.connect(old)
    con.execute("pragma journal_mode = delete")
    con.execute("alter table trace_documents drop column network_json")
    con.commit()
    con.close()
    *_, body, network = DocStore(old).get(F1_TICKET)
    assert network is None and '"linked_cells":[{' in body


def test_api_serves_while_the_pipeline_holds_the_warehouse_for_writing(client, api_home):
    writer = duckdb.connect(str(api_home.warehouse))  # the pipeline's writable connection
    try:
        writer.execute("delete from main.dim_tickets")
        response = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler"))
        assert response.status_code == 200
    finally:
        writer.close()


def test_health_reports_row_counts_of_the_snapshot(client, api_home):
    body = client.get("/health").json()
    assert body["row_counts"] == api_home.first.row_counts
    assert body["snapshot_version"] == "20260305010000-run-1111"


def test_no_snapshot_yet_is_503_json(api_home, tmp_path):
    from fastapi.testclient import TestClient

    from api.main import create_app
    from complaint_trace.settings import get_settings

    empty = get_settings(home=tmp_path / "empty", api_keys_file=api_home.settings.api_keys_path)
    with TestClient(create_app(empty)) as fresh:
        response = fresh.get("/health")
    assert response.status_code == 503 and response.json()["error"] == "no_snapshot"
