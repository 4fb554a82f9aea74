{#- Time arithmetic on naive UTC timestamps, through dbt's cross-database macros. -#}

{% macro seconds_between(start_ts, end_ts) -%}
    {#- milliseconds, not seconds: datediff counts unit boundaries, and SLA near misses are
        decided to the second -#}
    ({{ dbt.datediff(start_ts, end_ts, 'millisecond') }} / 1000.0)
{%- endmacro %}

{% macro add_seconds(seconds, ts) -%}
    {#- dateadd casts its amount to an integer, so add whole milliseconds -#}
    {{ dbt.dateadd('millisecond', 'round((' ~ seconds ~ ') * 1000)', ts) }}
{%- endmacro %}

{% macro to_local_date(ts) -%}
    {{ return(adapter.dispatch('to_local_date', 'complaint_trace')(ts)) }}
{%- endmacro %}

{% macro default__to_local_date(ts) -%}
    cast(convert_timezone('UTC', '{{ var("source_tz") }}', {{ ts }}) as date)
{%- endmacro %}

{% macro duckdb__to_local_date(ts) -%}
    {#- no cross-database macro converts zones; the warehouse stores naive UTC -#}
    cast(timezone('{{ var("source_tz") }}', timezone('UTC', {{ ts }})) as date)
{%- endmacro %}

{% macro local_to_utc(ts) -%}
    {{ return(adapter.dispatch('local_to_utc', 'complaint_trace')(ts)) }}
{%- endmacro %}

{% macro default__local_to_utc(ts) -%}
    convert_timezone('{{ var("source_tz") }}', 'UTC', {{ ts }})
{%- endmacro %}

{% macro duckdb__local_to_utc(ts) -%}
    {#- a naive local time in source_tz -> the naive UTC the warehouse stores -#}
    timezone('UTC', timezone('{{ var("source_tz") }}', {{ ts }}))
{%- endmacro %}
