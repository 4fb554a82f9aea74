{{ config(**by_ticket_config(changed_by='rows')) }}
-- One row per ticket event by as-of, in order, with the clock state after it (audit-rules §1-2).
--
-- Incremental by ticket, by new rows only (`changed_by='rows'`: nothing here moves with a
-- running clock): a build re-sequences the tickets changed since its last one
-- (int_tickets_changed).

with

all_tickets as (
    select ticket_id, created_at from {{ ref('int_tickets_tiered') }}
),

all_events as (
    select * from {{ ref('stg_ticketing__ticket_events') }}
    where event_at <= {{ as_of() }}
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

events as (
    select all_events.*
    from all_events
    inner join tickets
        on tickets.ticket_id = all_events.ticket_id
),

loaded_through as (
    -- the newest input row this build has seen: the next build looks for rows loaded later
    {{ loaded_through([ref('stg_ticketing__ticket_events'), ref('stg_ticketing__tickets')]) }}
),

ordered as (
    -- audit-rules §1: order by event_at, then event_id (events arrive out of order)
    select
        events.*,
        tickets.created_at,
        row_number() over (
            partition by events.ticket_id order by events.event_at, events.event_id
        ) as event_seq,
        lead(events.event_at) over (
            partition by events.ticket_id order by events.event_at, events.event_id
        ) as next_event_at
    from events
    inner join tickets
        on tickets.ticket_id = events.ticket_id
),

markers as (
    -- the last event so far of each kind decides the clock, so no row-by-row state machine
    select
        *,
        max(case when action in ('resolved', 'closed', 'cancelled') then event_seq end)
            over running_events as last_stop_seq,
        max(case when action = 'reopened' then event_seq end)
            over running_events as last_reopen_seq,
        max(case when action = 'pending_customer' then event_seq end)
            over running_events as last_pending_seq,
        -- pending ends at the next event whose status is not `pending` (audit-rules §2)
        max(
            case
                when action <> 'pending_customer' and coalesce(status_after, '') <> 'pending'
                    then event_seq
            end
        ) over running_events as last_leave_pending_seq
    from ordered
    window running_events as (
        partition by ticket_id order by event_seq
        rows between unbounded preceding and current row
    )
),

clock_states as (
    select
        *,
        case
            -- resolved, closed or cancelled stops the clock until a reopen
            when coalesce(last_stop_seq, 0) > coalesce(last_reopen_seq, 0) then 'stopped'
            when coalesce(last_pending_seq, 0) > coalesce(last_reopen_seq, 0)
                and coalesce(last_pending_seq, 0) > coalesce(last_leave_pending_seq, 0)
                then 'paused'
            else 'running'
        end as clock_state_after
    from markers
)

select
    event_id,
    ticket_id,
    event_seq,
    event_at,
    next_event_at,
    created_at,
    action,
    status_after,
    department,
    operator_id,
    closure_code,
    note,
    clock_state_after,
    _source_file,
    _source_row,
    {{ as_of() }} as built_as_of,
    loaded_through.loaded_through,
    {{ changes_through() }} as changes_through
from clock_states
cross join loaded_through
