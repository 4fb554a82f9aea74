"""The simulated world's ticketing, alarm and KPI rows in the industry's standard formats
(issue #15, docs/spec/standard-feeds.md), for `simulate --standard-feeds`: TMF621 trouble
tickets, TMF642 alarms and VES 7 fault events (alternating by alarm), and 3GPP TS 32.435 PM
files per quarter-hour. The other entities stay in the contract's formats.

Written from the same good rows as the contract-format files, so the pipeline's findings on
this landing must equal those on its contract-format twin (the end-to-end test). Bad rows are
not placed in these feeds: their malformed records are tested by hand-written files.

The PM counters are the inverse of each KPI under TS 28.552 names, held here as the
simulator's own copy (not read from the seed the pipeline uses), so a formula that drifts
from the standard shows as a finding that differs.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from complaint_trace.delivery import file_stem

TMF621, TMF642, VES, PM_XML = "ticketing/tmf621", "netops/tmf642", "netops/ves", "netops/pm_xml"
FOLDERS = (TMF621, TMF642, VES, PM_XML)
# the contract entities these feeds replace
REPLACED = ("ticketing/tickets", "ticketing/ticket_events", "netops/alarms",
            "netops/cell_kpi_hourly")
EXTENSIONS = (".json", ".jsonl", ".xml", ".xml.gz")
MEAS_COLLEC = "http://www.3gpp.org/ftp/specs/archive/32_series/32.435#measCollec"
VENDOR = "complaint-trace simulator"
QUARTER_S = 900
# KPI -> (aggregation, numerator counter, denominator counter, unit factor): TS 28.552
_COUNTERS = {
    "access_success_pct": ("ratio", "RRC.ConnEstabSucc", "RRC.ConnEstabAtt", 100),
    "prb_util_dl_pct": ("ratio", "RRU.PrbUsedDl", "RRU.PrbAvailDl", 100),
    "drop_rate_pct": ("ratio", "DRB.RelActNbr", "DRB.EstabSucc", 100),
    "good_coverage_pct": ("ratio", "L1M.SS-RSRP.Good", "L1M.SS-RSRP.Samples", 100),
    "user_dl_rate_mbps": ("mean", "DRB.UEThpDl", None, 0.001),  # kbit/s
    "traffic_gb": ("sum", "DRB.PdcpSduVolumeDL", None, 0.000125),  # Mbit
    "active_users": ("mean", "DRB.MeanActiveUeDl", None, 1),
}
PRESENCE = "RRC.ConnMax"  # in every result, so an hour whose KPIs are all null still exists
_RATIO_DENOMINATOR = 10_000  # an hour's denominator: a 2-decimal percentage is exact


@dataclass(frozen=True)
class Written:
    path: Path
    rows: int  # contract rows the file stands for


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _micros(seconds: int) -> int:
    return int(seconds) * 1_000_000


def _pruned(record: dict) -> dict:
    return {k: v for k, v in record.items() if v is not None and v != []}


def _write_json(path: Path, records: list[dict], lines: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if lines:
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = json.dumps(records, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")


def _by_day(table: pa.Table, days: int) -> list[list[dict]]:
    rows: list[list[dict]] = [[] for _ in range(days)]
    for row in table.to_pylist():
        rows[row["_day"]].append(row)
    return rows


def _status_change(event: dict) -> dict:
    return _pruned({
        "@type": "CtStatusChange", "@baseType": "StatusChange", "id": event["event_id"],
        "status": event["status_after"], "changeDate": _iso(event["event_at"]),
        "action": event["action"], "department": event["department"],
        "operatorId": event["operator_id"], "closureCode": event["closure_code"],
        "changeReason": event["note"]})


def _trouble_ticket(ticket_id: str, ticket: dict | None, history: list[dict]) -> dict:
    """A TMF621 TroubleTicket with its status history; an event of a ticket the feed never
    delivered comes as a ticket of only its id (the contract's checks quarantine that row)."""
    changes = [_status_change(e) for e in sorted(history, key=lambda e: (e["event_at"],
                                                                        e["event_id"]))]
    if ticket is None:
        return {"id": ticket_id, "@type": "TroubleTicket", "statusChange": changes}
    characteristics = [{"name": n, "value": ticket[c]} for n, c in (
        ("reportedDistrict", "reported_district"), ("reportedLat", "reported_lat"),
        ("reportedLon", "reported_lon")) if ticket[c] is not None]
    return _pruned({
        "id": ticket_id, "@type": "TroubleTicket",
        "creationDate": _iso(ticket["created_at"]), "description": ticket["description"],
        "priority": ticket["priority"], "ticketType": ticket["category"],
        "channel": {"name": ticket["channel"], "@type": "ChannelRef"}
        if ticket["channel"] else None,
        "relatedParty": [{"id": ticket["msisdn"], "role": "customer",
                          "@referredType": "Customer"}],
        "troubleTicketRelationship": [{"id": ticket["reopened_from_ticket_id"],
                                       "relationshipType": "repeat"}]
        if ticket["reopened_from_ticket_id"] else None,
        "troubleTicketCharacteristic": characteristics,
        "statusChange": changes,
    })


def write_tmf621(out: Path, dates: list[date], tickets: pa.Table,
                 events: pa.Table) -> list[Written]:
    """Day d's file: every ticket created or changed that day, with its history so far (a
    ticket resource is exported again whenever it changes)."""
    ticket_rows = {t["ticket_id"]: t for t in tickets.to_pylist()}
    first_day = {t["ticket_id"]: t["_day"] for t in ticket_rows.values()}
    events_of: dict[str, list[dict]] = defaultdict(list)
    for event in events.to_pylist():
        events_of[event["ticket_id"]].append(event)
    changed: list[set[str]] = [set() for _ in dates]
    for ticket_id, day in first_day.items():
        changed[day].add(ticket_id)
    for ticket_id, history in events_of.items():
        for event in history:
            changed[event["_day"]].add(ticket_id)
    written = []
    for d, day in enumerate(dates):
        records = [_trouble_ticket(t, ticket_rows.get(t) if first_day.get(t, d) <= d else None,
                                   [e for e in events_of[t] if e["_day"] <= d])
                   for t in sorted(changed[d])]
        if not records:
            continue
        path = out / TMF621 / f"{file_stem(day, None, None)}.{'jsonl' if d % 2 else 'json'}"
        _write_json(path, records, lines=bool(d % 2))
        new = sum(first_day.get(t) == d for t in changed[d])
        written.append(Written(path, new + sum(e["_day"] == d for t in changed[d]
                                              for e in events_of[t])))
    return written


def _tmf642(alarm: dict, clears_earlier: bool) -> dict:
    cleared = alarm["cleared_at"]
    return _pruned({
        "id": alarm["alarm_id"], "@type": "Alarm", "alarmType": "equipmentAlarm",
        "alarmRaisedTime": _iso(alarm["raised_at"]),
        "alarmClearedTime": _iso(cleared) if cleared is not None else None,
        # a later clearing delivery says `cleared`, as TMF642's clear does
        "perceivedSeverity": "cleared" if clears_earlier else alarm["severity"],
        "probableCause": alarm["alarm_type"], "state": "updated" if clears_earlier else "raised",
        "alarmedObject": {"id": alarm["cell_id"], "@referredType": "Cell"}})


def _ves(alarm: dict, clears: bool) -> dict:
    header = {"domain": "fault", "eventId": alarm["alarm_id"], "eventName": "Fault_ctsim",
              "priority": "High", "reportingEntityName": "ctsim-oss",
              "sourceName": alarm["cell_id"], "eventSourceName": alarm["cell_id"],
              "sequence": 1 if clears else 0, "version": "4.1", "vesEventListenerVersion": "7.1",
              "startEpochMicrosec": _micros(alarm["raised_at"]),
              "lastEpochMicrosec": _micros(alarm["cleared_at"] if clears else alarm["raised_at"])}
    fault = {"faultFieldsVersion": "4.0", "alarmCondition": alarm["alarm_type"],
             "eventSeverity": "NORMAL" if clears else alarm["severity"].upper(),
             "eventSourceType": "cell", "specificProblem": alarm["alarm_type"],
             "vfStatus": "Active"}
    return {"event": {"commonEventHeader": header, "faultFields": fault}}


def _goes_to_ves(alarm_id: str) -> bool:
    return zlib.crc32(alarm_id.encode()) % 2 == 1


def write_alarm_feeds(out: Path, dates: list[date], alarms: pa.Table) -> list[Written]:
    """Each day's alarm rows, half as TMF642 resources and half as VES events; a row that
    clears an alarm delivered earlier is a clearing record."""
    delivered: set[str] = set()
    written = []
    for d, rows in enumerate(_by_day(alarms, len(dates))):
        tmf, ves = [], []
        for alarm in sorted(rows, key=lambda a: (a["raised_at"], a["alarm_id"])):
            earlier = alarm["alarm_id"] in delivered
            delivered.add(alarm["alarm_id"])
            if _goes_to_ves(alarm["alarm_id"]):
                if not earlier:
                    ves.append(_ves(alarm, clears=False))
                if alarm["cleared_at"] is not None:
                    ves.append(_ves(alarm, clears=True))
            else:
                tmf.append(_tmf642(alarm, clears_earlier=earlier))
        stem = file_stem(dates[d], None, None)
        for folder, records, lines in ((TMF642, tmf, False), (VES, ves, True)):
            if records:
                path = out / folder / f"{stem}.{'jsonl' if lines else 'json'}"
                _write_json(path, records, lines)
                written.append(Written(path, len(records)))
    return written


def _split(total: np.ndarray, parts: int = 4) -> np.ndarray:
    """Integer totals split into `parts` integers summing to them: (len, parts)."""
    base, rest = np.divmod(total.astype(np.int64), parts)
    return base[:, None] + (np.arange(parts)[None, :] < rest[:, None])


def _quarter_values(kpis: pa.Table) -> tuple[list[str], np.ndarray]:
    """Counter names, and per hour row and quarter each counter's value (NaN: absent): the
    values whose roll-up (sums over the hour, gauges averaged, the formula) is the KPI."""
    names, columns = [], []
    n = kpis.num_rows
    for kpi, (aggregation, numerator, denominator, factor) in _COUNTERS.items():
        values = kpis[kpi].cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        absent = np.isnan(values)
        safe = np.where(absent, 0, values)
        if aggregation == "ratio":
            num = _split(np.rint(safe / factor * _RATIO_DENOMINATOR))
            den = _split(np.full(n, _RATIO_DENOMINATOR))
            names += [numerator, denominator]
            columns += [np.where(absent[:, None], np.nan, num),
                        np.where(absent[:, None], np.nan, den)]
        elif aggregation == "sum":
            names.append(numerator)
            columns.append(np.where(absent[:, None], np.nan, _split(np.rint(safe / factor))))
        else:  # a gauge: the same value each quarter
            gauge = np.rint(safe / factor * 1000) / 1000
            names.append(numerator)
            columns.append(np.where(absent[:, None], np.nan, np.repeat(gauge[:, None], 4, 1)))
    names.append(PRESENCE)
    columns.append(np.zeros((n, 4)))
    return names, np.stack(columns, axis=2)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(float(value))


def _object_dn(site: str, cell: str, rat: str) -> str:
    if rat == "5G":
        return f"ManagedElement={site},GNBDUFunction=1,NRCellDU={cell}"
    return f"ManagedElement={site},ENodeBFunction=1,EUtranCellFDD={cell}"


def _pm_file(end: int, elements: dict[str, list[tuple[str, list[str]]]],
             counters: list[str]) -> bytes:
    types = "".join(f'<measType p="{p}">{name}</measType>'
                    for p, name in enumerate(counters, 1))
    begin = end - QUARTER_S
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             f'<measCollecFile xmlns="{MEAS_COLLEC}">\n',
             f'<fileHeader fileFormatVersion="32.435 V10.0" vendorName="{VENDOR}">'
             f'<fileSender elementType="OSS"/><measCollec beginTime="{_iso(begin)}"/>'
             '</fileHeader>\n']
    for site, values in elements.items():
        parts.append(f'<measData><managedElement localDn="ManagedElement={site}"/>'
                     f'<measInfo measInfoId="ctsim-kpi"><job jobId="1"/>'
                     f'<granPeriod duration="PT900S" endTime="{_iso(end)}"/>'
                     f'<repPeriod duration="PT900S"/>{types}\n')
        for dn, results in values:
            parts.append(f'<measValue measObjLdn="{dn}">{"".join(results)}</measValue>\n')
        parts.append('</measInfo></measData>\n')
    parts.append(f'<fileFooter><measCollec endTime="{_iso(end)}"/></fileFooter>'
                 '</measCollecFile>\n')
    return "".join(parts).encode()


