{{ config(**by_ticket_config()) }}
-- One row per ticket and step rule of seed step_policy it started (audit-rules §10): the step
-- clock from the first `from_action` event (`created`: the ticket's creation) to the first
-- `to_action` event after it, or to as-of while the step is not done, counted like the
-- resolution clock (its running segments only) on the rule's calendar (§9); the limit of the
-- ticket's priority, the instant the clock reached it and who owned the ticket then. The
-- rule audits a step that was done, or is still due on a ticket open at as-of; cancelled and
-- timeout-exempt tickets are not audited. A new seed row is a new rule: no code names one.
--
-- Incremental by ticket: a build rebuilds the tickets changed since its last one
-- (int_tickets_changed), which stamps every ticket whose clock still runs.

with

affected_tickets as (
    {{ changed_tickets() }}
),

facts as (
    select
        ticket_id, created_at, created_date_local, priority, category_family,
        is_exempt_from_timeouts, is_open_at_as_of, owning_department
    from {{ ref('fct_audit_facts') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

lifecycle as (
    select ticket_id, first_department from {{ ref('int_tickets_resolved') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

events as (
    select ticket_id, event_seq, event_id, event_at, action, department
    from {{ ref('int_ticket_events_sequenced') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

segments as (
    select ticket_id, segment_start_at, segment_end_at
    from {{ ref('int_ticket_clock_segmented') }}
    where clock_state = 'running'
        and ticket_id in (select ticket_id from affected_tickets)
),

rules_applying as (
    select
        facts.*,
        step_policy.rule_id,
        step_policy.rule_name,
        step_policy.from_action,
        step_policy.to_action,
        step_policy.calendar as step_calendar,
        case facts.priority
            when 'urgent' then step_policy.urgent_minutes
            when 'high' then step_policy.high_minutes
            when 'normal' then step_policy.normal_minutes
            when 'low' then step_policy.low_minutes
        end as step_limit_minutes
    from facts
    inner join {{ ref('step_policy') }} as step_policy
        on step_policy.category_family is null
        or step_policy.category_family = facts.category_family
),

first_from_events as (
    select rules_applying.ticket_id, rules_applying.rule_id, min(events.event_seq) as from_seq
    from rules_applying
    inner join events
        on events.ticket_id = rules_applying.ticket_id
        and events.action = rules_applying.from_action
    group by rules_applying.ticket_id, rules_applying.rule_id
),

started as (
    -- `created` starts at creation whether or not a `created` event came (its steps are
    -- those after the first event, or any at all)
    select
        rules_applying.*,
        case when rules_applying.from_action = 'created' then 0
             else first_from_events.from_seq end as from_seq,
        case when rules_applying.from_action = 'created' then null
             else from_event.event_id end as from_event_id,
        case when rules_applying.from_action = 'created' then rules_applying.created_at
             else from_event.event_at end as step_started_at
    from rules_applying
    left join first_from_events
        on first_from_events.ticket_id = rules_applying.ticket_id
        and first_from_events.rule_id = rules_applying.rule_id
    left join events as from_event
        on from_event.ticket_id = rules_applying.ticket_id
        and from_event.event_seq = first_from_events.from_seq
    where rules_applying.from_action = 'created' or first_from_events.from_seq is not null
),

first_to_events as (
    select started.ticket_id, started.rule_id, min(events.event_seq) as to_seq
    from started
    inner join events
        on events.ticket_id = started.ticket_id
        and events.action = started.to_action
        and events.event_seq > started.from_seq
    group by started.ticket_id, started.rule_id
),

windows as (
    select
        started.*,
        to_event.event_id as to_event_id,
        to_event.event_at as step_done_at,
        coalesce(to_event.event_at, {{ as_of() }}) as step_clock_end_at
    from started
    left join first_to_events
        on first_to_events.ticket_id = started.ticket_id
        and first_to_events.rule_id = started.rule_id
    left join events as to_event
        on to_event.ticket_id = started.ticket_id
        and to_event.event_seq = first_to_events.to_seq
),

pieces as (
    -- the running segments of the SLA clock inside the step's window
    select
        windows.ticket_id,
        windows.rule_id,
        windows.step_calendar,
        windows.step_limit_minutes,
        greatest(segments.segment_start_at, windows.step_started_at) as piece_start_at,
        least(coalesce(segments.segment_end_at, {{ as_of() }}), windows.step_clock_end_at)
            as piece_end_at
    from windows
    inner join segments
        on segments.ticket_id = windows.ticket_id
        and segments.segment_start_at < windows.step_clock_end_at
        and coalesce(segments.segment_end_at, {{ as_of() }}) > windows.step_started_at
),

pieces_counted as (
    select
        pieces.*,
        {{ calendar_ms_at('pieces.step_calendar', 'start_day', 'pieces.piece_start_at') }}
            as start_ms,
        {{ calendar_ms_at('pieces.step_calendar', 'end_day', 'pieces.piece_end_at') }}
            as end_ms
    from pieces
    {{ calendar_day_join('start_day', 'pieces.step_calendar', 'pieces.piece_start_at') }}
    {{ calendar_day_join('end_day', 'pieces.step_calendar', 'pieces.piece_end_at') }}
),

pieces_accumulated as (
    select
        pieces_counted.*,
        coalesce(sum(end_ms - start_ms) over (
            partition by ticket_id, rule_id order by piece_start_at
            rows between unbounded preceding and 1 preceding
        ), 0) as ms_before
    from pieces_counted
),

step_clocks as (
    select ticket_id, rule_id, sum(end_ms - start_ms) / 60000.0 as step_clock_minutes
    from pieces_accumulated
    group by ticket_id, rule_id
),

deadlines as (
    {{ limit_reached_at('pieces_accumulated', ['ticket_id', 'rule_id'], 'step_calendar',
                        'piece_start_at', 'start_ms', 'ms_before', 'end_ms - start_ms',
                        'step_limit_minutes * 60000', 1) }}
),

deadline_owners as (
    {{ department_at('deadlines', ['ticket_id', 'rule_id'], 'deadline_at', 'events') }}
),

steps as (
    select
        windows.ticket_id,
        windows.rule_id,
        windows.rule_name,
        windows.from_action,
        windows.to_action,
        windows.step_calendar,
        windows.step_limit_minutes,
        windows.from_event_id,
        windows.step_started_at,
        windows.to_event_id,
        windows.step_done_at,
        windows.step_done_at is not null as is_step_done,
        coalesce(step_clocks.step_clock_minutes, 0) as step_clock_minutes,
        deadlines.deadline_at as step_deadline_at,
        case when deadlines.deadline_at is not null
            then coalesce(deadline_owners.department, lifecycle.first_department)
        end as step_deadline_department,
        windows.owning_department,
        windows.priority,
        windows.created_at,
        windows.created_date_local,
        windows.is_open_at_as_of,
        -- a step is audited once done, or while still due on an open ticket; a ticket
        -- resolved or cancelled without it did not need it
        not coalesce(windows.is_exempt_from_timeouts, false)
            and (windows.step_done_at is not null or coalesce(windows.is_open_at_as_of, false))
            as is_audited
    from windows
    inner join lifecycle
        on lifecycle.ticket_id = windows.ticket_id
    left join step_clocks
        on step_clocks.ticket_id = windows.ticket_id
        and step_clocks.rule_id = windows.rule_id
    left join deadlines
        on deadlines.ticket_id = windows.ticket_id
        and deadlines.rule_id = windows.rule_id
    left join deadline_owners
        on deadline_owners.ticket_id = windows.ticket_id
        and deadline_owners.rule_id = windows.rule_id
)

select
    steps.*,
    {{ lineage_columns() }},
    {{ changes_through() }} as changes_through
from steps
