{{ config(**by_ticket_config(changed_by='rows')) }}
-- One row per ticket created by as-of: resolution, cancellation, reopen and status at as-of
-- (audit-rules §1).
--
-- Incremental by ticket, by new rows only (`changed_by='rows'`: nothing here moves with a
-- running clock): a build rebuilds the tickets changed since its last one
-- (int_tickets_changed).

with

affected_tickets as (
    {{ changed_tickets() }}
),

tickets as (
    select ticket_id from {{ ref('int_tickets_tiered') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

events as (
    select * from {{ ref('int_ticket_events_sequenced') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

resolutions_ranked as (
    -- the last `resolved`; `closed` counts only when the ticket was never resolved
    select
        ticket_id,
        event_id,
        event_at,
        closure_code,
        department,
        row_number() over (
            partition by ticket_id
            order by case when action = 'resolved' then 1 else 0 end desc, event_seq desc
        ) as resolution_rank
    from events
    where action in ('resolved', 'closed')
),

reopens_ranked as (
    select
        ticket_id,
        event_id,
        event_at,
        row_number() over (partition by ticket_id order by event_seq) as reopen_rank
    from events
    where action = 'reopened'
),

per_ticket as (
    select
        ticket_id,
        max(case when action = 'cancelled' then 1 else 0 end) = 1 as is_cancelled,
        max(event_seq) as last_event_seq,
        min(case when department is not null then event_seq end) as first_department_seq,
        max(case when department is not null then event_seq end) as last_department_seq
    from events
    group by ticket_id
),

lifecycle as (
    select
        tickets.ticket_id,
        coalesce(per_ticket.is_cancelled, false) as is_cancelled,
        resolutions_ranked.event_id as resolving_event_id,
        resolutions_ranked.event_at as resolved_at,
        -- a trace shows network events on the linked cells until this time (audit-rules §7);
        -- while the ticket is unresolved (null), until as-of
        {{ dbt.dateadd('day', var('timeline_after_resolution_days'),
                       'resolutions_ranked.event_at') }} as network_window_end_at,
        resolutions_ranked.closure_code,
        resolutions_ranked.department as resolving_department,
        reopens_ranked.event_id as reopen_event_id,
        reopens_ranked.event_id is not null as was_reopened,
        reopens_ranked.event_at as reopened_at,
        last_event.status_after as status_at_as_of,
        last_event.action as last_action,
        last_event.event_at as last_event_at,
        -- no event yet: the ticket is open and its clock runs (audit-rules §1)
        coalesce(last_event.clock_state_after, 'running') <> 'stopped' as is_open_at_as_of,
        first_department.department as first_department,
        owner_event.department as owning_department
    from tickets
    left join per_ticket
        on per_ticket.ticket_id = tickets.ticket_id
    left join resolutions_ranked
        on resolutions_ranked.ticket_id = tickets.ticket_id
        and resolutions_ranked.resolution_rank = 1
    left join reopens_ranked
        on reopens_ranked.ticket_id = tickets.ticket_id
        and reopens_ranked.reopen_rank = 1
    left join events as last_event
        on last_event.ticket_id = tickets.ticket_id
        and last_event.event_seq = per_ticket.last_event_seq
    left join events as first_department
        on first_department.ticket_id = tickets.ticket_id
        and first_department.event_seq = per_ticket.first_department_seq
    left join events as owner_event
        on owner_event.ticket_id = tickets.ticket_id
        and owner_event.event_seq = per_ticket.last_department_seq
)

select
    lifecycle.*,
    {{ changes_through() }} as changes_through
from lifecycle
