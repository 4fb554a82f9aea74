"""Search and listing queries with keyset (cursor) pagination.

Filters are fixed SQL fragments with `?` placeholders; request values only ever travel as
parameters. A cursor is the sort key of the last row returned, base64url-encoded JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
from fastapi import HTTPException

from api.queries import FINDING_FIELDS
from serving.layout import SEARCHED_TICKET_COLUMNS


class Conditions:
    """Collects `where` fragments and their parameters in step."""

    def __init__(self) -> None:
        self.sql: list[str] = []
        self.params: list[Any] = []

    def add(self, fragment: str, *values: Any) -> None:
        if any(v is None for v in values):
            return
        self.sql.append(fragment)
        self.params.extend(values)

    @property
    def where(self) -> str:
        return ("where " + " and ".join(self.sql)) if self.sql else ""


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise HTTPException(422, "cursor: not a cursor this API returned") from exc
    if not isinstance(values, list) or len(values) != size:
        raise HTTPException(422, "cursor: not a cursor this API returned")
    return values


@dataclass(frozen=True)
class TicketFilter:
    msisdn: str | None = None
    status: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    district: str | None = None


# a listed ticket's fields: the searched columns, the status at as-of listed as `status`
TICKET_COLUMNS = tuple("status" if c == "status_at_as_of" else c for c in SEARCHED_TICKET_COLUMNS)


def search_tickets(cur: duckdb.DuckDBPyConnection, flt: TicketFilter, cursor: str | None,
                   limit: int, newest_first: bool = False) -> tuple[list[dict], str | None]:
    """Tickets matching `flt` in (created_at, ticket_id) order, or the reverse; the page and
    the next cursor."""
    cond = Conditions()
    cond.add("msisdn = ?", flt.msisdn)
    cond.add("status_at_as_of = ?", flt.status)
    cond.add("created_at >= ?", flt.created_from)
    cond.add("created_at < ?", flt.created_to)
    cond.add("reported_district = ?", flt.district)
    after = decode_cursor(cursor, 2)
    beyond, order = ("<", "desc") if newest_first else (">", "asc")
    if after:
        after_at = _parse_time(after[0])
        cond.add(f"(created_at {beyond} ? or (created_at = ? and ticket_id {beyond} ?))",
                 after_at, after_at, str(after[1]))
    rows = cur.execute(
        f"select {', '.join(SEARCHED_TICKET_COLUMNS)} from main.dim_tickets {cond.where} "
        f"order by created_at {order}, ticket_id {order} limit ?",
        [*cond.params, limit + 1]).fetchall()
    items = [dict(zip(TICKET_COLUMNS, r, strict=True)) for r in rows[:limit]]
    nxt = encode_cursor([items[-1]["created_at"], items[-1]["ticket_id"]]) \
        if len(rows) > limit else None
    return items, nxt


@dataclass(frozen=True)
class FindingFilter:
    rule_id: str | None = None
    department: str | None = None
    severity: str | None = None
    ticket_id: str | None = None
    day_from: date | None = None
    day_to: date | None = None

    def conditions(self) -> Conditions:
        """The filter on `audit.findings as f`. `day_from`/`day_to` (inclusive) filter on
        `day`, the ticket's business day of creation, the day `agg_audit_daily` counts it
        under. One definition for the API, the pages, their exports and the CLI."""
        cond = Conditions()
        cond.add("f.rule_id = ?", self.rule_id)
        cond.add("f.department = ?", self.department)
        cond.add("f.severity = ?", self.severity)
        cond.add("f.ticket_id = ?", self.ticket_id)
        cond.add("f.day >= ?", self.day_from)
        cond.add("f.day <= ?", self.day_to)
        return cond


def list_findings(cur: duckdb.DuckDBPyConnection, flt: FindingFilter, cursor: str | None,
                  limit: int) -> tuple[list[tuple], str | None]:
    """Findings matching `flt` in (ticket_id, rule_id) order; the page and the next cursor."""
    cond = flt.conditions()
    after = decode_cursor(cursor, 2)
    if after:
        cond.add("(f.ticket_id > ? or (f.ticket_id = ? and f.rule_id > ?))",
                 str(after[0]), str(after[0]), str(after[1]))
    rows = cur.execute(
        "select f.ticket_id, f.rule_id, f.rule_name, f.severity, f.department, f.evidence, "
        f"f.run_id, f.as_of, f.found_at from audit.findings as f {cond.where} "
        "order by f.ticket_id, f.rule_id limit ?", [*cond.params, limit + 1]).fetchall()
    nxt = encode_cursor([rows[limit - 1][0], rows[limit - 1][1]]) if len(rows) > limit else None
    return rows[:limit], nxt


FINDING_ROW_FIELDS = (*FINDING_FIELDS, "day")


def all_findings(cur: duckdb.DuckDBPyConnection, flt: FindingFilter) -> duckdb.DuckDBPyConnection:
    """Every finding matching `flt` (columns `FINDING_ROW_FIELDS`) in (day, rule, ticket)
    order, to fetch in batches: what `complaint-trace findings` prints and the pages export."""
    cond = flt.conditions()
    return cur.execute(f"select {', '.join('f.' + c for c in FINDING_ROW_FIELDS)} "
                       f"from audit.findings as f {cond.where} "
                       "order by f.day, f.rule_id, f.ticket_id", cond.params)


AT_RISK_COLUMNS = ("ticket_id", "priority", "sla_limit", "limit_minutes", "used_minutes",
                   "share_used", "minutes_left", "deadline_at", "warning_level_pct",
                   "is_breached", "department")


def at_risk(cur: duckdb.DuckDBPyConnection, level: int | None, department: str | None,
            cursor: str | None, limit: int) -> tuple[list[dict], str | None]:
    """Open tickets' running SLA limits at or past warning `level` (any level when None: every
    ticket that reached one), by time left ascending; the page and the next cursor."""
    cond = Conditions()
    cond.add("(warning_level_pct >= ? or is_breached)", level or 0)
    cond.add("department = ?", department)
    after = decode_cursor(cursor, 3)
    if after:
        try:
            left = float(after[0])
        except (TypeError, ValueError) as exc:
            raise HTTPException(422, "cursor: not a cursor this API returned") from exc
        cond.add("(minutes_left, ticket_id, sla_limit) > (?, ?, ?)", left, str(after[1]),
                 str(after[2]))
    rows = cur.execute(f"select {', '.join(AT_RISK_COLUMNS)} from main.fct_sla_warnings "
                       f"{cond.where} order by minutes_left, ticket_id, sla_limit limit ?",
                       [*cond.params, limit + 1]).fetchall()
    items = [dict(zip(AT_RISK_COLUMNS, r, strict=True)) for r in rows[:limit]]
    nxt = encode_cursor([items[-1]["minutes_left"], items[-1]["ticket_id"],
                         items[-1]["sla_limit"]]) if len(rows) > limit else None
    return items, nxt


AUDIT_DAILY_COLUMNS = ("day", "rule_id", "department", "tickets_audited", "findings",
                       "finding_rate")


def audit_summary(cur: duckdb.DuckDBPyConnection, rule_id: str | None, department: str | None,
                  day_from: date | None, day_to: date | None,
                  severity: str | None = None) -> list[dict]:
    """`agg_audit_daily` rows by day, rule and department; `severity` is the rule's
    (`rule_catalog`)."""
    cond = Conditions()
    cond.add("a.rule_id = ?", rule_id)
    cond.add("a.department = ?", department)
    cond.add("a.day >= ?", day_from)
    cond.add("a.day <= ?", day_to)
    cond.add("a.rule_id in (select rule_id from main.rule_catalog where severity = ?)", severity)
    rows = cur.execute(f"select {', '.join('a.' + c for c in AUDIT_DAILY_COLUMNS)} "
                       f"from audit.agg_audit_daily as a {cond.where} "
                       "order by a.day, a.rule_id, a.department", cond.params).fetchall()
    return [dict(zip(AUDIT_DAILY_COLUMNS, r, strict=True)) for r in rows]


def _parse_time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise HTTPException(422, "cursor: not a cursor this API returned") from exc
