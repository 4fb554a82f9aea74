"""The API over the snapshot the real pipeline published (small simulated dataset, shared
session fixture `pipeline_home`). Expectations come from the simulator's truth and from the
raw tables, not from the marts the API reads."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import yaml
from fastapi.testclient import TestClient

from api.main import create_app
from api.reader import SnapshotReader
from api.schemas import TracePublic
from api.security import Role, write_keys_file
from api.trace import trace_json
from complaint_trace.settings import DBT_PROJECT_DIR, get_settings
from serving.layout import current_snapshot


@pytest.fixture(scope="module")
def served(pipeline_home, tmp_path_factory):
    keys_file = tmp_path_factory.mktemp("keys") / "keys.json"
    keys = write_keys_file(keys_file, [(r.value, r) for r in Role])
    settings = get_settings(home=pipeline_home.home, api_keys_file=keys_file)
    with TestClient(create_app(settings.model_copy(update={"api_keys": None}))) as client:
        yield client, keys, pipeline_home


def _truth(pipeline_home, rule_id: str) -> list[str]:
    with (pipeline_home.truth / "expected_findings.csv").open() as f:
        return sorted({r["ticket_id"] for r in csv.DictReader(f) if r["rule_id"] == rule_id})


def test_pipeline_published_a_current_snapshot_stamped_with_its_as_of(served):
    client, _, sim = served
    health = client.get("/health").json()
    assert health["as_of"] == sim.as_of.replace(" ", "T") + "Z"
    assert current_snapshot(sim.home / "snapshots").stem.endswith(health["run_id"][:8])
    assert health["row_counts"]["main.dim_tickets"] > 0


def test_planted_f1_ticket_shows_its_alarm_on_a_linked_cell_and_the_f1_finding(served):
    client, keys, sim = served
    f1_tickets = _truth(sim, "F1")
    assert f1_tickets, "the simulator planted no F1 ticket"
    for ticket_id in f1_tickets:
        body = client.get(f"/tickets/{ticket_id}/trace", headers={"X-API-Key": keys["handler"]})
        assert body.status_code == 200, body.text
        trace = body.json()
        linked = {c["cell_id"] for c in trace["linked_cells"]}
        alarm_items = [i for i in trace["timeline"]
                       if i["type"] == "alarm_raised" and i["cell_id"] in linked]
        assert alarm_items, f"{ticket_id}: no alarm on a linked cell in the timeline"
        cell_alarms = {a["alarm_id"] for c in trace["linked_cells"] for a in c["alarms"]}
        assert {i["source_record_id"] for i in alarm_items} <= cell_alarms
        assert "F1" in {f["rule_id"] for f in trace["findings"]}


def _tickets_without_sessions(home: Path, as_of: str) -> tuple[set[str], set[str]]:
    """From the raw tables: tickets with / without a session in their complaint window."""
    hours = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
        "complaint_window_hours"]
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(f"""
            select t.ticket_id, count(s.cell_id) > 0
            from (select distinct ticket_id, msisdn, created_at from raw_ticketing.tickets
                  where created_at <= ?) as t
            left join raw_netops.user_cell_sessions as s
              on s.msisdn = t.msisdn and s.duration_s > 0
             and s.period_start between t.created_at - interval {int(hours)} hour
                                    and t.created_at
            group by t.ticket_id""", [datetime.fromisoformat(as_of)]).fetchall()
    finally:
        con.close()
    return {t for t, has in rows if has}, {t for t, has in rows if not has}


def test_linked_cells_are_the_top_cells_by_dwell_from_raw_sessions(served):
    _, _, sim = served
    dbt_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    hours, top_n = int(dbt_vars["complaint_window_hours"]), int(dbt_vars["linked_cells_top_n"])
    con = duckdb.connect(str(sim.home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(f"""
            with sessions as (
                select distinct msisdn, cell_id, period_start, duration_s
                from raw_netops.user_cell_sessions),
            dwell as (
                select t.ticket_id, s.cell_id, sum(s.duration_s) as seconds
                from (select distinct ticket_id, msisdn, created_at
                      from raw_ticketing.tickets) as t
                inner join sessions as s on s.msisdn = t.msisdn
                 and s.period_start between t.created_at - interval {hours} hour
                                        and t.created_at
                group by all having sum(s.duration_s) > 0)
            select ticket_id, list([cell_id, seconds::varchar]
                                   order by seconds desc, cell_id)[1:{top_n}]
            from dwell group by ticket_id order by ticket_id limit 40""").fetchall()
    finally:
        con.close()
    assert rows
    snapshot = SnapshotReader(sim.home / "snapshots").get()
    for ticket_id, expected in rows:
        trace = TracePublic.model_validate_json(trace_json(snapshot, ticket_id, sees_pii=False))
        got = [[c.cell_id, str(c.dwell_seconds)] for c in trace.linked_cells]
        assert got == expected, ticket_id
        assert [c.rank for c in trace.linked_cells] == list(range(1, len(got) + 1))


def test_tickets_without_sessions_say_network_trace_missing(served):
    _, _, sim = served
    with_sessions, without = _tickets_without_sessions(sim.home, sim.as_of)
    assert without, "the dataset has no ticket without sessions"
    snapshot = SnapshotReader(sim.home / "snapshots").get()
    for ticket_id in sorted(without)[:20]:
        trace = TracePublic.model_validate_json(trace_json(snapshot, ticket_id, sees_pii=False))
        assert (trace.network_trace, trace.linked_cells) == ("missing", []), ticket_id
    for ticket_id in sorted(with_sessions)[:20]:
        trace = TracePublic.model_validate_json(trace_json(snapshot, ticket_id, sees_pii=False))
        assert trace.network_trace == "present" and trace.linked_cells, ticket_id


def test_every_timeline_is_in_time_order_names_its_sources_and_holds_every_event(served):
    _, _, sim = served
    snapshot = SnapshotReader(sim.home / "snapshots").get()
    con = duckdb.connect(str(sim.home / "warehouse.duckdb"), read_only=True)
    events = con.execute("select ticket_id, list(distinct event_id) from "
                         "raw_ticketing.ticket_events where event_at <= ? group by ticket_id",
                         [datetime.fromisoformat(sim.as_of)]).fetchall()
    con.close()
    for ticket_id, event_ids in events:
        text = trace_json(snapshot, ticket_id, sees_pii=False)
        if text is None:  # events of a quarantined ticket: nothing to trace
            continue
        timeline = TracePublic.model_validate_json(text).timeline
        assert [i.at for i in timeline] == sorted(i.at for i in timeline), ticket_id
        assert all(i.source_system and i.source_table and i.source_record_id and i.summary
                   for i in timeline), ticket_id
        shown = {i.source_record_id for i in timeline if i.type == "ticket_event"}
        assert set(event_ids) <= shown, f"{ticket_id}: events {set(event_ids) - shown} missing"


def test_masking_per_role_on_pipeline_data(served):
    client, keys, sim = served
    ticket_id = _truth(sim, "F1")[0]
    handler = client.get(f"/tickets/{ticket_id}/trace", headers={"X-API-Key": keys["handler"]})
    admin = client.get(f"/tickets/{ticket_id}/trace", headers={"X-API-Key": keys["admin"]})
    msisdn = admin.json()["customer"]["msisdn"]
    assert handler.json()["customer"]["msisdn"] == f"{msisdn[:3]}****{msisdn[-4:]}"
    assert msisdn not in handler.text