def write_pm_files(out: Path, days: int, kpi_day: Callable[[int], pa.Table],
                   cells: pa.Table) -> list[Written]:
    """One TS 32.435 file per quarter-hour holding every managed element's cells (an OSS's
    northbound export; one file per element would be ~100 files a quarter-hour), gzip for
    every other file."""
    site_of = dict(zip(cells["cell_id"].to_pylist(), cells["site_id"].to_pylist(), strict=True))
    rat_of = dict(zip(cells["cell_id"].to_pylist(), cells["rat"].to_pylist(), strict=True))
    written = []
    for d in range(days):
        table = kpi_day(d)
        counters, values = _quarter_values(table)
        hours = table["period_start"].to_numpy()
        cell_ids = table["cell_id"].to_pylist()
        for hour in np.unique(hours):
            rows = np.flatnonzero(hours == hour)
            for q in range(4):
                elements: dict[str, list] = defaultdict(list)
                for i in rows:
                    cell = cell_ids[i]
                    results = [f'<r p="{p}">{_number(v)}</r>'
                               for p, v in enumerate(values[i, q], 1) if not np.isnan(v)]
                    elements[site_of[cell]].append((_object_dn(site_of[cell], cell,
                                                               rat_of[cell]), results))
                end = int(hour) + (q + 1) * QUARTER_S
                start = datetime.fromtimestamp(end - QUARTER_S, UTC)
                name = f"A{start:%Y%m%d.%H%M}+0000-{datetime.fromtimestamp(end, UTC):%H%M}" \
                       f"+0000_ctsim.xml"
                content = _pm_file(end, dict(sorted(elements.items())), counters)
                path = out / PM_XML / (name + (".gz" if q % 2 else ""))
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(gzip.compress(content, mtime=0) if q % 2 else content)
                written.append(Written(path, len(rows) if q == 3 else 0))
    return written


def write_standard_feeds(out: Path, dates: list[date], built: dict,
                         cells: pa.Table) -> list[Written]:
    """Every standard-format file of the world `built` (the simulator's good rows by entity:
    tables with `_day`, or for KPIs one table a day)."""
    (tickets,), (events,) = built["ticketing/tickets"], built["ticketing/ticket_events"]
    (alarms,) = built["netops/alarms"]
    return [*write_tmf621(out, dates, tickets, events),
            *write_alarm_feeds(out, dates, alarms),
            *write_pm_files(out, len(dates), built["netops/cell_kpi_hourly"], cells)]
