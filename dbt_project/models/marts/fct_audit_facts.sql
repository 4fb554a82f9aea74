{{ config(**by_ticket_config()) }}
-- One row per ticket created by as-of with every fact rules T1-T3 and F1-F5 need
-- (audit-rules §2, §5), so the audit compares facts with limits and computes nothing.
-- Columns are an interface: docs/architecture.md, "fct_audit_facts".
--
-- Incremental by ticket: a build rebuilds the tickets changed since its last one
-- (int_tickets_changed).

with

affected_tickets as (
    {{ changed_tickets() }}
),

tickets as (
    select * from {{ ref('int_tickets_tiered') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

lifecycle as (
    select * from {{ ref('int_tickets_resolved') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

contacts as (
    select * from {{ ref('int_tickets_contacted') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

clock as (
    select * from {{ ref('int_tickets_clocked') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

closure_codes as (
    select * from {{ ref('closure_codes') }}
),

linked_cells as (
    select * from {{ ref('int_tickets_linked_to_cells') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

cell_measures as (
    select * from {{ ref('int_ticket_cells_measured') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

uncleared_alarms as (
    select * from {{ ref('int_ticket_alarms_uncleared') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

repeats as (
    select * from {{ ref('int_tickets_repeated') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

surveys as (
    select * from {{ ref('stg_ticketing__surveys') }}
    where surveyed_at <= {{ as_of() }}
        and ticket_id in (select ticket_id from affected_tickets)
),

linked_cell_counts as (
    select ticket_id, count(*) as linked_cell_count
    from linked_cells
    group by ticket_id
),

alarm_facts as (
    select
        ticket_id,
        count(*) as f1_alarm_count,
        {{ dbt.listagg('alarm_id', "','", 'order by alarm_id') }} as f1_alarm_ids,
        {{ dbt.listagg('distinct cell_id', "','", 'order by cell_id') }} as f1_cell_ids,
        min(severity_rank) as f1_max_severity_rank
    from uncleared_alarms
    group by ticket_id
),

alarm_severities as (
    select distinct ticket_id, severity_rank, severity
    from uncleared_alarms
),

kpi_candidates as (
    -- only a cell that was degraded in the complaint window can fail to recover; the worst
    -- one is reported
    select
        cell_measures.*,
        row_number() over (
            partition by cell_measures.ticket_id
            order by
                cell_measures.after_degraded_share desc nulls last,
                cell_measures.after_degraded_hours desc,
                linked_cells.cell_rank
        ) as worst_rank
    from cell_measures
    inner join linked_cells
        on linked_cells.ticket_id = cell_measures.ticket_id
        and linked_cells.cell_id = cell_measures.cell_id
    where cell_measures.window_degraded_hours > 0
),

disputing_surveys as (
    select
        surveys.ticket_id,
        min(surveys.surveyed_at) as disputing_survey_at
    from surveys
    inner join lifecycle
        on lifecycle.ticket_id = surveys.ticket_id
    where surveys.surveyed_at > lifecycle.resolved_at
        and surveys.is_resolution_confirmed = false
    group by surveys.ticket_id
),

facts as (
    select
        tickets.ticket_id,
        tickets.msisdn,
        tickets.created_at,
        tickets.category,
        tickets.category_family,
        tickets.priority,
        tickets.tier_at_creation,
        tickets.created_date_local,
        tickets.channel,
        tickets.segment,
        tickets.sla_tier,
        tickets.policy_id,
        lifecycle.is_cancelled,
        lifecycle.closure_code,
        coalesce(closure_codes.claims_network_fix, false) as claims_network_fix,
        lifecycle.is_cancelled or coalesce(closure_codes.exempt_from_timeouts, false)
            as is_exempt_from_timeouts,
        coalesce(closure_codes.exempt_from_contact_check, false)
            as is_exempt_from_contact_check,
        tickets.first_contact_limit_minutes,
        tickets.resolution_limit_minutes,
        contacts.first_contact_at,
        contacts.first_contact_source,
        contacts.first_contact_record_id,
        clock.first_contact_delay_minutes,
        clock.first_contact_deadline_at,
        clock.first_contact_deadline_passed_while_waiting,
        clock.first_contact_deadline_department,
        lifecycle.resolved_at,
        lifecycle.resolving_event_id,
        lifecycle.resolving_department,
        clock.resolution_clock_minutes,
        lifecycle.is_open_at_as_of,
        clock.clock_minutes_at_as_of,
        clock.pending_minutes,
        clock.resolution_deadline_at,
        clock.resolution_deadline_department,
        clock.has_contact_before_resolution,
        coalesce(alarm_facts.f1_alarm_count, 0) as f1_alarm_count,
        alarm_facts.f1_alarm_ids,
        alarm_facts.f1_cell_ids,
        alarm_severities.severity as f1_max_severity,
        kpi_candidates.cell_id as f2_cell_id,
        kpi_candidates.after_degraded_share as f2_degraded_share,
        kpi_candidates.after_hours_with_data as f2_hours_with_data,
        kpi_candidates.after_degraded_hours as f2_degraded_hours,
        repeats.next_same_family_ticket_id,
        repeats.hours_to_next_same_family_ticket,
        lifecycle.was_reopened,
        lifecycle.reopen_event_id,
        disputing_surveys.ticket_id is not null as has_disputing_survey,
        disputing_surveys.disputing_survey_at,
        -- R1 (audit-rules §11): wall-clock days from creation, whatever the calendar
        lifecycle.reopened_at,
        lifecycle.owning_department,
        case when lifecycle.is_open_at_as_of then
            {{ seconds_between('tickets.created_at', as_of()) }} / 86400.0
        end as days_open_at_as_of,
        {{ seconds_between('tickets.created_at', 'lifecycle.reopened_at') }} / 86400.0
            as days_to_first_reopen,
        {{ seconds_between('tickets.created_at', 'disputing_surveys.disputing_survey_at') }}
            / 86400.0 as days_to_disputing_survey,
        coalesce(linked_cell_counts.linked_cell_count, 0) as linked_cell_count,
        case
            when linked_cell_counts.linked_cell_count > 0 then 'present' else 'missing'
        end as network_trace,
        {{ lineage_columns() }}
    from tickets
    inner join lifecycle
        on lifecycle.ticket_id = tickets.ticket_id
    inner join contacts
        on contacts.ticket_id = tickets.ticket_id
    inner join clock
        on clock.ticket_id = tickets.ticket_id
    left join closure_codes
        on closure_codes.closure_code = lifecycle.closure_code
    left join linked_cell_counts
        on linked_cell_counts.ticket_id = tickets.ticket_id
    left join alarm_facts
        on alarm_facts.ticket_id = tickets.ticket_id
    left join alarm_severities
        on alarm_severities.ticket_id = tickets.ticket_id
        and alarm_severities.severity_rank = alarm_facts.f1_max_severity_rank
    left join kpi_candidates
        on kpi_candidates.ticket_id = tickets.ticket_id
        and kpi_candidates.worst_rank = 1
    left join repeats
        on repeats.ticket_id = tickets.ticket_id
    left join disputing_surveys
        on disputing_surveys.ticket_id = tickets.ticket_id
)

select
    facts.*,
    {{ changes_through() }} as changes_through
from facts
