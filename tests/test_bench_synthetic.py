"""The API load benchmark's synthetic warehouse keeps up with the serving layer: it publishes,
and every trace it serves has the documented shape (it broke once when the serving tables
changed and nothing ran it)."""

from __future__ import annotations

from datetime import datetime

import duckdb

from api.reader import open_snapshot
from api.schemas import TracePublic
from api.trace import trace_json
from bench.api_load import synthesize_warehouse
from serving.publish import publish_snapshot


def test_the_synthetic_warehouse_publishes_traces_of_the_documented_shape(tmp_path) -> None:
    warehouse = tmp_path / "synthetic.duckdb"
    synthesize_warehouse(warehouse, 200)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        published = publish_snapshot(con, tmp_path / "snapshots", run_id="synthetic",
                                     as_of=datetime(2026, 3, 3), keep=1)
    assert published.documents_built == 200
    snapshot = open_snapshot(published.path)
    try:
        ids = [r[0] for r in snapshot.con.execute(
            "select ticket_id from main.dim_tickets order by 1").fetchall()]
        traces = [TracePublic.model_validate_json(trace_json(snapshot, t, sees_pii=False))
                  for t in ids]
    finally:
        snapshot.con.close()
    assert len(traces) == 200
    assert any(item.type == "alarm_raised" for t in traces for item in t.timeline)
