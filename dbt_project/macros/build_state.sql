{#- The state of an incremental build: each row of `int_tickets_changed` and of the degradation
    episodes (incremental by cell and time) records the as-of it was built for and the newest
    input row its build had seen, so the next build can tell what may have changed. -#}

{% macro previous_build() -%}
    select
        max(built_as_of) as previous_as_of,
        max(loaded_through) as previous_loaded_through
    from {{ this }}
{%- endmacro %}

{% macro loaded_through(relations) -%}
    {#- the newest input row a build has seen, and the newest file changed in place: the next
        build looks for rows loaded, and files changed, later -#}
    select max(_loaded_at) as loaded_through
    from (
        {%- for relation in relations %}
        select max(_loaded_at) as _loaded_at from {{ relation }}
        union all
        {%- endfor %}
        select max(loaded_at) from ({{ reloaded_files() }}) as reloaded
    ) as maxima
{%- endmacro %}

{% macro reloaded_since(timestamp_literal) -%}
    select count(*) > 0 from ({{ reloaded_files() }}) as reloaded
    where loaded_at > {{ timestamp_literal }}
{%- endmacro %}

{% macro previous_build_state() -%}
    {#- The last build's as-of and input watermark, read before the model's SQL is rendered so
        they enter it as constants (DuckDB then prunes the big tables by them). `rebuild_all`
        when there is no previous build, the as-of went back, or a file was changed in place
        since: a changed file can take rows away, which no "loaded since" filter sees, so the
        build starts again from staging (macros/incremental_staging.sql restaged it).
        `time_moved`: the as-of is later than the last build's, so time alone can change what
        was built (a running clock; an hour that has ended since); a retry at the same as-of
        rebuilds only what new rows touch. -#}
    {%- set state = {'rebuild_all': true, 'as_of': none, 'loaded_through': none,
                     'time_moved': true} -%}
    {%- if execute and is_incremental() -%}
        {%- set row = run_query(previous_build()).rows[0] -%}
        {%- if row[0] is not none -%}
            {%- set previous_as_of = row[0].strftime('%Y-%m-%d %H:%M:%S') -%}
            {%- set loaded = row[1].strftime('%Y-%m-%d %H:%M:%S.%f') if row[1] is not none
                else '1970-01-01 00:00:00' -%}
            {%- set loaded_literal = dbt.cast(dbt.string_literal(loaded),
                                              api.Column.translate_type('timestamp')) -%}
            {%- set reloaded = run_query(reloaded_since(loaded_literal)).rows[0][0] -%}
            {%- do state.update({
                'rebuild_all': as_of_text() < previous_as_of or reloaded,
                'as_of': dbt.cast(dbt.string_literal(previous_as_of),
                                  api.Column.translate_type('timestamp')),
                'loaded_through': loaded_literal,
                'time_moved': as_of_text() > previous_as_of,
            }) -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(state) }}
{%- endmacro %}

{% macro episode_hours_new_to_build(previous) -%}
    {#- (cell_id, period_start) of the flagged hours fct_cell_degradation_episodes has not seen:
        loaded since its last build, or complete (an hour after their start) since its as-of -#}
    select cell_id, period_start
    from {{ ref('int_cell_kpi_hours_flagged') }}
    where _loaded_at > {{ previous.loaded_through }}
        or {{ came_into_view(previous, dbt.dateadd('hour', 1, 'period_start')) }}
{%- endmacro %}

{% macro drop_episodes_to_rebuild() -%}
    {#- pre-hook of fct_cell_degradation_episodes: drop the episodes a new hour can change, those
        of its cell ending at or after it (all of them when the as-of went back) -#}
    {%- if is_incremental() -%}
        {%- set previous = previous_build_state() -%}
        {%- if previous.rebuild_all -%}
            delete from {{ this }}
        {%- else -%}
            delete from {{ this }} as episodes
            using (
                select cell_id, min(period_start) as first_new_hour
                from ({{ episode_hours_new_to_build(previous) }}) as new_hours
                group by cell_id
            ) as changed
            where episodes.cell_id = changed.cell_id
                and episodes.episode_end_at >= changed.first_new_hour
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
