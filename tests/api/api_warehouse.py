"""A small hand-made warehouse with the serving tables, in the marts' column layout.

Values are chosen by hand so tests can assert on them without running the pipeline: ticket
TT0001 is a planted F1 (critical alarm on its rank-1 cell still active at resolution), TT0002
has no sessions (`network_trace = missing`), TT0003..TT0007 exist for search and pagination.
The network events a trace shows come from `fct_cell_network_events` (per cell) through the
ticket's network window, capped at the snapshot's as-of: decoys outside the window, after the
as-of and on an unlinked cell must stay out.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

MSISDN = "13812341234"
F1_TICKET, MISSING_TICKET = "TT0001", "TT0002"
CUSTOMER_NAME = "张三"

DDL = """
create table main.dim_tickets (
    ticket_id varchar, msisdn varchar, customer_id varchar, created_at timestamp,
    channel varchar, category varchar, category_family varchar, priority varchar,
    description varchar, reported_district varchar, reopened_from_ticket_id varchar,
    tier_at_creation varchar, segment varchar, status_at_as_of varchar,
    owning_department varchar, network_trace varchar, dagster_run_id varchar,
    resolved_at timestamp, closure_code varchar, network_window_start_at timestamp,
    network_window_end_at timestamp, kpi_chart_end_at timestamp, as_of timestamp);
create table main.fct_audit_facts (
    ticket_id varchar, created_date_local date, resolved_at timestamp, closure_code varchar,
    policy_id varchar, first_contact_limit_minutes double, resolution_limit_minutes double,
    first_contact_at timestamp, first_contact_source varchar, first_contact_record_id varchar,
    first_contact_delay_minutes double, first_contact_deadline_at timestamp,
    resolution_deadline_at timestamp, resolution_clock_minutes double,
    clock_minutes_at_as_of double, pending_minutes double, is_open_at_as_of boolean,
    network_trace varchar, f1_alarm_ids varchar);
create table main.fct_ticket_cells (
    ticket_id varchar, cell_id varchar, cell_rank integer, dwell_seconds bigint,
    session_hours integer, cell_name varchar, site_id varchar, rat varchar, site_type varchar,
    district varchar, latitude double, longitude double, cell_status varchar,
    window_hours_with_data integer, window_degraded_hours integer,
    window_avg_prb_util_dl_pct double, window_avg_user_dl_rate_mbps double,
    window_avg_access_success_pct double, window_avg_drop_rate_pct double,
    window_avg_good_coverage_pct double, window_traffic_gb double,
    after_hours_with_data integer, after_degraded_hours integer,
    after_avg_prb_util_dl_pct double, after_avg_user_dl_rate_mbps double,
    after_avg_access_success_pct double, after_avg_drop_rate_pct double,
    after_avg_good_coverage_pct double, after_traffic_gb double);
create table main.fct_ticket_timeline (
    timeline_item_id varchar, ticket_id varchar, item_at timestamp, item_type varchar,
    source_system varchar, source_table varchar, source_record_id varchar, cell_id varchar,
    department varchar, actor_id varchar, status varchar, code varchar, detail varchar,
    summary varchar);
-- the ticket's own items, as the pipeline keeps them apart from the cells' network events
create view main.int_ticket_items_unioned as
select * from main.fct_ticket_timeline
where item_type not in ('alarm_raised', 'alarm_cleared', 'degradation_start', 'degradation_end');
create table main.fct_cell_network_events (
    network_event_id varchar, cell_id varchar, event_at timestamp, item_type varchar,
    source_system varchar, source_table varchar, source_record_id varchar, status varchar,
    code varchar, detail varchar, summary varchar, dbt_invocation_id varchar);
create table main.fct_cell_degradation_episodes (
    episode_id varchar, cell_id varchar, episode_start_at timestamp, episode_end_at timestamp,
    degraded_hours integer, worst_drop_rate_pct double, worst_access_success_pct double,
    worst_user_dl_rate_mbps double, worst_prb_util_dl_pct double, worst_good_coverage_pct double);
create table main.stg_netops__alarms (
    alarm_id varchar, cell_id varchar, raised_at timestamp, cleared_at timestamp,
    severity varchar, alarm_type varchar);
create table main.stg_crm__customers (
    customer_id varchar, msisdn varchar, customer_name varchar, tier varchar,
    valid_from timestamp, valid_to timestamp);
create schema audit;
create table audit.findings (
    ticket_id varchar, rule_id varchar, rule_name varchar, severity varchar,
    department varchar, evidence varchar, run_id varchar, as_of timestamp, found_at timestamp,
    day date);
create table audit.agg_audit_daily (
    day date, rule_id varchar, department varchar, tickets_audited bigint, findings bigint,
    finding_rate double);
