{#- The incremental staging models (tickets, events, contacts, KPI hours, sessions): each build
    stages the raw rows loaded since the last one, keyed, latest delivery first.

    A file delivered again with changes, or whose new version failed, replaces its rows in the
    raw table (connectors/loader.py `_forget`). The rows a model staged from the earlier version
    are then *superseded*: their keys are restaged from the deliveries that remain (another file
    may still hold the key), and the post-hook drops the superseded rows of keys that no
    delivery holds any more. Nothing here depends on what is left in the model: an empty model
    (every row superseded) restages everything rather than nothing. -#}

{% macro newest_loaded_at() -%}
    {#- The newest `_loaded_at` in this model, read before the model's SQL is rendered so it
        enters the SQL as a constant (DuckDB then skips row groups by it); none when empty. -#}
    {%- if execute and is_incremental() -%}
        {%- set newest = run_query('select max(_loaded_at) from ' ~ this).rows[0][0] -%}
        {%- if newest is not none -%}
            {{ return(dbt.cast(dbt.string_literal(newest.strftime('%Y-%m-%d %H:%M:%S.%f')),
                               api.Column.translate_type('timestamp'))) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro loader_relation(name) -%}
    {#- The loader's bookkeeping in `raw_meta` (connectors/schema.py). Not a dbt source: every
        ingestion asset maintains it beside the raw table a model already reads, so as a
        source it would only add an upstream asset that none of them owns. -#}
    {{ return(api.Relation.create(database=target.database, schema='raw_meta', identifier=name)) }}
{%- endmacro %}

{% macro reloaded_files() -%}
    {#- each file changed in place: `raw_meta.reloaded_files`, a view the loader defines and
        the integrity watermarks read too -#}
    select file, loaded_at from {{ loader_relation('reloaded_files') }}
{%- endmacro %}

{% macro is_superseded(staged) -%}
    {#- a row `staged` of this model came from a file version that has since been replaced -#}
    exists (
        select 1
        from ({{ reloaded_files() }}) as files
        where files.file = {{ staged }}._source_file
            and files.loaded_at > {{ staged }}._loaded_at
    )
{%- endmacro %}

{% macro raw_rows_to_stage(source_relation, key_columns) -%}
    {#- the raw rows this build stages: every row on a first build; then the rows loaded since
        the last build, and every remaining delivery of a key whose staged row was superseded -#}
    {%- if is_incremental() -%}
        {%- set loaded_through = newest_loaded_at() -%}
        {%- if loaded_through is none -%}
    select * from {{ source_relation }}
        {%- else -%}
    select * from {{ source_relation }}
    where _loaded_at > {{ loaded_through }}
    union all
    select raw.*
    from {{ source_relation }} as raw
    semi join (
        select distinct {{ key_columns | join(', ') }}
        from {{ this }} as staged
        where {{ is_superseded('staged') }}
    ) as superseded_keys
        using ({{ key_columns | join(', ') }})
    where raw._loaded_at <= {{ loaded_through }}
        {%- endif -%}
    {%- else -%}
    select * from {{ source_relation }}
    {%- endif -%}
{%- endmacro %}

{% macro drop_superseded_staged_rows() -%}
    {#- post-hook: a superseded row still here was not restaged, so no delivery holds its key
        any more (delete+insert replaced every key that was) -#}
    {%- if is_incremental() -%}
        delete from {{ this }} as staged
        where {{ is_superseded('staged') }}
    {%- endif -%}
{%- endmacro %}

{% macro loaded_through_unless_reloaded() -%}
    {#- For a model incremental on `_loaded_at` alone (int_cell_kpi_hours_flagged): the newest
        row it holds, or none when it must rebuild everything — it is empty, or a file was
        changed in place since (staging then restaged rows under their older `_loaded_at`, and
        may have dropped some). -#}
    {%- set loaded_through = newest_loaded_at() -%}
    {%- if loaded_through is not none and run_query(reloaded_since(loaded_through)).rows[0][0] -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(loaded_through) }}
{%- endmacro %}

{% macro by_load_config(unique_key) -%}
    {#- The config of a model incremental on `_loaded_at` alone that rebuilds everything when
        a file was changed in place (`loaded_through_unless_reloaded`). -#}
    {{ return({
        'materialized': 'incremental',
        'unique_key': unique_key,
        'incremental_strategy': 'delete+insert',
        'on_schema_change': 'fail',
        'pre_hook': "{{ drop_rows_when_reloaded() }}",
    }) }}
{%- endmacro %}

{% macro drop_rows_when_reloaded() -%}
    {#- pre-hook of such a model: a rebuild of everything starts empty -#}
    {%- if is_incremental() and loaded_through_unless_reloaded() is none -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}
