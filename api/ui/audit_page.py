"""The auditors' workbench: finding rates by rule x department x day for a period, the
findings behind them in words, and their export (CSV, XLSX). Every number comes from the
same filter the API and `complaint-trace findings` apply (`listing.FindingFilter`)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import xlsxwriter

from api.listing import FindingFilter, all_findings, audit_summary, list_findings
from api.reader import Snapshot
from api.security import Caller
from api.trace import finding_from_row
from api.ui.cache import snapshot_rows
from api.ui.evidence import in_words
from api.ui.i18n import Language

DEFAULT_PERIOD_DAYS = 30
SEVERITIES = ("high", "medium", "low")
EXPORT_BATCH = 5000


class FilterError(ValueError):
    """A filter value the workbench cannot use (shown on the page)."""


def _day(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise FilterError(f"{name}: expected a date like 2026-03-02, got {text!r}") from exc


def parse_filter(params: dict[str, str], snapshot: Snapshot, rules: list[dict]) -> FindingFilter:
    """The filter the page's form sent; by default the 30 days up to the snapshot's as-of."""
    rule = params.get("rule") or None
    if rule is not None and rule not in {r["rule_id"] for r in rules}:
        raise FilterError(f"rule: unknown rule {rule!r}")
    severity = params.get("severity") or None
    if severity is not None and severity not in SEVERITIES:
        raise FilterError(f"severity: one of {', '.join(SEVERITIES)}")
    department = (params.get("department") or "").strip() or None
    day_to = _day(params.get("to"), "to")
    day_from = _day(params.get("from"), "from")
    if day_to is None and day_from is None and snapshot.as_of is not None:
        day_to = snapshot.as_of.date()
        day_from = day_to - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if day_from and day_to and day_from > day_to:
        raise FilterError("from: after to")
    return FindingFilter(rule_id=rule, department=department, severity=severity,
                         day_from=day_from, day_to=day_to)


def rule_catalog(snapshot: Snapshot) -> list[dict]:
    rows = snapshot_rows(snapshot, "select rule_id, rule_name, severity, description "
                                   "from main.rule_catalog order by rule_id")
    return [dict(zip(("rule_id", "rule_name", "severity", "description"), r, strict=True))
            for r in rows]


def departments(snapshot: Snapshot) -> list[str]:
    return [r[0] for r in snapshot_rows(snapshot, "select distinct department "
                                                  "from audit.agg_audit_daily where department "
                                                  "is not null order by 1")]


@dataclass
class Summary:
    daily: list[dict]  # agg_audit_daily rows (day, rule, department)
    by_rule_department: list[dict]  # the period's totals per rule and department
    findings_total: int  # counted in audit.findings: what `complaint-trace findings` lists
    audited_total: int


def summary(snapshot: Snapshot, flt: FindingFilter) -> Summary:
    with snapshot.cursor() as cur:
        daily = audit_summary(cur, flt.rule_id, flt.department, flt.day_from, flt.day_to,
                              flt.severity)
        cond = flt.conditions()
        total = cur.execute(f"select count(*) from audit.findings as f {cond.where}",
                            cond.params).fetchone()[0]
    grouped: dict[tuple, dict] = {}
    for row in daily:
        key = (row["rule_id"], row["department"])
        into = grouped.setdefault(key, {"rule_id": key[0], "department": key[1],
                                        "tickets_audited": 0, "findings": 0})
        into["tickets_audited"] += row["tickets_audited"] or 0
        into["findings"] += row["findings"] or 0
    for row in grouped.values():
        row["finding_rate"] = (row["findings"] / row["tickets_audited"]
                               if row["tickets_audited"] else None)
    audited = sum(r["tickets_audited"] or 0 for r in daily)
    return Summary(daily, sorted(grouped.values(), key=lambda r: (r["rule_id"],
                                                                  r["department"] or "")),
                   total, audited)


def chart_data(result: Summary, rules: list[dict], lang: Language) -> dict:
    """Findings per day and rule (stacked bars) and the day's finding rate (a line) for
    `static/audit.js`."""
    per_rule: dict[str, Counter] = {}
    found, audited = Counter(), Counter()
    for row in result.daily:
        day, findings = row["day"].isoformat(), row["findings"] or 0
        per_rule.setdefault(row["rule_id"], Counter())[day] += findings
        found[day] += findings
        audited[day] += row["tickets_audited"] or 0
    days = sorted(audited)
    names = {r["rule_id"]: lang.value(r["rule_name"]) for r in rules}
    return {"days": days, "rate_name": lang._("Finding rate"),
            "rate": [round(found[d] / audited[d], 4) if audited[d] else None for d in days],
            "series": [{"rule_id": rule, "name": f"{rule} {names.get(rule, '')}".strip(),
                        "data": [counts[d] for d in days]}
                       for rule, counts in sorted(per_rule.items())]}


def _alarm_details(snapshot: Snapshot, findings: list[dict]) -> dict[str, dict]:
    """The alarms F1 findings name, from the snapshot's document store (for their times)."""
    ids = sorted({a for f in findings if f["rule_id"] == "F1"
                  for a in str(f["evidence"].get("f1_alarm_ids") or "").split(",") if a})
    if not ids:
        return {}
    rows = snapshot.docs.query(f"select detail_json from alarms where alarm_id in "
                               f"({','.join('?' * len(ids))})", tuple(ids))
    details = [json.loads(r[0]) for r in rows]
    return {d["alarm_id"]: d for d in details}


