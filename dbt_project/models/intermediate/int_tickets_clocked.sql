{{ config(**by_ticket_config()) }}
-- One row per ticket created by as-of: the SLA resolution clock (audit-rules §2) at resolution
-- and at as-of, pending time, the wall times at which each limit is reached, and who owned the
-- ticket then. Both limits count on the ticket's SLA calendar (audit-rules §9; pending time is
-- wall-clock).
--
-- Incremental by ticket: a build rebuilds the tickets changed since its last one
-- (int_tickets_changed).

{%- set resolution_limit_seconds = 'tickets.resolution_limit_minutes * 60' %}

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

segments as (
    select * from {{ ref('int_ticket_clock_segmented') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

events as (
    select * from {{ ref('int_ticket_events_sequenced') }}
    where department is not null
        and ticket_id in (select ticket_id from affected_tickets)
),

segments_measured as (
    select
        segments.*,
        lifecycle.resolved_at,
        {{ resolution_limit_seconds }} as limit_seconds,
        -- counted seconds up to as-of (the open last segment runs until it), and up to the
        -- (last) resolution: that is an event, so a segment starting before it ends by it
        segments.counted_seconds as running_seconds_to_as_of,
        case
            when segments.segment_start_at < lifecycle.resolved_at then segments.counted_seconds
            else 0
        end as running_seconds_to_resolution,
        -- pending time is wall-clock time, whatever the calendar
        case
            when segments.clock_state = 'paused'
                then coalesce(segments.segment_seconds,
                              {{ seconds_between('segments.segment_start_at', as_of()) }})
            else 0
        end as paused_seconds_to_as_of
    from segments
    inner join tickets
        on tickets.ticket_id = segments.ticket_id
    inner join lifecycle
        on lifecycle.ticket_id = segments.ticket_id
),

running_segments as (
    select * from segments_measured
    where clock_state = 'running'
),

resolution_deadlines as (
    -- an open-ended running segment projects the deadline past as-of, so handlers see a
    -- breach coming
    {{ limit_reached_at('running_segments', ['ticket_id'], 'sla_calendar', 'segment_start_at',
                        'counted_ms_at_start', 'running_seconds_before', 'counted_seconds',
                        'limit_seconds', 1000, open_ended='segment_end_at is null') }}
),

first_contact_clock as (
    -- the first-contact limit counts on the same calendar, from creation (no pauses: §2 T2)
    select
        tickets.ticket_id,
        tickets.sla_calendar,
        tickets.created_at,
        {{ calendar_ms_at('tickets.sla_calendar', 'created_day', 'tickets.created_at') }}
            as created_ms,
        {{ calendar_ms_at('tickets.sla_calendar', 'contact_day', 'contacts.first_contact_at') }}
            as first_contact_ms,
        {{ calendar_ms_at('tickets.sla_calendar', 'as_of_day', as_of()) }} as as_of_ms,
        tickets.first_contact_limit_minutes * 60000 as limit_ms
    from tickets
    inner join contacts
        on contacts.ticket_id = tickets.ticket_id
    {{ calendar_day_join('created_day', 'tickets.sla_calendar', 'tickets.created_at') }}
    {{ calendar_day_join('contact_day', 'tickets.sla_calendar', 'contacts.first_contact_at') }}
    {{ calendar_day_join('as_of_day', 'tickets.sla_calendar', as_of()) }}
),

first_contact_deadlines as (
    select
        first_contact_clock.*,
        {{ calendar_instant('first_contact_clock.sla_calendar', 'target_day',
                            'first_contact_clock.created_ms + first_contact_clock.limit_ms',
                            'first_contact_clock.created_at',
                            'first_contact_clock.created_ms') }} as first_contact_deadline_at
    from first_contact_clock
    {{ calendar_target_join('target_day', 'first_contact_clock.sla_calendar',
                            'first_contact_clock.created_ms + first_contact_clock.limit_ms') }}
),

clock_totals as (
    select
        ticket_id,
        sum(running_seconds_to_as_of) as clock_seconds_at_as_of,
        sum(running_seconds_to_resolution) as clock_seconds_at_resolution,
        sum(paused_seconds_to_as_of) as pending_seconds
    from segments_measured
    group by ticket_id
),

deadlines as (
    select
        tickets.ticket_id,
        first_contact_deadlines.first_contact_deadline_at,
        resolution_deadlines.deadline_at as resolution_deadline_at
    from tickets
    inner join first_contact_deadlines
        on first_contact_deadlines.ticket_id = tickets.ticket_id
    left join resolution_deadlines
        on resolution_deadlines.ticket_id = tickets.ticket_id
),

first_contact_owners as (
    {{ department_at('deadlines', ['ticket_id'], 'first_contact_deadline_at', 'events') }}
),

resolution_owners as (
    {{ department_at('deadlines', ['ticket_id'], 'resolution_deadline_at', 'events') }}
),

clocked as (
    select
        tickets.ticket_id,
        deadlines.first_contact_deadline_at,
        coalesce(first_contact_owners.department, lifecycle.first_department)
            as first_contact_deadline_department,
        deadlines.resolution_deadline_at,
        case
            when deadlines.resolution_deadline_at is null then null
            else coalesce(resolution_owners.department, lifecycle.first_department)
        end as resolution_deadline_department,
        (first_contact_deadlines.first_contact_ms - first_contact_deadlines.created_ms) / 60000.0
            as first_contact_delay_minutes,
        -- the first-contact clock at as-of, counted like the delay, while it runs: open and
        -- nobody has contacted the customer yet (the at-risk listing); null once it stopped,
        -- so a contacted or stopped ticket no longer changes as time passes
        case
            when lifecycle.is_open_at_as_of and contacts.first_contact_at is null then
                (first_contact_deadlines.as_of_ms - first_contact_deadlines.created_ms)
                / 60000.0
        end as first_contact_minutes_at_as_of,
        contacts.first_contact_at is null
            and deadlines.first_contact_deadline_at < least(
                coalesce(lifecycle.resolved_at, {{ as_of() }}), {{ as_of() }}
            ) as first_contact_deadline_passed_while_waiting,
        coalesce(contacts.first_contact_at < lifecycle.resolved_at, false)
            as has_contact_before_resolution,
        case
            when lifecycle.resolved_at is null then null
            else clock_totals.clock_seconds_at_resolution / 60.0
        end as resolution_clock_minutes,
        clock_totals.clock_seconds_at_as_of / 60.0 as clock_minutes_at_as_of,
        clock_totals.pending_seconds / 60.0 as pending_minutes
    from tickets
    inner join lifecycle
        on lifecycle.ticket_id = tickets.ticket_id
    inner join contacts
        on contacts.ticket_id = tickets.ticket_id
    inner join deadlines
        on deadlines.ticket_id = tickets.ticket_id
    inner join first_contact_deadlines
        on first_contact_deadlines.ticket_id = tickets.ticket_id
    left join clock_totals
        on clock_totals.ticket_id = tickets.ticket_id
    left join first_contact_owners
        on first_contact_owners.ticket_id = tickets.ticket_id
    left join resolution_owners
        on resolution_owners.ticket_id = tickets.ticket_id
)

select
    clocked.*,
    {{ changes_through() }} as changes_through
from clocked
