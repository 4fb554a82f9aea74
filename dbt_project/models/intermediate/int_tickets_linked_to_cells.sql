{{ config(**by_ticket_config(changed_by='rows')) }}
-- One row per ticket and linked cell: the cells the complainant used in the complaint window
-- [created_at - window, created_at], ranked by attached seconds (ties by cell id), top N kept
-- (audit-rules §3).
--
-- Incremental by ticket, by new rows only (`changed_by='rows'`: nothing here moves with a
-- running clock): a build relinks the tickets changed since its last one
-- (int_tickets_changed: among others, those created or re-delivered since, and those whose
-- complaint window received late session hours).

with

all_tickets as (
    select ticket_id, msisdn, created_at, complaint_window_start_at
    from {{ ref('int_tickets_tiered') }}
),

sessions as (
    select * from {{ ref('stg_netops__user_cell_sessions') }}
),

affected_tickets as (
    {{ changed_tickets() }}
),

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
        {{ changes_through() }} as changes_through,
        {{ lineage_columns() }}
    from ranked
    cross join loaded
    where ranked.cell_rank <= {{ var('linked_cells_top_n') }}
)

select * from linked
