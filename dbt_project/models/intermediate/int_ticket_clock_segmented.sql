{{ config(**by_ticket_config()) }}
-- One row per ticket and clock segment: the time between two consecutive events (and from
-- creation to the first event) with the clock state that held during it. The last segment
-- has no end: it lasts until whatever time a measure is taken at. A running segment counts
-- its time on the ticket's SLA calendar (audit-rules §9; the open last one until as-of), and
-- the time banked before each segment is where a deadline falls.
--
-- Incremental by ticket: a build rebuilds the tickets changed since its last one
-- (int_tickets_changed).

with

affected_tickets as (
    {{ changed_tickets() }}
),

tickets as (
    select ticket_id, created_at, sla_calendar from {{ ref('int_tickets_tiered') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

events as (
    select * from {{ ref('int_ticket_events_sequenced') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

first_events as (
    select ticket_id, event_at as first_event_at
    from events
    where event_seq = 1
),

before_first_event as (
    -- the clock starts at creation; a ticket with no event yet runs until as-of
    select
        tickets.ticket_id,
        0 as segment_seq,
        tickets.created_at as segment_start_at,
        first_events.first_event_at as segment_end_at,
        'running' as clock_state
    from tickets
    left join first_events
        on first_events.ticket_id = tickets.ticket_id
),

after_each_event as (
    select
        ticket_id,
        event_seq as segment_seq,
        event_at as segment_start_at,
        next_event_at as segment_end_at,
        clock_state_after as clock_state
    from events
),

unioned as (
    select * from before_first_event
    union all
    select * from after_each_event
),

clamped as (
    -- events stamped before creation must not add clock time before the ticket existed
    select
        unioned.ticket_id,
        unioned.segment_seq,
        unioned.clock_state,
        tickets.sla_calendar,
        greatest(unioned.segment_start_at, tickets.created_at) as segment_start_at,
        case
            when unioned.segment_end_at is null then null
            else greatest(unioned.segment_end_at, tickets.created_at)
        end as segment_end_at
    from unioned
    inner join tickets
        on tickets.ticket_id = unioned.ticket_id
),

{#- where the open last segment is measured to: as-of, unless the clock stopped (then it
    counts nothing, and a stopped ticket's rows stay the same as time passes) -#}
{%- set measured_end = "coalesce(clamped.segment_end_at, case when clamped.clock_state = "
    ~ "'stopped' then clamped.segment_start_at else " ~ as_of() ~ " end)" %}

measured as (
    -- W (macro calendar_ms_at) at the segment's start and at its end, or at as-of while open:
    -- events come by as-of, so no closed segment ends after it
    select
        clamped.*,
        case
            when clamped.segment_end_at is null then null
            else {{ seconds_between('clamped.segment_start_at', 'clamped.segment_end_at') }}
        end as segment_seconds,
        {{ calendar_ms_at('clamped.sla_calendar', 'start_day', 'clamped.segment_start_at') }}
            as counted_ms_at_start,
        {{ calendar_ms_at('clamped.sla_calendar', 'end_day', measured_end) }}
            as counted_ms_at_end
    from clamped
    {{ calendar_day_join('start_day', 'clamped.sla_calendar', 'clamped.segment_start_at') }}
    {{ calendar_day_join('end_day', 'clamped.sla_calendar', measured_end) }}
),

counted as (
    select
        *,
        case
            when clock_state = 'running' then (counted_ms_at_end - counted_ms_at_start) / 1000.0
            else 0
        end as counted_seconds
    from measured
),

accumulated as (
    -- counted seconds banked before each segment: where the limit is crossed gives the
    -- deadline
    select
        *,
        coalesce(sum(counted_seconds) over (
            partition by ticket_id order by segment_seq
            rows between unbounded preceding and 1 preceding
        ), 0) as running_seconds_before
    from counted
)

select
    accumulated.*,
    {{ changes_through() }} as changes_through
from accumulated
