"""Query times and days are ISO 8601 text within what UTC can hold; anything else is a 422,
never a 500 or a lax reading (pydantic would read `0` as 1970-01-01)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("name", "value"), [
    ("created_from", "9999-12-31T23:00:00-02:00"),  # past year 9999 once in UTC
    ("created_to", "0001-01-01T00:00:00+01:00"),  # before year 1 once in UTC
    ("created_from", "-99999999999"),
    ("created_to", "0"),
    ("created_from", "yesterday"),
])
def test_a_bad_ticket_search_time_is_422(client, api_home, name, value) -> None:
    response = client.get("/tickets", params={name: value}, headers=api_home.headers("admin"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]


@pytest.mark.parametrize("value", ["0", "20260302", "-1", "2026-03-02T00:00:00"])
def test_a_findings_day_must_be_an_iso_date(client, api_home, value) -> None:
    response = client.get("/findings", params={"to": value}, headers=api_home.headers("admin"))
    assert response.status_code == 422, response.text


def test_the_edges_that_utc_can_hold_are_accepted(client, api_home) -> None:
    for name, value in (("created_from", "9999-12-31T23:00:00+00:00"),
                        ("created_to", "0001-01-01T00:00:00Z"),
                        ("created_from", "2026-03-02T08:00:00+08:00")):
        response = client.get("/tickets", params={name: value},
                              headers=api_home.headers("admin"))
        assert response.status_code == 200, (value, response.text)
    response = client.get("/findings", params={"from": "2026-03-02"},
                          headers=api_home.headers("admin"))
    assert response.status_code == 200, response.text
