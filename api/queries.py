"""Every SQL statement the API runs, and the one place where mart columns map to API fields.

All statements are parameterised (`?`); nothing from a request is ever pasted into SQL. When a
mart renames a column, only this module changes.
"""

from __future__ import annotations

TICKET = """
select d.ticket_id, d.created_at, d.channel, d.category, d.category_family, d.priority,
       d.description, d.reported_district, d.status_at_as_of, d.owning_department,
       d.resolved_at, d.closure_code, d.reopened_from_ticket_id,
       d.customer_id, d.msisdn, d.tier_at_creation, d.segment,
       f.first_contact_limit_minutes, f.resolution_limit_minutes, f.first_contact_at,
       f.first_contact_source, f.first_contact_record_id, f.first_contact_delay_minutes,
       f.first_contact_deadline_at, f.resolution_deadline_at, f.resolution_clock_minutes,
       f.clock_minutes_at_as_of, f.pending_minutes, f.is_open_at_as_of, f.network_trace
from main.dim_tickets as d
left join main.fct_audit_facts as f using (ticket_id)
where d.ticket_id = ?
"""
TICKET_FIELDS = (
    "ticket_id", "created_at", "channel", "category", "category_family", "priority",
    "description", "reported_district", "status", "owning_department", "resolved_at",
    "closure_code", "reopened_from_ticket_id",
)
CUSTOMER_FIELDS = ("customer_id", "msisdn", "tier_at_creation", "segment")
SLA_FIELDS = (
    "first_contact_limit_minutes", "resolution_limit_minutes", "first_contact_at",
    "first_contact_source", "first_contact_record_id", "first_contact_delay_minutes",
    "first_contact_deadline_at", "resolution_deadline_at", "resolution_clock_minutes",
    "clock_minutes_at_as_of", "pending_minutes", "is_open_at_as_of",
)

# The customer version valid at the ticket's creation (personal data: admin only); a first
# version has no `valid_from` (it covers everything before it too).
CUSTOMER_NAME = """
select customer_name from main.stg_crm__customers
where customer_id = ? and coalesce(valid_from <= ?, true) and coalesce(valid_to > ?, true)
order by valid_from desc nulls last limit 1
"""

KPI_FIELDS = ("hours_with_data", "degraded_hours", "avg_prb_util_dl_pct", "avg_user_dl_rate_mbps",
              "avg_access_success_pct", "avg_drop_rate_pct", "avg_good_coverage_pct",
              "traffic_gb")
INVENTORY = {"cell_name": "cell_name", "site_id": "site_id", "rat": "rat",  # API: mart column
             "site_type": "site_type", "district": "district", "latitude": "latitude",
             "longitude": "longitude", "status": "cell_status"}
CELLS = f"""
select cell_id, cell_rank, dwell_seconds, session_hours,
       {", ".join(INVENTORY.values())},
       {", ".join(f"window_{k}" for k in KPI_FIELDS)},
       {", ".join(f"after_{k}" for k in KPI_FIELDS)}
from main.fct_ticket_cells
where ticket_id = ?
order by cell_rank, cell_id
"""

# A linked cell's alarms: those with an edge on the ticket's timeline (the timeline mart applies
# the configured window, complaint window start to N days after resolution) plus the alarms the
# F1 facts found still active at resolution, which may have been raised long before the window.
ALARMS = """
select a.cell_id, a.alarm_id, a.severity, a.alarm_type, a.raised_at, a.cleared_at
from main.stg_netops__alarms as a
where a.alarm_id in (
    select source_record_id from main.fct_ticket_timeline
    where ticket_id = ? and item_type in ('alarm_raised', 'alarm_cleared')
    union
    select unnest(string_split(f1_alarm_ids, ',')) from main.fct_audit_facts
    where ticket_id = ?)
order by a.cell_id, a.raised_at, a.alarm_id
"""
EPISODE_WORST = ("drop_rate_pct", "access_success_pct", "user_dl_rate_mbps", "prb_util_dl_pct",
                 "good_coverage_pct")
EPISODES = f"""
select e.cell_id, e.episode_start_at, e.episode_end_at, e.degraded_hours,
       {", ".join(f"e.worst_{k}" for k in EPISODE_WORST)}
from main.fct_cell_degradation_episodes as e
where e.episode_id in (select source_record_id from main.fct_ticket_timeline
                       where ticket_id = ? and item_type like 'degradation_%')
order by e.cell_id, e.episode_start_at
"""

TIMELINE_FIELDS = ("at", "type", "source_system", "source_table", "source_record_id", "cell_id",
                   "department", "status", "code", "detail", "summary")
# Same instant: by record id (ticket events: audit-rules §1 orders by event_at, then event_id),
# then type, so an alarm raised and cleared at once reads raised first.
TIMELINE = """
select item_at, item_type, source_system, source_table, source_record_id, cell_id,
       department, status, code, detail, summary
from main.fct_ticket_timeline
where ticket_id = ?
order by item_at, source_record_id, item_type
"""

FINDING_COLUMNS = """ticket_id, rule_id, rule_name, severity, department, evidence, run_id,
       as_of, found_at"""
FINDINGS_OF_TICKET = f"""
select {FINDING_COLUMNS} from audit.findings where ticket_id = ? order by rule_id
"""
FINDING_FIELDS = ("ticket_id", "rule_id", "rule_name", "severity", "department", "evidence",
                  "run_id", "as_of", "found_at")
TIMEOUT_RULES = ("T1", "T2", "T3")
