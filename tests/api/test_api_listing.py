"""Ticket search, findings and the audit summary, with cursor pagination."""

from __future__ import annotations

from api_warehouse import TICKETS


def _all_pages(client, path, headers, params):
    seen, cursor = [], None
    while True:
        page = client.get(path, headers=headers, params={**params, "cursor": cursor} if cursor
                          else params).json()
        seen.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_ticket_pages_cover_every_match_once_in_creation_order(client, api_home):
    pages = _all_pages(client, "/tickets", api_home.headers("handler"),
                       {"district": "tianhe", "limit": 2})
    got = [t["ticket_id"] for page in pages for t in page]
    expected = [tid for _, tid in sorted((c, t) for t, c, d, _, _ in TICKETS if d == "tianhe")]
    assert got == expected and [len(p) for p in pages] == [2, 2, 2]


def test_ticket_search_by_status_and_created_range_with_offsets(client, api_home):
    def ids(created_to: str) -> list[str]:
        items = client.get("/tickets", headers=api_home.headers("handler"), params={
            "status": "resolved", "created_from": "2026-03-03T00:00:00Z",
            "created_to": created_to}).json()["items"]
        return [t["ticket_id"] for t in items]

    # TT0006 was created 2026-03-05 05:00 UTC = 13:00 +08:00; `created_to` is exclusive.
    assert ids("2026-03-05T13:00:00+08:00") == ["TT0004", "TT0005"]
    assert ids("2026-03-05T13:00:01+08:00") == ["TT0004", "TT0005", "TT0006"]


def test_bad_cursor_is_422(client, api_home):
    response = client.get("/tickets", params={"cursor": "bm90IGEgY3Vyc29y"},
                          headers=api_home.headers("handler"))
    assert response.status_code == 422 and response.json()["error"] == "invalid_request"


def test_findings_filter_by_rule_and_paginate(client, api_home):
    headers = api_home.headers("auditor")
    pages = _all_pages(client, "/findings", headers, {"limit": 1})
    assert [(f["ticket_id"], f["rule_id"]) for p in pages for f in p] == [
        ("TT0001", "F1"), ("TT0002", "T1"), ("TT0004", "T3")]
    only_t3 = client.get("/findings", headers=headers, params={"rule": "T3"}).json()["items"]
    assert [f["department"] for f in only_t3] == ["field_ops"]
    by_day = client.get("/findings", headers=headers,
                        params={"from": "2026-03-02", "to": "2026-03-02"}).json()["items"]
    assert [f["ticket_id"] for f in by_day] == ["TT0001", "TT0002"]


def test_audit_summary_rows_by_rule_department_and_day(client, api_home):
    body = client.get("/audit/summary", headers=api_home.headers("auditor"),
                      params={"rule": "T3"}).json()
    assert body["rows"] == [{"day": "2026-03-02", "rule_id": "T3", "department": "field_ops",
                             "tickets_audited": 5, "findings": 1, "finding_rate": 0.2}]


def test_filter_values_are_parameters_not_sql(client, api_home):
    injected = client.get("/tickets", headers=api_home.headers("handler"),
                          params={"district": "tianhe' or '1'='1"})
    assert injected.status_code == 200 and injected.json()["items"] == []


def test_openapi_documents_every_endpoint_and_the_trace_model(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {"/tickets/{ticket_id}/trace", "/tickets", "/tickets/at-risk",
                                  "/findings", "/audit/summary", "/health"}
    trace = spec["paths"]["/tickets/{ticket_id}/trace"]["get"]["responses"]
    assert trace["200"]["content"]["application/json"]["schema"]["$ref"].endswith("TracePublic")
    assert {"401", "403", "404", "422"} <= set(trace)
    assert "timeline" in spec["components"]["schemas"]["TracePublic"]["properties"]
