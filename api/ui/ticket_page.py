"""The handler's ticket page: one trace (the API's own, masked per role) arranged for reading —
SLA panel, timeline with its pauses and reopen cycles, linked cells with their hourly KPI
charts, findings in words."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from api.network import kpi_hours
from api.reader import Snapshot
from api.security import Caller
from api.trace import trace_document
from api.ui.cache import snapshot_rows
from api.ui.evidence import in_words
from api.ui.i18n import Language, parse_utc
from api.ui.labels import KPI_LABELS, N_

PAUSED = "pending"  # the TMF621 state whose time the SLA clock does not count (audit-rules §2)
DONE = ("resolved", "closed", "cancelled")


@dataclass
class ClockPanel:
    """One limit of the SLA panel: how much is used and how much is left (or over)."""

    label: str
    limit_minutes: float | None
    used_minutes: float | None
    deadline_at: str | None
    state: str  # met, breached, running, overdue, none
    breach: dict | None = None
    warning: dict | None = None  # sla.warnings' row of this limit while the ticket is open

    @property
    def share(self) -> float | None:
        if self.limit_minutes and self.used_minutes is not None:
            return self.used_minutes / self.limit_minutes
        return None

    @property
    def left_minutes(self) -> float | None:
        if self.limit_minutes is None or self.used_minutes is None:
            return None
        return self.limit_minutes - self.used_minutes


@dataclass
class Pause:
    start_at: str
    end_at: str | None  # None: still pending at as-of

    def minutes(self, as_of: datetime | None) -> float | None:
        end = self.end_at or as_of
        return (parse_utc(end) - parse_utc(self.start_at)).total_seconds() / 60 if end else None


@dataclass
class TicketPage:
    trace: dict
    first_contact: ClockPanel
    resolution: ClockPanel
    pauses: list[Pause]
    timeline: list[dict]  # items, each with `marks` (pause_start, pause_end, reopen n)
    cells: list[dict]  # linked cells, each with its `chart` data
    findings: list[dict]  # with `words`
    as_of: datetime | None
    reopen_cycles: int = 0


def _first_contact(sla: dict, breaches: dict, warnings: dict, created_at: str,
                   as_of: datetime | None) -> ClockPanel:
    limit, deadline = sla.get("first_contact_limit_minutes"), sla.get("first_contact_deadline_at")
    if sla.get("first_contact_at"):
        state = "breached" if "T2" in breaches else "met"
        used = sla.get("first_contact_delay_minutes")
    else:  # not contacted yet: the limit runs on the wall clock from creation
        used = (parse_utc(as_of) - parse_utc(created_at)).total_seconds() / 60 \
            if as_of else None
        overdue = deadline and as_of and parse_utc(deadline) <= parse_utc(as_of)
        state = "none" if limit is None else ("overdue" if overdue else "running")
    return ClockPanel("first contact", limit, used, deadline, state, breaches.get("T2"),
                      warnings.get("first_contact"))


def _resolution(sla: dict, breaches: dict, warnings: dict) -> ClockPanel:
    limit = sla.get("resolution_limit_minutes")
    if sla.get("is_open_at_as_of"):
        used = sla.get("clock_minutes_at_as_of")
        state = "overdue" if limit is not None and used is not None and used > limit \
            else "running"
        breach = breaches.get("T3")
    else:
        used = sla.get("resolution_clock_minutes")
        state = "breached" if "T1" in breaches else ("met" if used is not None else "none")
        breach = breaches.get("T1")
    return ClockPanel("resolution", limit, used, sla.get("resolution_deadline_at"), state, breach,
                      warnings.get("resolution"))


def item_sentence(item: dict, lang: Language) -> str:
    """A timeline item in the reader's language, from its fields (the API's `summary` is
    English); an item of a type not known here keeps its summary."""
    v = lang.value
    kind = item["type"]
    if kind == "ticket_event":
        text = v(item.get("action"))
        if item.get("department"):
            text = lang._("%(action)s by %(department)s", action=text,
                          department=item["department"])
        if item.get("code"):
            text += f" ({v(item['code'])})"
        text += f" → {v(item.get('status'))}"
        return text + (f": {item['detail']}" if item.get("detail") else "")
    fields = {"cell": item.get("cell_id") or "—", "severity": v(item.get("status")),
              "kind": v(item.get("code")), "direction": v(item.get("status")),
              "channel": v(item.get("code")), "topic": item.get("detail") or "—",
              "verdict": v(item.get("status")), "score": item.get("code") or "—",
              "record": item.get("source_record_id") or "—"}
    message = {
        "alarm_raised": N_("%(severity)s alarm raised on cell %(cell)s: %(kind)s"),
        "alarm_cleared": N_("%(severity)s alarm cleared on cell %(cell)s: %(kind)s"),
        "degradation_start": N_("Degradation starts on cell %(cell)s"),
        "degradation_end": N_("Degradation ends on cell %(cell)s"),
        "crm_contact": N_("%(direction)s %(channel)s contact about %(topic)s"),
        "survey": N_("Survey: %(verdict)s, score %(score)s"),
        "repeat_ticket": N_("Repeat ticket %(record)s"),
    }.get(kind)
    return lang._(message, **fields) if message else (item.get("summary") or "")


def _marked_timeline(items: list[dict]) -> tuple[list[dict], list[Pause], int]:
    """Each ticket event marked where a pause starts or ends and where a reopen cycle starts."""
    pauses: list[Pause] = []
    status, cycles, marked = None, 0, []
    for item in items:
        item = {**item, "marks": []}
        if item["type"] == "ticket_event":
            new = item.get("status")
            if new == PAUSED and status != PAUSED:
                pauses.append(Pause(item["at"], None))
                item["marks"].append("pause_start")
            elif status == PAUSED and new != PAUSED:
                pauses[-1].end_at = item["at"]
                item["marks"].append("pause_end")
            if status in DONE and new not in DONE:
                cycles += 1
                item["marks"].append("reopen")
                item["cycle"] = cycles
            status = new
        marked.append(item)
    return marked, pauses, cycles


def _thresholds(snapshot: Snapshot) -> dict[str, dict[str, tuple[str, float]]]:
    """rat -> kpi -> (comparator, threshold), from the seed the audit flags hours with."""
    table: dict[str, dict[str, tuple[str, float]]] = {}
    for rat, kpi, comparator, threshold in snapshot_rows(
            snapshot, "select rat, kpi, comparator, threshold::double from main.kpi_thresholds"):
        table.setdefault(rat, {})[kpi] = (comparator, threshold)
    return table


def _chart(cell: dict, hours: dict[str, list], thresholds: dict, ticket: dict,
           wall: Callable[[str | None], str | None], lang: Language) -> dict[str, Any]:
    """What the cell's KPI chart draws (`static/ticket.js`): the hours (wall-clock times) and,
    per KPI, its value in each (null: no data; the chart draws one point per hour with data),
    the RAT's threshold; degraded hours, alarms and the resolution time."""
    at = [wall(t) for t in hours.get("at", [])]
    rat_thresholds = thresholds.get(cell["inventory"].get("rat") or "", {})
    series = []
    for key, label, unit in KPI_LABELS:
        comparator, threshold = rat_thresholds.get(key, (None, None))
        series.append({"kpi": key, "name": lang._(label), "unit": unit,
                       "values": hours.get(key, [None] * len(at)),
                       "threshold": threshold, "comparator": comparator})
    degraded = [t for t, d in zip(at, hours.get("degraded", []), strict=True) if d]
    return {"hours": at, "series": series, "degraded_hours": degraded,
            "alarms": [{"id": a["alarm_id"], "severity_label": lang.value(a.get("severity")),
                        "raised_at": wall(a["raised_at"]), "cleared_at": wall(a.get("cleared_at"))}
                       for a in cell.get("alarms", [])],
            "resolved_at": wall(ticket.get("resolved_at")),
            "labels": {"resolved": lang._("resolved"), "threshold": lang._("threshold")}}


