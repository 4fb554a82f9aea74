-- One row per ticket open at as-of and SLA limit still running on it: the share of the limit
-- used, the time left (negative: overdue by), the warning level reached (seed
-- sla_warning_levels: the highest level whose share the clock has reached) and the department
-- that owns the ticket now, so a handler sees a breach coming (audit-rules §2).
-- The resolution limit counts the SLA clock (pauses held); the first-contact limit, while no
-- operator has contacted the customer yet, counts the time from creation; both on the
-- ticket's SLA calendar (audit-rules §9), so minutes are calendar minutes; the appeal
-- window (R1, audit-rules §11: var appeal_window_days) counts wall-clock days from creation
-- and, unlike the SLA limits, is breached when reached.

with

tickets as (
    select * from {{ ref('dim_tickets') }}
    where is_open_at_as_of and not coalesce(is_cancelled, false)
),

levels as (
    select warning_level_pct from {{ ref('sla_warning_levels') }}
),

limits as (
    select
        ticket_id,
        'resolution' as sla_limit,
        resolution_limit_minutes as limit_minutes,
        clock_minutes_at_as_of as used_minutes,
        resolution_deadline_at as deadline_at,
        owning_department,
        priority
    from tickets
    where resolution_limit_minutes is not null
    union all
    select
        ticket_id,
        'first_contact' as sla_limit,
        first_contact_limit_minutes as limit_minutes,
        first_contact_minutes_at_as_of as used_minutes,
        first_contact_deadline_at as deadline_at,
        owning_department,
        priority
    from tickets
    where first_contact_at is null and first_contact_limit_minutes is not null
    union all
    select
        ticket_id,
        'appeal' as sla_limit,
        {{ var('appeal_window_days') }} * 1440.0 as limit_minutes,
        {{ seconds_between('created_at', as_of()) }} / 60.0 as used_minutes,
        {{ dbt.dateadd('day', var('appeal_window_days'), 'created_at') }} as deadline_at,
        owning_department,
        priority
    from tickets
),

measured as (
    select
        *,
        used_minutes / nullif(limit_minutes, 0) as share_used,
        limit_minutes - used_minutes as minutes_left,
        -- "more than" an SLA limit is a breach (T2, T3), reaching it exactly is not yet; the
        -- appeal window is reached at "15 days or more" (R1)
        case when sla_limit = 'appeal' then used_minutes >= limit_minutes
             else used_minutes > limit_minutes end as is_breached
    from limits
),

leveled as (
    select
        measured.*,
        (
            select max(levels.warning_level_pct)
            from levels
            -- in minutes, not as a share: exact at the level itself (360 of 720 is 50 %)
            where measured.used_minutes * 100 >= levels.warning_level_pct * measured.limit_minutes
        ) as warning_level_pct
    from measured
)

select
    ticket_id,
    sla_limit,
    limit_minutes,
    used_minutes,
    share_used,
    minutes_left,
    deadline_at,
    warning_level_pct,
    is_breached,
    owning_department as department,
    priority,
    {{ as_of() }} as as_of
from leveled
