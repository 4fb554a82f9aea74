{#- Clocks on a calendar (audit-rules §9), over the days of int_calendar_days_accumulated.

    W(t), the calendar milliseconds banked by instant t, is `calendar_ms_at`: on `24x7` the
    epoch time, on any other calendar the working time before t's local day plus the part of
    that day's working hours gone by t. Counted time between two instants is the difference
    of their W, a deadline the instant at which W reaches a target (`calendar_instant`). Each
    needs one join per instant (`calendar_day_join`, `calendar_target_join`); both fail the
    build, naming the year, when the calendar table does not cover it. -#}

{% macro calendar_day_join(alias, calendar, ts) -%}
    left join {{ ref('int_calendar_days_accumulated') }} as {{ alias }}
        on {{ alias }}.calendar = {{ calendar }}
        and {{ alias }}.calendar_date = {{ to_local_date(ts) }}
{%- endmacro %}

{% macro calendar_ms_at(calendar, day, ts) -%}
    case
        when {{ ts }} is null or {{ calendar }} is null then null
        when {{ calendar }} = '24x7'
            then {{ dbt.datediff("cast('1970-01-01' as timestamp)", ts, 'millisecond') }}
        when {{ day }}.calendar_date is null then {{ calendar_not_covered(calendar, ts) }}
        else {{ day }}.working_ms_before + least(
            greatest({{ dbt.datediff(day ~ '.work_start_at', ts, 'millisecond') }}, 0),
            {{ day }}.working_ms)
    end
{%- endmacro %}

{% macro calendar_target_join(alias, calendar, target_ms) -%}
    {#- the working day in which W reaches the target: W rises through (before, before + len]
        on it, so W reaches a target at the end of a day's hours on that day, not at the
        start of the next working day -#}
    left join {{ ref('int_calendar_days_accumulated') }} as {{ alias }}
        on {{ alias }}.calendar = {{ calendar }}
        and {{ alias }}.working_ms > 0
        and {{ alias }}.working_ms_before < {{ target_ms }}
        and {{ target_ms }} <= {{ alias }}.working_ms_before + {{ alias }}.working_ms
{%- endmacro %}

{% macro calendar_instant(calendar, day, target_ms, anchor_ts, anchor_ms) -%}
    {#- the instant W reaches target_ms; anchor_ts is an instant whose W is anchor_ms (on
        24x7 the deadline is added to it: epoch milliseconds overflow dateadd's integer) -#}
    case
        when {{ target_ms }} is null or {{ calendar }} is null then null
        when {{ calendar }} = '24x7'
            then {{ add_seconds('(' ~ target_ms ~ ' - ' ~ anchor_ms ~ ') / 1000.0', anchor_ts) }}
        when {{ day }}.calendar_date is null
            then {{ calendar_not_covered(calendar, 'null') }}
        else {{ add_seconds('(' ~ target_ms ~ ' - ' ~ day ~ '.working_ms_before) / 1000.0',
                            day ~ '.work_start_at') }}
    end
{%- endmacro %}

{% macro calendar_not_covered(calendar, ts) -%}
    {#- an instant (or, for a deadline, the year after the last covered one) the calendar
        table lacks: the build stops and names the year to add -#}
    error('calendar ' || {{ calendar }} || ' does not cover the year ' || coalesce(cast(coalesce(
        year({{ to_local_date(ts) }}),
        (select max(year(calendar_date)) + 1 from {{ ref('int_calendar_days_accumulated') }}
         where calendar = {{ calendar }})) as varchar), 'needed')
        || ': extend seed calendar_cn_days (complaint-trace calendar)')
{%- endmacro %}
