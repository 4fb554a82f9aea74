{#- Helpers of the models that are incremental by ticket (delete+insert on ticket_id): each
    row records the as-of it was built for and the newest input row its build had seen, so the
    next build can tell which tickets may have changed. -#}

{% macro drop_rows_built_after_as_of() -%}
    {#- pre-hook: going back to an earlier as-of must not keep rows that saw later events -#}
    {%- if is_incremental() -%}
        delete from {{ this }} where built_as_of > {{ as_of() }}
    {%- endif -%}
{%- endmacro %}

{% macro previous_build() -%}
    select
        max(built_as_of) as previous_as_of,
        max(loaded_through) as previous_loaded_through
    from {{ this }}
{%- endmacro %}

{% macro loaded_through(relations) -%}
    select max(_loaded_at) as loaded_through
    from (
        {%- for relation in relations %}
        select max(_loaded_at) as _loaded_at from {{ relation }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as maxima
{%- endmacro %}