def ticket_page(snapshot: Snapshot, ticket_id: str, caller: Caller,
                lang: Language) -> TicketPage | None:
    found = trace_document(snapshot, ticket_id, sees_pii=caller.sees_pii)
    if found is None:
        return None
    text, network = found
    trace = orjson.loads(text)
    as_of = snapshot.as_of
    sla = trace["sla"]
    breaches = {b["rule_id"]: b for b in sla.get("breaches", [])}
    timeline, pauses, cycles = _marked_timeline(trace["timeline"])
    for item in timeline:
        item["sentence"] = item_sentence(item, lang)
    hours = kpi_hours(network, snapshot.as_of_key, snapshot.docs.query) if network else {}
    thresholds = _thresholds(snapshot)
    wall = functools.lru_cache(maxsize=None)(lang.wall)  # the cells share their hours
    cells = [{**cell, "chart": _chart(cell, hours.get(cell["cell_id"], {}), thresholds,
                                      trace["ticket"], wall, lang)}
             for cell in trace["linked_cells"]]
    alarms = {a["alarm_id"]: a for cell in trace["linked_cells"] for a in cell["alarms"]}
    findings = [{**f, "words": in_words(f["rule_id"], f["evidence"], lang, alarms, as_of)}
                for f in trace["findings"]]
    warnings = {w["sla_limit"]: w for w in sla.get("warnings") or ()}
    return TicketPage(trace,
                      _first_contact(sla, breaches, warnings, trace["ticket"]["created_at"], as_of),
                      _resolution(sla, breaches, warnings), pauses, timeline, cells, findings,
                      as_of, cycles)
