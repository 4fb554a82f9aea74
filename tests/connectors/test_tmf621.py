"""TMF621 trouble tickets (`ticketing/tmf621/`) become rows of `raw_ticketing.tickets` and
`raw_ticketing.ticket_events` (issue #15), checked by the contract's own rules: the public
sample as it is, with the values read from it by hand, v4 and v5 shapes, and malformed records
quarantined with their reason while the rest loads."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime

import pytest

from complaint_trace.settings import REPO_ROOT
from connectors import load_entity
from connectors.standard.feeds import TMF621
from tests.connectors.conftest import SOURCE_TZ

SAMPLE = REPO_ROOT / "tests" / "fixtures" / "standards" / "tmf" / "TroubleTicket.example.json"
TICKETS = "select ticket_id, msisdn, created_at, channel, category, priority, description, " \
          "reported_district, reported_lat, reported_lon, reopened_from_ticket_id " \
          "from raw_ticketing.tickets order by _source_file, _source_row"
EVENTS = "select event_id, ticket_id, event_at, action, status_after, department, " \
         "operator_id, closure_code, note from raw_ticketing.ticket_events " \
         "order by _source_file, _source_row"


def _deliver(landing, name: str, records: list[dict] | None = None, raw: bytes | None = None):
    path = landing.root / TMF621.path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if records is not None:
        raw = ("\n".join(json.dumps(r) for r in records) + "\n").encode()
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)


def _load(landing, run_id: str = "run-1"):
    (file,) = [f for f in load_entity(landing.con, landing.root, TMF621, SOURCE_TZ,
                                      run_id).files if f.status != "skipped"] or [None]
    return file


def _ticket(ticket_id: str | None = "T1", history: list | None = None, **extra) -> dict:
    record = {"@type": "TroubleTicket", "creationDate": "2026-03-02T09:00:00+08:00",
              "priority": "Medium", "channel": {"name": "Phone"},
              "relatedParty": [{"id": "13800000001", "role": "Customer"}],
              "statusChange": history if history is not None else [
                  {"status": "acknowledged", "changeDate": "2026-03-02T09:00:00+08:00"}],
              **extra}
    if ticket_id is not None:
        record["id"] = ticket_id
    return record


def test_the_tmf621_sample_is_a_ticket_with_its_event(landing):
    path = landing.root / TMF621.path / SAMPLE.name
    path.parent.mkdir(parents=True)
    shutil.copy(SAMPLE, path)
    file = _load(landing)
    assert (file.status, file.rows_read, file.rows_loaded, file.rows_quarantined) == \
        ("loaded", 2, 2, 0)
    # id 3180; relatedParty role customer id 9176; creationDate 2019-05-31T07:34:45.968Z;
    # channel "self service" (seed: app); ticketType "Bill Dispute" (seed: billing.dispute);
    # priority "High"; troubleTicketRelationship id 567433
    description = ("I do not accept the last VOD charge, since the movie was constantly "
                   "interrupted, I had to quick watching the movie in the middle ")
    assert landing.rows(TICKETS) == [(
        "3180", "9176", datetime(2019, 5, 31, 7, 34, 45, 968000), "app", "billing.dispute",
        "high", description, None, None, None, "567433")]
    # statusChange: "Pending" at 07:34:45.968 for "Need more information from the customer";
    # the note of the same instant is written during that step
    assert landing.rows(EVENTS) == [(
        "3180-1", "3180", datetime(2019, 5, 31, 7, 34, 45, 968000), "pending_customer",
        "pending", None, None, None,
        "Need more information from the customer\n"
        "This is quite important, please approach me as soon as possible")]


def test_actions_follow_the_status_history_whatever_the_case_of_its_names(landing):
    statuses = ["acknowledged", "InProgress", "PENDING", "inprogress", "Resolved",
                "inProgress", "held", "inProgress", "resolved", "Closed"]
    history = [{"status": s, "changeDate": f"2026-03-02T{10 + i:02d}:00:00Z"}
               for i, s in enumerate(statuses)]
    for change in history[4], history[8]:  # the contract requires a code on `resolved`
        change["closureCode"] = "explained"
    _deliver(landing, "2026-03-02.jsonl", [_ticket(history=history)])
    file = _load(landing)
    assert (file.rows_read, file.rows_loaded) == (11, 11)
    assert [(a, s) for _, _, _, a, s, *_ in landing.rows(EVENTS)] == [
        ("created", "acknowledged"), ("accepted", "inProgress"), ("pending_customer", "pending"),
        ("resumed", "inProgress"), ("resolved", "resolved"), ("reopened", "inProgress"),
        ("pending_customer", "held"), ("resumed", "inProgress"), ("resolved", "resolved"),
        ("closed", "closed")]
    assert landing.rows(TICKETS)[0][1:6] == ("13800000001", datetime(2026, 3, 2, 1),
                                             "hotline", None, "normal")


def test_a_status_change_s_own_fields_are_taken(landing):
    change = {"@type": "CtStatusChange", "id": "E9", "status": "resolved",
              "changeDate": "2026-03-02T12:00:00Z", "action": "resolved",
              "department": "network_ops", "operatorId": "op-7",
              "closureCode": "network_fixed", "changeReason": "replaced the RRU"}
    _deliver(landing, "2026-03-02.json", raw=json.dumps([_ticket(history=[change])]).encode())
    _load(landing)
    assert landing.rows(EVENTS) == [("E9", "T1", datetime(2026, 3, 2, 12), "resolved",
                                     "resolved", "network_ops", "op-7", "network_fixed",
                                     "replaced the RRU")]


def test_the_v5_shape_loads(landing):
    record = {"id": "T5", "@type": "TroubleTicket", "creationDate": "2026-03-02T01:00:00Z",
              "severity": "Critical", "channel": {"id": "c1", "name": "Self Service"},
              "relatedParty": [{"role": "customer", "@type": "RelatedPartyRefOrPartyRoleRef",
                                "partyOrPartyRole": {"id": "13900000002",
                                                     "@referredType": "Individual"}}],
              "troubleTicketCharacteristic": [
                  {"name": "category", "value": "network.coverage"},
                  {"name": "reportedDistrict", "value": "浦东新区"},
                  {"name": "reportedLat", "value": 31.2}, {"name": "reportedLon", "value": 121.5}],
              "statusChangeHistory": [{"status": "acknowledged",
                                       "changeDate": "2026-03-02T01:00:00Z"}]}
    _deliver(landing, "2026-03-02.jsonl.gz", [record])
    file = _load(landing)
    assert (file.status, file.rows_loaded) == ("loaded", 2)
    assert landing.rows(TICKETS) == [("T5", "13900000002", datetime(2026, 3, 2, 1), "app",
                                      "network.coverage", "urgent", None, "浦东新区", 31.2, 121.5,
                                      None)]
    assert landing.rows(EVENTS)[0][:5] == ("T5-1", "T5", datetime(2026, 3, 2, 1), "created",
                                           "acknowledged")


def test_a_ticket_without_id_and_a_status_not_in_tmf621_cost_only_themselves(landing):
    bad_status = [{"status": "acknowledged", "changeDate": "2026-03-02T01:00:00Z"},
                  {"status": "Frozen", "changeDate": "2026-03-02T02:00:00Z"}]
    _deliver(landing, "2026-03-02.jsonl",
             [_ticket("T1"), _ticket(None), _ticket("T3", history=bad_status)])
    file = _load(landing)
    # T1: ticket + event; the id-less record: one refusal; T3: ticket + 2 events, 1 refused
    assert (file.status, file.rows_read, file.rows_loaded, file.rows_quarantined) == \
        ("loaded", 6, 4, 2)
    assert landing.rows("select row_number, reason, raw from raw_meta.quarantine "
                        "order by row_number") == [
        (3, "TMF621 ticket without id", json.dumps(_ticket(None))),
        (6, "status_after: not one of ['acknowledged', 'inProgress', 'pending', 'held', "
            "'resolved', 'closed', 'cancelled', 'rejected']: Frozen",
         json.dumps(bad_status[1]))]
    assert [r[0] for r in landing.rows(TICKETS)] == ["T1", "T3"]
    assert [r[0] for r in landing.rows(EVENTS)] == ["T1-1", "T3-1"]


@pytest.mark.parametrize("content, reason", [
    (b'{"id": "T1", "creationDate": ', "invalid JSON"),
    (b'"just text"\n', "not a JSON object"),
])
def test_a_record_that_is_not_a_ticket_is_quarantined(landing, content, reason):
    _deliver(landing, "2026-03-02.jsonl",
             raw=json.dumps(_ticket("T0")).encode() + b"\n" + content)
    file = _load(landing)
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (3, 2, 1)
    ((why,),) = landing.rows("select reason from raw_meta.quarantine")
    assert why.startswith(reason)


def test_a_resolution_without_closure_code_is_quarantined_by_the_contract(landing):
    history = [{"status": "resolved", "changeDate": "2026-03-02T03:00:00Z"}]
    _deliver(landing, "2026-03-02.jsonl", [_ticket("T1", history=history)])
    file = _load(landing)
    assert (file.rows_loaded, file.rows_quarantined) == (1, 1)
    ((reason,),) = landing.rows("select reason from raw_meta.quarantine")
    assert "closure_code" in reason


def test_a_required_ticket_column_missing_quarantines_the_ticket_not_its_events(landing):
    _deliver(landing, "2026-03-02.jsonl", [_ticket("T1", relatedParty=[])])
    file = _load(landing)
    assert (file.rows_loaded, file.rows_quarantined) == (1, 1)
    assert landing.rows("select reason from raw_meta.quarantine") == [
        ("msisdn: missing (required)",)]


def test_a_second_load_changes_nothing_and_a_re_delivery_replaces_the_file(landing):
    _deliver(landing, "2026-03-02.jsonl", [_ticket("T1")])
    _load(landing)
    assert _load(landing, "run-2") is None  # the same bytes: skipped
    history = [{"status": "acknowledged", "changeDate": "2026-03-02T01:00:00Z"},
               {"status": "resolved", "changeDate": "2026-03-02T03:00:00Z",
                "closureCode": "network_fixed"}]
    _deliver(landing, "2026-03-02.jsonl", [_ticket("T1", history=history)])
    assert _load(landing, "run-3").rows_loaded == 3
    assert [r[0] for r in landing.rows(EVENTS)] == ["T1-1", "T1-2"]
    assert len(landing.rows(TICKETS)) == 1
