"""The trace of one ticket (audit-rules §7), built from the snapshot in a handful of indexed
point queries. Shared by `GET /tickets/{id}/trace` and `complaint-trace trace`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb

from api import queries as q
from api.reader import Snapshot
from api.schemas import (
    AlarmPublic,
    BreachPublic,
    CellInventoryPublic,
    CustomerPublic,
    EpisodePublic,
    FindingPublic,
    KpiSummaryPublic,
    LinkedCellPublic,
    ProvenancePublic,
    SlaPublic,
    TicketPublic,
    TimelineItemPublic,
    TracePublic,
)
from api.security import mask_msisdn, scrub
from api.timeline import timeline_items


def utc(value: Any) -> Any:
    """Naive warehouse timestamps are UTC: say so in the response."""
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) else value


def provenance(snapshot: Snapshot) -> ProvenancePublic:
    return ProvenancePublic(run_id=snapshot.run_id, as_of=utc(snapshot.as_of),
                            built_at=utc(snapshot.built_at), snapshot_version=snapshot.version)


def finding_from_row(row: tuple, sees_pii: bool) -> FindingPublic:
    data = dict(zip(q.FINDING_FIELDS, row, strict=True))
    evidence = json.loads(data["evidence"]) if isinstance(data["evidence"], str) else \
        (data["evidence"] or {})
    data["evidence"] = evidence if sees_pii else scrub(evidence)
    for key in ("as_of", "found_at"):
        data[key] = utc(data[key])
    return FindingPublic(**data)


def _kpis(values: tuple) -> KpiSummaryPublic:
    return KpiSummaryPublic(**{k.removeprefix("avg_"): v
                               for k, v in zip(q.KPI_FIELDS, values, strict=True)})


def _linked_cells(cur: duckdb.DuckDBPyConnection, ticket_id: str) -> list[LinkedCellPublic]:
    rows = cur.execute(q.CELLS, [ticket_id]).fetchall()
    if not rows:
        return []
    alarms: dict[str, list[AlarmPublic]] = {}
    for cell_id, *alarm in cur.execute(q.ALARMS, [ticket_id, ticket_id]).fetchall():
        alarms.setdefault(cell_id, []).append(AlarmPublic(
            alarm_id=alarm[0], severity=alarm[1], alarm_type=alarm[2],
            raised_at=utc(alarm[3]), cleared_at=utc(alarm[4])))
    episodes: dict[str, list[EpisodePublic]] = {}
    for cell_id, start, end, hours, *worst in cur.execute(q.EPISODES, [ticket_id]).fetchall():
        episodes.setdefault(cell_id, []).append(EpisodePublic(
            started_at=utc(start), ended_at=utc(end), degraded_hours=hours,
            worst={k: v for k, v in zip(q.EPISODE_WORST, worst, strict=True) if v is not None}))
    n_inv, n_kpi = len(q.INVENTORY), len(q.KPI_FIELDS)
    cells = []
    for cell_id, rank, dwell, hours, *rest in rows:
        inventory = dict(zip(q.INVENTORY, rest[:n_inv], strict=True))
        cells.append(LinkedCellPublic(
            cell_id=cell_id, rank=rank, dwell_seconds=dwell, session_hours=hours,
            inventory=CellInventoryPublic(**inventory),
            kpi_before=_kpis(rest[n_inv:n_inv + n_kpi]),
            kpi_after=_kpis(rest[n_inv + n_kpi:]),
            alarms=alarms.get(cell_id, []), degradation_episodes=episodes.get(cell_id, [])))
    return cells


def _customer(cur: duckdb.DuckDBPyConnection, row: dict, sees_pii: bool) -> CustomerPublic:
    name = None
    if sees_pii:
        created = row["created_at"].replace(tzinfo=None)  # the warehouse's naive UTC
        found = cur.execute(q.CUSTOMER_NAME, [row["customer_id"], created, created]).fetchone()
        name = found[0] if found else None
    return CustomerPublic(
        customer_id=row["customer_id"],
        msisdn=row["msisdn"] if sees_pii else mask_msisdn(row["msisdn"]),
        msisdn_masked=not sees_pii, customer_name=name,
        tier_at_creation=row["tier_at_creation"], segment=row["segment"])


def build_trace(snapshot: Snapshot, ticket_id: str, *, sees_pii: bool) -> TracePublic | None:
    """The whole trace of `ticket_id`, or None when the snapshot has no such ticket."""
    with snapshot.cursor() as cur:
        found = cur.execute(q.TICKET, [ticket_id]).fetchone()
        if found is None:
            return None
        columns = [d[0] for d in cur.description]
        row = dict(zip(columns, found, strict=True))
        row["status"] = row.pop("status_at_as_of")
        row = {k: utc(v) for k, v in row.items()}
        findings = [finding_from_row(r, sees_pii)
                    for r in cur.execute(q.FINDINGS_OF_TICKET, [ticket_id]).fetchall()]
        timeline = [TimelineItemPublic(**{**item, "at": utc(item["at"])})
                    for item in timeline_items(cur.execute(q.TIMELINE, [ticket_id]).fetchall())]
        cells = _linked_cells(cur, ticket_id)
        customer = _customer(cur, row, sees_pii)
    breaches = [BreachPublic(rule_id=f.rule_id, rule_name=f.rule_name, severity=f.severity,
                             department=f.department)
                for f in findings if f.rule_id in q.TIMEOUT_RULES]
    return TracePublic(
        ticket=TicketPublic(**{k: row[k] for k in q.TICKET_FIELDS}),
        customer=customer,
        sla=SlaPublic(**{k: row[k] for k in q.SLA_FIELDS}, breaches=breaches),
        network_trace=row["network_trace"] or ("present" if cells else "missing"),
        linked_cells=cells, timeline=timeline, findings=findings,
        provenance=provenance(snapshot))
