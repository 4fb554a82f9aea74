"""A small hand-made raw dataset whose audit facts are worked out by hand in the tests.

As-of is 2024-03-10 00:00 UTC. Tickets:
- TA: silver customer (platinum only later), normal -> 120 min / 48 h. First contact by an
  outbound CRM call at 00:30 (before the 01:00 `customer_contacted`); pending 02:00-12:00;
  resolved `network_fixed` 03-06 06:00 -> clock 44 h (54 h wall). Linked cells A (4G),
  B (5G) and C; D is fourth. Critical alarm AL1 on A cleared 07:30 (> 07:00): F1. Major AL2
  cleared 06:45 (inside grace) and minor AL3 never cleared: not F1. Cell B degraded in the
  window (10 Mbit/s on 5G); after resolution 1 degraded, 1 healthy, 1 all-null hour -> 0.5.
  Cell A degraded after resolution but not in the window (10 Mbit/s is fine on 4G): no F2
  candidate. A disputing survey. TB (same MSISDN, network family) 6 h after resolution.
- TB: platinum (after the tier change), high -> 30 min / 12 h. Resolved 13:00, reopened
  20:00, resolved 23:00 -> clock 4 h; never contacted -> F3, T2 deadline passed.
- TC: unknown MSISDN -> standard, urgent -> 30 min / 12 h; closed without `resolved`
  (`customer_unreachable`) at 02:00 -> resolution at the close, F3-exempt; first contact by
  an account manager's call from another number (K4, 10 min).
- TD: gold, urgent -> 20 min / 6 h; open at as-of after 24 h -> T3, deadline 06:00 owned by
  FIELD; its resolution arrives after as-of and must not count; no sessions -> missing trace.
- TE: cancelled.  TF: created after as-of, not in the marts.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from tests.dbt.raw_tables import insert_rows

AS_OF = "2024-03-10 00:00:00"
DAY1 = datetime(2024, 3, 10, 1, 0, 0)  # loaded after the facts it carries


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _events(ticket: str, *steps: tuple) -> list[dict]:
    keys = ("event_at", "action", "status_after", "department", "closure_code")
    return [{"event_id": f"{ticket}-{n}", "ticket_id": ticket,
             **dict(zip(keys, (ts(step[0]), *step[1:]), strict=False))}
            for n, step in enumerate(steps, start=1)]


def load(con: duckdb.DuckDBPyConnection) -> None:
    customer = {"customer_id": "CU1", "msisdn": "13800000001", "segment": "individual"}
    insert_rows(con, "crm/customers", [
        {**customer, "tier": "silver", "updated_at": ts("2024-03-05 00:00:00")},
        {**customer, "tier": "platinum", "updated_at": ts("2024-03-06 00:00:00")},
        {"customer_id": "CU3", "msisdn": "13800000003", "tier": "gold", "segment": "enterprise",
         "updated_at": ts("2024-01-01 00:00:00")},
    ], DAY1)
    # the same version delivered again must not duplicate it
    insert_rows(con, "crm/customers", [
        {**customer, "tier": "platinum", "updated_at": ts("2024-03-06 00:00:00")},
    ], DAY1, source_file="crm/customers/2024-03-10-2.csv")
    insert_rows(con, "crm/contacts", [
        {"contact_id": "K1", "msisdn": "13800000001", "direction": "outbound",
         "channel": "hotline", "contact_at": ts("2024-03-04 00:30:00"),
         "related_ticket_id": "TA"},
        # inbound calls and contacts after as-of are not operator contacts by as-of
        {"contact_id": "K2", "msisdn": "13800000001", "direction": "inbound",
         "channel": "hotline", "contact_at": ts("2024-03-06 12:05:00"),
         "related_ticket_id": "TB"},
        # an account manager calls from another number about TC: it counts, and shows on TC
        {"contact_id": "K4", "msisdn": "13899999999", "direction": "outbound",
         "channel": "account_manager", "contact_at": ts("2024-03-08 00:10:00"),
         "related_ticket_id": "TC"},
        {"contact_id": "K3", "msisdn": "13800000003", "direction": "outbound",
         "channel": "hotline", "contact_at": ts("2024-03-10 08:00:00"),
         "related_ticket_id": "TD"},
    ], DAY1)
    ticket = {"channel": "hotline", "description": "慢, \"很慢\""}
    insert_rows(con, "ticketing/tickets", [
        {**ticket, "ticket_id": "TA", "msisdn": "13800000001",
         "created_at": ts("2024-03-04 00:00:00"), "category": "network.data_speed",
         "priority": "normal"},
        {**ticket, "ticket_id": "TB", "msisdn": "13800000001",
         "created_at": ts("2024-03-06 12:00:00"), "category": "network.coverage",
         "priority": "high"},
        {**ticket, "ticket_id": "TC", "msisdn": "13800000002",
         "created_at": ts("2024-03-08 00:00:00"), "category": "billing.dispute",
         "priority": "urgent"},
        {**ticket, "ticket_id": "TD", "msisdn": "13800000003",
         "created_at": ts("2024-03-09 00:00:00"), "category": "network.call_drop",
         "priority": "urgent"},
        {**ticket, "ticket_id": "TE", "msisdn": "13800000003",
         "created_at": ts("2024-03-09 06:00:00"), "category": "service.attitude",
         "priority": "low"},
        {**ticket, "ticket_id": "TF", "msisdn": "13800000003",
         "created_at": ts("2024-03-11 00:00:00"), "category": "network.coverage",
         "priority": "low"},
    ], DAY1)
    insert_rows(con, "ticketing/ticket_events", [
        *_events("TA",
                 ("2024-03-04 00:00:00", "created", "acknowledged", "FRONT"),
                 ("2024-03-04 01:00:00", "customer_contacted", "inProgress", "FRONT"),
                 ("2024-03-04 02:00:00", "pending_customer", "pending", "NET"),
                 ("2024-03-04 12:00:00", "resumed", "inProgress", "NET"),
                 ("2024-03-06 06:00:00", "resolved", "resolved", "NET", "network_fixed")),
        *_events("TB",
                 ("2024-03-06 12:00:00", "created", "acknowledged", "FRONT"),
                 ("2024-03-06 13:00:00", "resolved", "resolved", "X", "explained"),
                 ("2024-03-06 20:00:00", "reopened", "inProgress", "FRONT"),
                 ("2024-03-06 23:00:00", "resolved", "resolved", "Y", "explained")),
        *_events("TC",
                 ("2024-03-08 00:00:00", "created", "acknowledged", "BILL"),
                 ("2024-03-08 02:00:00", "closed", "closed", "BILL2", "customer_unreachable")),
        *_events("TD",
                 ("2024-03-09 00:00:00", "created", "acknowledged", "NOC"),
                 ("2024-03-09 01:00:00", "dispatched", "inProgress", "FIELD"),
                 ("2024-03-10 03:00:00", "resolved", "resolved", "FIELD", "network_fixed")),
        *_events("TE",
                 ("2024-03-09 06:00:00", "created", "acknowledged", "CARE"),
                 ("2024-03-09 07:00:00", "cancelled", "cancelled", "CARE")),
    ], DAY1)
    insert_rows(con, "ticketing/surveys", [
        {"ticket_id": "TA", "surveyed_at": ts("2024-03-07 10:00:00"),
         "resolved_confirmed": False, "score": 1},
    ], DAY1)
    insert_rows(con, "netops/cells", [
        {"cell_id": "A", "rat": "4G", "site_id": "S1", "status": "active"},
        {"cell_id": "B", "rat": "5G", "site_id": "S1", "status": "active"},
        {"cell_id": "C", "rat": "4G", "site_id": "S2", "status": "active"},
        {"cell_id": "D", "rat": "4G", "site_id": "S2", "status": "active"},
        {"cell_id": "E", "rat": "5G", "site_id": "S3", "status": "active"},
    ], DAY1)
    insert_rows(con, "netops/user_cell_sessions", [
        {"msisdn": "13800000001", "cell_id": cell, "period_start": ts(at), "duration_s": secs}
        for cell, at, secs in (("A", "2024-03-03 10:00:00", 3600),
                               ("B", "2024-03-03 11:00:00", 1800),
                               ("C", "2024-03-03 12:00:00", 1800),
                               ("D", "2024-03-03 13:00:00", 100),
                               ("E", "2024-03-04 01:00:00", 3600))
    ], DAY1)
    healthy = {"prb_util_dl_pct": 40.0, "access_success_pct": 99.0, "drop_rate_pct": 0.5,
               "good_coverage_pct": 97.0, "user_dl_rate_mbps": 30.0}
    slow = {**healthy, "user_dl_rate_mbps": 10.0}
    insert_rows(con, "netops/cell_kpi_hourly", [
        {"cell_id": "B", "period_start": ts("2024-03-03 10:00:00"), **slow},
        {"cell_id": "B", "period_start": ts("2024-03-03 11:00:00"), **healthy},
        {"cell_id": "B", "period_start": ts("2024-03-06 06:00:00"), **slow},  # not after
        {"cell_id": "B", "period_start": ts("2024-03-06 07:00:00"), **slow},
        {"cell_id": "B", "period_start": ts("2024-03-06 08:00:00"), **healthy},
        {"cell_id": "B", "period_start": ts("2024-03-06 09:00:00")},  # every KPI null
        {"cell_id": "A", "period_start": ts("2024-03-03 10:00:00"), **slow},  # fine on 4G
        {"cell_id": "A", "period_start": ts("2024-03-06 07:00:00"), **healthy,
         "drop_rate_pct": 3.0},
    ], DAY1)
    alarm = {"cell_id": "A", "alarm_type": "power_failure"}
    insert_rows(con, "netops/alarms", [
        {**alarm, "alarm_id": "AL1", "severity": "critical",
         "raised_at": ts("2024-03-06 05:00:00")},
        {**alarm, "alarm_id": "AL2", "severity": "major", "raised_at": ts("2024-03-06 05:30:00"),
         "cleared_at": ts("2024-03-06 06:45:00")},
        {**alarm, "alarm_id": "AL3", "severity": "minor", "raised_at": ts("2024-03-06 05:30:00")},
    ], DAY1, source_file="netops/alarms/2024-03-06.csv")
    # the clearing delivery of AL1 comes in a later file and must win
    insert_rows(con, "netops/alarms", [
        {**alarm, "alarm_id": "AL1", "severity": "critical",
         "raised_at": ts("2024-03-06 05:00:00"), "cleared_at": ts("2024-03-06 07:30:00")},
    ], DAY1, source_file="netops/alarms/2024-03-07.csv")