def findings_page(snapshot: Snapshot, flt: FindingFilter, cursor: str | None, size: int,
                  caller: Caller, lang: Language) -> tuple[list[dict], str | None]:
    with snapshot.cursor() as cur:
        rows, nxt = list_findings(cur, flt, cursor, size)
    findings = [finding_from_row(r, caller.sees_pii).model_dump(mode="json") for r in rows]
    alarms = _alarm_details(snapshot, findings)
    for f in findings:
        f["words"] = in_words(f["rule_id"], f["evidence"], lang, alarms, snapshot.as_of)
    return findings, nxt


# --- exports --------------------------------------------------------------------------------

EXPORT_FIELDS = ("ticket_id", "rule_id", "rule_name", "severity", "department", "day",
                 "evidence_in_words", "evidence", "run_id", "found_at")


def _export_rows(snapshot: Snapshot, flt: FindingFilter, caller: Caller,
                 lang: Language) -> Iterator[list]:
    """Every finding of the filter, in the CLI's order (day, rule, ticket), as export cells."""
    with snapshot.cursor() as cur:
        result = all_findings(cur, flt)
        while batch := result.fetchmany(EXPORT_BATCH):
            findings = [(finding_from_row(r[:-1], caller.sees_pii), r[-1]) for r in batch]
            dumped = [f.model_dump(mode="json") for f, _ in findings]
            alarms = _alarm_details(snapshot, dumped)
            for (finding, day), data in zip(findings, dumped, strict=True):
                yield [finding.ticket_id, finding.rule_id, finding.rule_name, finding.severity,
                       finding.department, day.isoformat() if day else None,
                       in_words(finding.rule_id, data["evidence"], lang, alarms, snapshot.as_of),
                       json.dumps(data["evidence"], ensure_ascii=False), finding.run_id,
                       data["found_at"]]


def export_csv(snapshot: Snapshot, flt: FindingFilter, caller: Caller,
               lang: Language) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, which Excel needs to read Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_FIELDS)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for row in _export_rows(snapshot, flt, caller, lang):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue().encode("utf-8")


def export_xlsx(snapshot: Snapshot, flt: FindingFilter, caller: Caller, lang: Language) -> bytes:
    buffer = io.BytesIO()
    # constant_memory: rows are written out as they come (a 30-day export holds ~10^5 rows)
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet(lang._("Findings"))
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, EXPORT_FIELDS, bold)
    sheet.freeze_panes(1, 0)
    for width, column in ((20, 0), (8, 1), (28, 2), (10, 3), (18, 4), (12, 5), (90, 6)):
        sheet.set_column(column, column, width)
    count = 0
    for count, row in enumerate(_export_rows(snapshot, flt, caller, lang), start=1):
        sheet.write_row(count, 0, row)
    sheet.autofilter(0, 0, count, len(EXPORT_FIELDS) - 1)
    book.close()
    return buffer.getvalue()

