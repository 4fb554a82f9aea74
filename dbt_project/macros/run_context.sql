{#- The audit's as-of time and the run lineage. Dagster passes them as environment variables
    (orchestration/assets/dbt.py, run_context_env), read only at execution: a value read at
    parse time would make dbt re-parse every model on every run. A var of the same name, set
    by hand (`dbt build --vars`), wins. -#}

{% macro run_context_value(name) -%}
    {%- set value = var(name, '') -%}
    {%- if not value and execute -%}
        {%- set value = env_var('DBT_ENV_CUSTOM_ENV_' ~ name | upper, '') -%}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{% macro as_of_text() -%}
    {%- set value = run_context_value('as_of') -%}
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
    {%- set run_id = run_context_value('dagster_run_id') -%}
    {%- if run_id -%}
        {{ dbt.cast(dbt.string_literal(run_id), api.Column.translate_type('string')) }}
    {%- else -%}
        {{ dbt.cast('null', api.Column.translate_type('string')) }}
    {%- endif %} as dagster_run_id,
    {{ dbt.cast(dbt.string_literal(invocation_id), api.Column.translate_type('string')) }}
        as dbt_invocation_id
{%- endmacro %}
