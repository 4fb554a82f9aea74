-- One row per network event on a cell by as-of: an alarm raised or cleared, a degradation
-- episode's start or end (audit-rules §7), written as a trace shows it. The ticket timeline
-- takes the events inside each ticket's network window from here; the trace API keeps them
-- per cell and applies the same window, so a new day adds its events once, not once per
-- ticket that shows them.

{%- set string_type = api.Column.translate_type('string') %}

with

alarms as (
    select * from {{ ref('stg_netops__alarms') }}
    where raised_at <= {{ as_of() }}
),

episodes as (
    select * from {{ ref('fct_cell_degradation_episodes') }}
),

{% for edge in ['raised', 'cleared'] %}
alarm_{{ edge }}_events as (
    select
        cell_id,
        {{ edge }}_at as event_at,
        'alarm_{{ edge }}' as item_type,
        'netops' as source_system,
        'alarms' as source_table,
        alarm_id as source_record_id,
        severity as status,
        alarm_type as code,
        cast(null as {{ string_type }}) as detail,
        severity || ' alarm {{ edge }}: ' || coalesce(alarm_type, 'unknown') as summary
    from alarms
    where {{ edge }}_at is not null
),
{% endfor %}

{% for edge in ['start', 'end'] %}
degradation_{{ edge }}_events as (
    select
        cell_id,
        episode_{{ edge }}_at as event_at,
        'degradation_{{ edge }}' as item_type,
        'netops' as source_system,
        'cell_kpi_hourly' as source_table,
        episode_id as source_record_id,
        cast(null as {{ string_type }}) as status,
        cast(null as {{ string_type }}) as code,
        {{ dbt.cast('degraded_hours', string_type) }} || ' degraded hour(s)' as detail,
        'cell degradation {{ edge }}' as summary
    from episodes
),
{% endfor %}

unioned as (
    select * from alarm_raised_events
    union all select * from alarm_cleared_events
    union all select * from degradation_start_events
    union all select * from degradation_end_events
)

select
    {{ dbt.hash(dbt.concat(['item_type', "'|'", 'source_record_id'])) }} as network_event_id,
    unioned.*,
    {{ lineage_columns() }}
from unioned
where event_at <= {{ as_of() }}
