"""The pages in a real browser (Debian's Chromium), over the snapshot the pipeline published
for the small simulated dataset, with the network off: every request to another host is
aborted and counted, and the count must be 0 (the `session` fixture checks it).

Expected values come from the simulator's truth, the raw tables and `complaint-trace
findings`, never from the pages' own code."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta

import openpyxl
import pytest
from typer.testing import CliRunner

from complaint_trace.cli import app as cli

KPIS = ("prb_util_dl_pct", "user_dl_rate_mbps", "access_success_pct", "drop_rate_pct",
        "good_coverage_pct")


def _truth(site, rule_id: str) -> list[str]:
    with (site.truth / "expected_findings.csv").open() as f:
        return sorted({r["ticket_id"] for r in csv.DictReader(f) if r["rule_id"] == rule_id})


def _chart_options(page) -> list[dict]:
    """What each KPI chart draws, read from ECharts itself (what the user sees)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.chart[data-chart]'))
        .map(el => { const o = echarts.getInstanceByDom(el).getOption();
            return {cell: el.dataset.chart, series: o.series.map(s => ({kpi: s.kpi,
                points: s.data.length,
                lines: (s.markLine.data || []).map(d => d.alarm || d.name || null)}))}; })""")


def _cli_findings(site, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["findings", "--home", str(site.home), *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_a_handler_signs_in_and_sees_a_planted_f1_ticket_with_its_alarm_on_the_chart(session):
    site = session.site
    f1 = _truth(site, "F1")
    assert f1, "the simulator planted no F1 ticket"
    ticket_id = f1[0]
    session.sign_in("handler", f"/ui/tickets/{ticket_id}")
    page = session.page
    assert page.url.endswith(f"/ui/tickets/{ticket_id}")
    assert page.locator("[data-field=ticket_id]").inner_text() == ticket_id
    assert page.locator("#findings [data-rule=F1]").count() == 1
    with site.warehouse() as con:
        alarm_ids, cells = con.execute(
            "select f1_alarm_ids, f1_cell_ids from (select json_extract_string(evidence, "
            "'$.f1_alarm_ids') as f1_alarm_ids, json_extract_string(evidence, "
            "'$.f1_cell_ids') as f1_cell_ids from audit.findings "
            "where ticket_id = ? and rule_id = 'F1')", [ticket_id]).fetchone()
        msisdn = con.execute("select msisdn from raw_ticketing.tickets where ticket_id = ?",
                             [ticket_id]).fetchone()[0]
    words = page.locator("#findings [data-rule=F1] .words").inner_text()
    assert alarm_ids.split(",")[0] in words and cells.split(",")[0] in words
    charts = {c["cell"]: c for c in _chart_options(page)}
    for series in charts[cells.split(",")[0]]["series"]:
        assert alarm_ids.split(",")[0] in series["lines"]
    # the handler sees the number masked, everywhere on the page
    masked = f"{msisdn[:3]}****{msisdn[-4:]}"
    assert page.locator("[data-field=msisdn]").inner_text() == masked
    assert msisdn not in page.content()
    assert page.locator("[data-field=customer_name]").count() == 0


def test_each_kpi_chart_has_one_point_per_hour_with_data(session):
    site = session.site
    ticket_id = _truth(site, "F2")[0]
    session.sign_in("handler", f"/ui/tickets/{ticket_id}")
    charts = _chart_options(session.page)
    assert charts
    with site.warehouse() as con:
        created, resolved = con.execute("select created_at, resolved_at from main.dim_tickets "
                                        "where ticket_id = ?", [ticket_id]).fetchone()
        as_of = datetime.fromisoformat(site.as_of)
        start = created - timedelta(hours=72)
        end = min(resolved + timedelta(hours=24), as_of) if resolved else as_of
        for chart in charts:
            expected = con.execute(
                "select " + ", ".join(f"count(distinct period_start) filter ({k} is not null)"
                                      for k in KPIS)
                + " from raw_netops.cell_kpi_hourly where cell_id = ? "
                  "and period_start between ? and ?", [chart["cell"], start, end]).fetchone()
            assert {s["kpi"]: s["points"] for s in chart["series"]} == dict(
                zip(KPIS, expected, strict=True)), chart["cell"]
            assert max(expected) > 0


def test_search_by_msisdn_lists_the_customers_tickets_newest_first(session):
    site = session.site
    with site.warehouse() as con:
        msisdn, tickets = con.execute(
            "select msisdn, list(ticket_id order by created_at desc, ticket_id desc) "
            "from main.dim_tickets group by msisdn order by count(*) desc, msisdn limit 1"
        ).fetchone()
    session.sign_in("handler")
    session.page.fill("input[name=q]", msisdn)
    session.page.click("form.search button")
    session.page.wait_for_load_state("networkidle")
    rows = session.page.locator("#search-results tbody tr td:first-child").all_inner_texts()
    assert rows == tickets
    shown = session.page.locator("#search-results td.msisdn").all_inner_texts()
    assert set(shown) == {f"{msisdn[:3]}****{msisdn[-4:]}"}  # masked for a handler
    assert msisdn not in session.page.locator("#search-results").inner_html()
    assert msisdn not in session.page.url


def test_the_workbench_totals_and_exports_equal_the_findings_command(session):
    site = session.site
    with site.warehouse() as con:
        day_from, day_to = con.execute("select min(day), max(day) from audit.findings"
                                       ).fetchone()
    period = f"from={day_from}&to={day_to}"
    session.sign_in("auditor", f"/ui/audit?{period}")
    page = session.page
    expected = _cli_findings(site, "--from", str(day_from), "--to", str(day_to))
    assert int(page.locator("[data-total=findings]").inner_text()) == len(expected)
    by_rule = sum(int(t) for t in page.locator("#by-rule [data-field=findings]").all_inner_texts())
    assert by_rule == len(expected)
    chart = page.evaluate("""() => { const o = echarts.getInstanceByDom(
        document.getElementById('audit-chart')).getOption();
        return {days: o.xAxis[0].data, bars: o.series.filter(s => s.type === 'bar')
                    .reduce((n, s) => n + s.data.reduce((a, b) => a + b, 0), 0),
                rate: o.series.filter(s => s.type === 'line')[0].data}; }""")
    assert chart["bars"] == len(expected)
    with site.warehouse() as con:
        rates = dict(con.execute(
            "select strftime(day, '%Y-%m-%d'), round(sum(findings) / sum(tickets_audited), 4) "
            "from audit.agg_audit_daily where day between ? and ? group by day",
            [day_from, day_to]).fetchall())
    assert dict(zip(chart["days"], chart["rate"], strict=True)) == rates

    # one rule, one department, one severity: the same filter as the command's
    department = expected[0]["department"]
    rule = expected[0]["rule_id"]
    page.select_option("#rule", rule)
    page.select_option("#department", department)
    page.click("#filters button")
    page.wait_for_load_state("networkidle")
    narrowed = _cli_findings(site, "--from", str(day_from), "--to", str(day_to), "--rule", rule,
                             "--department", department)
    assert int(page.locator("[data-total=findings]").inner_text()) == len(narrowed)
    listed = page.locator("#findings-list tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.ticket, r.dataset.rule])")
    assert sorted(map(tuple, listed)) == sorted((f["ticket_id"], f["rule_id"]) for f in narrowed)

    with page.expect_download() as csv_download:
        page.click("#export-csv")
    text = open(csv_download.value.path(), encoding="utf-8-sig").read()
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [(r["ticket_id"], r["rule_id"], r["department"]) for r in exported] == [
        (f["ticket_id"], f["rule_id"], f["department"]) for f in narrowed]
    with page.expect_download() as xlsx_download:
        page.click("#export-xlsx")
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    with open(xlsx_download.value.path(), "rb") as f:
        sheet = openpyxl.load_workbook(f, read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == [
        (f["ticket_id"], f["rule_id"], f["department"]) for f in narrowed]
    assert re.search(r"[\u4e00-\u9fff]", rows[1][4])  # the department's Chinese intact


def test_a_handler_gets_a_403_page_at_the_workbench(session):
    session.sign_in("handler", "/ui/audit")
    assert session.page.locator("h1").inner_text() == "403"


def test_signing_out_ends_the_session(session):
    session.sign_in("auditor", "/ui/audit")
    session.page.click("form[action='/ui/logout'] button")
    session.page.wait_for_load_state("networkidle")
    session.open("/ui/audit")
    assert "/ui/login" in session.page.url


@pytest.mark.parametrize("path", ["/ui/login", "/docs", "/redoc", "/ui/data-docs/index.html"])
def test_every_page_draws_with_no_network(session, path):
    session.sign_in("admin")
    session.open(path)
    session.page.wait_for_timeout(300)  # let late scripts (ReDoc, GX's tables) start requests
    assert session.page.locator("body").inner_text().strip()


def test_each_rule_links_to_its_latest_validation_which_draws_offline(session):
    session.sign_in("auditor", "/ui/audit")
    page = session.page
    link = page.locator("#by-rule tr[data-rule] a[href*='/ui/data-docs/validations/']").first
    rule_id = link.locator("xpath=ancestor::tr").get_attribute("data-rule")
    anchor = link.get_attribute("href").split("#", 1)[1]
    link.click()
    page.wait_for_load_state("networkidle")
    assert "/ui/data-docs/validations/" in page.url
    # the anchor is the cell of the rule's expectation, labelled with its id, name, severity
    assert page.locator(f"[id='{anchor}']").inner_text().startswith(f"{rule_id} · ")
    # the index lists the validations in a table bootstrap-table draws: empty without its JS
    session.open("/ui/data-docs/index.html")
    assert page.locator("table tbody tr").count() > 0


def test_the_language_follows_the_switch(session):
    session.sign_in("handler")
    assert session.page.locator("html").get_attribute("lang") == "zh-CN"
    assert session.page.locator("h1").inner_text() == "工单查询"
    session.page.click("a.lang[hreflang=en]")
    session.page.wait_for_load_state("networkidle")
    assert session.page.locator("h1").inner_text() == "Ticket search"
    session.open("/ui/")  # the choice sticks
    assert session.page.locator("h1").inner_text() == "Ticket search"