create table main.fct_sla_warnings (
    ticket_id varchar, sla_limit varchar, limit_minutes double, used_minutes double,
    share_used double, minutes_left double, deadline_at timestamp, warning_level_pct integer,
    is_breached boolean, department varchar, priority varchar, as_of timestamp);
create table main.fct_sla_clock_segments (
    ticket_id varchar, segment_seq integer, clock_state varchar, segment_start_at timestamp,
    segment_end_at timestamp, began_by_event_id varchar, began_by varchar,
    began_by_department varchar, counted_minutes double, running_total_minutes double);
create table main.dim_audit_rules (
    rule_id varchar, rule_name varchar, severity varchar, description varchar,
    defined_in varchar);
create table main.kpi_thresholds (kpi varchar, rat varchar, comparator varchar, threshold double);
create table main.int_cell_kpi_hours_flagged (
    cell_id varchar, period_start timestamp, rat varchar, drop_rate_pct double,
    is_drop_rate_pct_breached boolean, access_success_pct double,
    is_access_success_pct_breached boolean, user_dl_rate_mbps double,
    is_user_dl_rate_mbps_breached boolean, prb_util_dl_pct double,
    is_prb_util_dl_pct_breached boolean, good_coverage_pct double,
    is_good_coverage_pct_breached boolean, traffic_gb double, active_users integer,
    has_data boolean, _loaded_at timestamp, is_degraded boolean);
