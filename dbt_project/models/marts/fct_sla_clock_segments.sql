{{ config(**by_ticket_config()) }}
-- One row per ticket and segment of its resolution clock by as-of (audit-rules §12): the
-- state that held (running, paused, stopped), the event that began it (`created` for the
-- first), the clock minutes it counted on the SLA calendar (running segments only; the open
-- last one until as-of) and the running total after it, so a person can see why a deadline
-- fell where it did. The last row's total is the clock at as-of (`dim_tickets.clock_minutes_at_as_of`).
--
-- Incremental by ticket: a build rebuilds the tickets changed since its last one
-- (int_tickets_changed), which stamps every ticket whose clock still runs.

with

affected_tickets as (
    {{ changed_tickets() }}
),

segments as (
    select * from {{ ref('int_ticket_clock_segmented') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

events as (
    select ticket_id, event_seq, event_id, action, department
    from {{ ref('int_ticket_events_sequenced') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

measured as (
    select
        segments.ticket_id,
        segments.segment_seq,
        segments.clock_state,
        segments.segment_start_at,
        segments.segment_end_at,
        events.event_id as began_by_event_id,
        coalesce(events.action, 'created') as began_by,
        events.department as began_by_department,
        segments.counted_seconds / 60.0 as counted_minutes
    from segments
    left join events
        on events.ticket_id = segments.ticket_id
        and events.event_seq = segments.segment_seq
    where segments.segment_start_at <= {{ as_of() }}
        -- an instant between two events at the same time (or creation and its `created`
        -- event) counts nothing and explains nothing
        and (segments.segment_end_at is null
             or segments.segment_end_at > segments.segment_start_at)
)

select
    measured.*,
    sum(measured.counted_minutes) over (
        partition by measured.ticket_id
        order by measured.segment_seq
        rows between unbounded preceding and current row
    ) as running_total_minutes,
    {{ lineage_columns() }},
    {{ changes_through() }} as changes_through
from measured
