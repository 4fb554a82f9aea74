{#-
    dbt's test `where` config, plus one placeholder: `__latest_build__` keeps the rows an
    incremental model's latest build wrote (those whose `loaded_through` is the model's newest,
    a superset when a build saw no new data). For a model rebuilt by key with delete+insert, the
    keys of those rows replaced every older row of the same key, so a uniqueness or
    relationship test over them checks what the build changed instead of the whole history; a
    full refresh writes every row in one build, so then it checks everything. Overrides the
    global macro of the same name (dbt's documented way to extend `where`).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set latest = 'loaded_through = (select max(loaded_through) from ' ~ relation ~ ')' -%}
        {%- set where = where | replace('__latest_build__', latest) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
