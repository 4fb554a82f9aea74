{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ drop_rows_when_rebuilding_all() }}"
    )
}}
-- One row per ticket and linked cell: the cells the complainant used in the complaint window
-- [created_at - window, created_at], ranked by attached seconds (ties by cell id), top N kept
-- (audit-rules §3).
--
-- Incremental by ticket: a window closes at creation, so a run only links tickets created
-- since the last build's as-of, tickets re-delivered since, and tickets whose closed window
-- received late session hours. An earlier as-of than the last build's relinks every ticket.

with

all_tickets as (
    select ticket_id, msisdn, created_at, complaint_window_start_at
    from {{ ref('int_tickets_tiered') }}
),

sessions as (
    select * from {{ ref('stg_netops__user_cell_sessions') }}
),

raw_tickets as (
    select ticket_id, _loaded_at from {{ ref('stg_ticketing__tickets') }}
),

{%- set previous = previous_build_state() %}
{% if is_incremental() and not previous.rebuild_all %}
affected_tickets as (
    select all_tickets.ticket_id
    from all_tickets
    where all_tickets.created_at > {{ previous.as_of }}
    union
    select raw_tickets.ticket_id
    from raw_tickets
    where raw_tickets._loaded_at > {{ previous.loaded_through }}
    union
    select all_tickets.ticket_id
    from all_tickets
    inner join sessions
        on sessions.msisdn = all_tickets.msisdn
        and sessions.period_start >= all_tickets.complaint_window_start_at
        and sessions.period_start <= all_tickets.created_at
    where sessions._loaded_at > {{ previous.loaded_through }}
),
{% else %}
affected_tickets as (
    select ticket_id from all_tickets
),
{% endif %}

tickets as (
    select all_tickets.*
    from all_tickets
    inner join affected_tickets
        on affected_tickets.ticket_id = all_tickets.ticket_id
),

dwell_in_window as (
    -- an equi-join on msisdn first, so the time condition only filters each subscriber's hours
    select
        tickets.ticket_id,
        sessions.cell_id,
        sum(sessions.duration_seconds) as dwell_seconds,
        count(*) as session_hours,
        min(sessions.period_start) as first_session_hour_at,
        max(sessions.period_start) as last_session_hour_at
    from tickets
    inner join sessions
        on sessions.msisdn = tickets.msisdn
        and sessions.period_start >= tickets.complaint_window_start_at
        and sessions.period_start <= tickets.created_at
    group by tickets.ticket_id, sessions.cell_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by ticket_id order by coalesce(dwell_seconds, 0) desc, cell_id
        ) as cell_rank
    from dwell_in_window
),

loaded as (
    {{ loaded_through([ref('stg_netops__user_cell_sessions'), ref('stg_ticketing__tickets')]) }}
),

linked as (
    select
        ranked.*,
        {{ as_of() }} as built_as_of,
        loaded.loaded_through,
        {{ lineage_columns() }}
    from ranked
    cross join loaded
    where ranked.cell_rank <= {{ var('linked_cells_top_n') }}
)

select * from linked
