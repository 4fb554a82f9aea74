"""`GET /tickets/at-risk` over the hand-made warehouse (`api_warehouse`: TT0004 overdue by
120 min, TT0005's first contact at 90 %, TT0003 at 75 %, TT0006 at 50 % exactly, TT0007's
resolution below any level and its appeal window at 50 %) and the same fields in the trace's
`sla.warnings`."""

from __future__ import annotations

import pytest


def _listed(client, api_home, role="handler", **params) -> list[tuple]:
    body = client.get("/tickets/at-risk", params=params, headers=api_home.headers(role))
    assert body.status_code == 200, body.text
    return [(i["ticket_id"], i["sla_limit"], i["warning_level_pct"], i["minutes_left"])
            for i in body.json()["items"]]


@pytest.mark.parametrize("role", ["handler", "auditor", "admin"])
def test_at_risk_lists_open_limits_by_time_left_most_urgent_first(client, api_home, role):
    assert _listed(client, api_home, role) == [
        ("TT0004", "resolution", 90, -120.0), ("TT0005", "first_contact", 90, 4.0),
        ("TT0003", "resolution", 75, 270.0), ("TT0006", "resolution", 50, 540.0),
        ("TT0007", "appeal", 50, 10600.0)]


@pytest.mark.parametrize(("level", "tickets"), [
    (50, ["TT0004", "TT0005", "TT0003", "TT0006", "TT0007"]),
    (51, ["TT0004", "TT0005", "TT0003"]),
    (75, ["TT0004", "TT0005", "TT0003"]), (90, ["TT0004", "TT0005"]), (100, ["TT0004"])])
def test_a_level_keeps_the_limits_at_or_past_it(client, api_home, level, tickets):
    assert [t for t, *_ in _listed(client, api_home, level=level)] == tickets


def test_department_and_pages(client, api_home):
    assert [t for t, *_ in _listed(client, api_home, department="field_ops")] == [
        "TT0004", "TT0006"]
    first = client.get("/tickets/at-risk", params={"limit": 3},
                       headers=api_home.headers("handler")).json()
    rest = client.get("/tickets/at-risk", params={"limit": 3, "cursor": first["next_cursor"]},
                      headers=api_home.headers("handler")).json()
    assert [i["ticket_id"] for i in first["items"] + rest["items"]] == [
        "TT0004", "TT0005", "TT0003", "TT0006", "TT0007"]
    assert rest["next_cursor"] is None


def test_bad_input_and_no_key(client, api_home):
    assert client.get("/tickets/at-risk").status_code == 401
    headers = api_home.headers("handler")
    assert client.get("/tickets/at-risk", params={"level": 0}, headers=headers).status_code == 422
    assert client.get("/tickets/at-risk", params={"cursor": "bad"},
                      headers=headers).status_code == 422


def test_the_trace_shows_the_same_warnings(client, api_home):
    sla = client.get("/tickets/TT0005/trace", headers=api_home.headers("handler")).json()["sla"]
    assert [(w["sla_limit"], w["warning_level_pct"], w["minutes_left"], w["department"])
            for w in sla["warnings"]] == [("first_contact", 90, 4.0, "noc"),
                                          ("resolution", None, 780.0, "noc")]


def test_the_trace_lists_the_clock_segments_in_order(client, api_home):
    """audit-rules §12: each segment with the event that began it, its minutes, the total."""
    sla = client.get("/tickets/TT0005/trace", headers=api_home.headers("handler")).json()["sla"]
    assert [(s["state"], s["began_by"], s["began_by_event_id"], s["started_at"], s["ended_at"],
             s["counted_minutes"], s["running_total_minutes"]) for s in sla["clock_segments"]] == [
        ("running", "created", None, "2026-03-04T23:19:00Z", "2026-03-05T00:19:00Z", 60.0, 60.0),
        ("paused", "pending_customer", "E-TT0005-1", "2026-03-05T00:19:00Z",
         "2026-03-05T00:49:00Z", 0.0, 60.0),
        ("running", "customer_replied", "E-TT0005-2", "2026-03-05T00:49:00Z", None, 240.0,
         300.0),
    ]
    other = client.get("/tickets/TT0004/trace", headers=api_home.headers("handler")).json()
    assert other["sla"]["clock_segments"] == []