"""
AS_OF = "2026-03-05 00:00:00"

TICKETS = [  # ticket_id, created_at, district, status, network_trace
    (F1_TICKET, "2026-03-02 02:00:00", "tianhe", "closed", "present"),
    (MISSING_TICKET, "2026-03-02 03:00:00", "yuexiu", "inProgress", "missing"),
    *[(f"TT000{i}", f"2026-03-0{i - 1} 05:00:00", "tianhe", "resolved", "missing")
      for i in range(3, 8)],
]

TIMELINE = [  # deliberately not in time order: the API must sort
    # item_at, item_type, source_system, source_table, record, cell, department, status, code,
    # detail, summary
    ("2026-03-02 10:00:00", "ticket_event", "ticketing", "ticket_events", "E4", None, "noc",
     "resolved", "network_fixed", "reset the cell", "resolved"),
    ("2026-03-02 02:00:00", "ticket_event", "ticketing", "ticket_events", "E1", None,
     "service_desk", "acknowledged", None, None, "created"),
    ("2026-03-02 01:00:00", "alarm_raised", "netops", "alarms", "A1", "C1", None, "critical",
     "cell_out_of_service", None, "critical alarm raised: cell_out_of_service"),
    ("2026-03-01 22:00:00", "crm_contact", "crm", "contacts", "K1", None, None, "inbound",
     "hotline", "network.data_speed", "inbound hotline contact"),
    ("2026-03-02 02:00:00", "degradation_start", "netops", "cell_kpi_hourly", "EP1", "C1", None,
     None, None, "3 degraded hour(s)", "cell degradation start"),
    ("2026-03-02 05:00:00", "degradation_end", "netops", "cell_kpi_hourly", "EP1", "C1", None,
     None, None, "3 degraded hour(s)", "cell degradation end"),
    ("2026-03-02 02:40:00", "ticket_event", "ticketing", "ticket_events", "E2", None,
     "service_desk", "inProgress", None, None, "customer_contacted"),
]


NETWORK_TYPES = ("alarm_raised", "alarm_cleared", "degradation_start", "degradation_end")
# network events on C1 and C9 that the F1 ticket's trace must not show: before its window
# (A0), after the snapshot's as-of (A8, still inside the window), on a cell it is not linked
# to (A9, EP0)
DECOY_EVENTS = [  # event_at, item_type, record, cell, status, code, detail, summary
    ("2026-01-01 01:00:00", "alarm_raised", "A0", "C1", "minor", "vswr_high", None,
     "minor alarm raised: vswr_high"),
    ("2026-01-01 02:00:00", "alarm_cleared", "A0", "C1", "minor", "vswr_high", None,
     "minor alarm cleared: vswr_high"),
    ("2026-03-06 01:00:00", "alarm_raised", "A8", "C1", "major", "power_failure", None,
     "major alarm raised: power_failure"),
    ("2026-03-02 01:00:00", "alarm_raised", "A9", "C9", "critical", "power_failure", None,
     "critical alarm raised: power_failure"),
    ("2026-03-02 02:00:00", "degradation_start", "EP0", "C9", None, None, "3 degraded hour(s)",
     "cell degradation start"),
]


def build_warehouse(path: Path, run_id: str = "run-aaaaaaaa-0001") -> Path:
    """Write the hand-made warehouse to `path` (replacing it) and return the path."""
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute(DDL)
    for tid, created, district, status, trace in TICKETS:
        con.execute("insert into main.dim_tickets values "
                    "(?, ?, 'CUST1', ?, 'hotline', 'network.data_speed', 'network', 'high', "
                    "'slow data, 网速慢, \"urgent\"', ?, null, 'gold', 'individual', ?, 'noc', "
                    "?, ?, ?, ?, ?::timestamp - interval 3 day, ?::timestamp + interval 7 day, "
                    "?::timestamp + interval 1 day, ?)",
                    [tid, MSISDN if tid == F1_TICKET else f"1390000{tid[-4:]}", created,
                     district, status, trace, run_id,
                     "2026-03-02 10:00:00" if tid == F1_TICKET else None,
                     "network_fixed" if tid == F1_TICKET else None, created,
                     "2026-03-02 10:00:00" if tid == F1_TICKET else None,
                     "2026-03-02 10:00:00" if tid == F1_TICKET else None, AS_OF])
        con.execute("insert into main.fct_audit_facts values (?, cast(? as date), ?, ?, "
                    "'default-urgent-gold', 45, 1080, "
                    "?, 'ticket_event', ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                    [tid, created, "2026-03-02 10:00:00" if tid == F1_TICKET else None,
                     "network_fixed" if tid == F1_TICKET else None,
                     "2026-03-02 02:40:00" if tid == F1_TICKET else None,
                     "E2" if tid == F1_TICKET else None, 40.0 if tid == F1_TICKET else None,
                     "2026-03-02 02:45:00", "2026-03-02 20:00:00",
                     480.0 if tid == F1_TICKET else None, 480.0, tid != F1_TICKET, trace,
                     "A1,A7" if tid == F1_TICKET else None])
    con.execute("""insert into main.fct_ticket_cells values
        (?, 'C2', 2, 1800, 2, 'Tianhe-2', 'S1', '5G', 'micro', 'tianhe', 23.1, 113.3, 'active',
         70, 0, 40, 80, 99, 0.5, 97, 12.5, 20, 0, 42, 85, 99.1, 0.4, 96, 3.5),
        (?, 'C1', 1, 5400, 3, 'Tianhe-1', 'S1', '4G', 'macro', 'tianhe', 23.1, 113.3, 'active',
         72, 3, 60, 7.5, 97.5, 1.1, 93, 30.0, 24, 20, 88, 3.1, 90.2, 4.2, 80, 2.0)""",
                [F1_TICKET, F1_TICKET])
    con.executemany("insert into main.fct_ticket_timeline values "
                    "(md5(? || ?), ?, ?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?)",
                    [[F1_TICKET, row[4], F1_TICKET, *row] for row in TIMELINE])
    # the timeline mart holds the network items too; the trace takes them per cell from here
    con.executemany("insert into main.fct_cell_network_events values "
                    "(md5(? || ?), ?, ?, ?, 'netops', ?, ?, ?, ?, ?, ?, 'inv-1')",
                    [[row[1], row[4], row[5], row[0], row[1], row[3], row[4], row[7], row[8],
                      row[9], row[10]] for row in TIMELINE if row[1] in NETWORK_TYPES]
                    + [[t, r, c, at, t, "alarms" if t.startswith("alarm") else "cell_kpi_hourly",
                        r, st, code, detail, summary]
                       for at, t, r, c, st, code, detail, summary in DECOY_EVENTS])
    con.execute("insert into main.fct_ticket_timeline values ('x9', ?, '2026-03-02 03:00:00', "
                "'ticket_event', 'ticketing', 'ticket_events', 'E9', null, 'service_desk', null, "
                "'acknowledged', null, null, 'created')", [MISSING_TICKET])
    con.execute("""insert into main.fct_cell_degradation_episodes values
        ('EP1', 'C1', '2026-03-02 02:00:00', '2026-03-02 05:00:00', 3, 4.5, null, 3.1, null, null),
        ('EP0', 'C9', '2026-03-02 02:00:00', '2026-03-02 04:00:00', 3, 4.5, null, null, null, null)
    """)
    con.execute("""insert into main.stg_netops__alarms values
        ('A1', 'C1', '2026-03-02 01:00:00', null, 'critical', 'cell_out_of_service'),
        ('A7', 'C1', '2026-02-01 01:00:00', null, 'major', 'transmission_failure'),
        ('A0', 'C1', '2026-01-01 01:00:00', '2026-01-01 02:00:00', 'minor', 'vswr_high'),
        ('A8', 'C1', '2026-03-06 01:00:00', null, 'major', 'power_failure'),
        ('A9', 'C9', '2026-03-02 01:00:00', null, 'critical', 'power_failure')""")
    con.execute("""insert into main.stg_crm__customers values
        ('CUST1', ?, '张老三', 'silver', null, '2026-03-01 00:00:00'),
        ('CUST1', ?, ?, 'gold', '2026-03-01 00:00:00', null)""", [MSISDN, MSISDN, CUSTOMER_NAME])
    con.execute("""insert into audit.findings values
        (?, 'F1', 'alarm_active_at_resolution', 'high', 'noc',
         '{"alarm_ids": ["A1"], "cell_ids": ["C1"], "msisdn": "13812341234"}', ?,
         '2026-03-05 00:00:00', '2026-03-05 00:01:00', '2026-03-02'),
        (?, 'T1', 'resolve_timeout', 'medium', 'noc', '{"clock_minutes": 1200}', ?,
         '2026-03-05 00:00:00', '2026-03-05 00:01:00', '2026-03-02'),
        (?, 'T3', 'overdue_open', 'high', 'field_ops', '{"clock_minutes": 4000}', ?,
         '2026-03-05 00:00:00', '2026-03-05 00:01:00', '2026-03-03')""",
                [F1_TICKET, run_id, MISSING_TICKET, run_id, "TT0004", run_id])
    # open tickets' running limits at the as-of (2026-03-05 00:00): TT0004 overdue by 120 min,
    # TT0005 at 90 % (first contact), TT0003 at 75 %, TT0006 at 50 % exactly, TT0007 below 50 %
    con.execute("""insert into main.fct_sla_warnings
        select t, l, lim, used, used / lim, lim - used, d::timestamp, lvl, used > lim, dep,
               'high', timestamp '2026-03-05 00:00:00'
        from (values
            ('TT0004', 'resolution', 1080.0, 1200.0, '2026-03-04 22:00:00', 90, 'field_ops'),
            ('TT0005', 'first_contact', 45.0, 41.0, '2026-03-05 00:04:00', 90, 'noc'),
            ('TT0005', 'resolution', 1080.0, 300.0, '2026-03-05 13:00:00', null, 'noc'),
            ('TT0003', 'resolution', 1080.0, 810.0, '2026-03-05 04:30:00', 75, 'noc'),
            ('TT0006', 'resolution', 1080.0, 540.0, '2026-03-05 09:00:00', 50, 'field_ops'),
            ('TT0007', 'resolution', 1080.0, 100.0, '2026-03-05 16:20:00', null, 'noc'),
            ('TT0007', 'appeal', 21600.0, 11000.0, '2026-03-20 00:00:00', 50, 'noc'))
            as w(t, l, lim, used, d, lvl, dep)""")
    # TT0005: running 60 min from creation, paused 30 min pending the customer, running since
    con.execute("""insert into main.fct_sla_clock_segments values
        ('TT0005', 0, 'running', '2026-03-04 23:19:00', '2026-03-05 00:19:00', null, 'created',
         null, 60.0, 60.0),
        ('TT0005', 1, 'paused', '2026-03-05 00:19:00', '2026-03-05 00:49:00', 'E-TT0005-1',
         'pending_customer', 'noc', 0.0, 60.0),
        ('TT0005', 2, 'running', '2026-03-05 00:49:00', null, 'E-TT0005-2', 'customer_replied',
         'noc', 240.0, 300.0)""")
    con.execute("""insert into main.dim_audit_rules values
        ('F1', 'alarm_active_at_resolution', 'high', 'alarm', 'rule_catalog'),
        ('T1', 'resolve_timeout', 'medium', 'late', 'rule_catalog'),
        ('T3', 'overdue_open', 'high', 'open', 'rule_catalog')""")
    con.execute("""insert into main.kpi_thresholds values ('drop_rate_pct', '4G', '>', 2.0),
        ('prb_util_dl_pct', '4G', '>', 85.0)""")
    # C1's hours from 2026-02-27 to 2026-03-04 (one null hour: no data), C9's too (unlinked)
    con.execute("""insert into main.int_cell_kpi_hours_flagged
        select cell, hour, '4G', case when hour = '2026-03-02 03:00:00' then 4.0 else 1.0 end,
               hour = '2026-03-02 03:00:00', 98, false, 20, false,
               case when hour = '2026-03-01 12:00:00' then null else 50 end, false, 95, false,
               1.5, 10, true, hour, hour = '2026-03-02 03:00:00'
        from (values ('C1'), ('C9')) as c(cell),
             generate_series(timestamp '2026-02-27 00:00:00', timestamp '2026-03-04 23:00:00',
                             interval 1 hour) as g(hour)""")
    con.execute("""insert into audit.agg_audit_daily values
        ('2026-03-02', 'F1', 'noc', 2, 1, 0.5), ('2026-03-02', 'T1', 'noc', 2, 1, 0.5),
        ('2026-03-02', 'T3', 'field_ops', 5, 1, 0.2)""")
    con.close()
    return path
