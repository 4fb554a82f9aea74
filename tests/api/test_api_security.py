"""Keys, roles, masking and the error contract (every error is JSON with a message)."""

from __future__ import annotations

import json

import pytest
from api_warehouse import CUSTOMER_NAME, F1_TICKET, MSISDN
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import hash_key
from complaint_trace.pii import mask_msisdn
from complaint_trace.settings import get_settings

TRACE = f"/tickets/{F1_TICKET}/trace"


@pytest.mark.parametrize("role", ["handler", "auditor"])
def test_handler_and_auditor_see_masked_msisdn_and_no_name(client, api_home, role):
    body = client.get(TRACE, headers=api_home.headers(role)).json()
    assert body["customer"]["msisdn"] == MSISDN[:3] + "****" + MSISDN[-4:]
    assert body["customer"]["customer_name"] is None and body["customer"]["msisdn_masked"]
    assert MSISDN not in json.dumps(body, ensure_ascii=False)
    assert CUSTOMER_NAME not in json.dumps(body, ensure_ascii=False)
    page = client.get("/tickets", params={"msisdn": MSISDN}, headers=api_home.headers(role))
    assert [t["msisdn"] for t in page.json()["items"]] == ["138****1234"]


def test_admin_sees_msisdn_and_the_name_valid_at_creation(client, api_home):
    body = client.get(TRACE, headers=api_home.headers("admin")).json()
    assert body["customer"]["msisdn"] == MSISDN and not body["customer"]["msisdn_masked"]
    assert body["customer"]["customer_name"] == CUSTOMER_NAME
    assert body["findings"][0]["evidence"]["msisdn"] == MSISDN


def test_mask_keeps_first_three_and_last_four():
    assert mask_msisdn("13812341234") == "138****1234"
    assert mask_msisdn("1234") == "****"


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == code and body["message"]


def test_missing_or_bad_key_is_401(client):
    _assert_error(client.get(TRACE), 401, "unauthorized")
    _assert_error(client.get(TRACE, headers={"X-API-Key": "ctk_not-a-key"}), 401, "unauthorized")


def test_handler_may_not_read_findings_or_summary_403(client, api_home):
    for path in ("/findings", "/audit/summary"):
        _assert_error(client.get(path, headers=api_home.headers("handler")), 403, "forbidden")
        assert client.get(path, headers=api_home.headers("auditor")).status_code == 200


def test_unknown_ticket_is_404(client, api_home):
    _assert_error(client.get("/tickets/TT9999/trace", headers=api_home.headers("handler")),
                  404, "not_found")


@pytest.mark.parametrize("bad_id", ["A" * 65, "TT%2001", "-TT1", "TT'1;drop", "工单1"])
def test_malformed_ticket_id_is_422(client, api_home, bad_id):
    response = client.get(f"/tickets/{bad_id}/trace", headers=api_home.headers("handler"))
    _assert_error(response, 422, "invalid_request")
    assert "ticket_id" in response.json()["message"]


def test_keys_from_env_replace_the_file(api_home, monkeypatch):
    entries = [{"name": "ops", "role": "admin", "sha256": hash_key("env-key-1")}]
    monkeypatch.setenv("COMPLAINT_TRACE_API_KEYS", json.dumps(entries))
    # the environment is read where the service starts, when its settings are made
    settings = get_settings(home=api_home.settings.home)
    with TestClient(create_app(settings)) as env_client:
        assert env_client.get(TRACE, headers={"X-API-Key": "env-key-1"}).status_code == 200
        assert env_client.get(TRACE, headers=api_home.headers("admin")).status_code == 401


def test_keys_file_stores_only_hashes(api_home):
    text = api_home.settings.api_keys_path.read_text()
    assert all(key not in text for key in api_home.keys.values())
    assert {e["sha256"] for e in json.loads(text)} == {hash_key(k) for k in api_home.keys.values()}


def test_a_malformed_keys_file_keeps_the_last_good_keys(client, api_home, caplog):
    path = api_home.settings.api_keys_path
    assert client.get(TRACE, headers=api_home.headers("admin")).status_code == 200
    path.write_text("[{not json", encoding="utf-8")
    with caplog.at_level("ERROR", logger="complaint_trace.api"):
        response = client.get(TRACE, headers=api_home.headers("admin"))
    assert response.status_code == 200  # the last good keys still answer
    assert any("keeping the last good keys" in r.getMessage() and str(path) in r.getMessage()
               for r in caplog.records)


def test_a_keys_file_malformed_from_the_start_is_503(api_home):
    api_home.settings.api_keys_path.write_text('{"name": "x"}', encoding="utf-8")
    with TestClient(create_app(api_home.settings)) as fresh:
        response = fresh.get(TRACE, headers=api_home.headers("admin"))
    _assert_error(response, 503, "keys_unavailable")
    assert str(api_home.settings.api_keys_path) in response.json()["message"]
