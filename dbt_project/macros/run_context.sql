{#- The audit's as-of time and the run lineage, read from vars so a run is reproducible. -#}

{% macro as_of_text() -%}
    {%- set value = var('as_of', '') -%}
    {%- if not value -%}
        {#- audit-rules §5: default as-of is now; dbt's run start is UTC -#}
        {%- set value = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro as_of() -%}
    {{ dbt.cast(dbt.string_literal(as_of_text()), api.Column.translate_type('timestamp')) }}
{%- endmacro %}

{% macro lineage_columns() -%}
    {%- set run_id = var('dagster_run_id', '') -%}
    {%- if run_id -%}
        {{ dbt.cast(dbt.string_literal(run_id), api.Column.translate_type('string')) }}
    {%- else -%}
        {{ dbt.cast('null', api.Column.translate_type('string')) }}
    {%- endif %} as dagster_run_id,
    {{ dbt.cast(dbt.string_literal(invocation_id), api.Column.translate_type('string')) }}
        as dbt_invocation_id
{%- endmacro %}
