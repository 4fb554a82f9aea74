-- One row per calendar and local date (audit-rules §9): the day's working hours as UTC
-- instants and the working milliseconds banked on that calendar before the day begins. A
-- clock's counted time from a to b is W(b) - W(a), where W(t) is the banked time before t's
-- day plus the part of t's working hours already gone (macro calendar_ms_at); a deadline is
-- the instant W reaches a target (macro calendar_instant). So every clock counts calendar
-- minutes with one join per instant, not a loop over minutes.
--
-- `workdays`: the working days of seed calendar_cn_days (statutory holidays removed, make-up
-- days added), vars workday_start_local to workday_end_local in source_tz. `24x7` needs no
-- rows: every millisecond counts (W is the epoch time).

with

days as (
    select calendar_date, is_workday from {{ ref('calendar_cn_days') }}
),

working_hours as (
    select
        'workdays' as calendar,
        calendar_date,
        is_workday,
        {{ local_to_utc("cast(calendar_date as timestamp) + cast('"
                         ~ var('workday_start_local') ~ "' as interval)") }} as work_start_at,
        {{ local_to_utc("cast(calendar_date as timestamp) + cast('"
                         ~ var('workday_end_local') ~ "' as interval)") }} as work_end_at
    from days
),

measured as (
    select
        *,
        case when is_workday
            then {{ dbt.datediff('work_start_at', 'work_end_at', 'millisecond') }}
            else 0
        end as working_ms
    from working_hours
)

select
    calendar,
    calendar_date,
    is_workday,
    work_start_at,
    work_end_at,
    working_ms,
    coalesce(sum(working_ms) over (
        partition by calendar order by calendar_date
        rows between unbounded preceding and 1 preceding
    ), 0) as working_ms_before
from measured
