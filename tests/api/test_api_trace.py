"""The trace of one ticket, on the hand-made snapshot (values planted in api_warehouse.py)."""

from __future__ import annotations

import duckdb
from api_warehouse import CUSTOMER_NAME, F1_TICKET, MISSING_TICKET, TICKETS, TIMELINE

from api.reader import open_snapshot
from api.schemas import TracePublic
from api.trace import trace_json


def test_f1_trace_shows_alarm_on_linked_cell_in_timeline_and_the_f1_finding(client, api_home):
    body = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler")).json()
    cells = {c["cell_id"]: c for c in body["linked_cells"]}
    # A1 has its raise on the timeline; A7, raised a month earlier and still active at
    # resolution, comes from the F1 facts
    assert [a["alarm_id"] for a in cells["C1"]["alarms"]] == ["A7", "A1"]
    alarm_items = [i for i in body["timeline"] if i["type"] == "alarm_raised"]
    assert [(i["source_record_id"], i["source_system"]) for i in alarm_items] == [("A1", "netops")]
    assert [f["rule_id"] for f in body["findings"]] == ["F1"]
    assert body["findings"][0]["evidence"]["alarm_ids"] == ["A1"]
    assert body["network_trace"] == "present"


def test_ticket_without_sessions_says_network_trace_missing(client, api_home):
    body = client.get(f"/tickets/{MISSING_TICKET}/trace",
                      headers=api_home.headers("handler")).json()
    assert body["network_trace"] == "missing"
    assert body["linked_cells"] == []


def test_timeline_is_in_time_order_and_names_each_source_record(client, api_home):
    body = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler")).json()
    expected = sorted((row[0].replace(" ", "T") + "Z", row[4], row[3]) for row in TIMELINE)
    assert [(i["at"], i["source_record_id"], i["source_table"]) for i in body["timeline"]] \
        == expected
    assert all(i["source_system"] in {"crm", "ticketing", "netops"} for i in body["timeline"])
    assert all(i["summary"] for i in body["timeline"])


def test_linked_cells_in_rank_order_with_only_their_windowed_alarms_and_episodes(client,
                                                                                 api_home):
    body = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler")).json()
    assert [(c["cell_id"], c["rank"]) for c in body["linked_cells"]] == [("C1", 1), ("C2", 2)]
    c1, c2 = body["linked_cells"]
    # A0 (January, cleared, outside the window) and A9/EP0 (an unlinked cell) stay out.
    assert c2["alarms"] == [] and c2["degradation_episodes"] == []
    assert [e["worst"] for e in c1["degradation_episodes"]] == [
        {"prb_util_dl_pct": None, "user_dl_rate_mbps": 3.1, "access_success_pct": None,
         "drop_rate_pct": 4.5, "good_coverage_pct": None}]
    assert c1["inventory"]["rat"] == "4G" and c1["dwell_seconds"] == 5400
    assert c1["kpi_after"]["degraded_hours"] == 20 and c1["kpi_before"]["hours_with_data"] == 72
    assert c1["kpi_before"]["user_dl_rate_mbps"] == 7.5 and c1["inventory"]["status"] == "active"


def test_timeline_summaries_read_as_sentences(client, api_home):
    body = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler")).json()
    lines = {i["source_record_id"] + ":" + i["type"]: i["summary"] for i in body["timeline"]}
    assert lines["E4:ticket_event"] == "resolved by noc (network_fixed) -> resolved: reset the cell"
    assert lines["A1:alarm_raised"] == "critical alarm raised: cell_out_of_service on cell C1"
    assert lines["K1:crm_contact"] == "inbound hotline contact about network.data_speed"


def test_sla_breaches_list_the_timeout_findings_only(client, api_home):
    f1 = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler")).json()
    open_ticket = client.get(f"/tickets/{MISSING_TICKET}/trace",
                             headers=api_home.headers("handler")).json()
    assert f1["sla"]["breaches"] == []
    assert [b["rule_id"] for b in open_ticket["sla"]["breaches"]] == ["T1"]
    assert f1["sla"]["first_contact_delay_minutes"] == 40.0


def test_provenance_names_the_served_snapshot(client, api_home):
    body = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler")).json()
    assert body["provenance"] == {"run_id": "run-11111111", "as_of": "2026-03-05T00:00:00Z",
                                  "built_at": "2026-03-05T01:00:00Z",
                                  "snapshot_version": "20260305010000-run-1111"}


def test_every_stored_document_has_the_documented_shape(api_home):
    snapshot = open_snapshot(api_home.first.path)
    for ticket_id, *_ in TICKETS:
        for sees_pii in (False, True):
            text = trace_json(snapshot, ticket_id, sees_pii=sees_pii)
            assert TracePublic.model_validate_json(text).ticket.ticket_id == ticket_id


def test_free_text_is_masked_below_admin(client, api_home):
    """An agent typed the customer's number and name into the description and a note."""
    with duckdb.connect(str(api_home.warehouse)) as con:
        con.execute("update main.dim_tickets set description = ? where ticket_id = ?",
                    [f"{CUSTOMER_NAME}来电 139-1234-5678 网速慢", F1_TICKET])
        con.execute("update main.fct_ticket_timeline set detail = ? "
                    "where ticket_id = ? and source_record_id = 'E4'",
                    [f"called {CUSTOMER_NAME} back on 13912345678", F1_TICKET])
    api_home.publish("run-free-text")
    url = f"/tickets/{F1_TICKET}/trace"
    handler = client.get(url, headers=api_home.headers("handler")).json()
    admin = client.get(url, headers=api_home.headers("admin")).json()
    assert handler["ticket"]["description"] == "***来电 139****5678 网速慢"
    (note,) = [i for i in handler["timeline"] if i["source_record_id"] == "E4"]
    assert note["detail"] == "called *** back on 139****5678"
    assert "13912345678" not in note["summary"] and CUSTOMER_NAME not in note["summary"]
    assert admin["ticket"]["description"] == f"{CUSTOMER_NAME}来电 139-1234-5678 网速慢"
    (raw,) = [i for i in admin["timeline"] if i["source_record_id"] == "E4"]
    assert raw["detail"] == f"called {CUSTOMER_NAME} back on 13912345678"
