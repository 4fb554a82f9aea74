"""The pages over the hand-made warehouse (no browser): sessions and their cookie, roles,
languages, the ticket page's values worked out by hand from `api_warehouse`, and the
catalogue's completeness. The browser tests (tests/ui) drive the same pages in Chromium."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from api_warehouse import CUSTOMER_NAME, F1_TICKET, MISSING_TICKET, MSISDN
from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient

from api.main import create_app
from api.ui.i18n import LOCALE_DIR, translations

UI_DIR = Path(__file__).resolve().parents[2] / "api" / "ui"


def _sign_in(client: TestClient, key: str, next_page: str = "/ui/"):
    return client.post("/ui/login", data={"key": key, "next": next_page},
                       follow_redirects=False)


@pytest.fixture
def signed_in(client, api_home):
    def sign_in(role: str) -> TestClient:
        assert _sign_in(client, api_home.keys[role]).status_code == 303
        return client
    return sign_in


def test_a_page_without_a_session_goes_to_the_login_page_and_back(client, api_home):
    page = client.get(f"/ui/tickets/{F1_TICKET}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/ui/login?next=/ui/tickets/{F1_TICKET}"
    answer = _sign_in(client, api_home.keys["handler"], f"/ui/tickets/{F1_TICKET}")
    assert answer.status_code == 303 and answer.headers["location"] == f"/ui/tickets/{F1_TICKET}"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/ui" in cookie
    assert "max-age" not in cookie and "expires" not in cookie  # ends with the browser
    assert api_home.keys["handler"].lower() not in cookie  # the key itself is never stored
    assert client.get(f"/ui/tickets/{F1_TICKET}").status_code == 200


def test_a_wrong_key_is_refused_and_no_cookie_is_set(client):
    answer = _sign_in(client, "ctk_not-a-key")
    assert answer.status_code == 401 and "set-cookie" not in answer.headers


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/docs",
                                    "/ui\\@evil.example"])
def test_login_never_redirects_off_the_pages(client, api_home, target):
    answer = _sign_in(client, api_home.keys["handler"], target)
    assert answer.headers["location"] == "/ui/"


def test_an_expired_session_asks_to_sign_in_again(api_home):
    app = create_app(api_home.settings.model_copy(
        update={"snapshot_check_seconds": 0, "ui_session_hours": 1 / 3600}))
    with TestClient(app) as client:
        _sign_in(client, api_home.keys["handler"])
        assert client.get("/ui/", follow_redirects=False).status_code == 200
        time.sleep(2.1)  # itsdangerous stamps whole seconds: 1 s max age is over after 2
        page = client.get("/ui/", follow_redirects=False)
        assert page.status_code == 303 and "expired=1" in page.headers["location"]


def test_a_revoked_key_ends_its_sessions(client, api_home):
    _sign_in(client, api_home.keys["auditor"])
    assert client.get("/ui/audit").status_code == 200
    keys = json.loads(api_home.settings.api_keys_path.read_text())
    api_home.settings.api_keys_path.write_text(
        json.dumps([k for k in keys if k["name"] != "auditor"]))
    assert client.get("/ui/audit", follow_redirects=False).status_code == 303


def test_the_workbench_refuses_a_handler_with_a_403_page(signed_in):
    page = signed_in("handler").get("/ui/audit")
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")


def test_signing_out_clears_the_cookie(signed_in):
    client = signed_in("handler")
    answer = client.post("/ui/logout", follow_redirects=False)
    assert answer.status_code == 303 and 'ct_session=""' in answer.headers["set-cookie"]
    assert client.get("/ui/", follow_redirects=False).status_code == 303


def test_the_ticket_page_masks_for_a_handler_and_shows_all_to_an_admin(client, api_home):
    _sign_in(client, api_home.keys["handler"])
    handler = client.get(f"/ui/tickets/{F1_TICKET}").text
    assert "138****1234" in handler and MSISDN not in handler and CUSTOMER_NAME not in handler
    _sign_in(client, api_home.keys["admin"])
    admin = client.get(f"/ui/tickets/{F1_TICKET}").text
    assert MSISDN in admin and CUSTOMER_NAME in admin


def _chart(html: str, cell: str) -> dict:
    marker = f'data-chart="{cell}"'
    start = html.index('<script type="application/json" class="chart-data">',
                       html.index(marker))
    body = html[html.index(">", start) + 1:html.index("</script>", start)]
    return json.loads(body)


def test_the_kpi_chart_holds_the_window_hours_thresholds_and_alarms(signed_in):
    html = signed_in("handler").get(f"/ui/tickets/{F1_TICKET}", params={"lang": "en"}).text
    chart = _chart(html, "C1")
    values = {s["kpi"]: s["values"] for s in chart["series"]}
    # window 2026-02-27 02:00 .. resolution + 24 h = 2026-03-03 10:00 UTC, hourly: 105 hours;
    # PRB has no value at 2026-03-01 12:00. Times are wall-clock in Asia/Shanghai (UTC+8).
    assert len(chart["hours"]) == 105
    assert chart["hours"][0] == "2026-02-27T10:00:00"
    assert chart["hours"][-1] == "2026-03-03T18:00:00"
    assert sum(v is not None for v in values["drop_rate_pct"]) == 105
    assert sum(v is not None for v in values["prb_util_dl_pct"]) == 104
    assert values["prb_util_dl_pct"][chart["hours"].index("2026-03-01T20:00:00")] is None
    assert chart["degraded_hours"] == ["2026-03-02T11:00:00"]
    thresholds = {s["kpi"]: (s["comparator"], s["threshold"]) for s in chart["series"]}
    assert thresholds["drop_rate_pct"] == (">", 2.0) and thresholds["user_dl_rate_mbps"] == (
        None, None)
    # the alarms the trace shows on C1, and the resolution at 10:00 UTC
    assert {a["id"] for a in chart["alarms"]} == {"A1", "A7"}
    assert chart["resolved_at"] == "2026-03-02T18:00:00"
    # the unlinked C9 has KPI hours too, but no chart
    assert 'data-chart="C9"' not in html


def test_a_ticket_without_cells_says_so(signed_in):
    html = signed_in("handler").get(f"/ui/tickets/{MISSING_TICKET}", params={"lang": "en"}).text
    assert "No network trace" in html and "data-chart=" not in html


def test_an_unknown_ticket_is_a_404_page(signed_in):
    page = signed_in("handler").get("/ui/tickets/NOPE-1")
    assert page.status_code == 404 and "NOPE-1" in page.text


@pytest.mark.parametrize(("header", "title"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", "工单查询"), ("en-US,en;q=0.9", "Ticket search"),
    ("fr-FR,en;q=0.5", "Ticket search"), ("fr-FR", "工单查询"), ("", "工单查询")])
def test_the_language_follows_accept_language(signed_in, header, title):
    page = signed_in("handler").get("/ui/", headers={"Accept-Language": header})
    assert f"<h1>{title}</h1>" in page.text


def test_the_workbench_csv_has_a_bom_and_the_filtered_rows(signed_in):
    client = signed_in("auditor")
    answer = client.get("/ui/audit/findings.csv",
                        params={"from": "2026-03-02", "to": "2026-03-02", "lang": "en"})
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [(r["ticket_id"], r["rule_id"]) for r in rows] == [(F1_TICKET, "F1"),
                                                              (MISSING_TICKET, "T1")]
    assert MSISDN not in answer.text  # evidence masked for an auditor
    page = client.get("/ui/audit", params={"from": "2026-03-02", "to": "2026-03-03",
                                           "severity": "high"})
    assert 'data-total="findings">2<' in page.text  # F1 and T3 are high


def test_a_bad_filter_is_explained_on_the_page(signed_in):
    page = signed_in("auditor").get("/ui/audit", params={"from": "yesterday", "lang": "en"})
    assert page.status_code == 422 and "from: expected a date" in page.text


def test_the_pages_tell_the_browser_to_load_only_from_this_server(signed_in):
    page = signed_in("handler").get("/ui/")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert page.headers["cache-control"] == "no-store"


def test_every_message_has_a_chinese_translation():
    ids = {found[2] for found in extract_from_dir(
        str(UI_DIR), method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords={"_": None, "N_": None}) if isinstance(found[2], str)}
    assert len(ids) > 100
    zh = translations("zh_CN")
    untranslated = sorted(m for m in ids if zh.gettext(m) == m)
    assert untranslated == [], f"add to {LOCALE_DIR}/zh_CN/LC_MESSAGES/messages.po"


def test_the_daily_rows_page_lists_the_rollup_of_the_filter(signed_in):
    page = signed_in("auditor").get("/ui/audit/daily",
                                    params={"from": "2026-03-02", "to": "2026-03-03"})
    assert page.status_code == 200
    # api_warehouse's agg_audit_daily: F1, T1 (2026-03-02) and T3 (2026-03-02): 1 finding each
    assert page.text.count('data-field="findings">1<') == 3


def test_the_at_risk_page_lists_the_open_limits_most_urgent_first(signed_in):
    page = signed_in("handler").get("/ui/at-risk", params={"level": "75", "lang": "en"})
    assert page.status_code == 200
    rows = [line.split('data-ticket="')[1].split('"')[0]
            for line in page.text.splitlines() if 'data-ticket="' in line]
    assert rows == ["TT0004", "TT0005", "TT0003"]  # api_warehouse: -120, +4, +270 min left
    assert "Overdue by 2 h 00 min" in page.text


def test_the_ticket_page_shows_the_warning_level_of_a_running_limit(signed_in):
    page = signed_in("handler").get("/ui/tickets/TT0005", params={"lang": "en"})
    assert 'data-warning="90"' in page.text and "Warning level 90 %" in page.text


def test_the_ticket_page_shows_the_clock_segment_by_segment(signed_in):
    """audit-rules §12 on the page: each segment's state, the event that began it, its minutes
    and the clock after it (api_warehouse: TT0005 ran 60 min, paused 30, runs since)."""
    page = signed_in("handler").get("/ui/tickets/TT0005", params={"lang": "zh_CN"}).text
    table = page.split('id="clock-segments"')[1].split("</table>")[0]
    rows = table.split("<tr")[2:]
    assert [row.split('class="state-')[1].split('"')[0] for row in rows] == [
        "running", "paused", "running"]
    assert "计时中" in rows[0] and "建单" in rows[0] and "1小时00分" in rows[0]
    assert "暂停" in rows[1] and "挂起待客户" in rows[1] and "1小时00分" in rows[1]
    assert "截至时点" in rows[2] and "5小时00分" in rows[2]
