{#- The cell quality KPIs that thresholds (seed kpi_thresholds) may apply to: a schema fact of
    netops/cell_kpi_hourly, not configuration. traffic_gb and active_users are volumes. -#}

{% macro kpi_columns() -%}
    {{ return(['drop_rate_pct', 'access_success_pct', 'user_dl_rate_mbps',
               'prb_util_dl_pct', 'good_coverage_pct']) }}
{%- endmacro %}

{% macro breaches(value, comparator, threshold) -%}
    {#- a null KPI or a missing threshold breaches nothing (audit-rules §4) -#}
    coalesce(case {{ comparator }}
        when '>' then {{ value }} > {{ threshold }}
        when '>=' then {{ value }} >= {{ threshold }}
        when '<' then {{ value }} < {{ threshold }}
        when '<=' then {{ value }} <= {{ threshold }}
    end, false)
{%- endmacro %}

{% macro latest_delivery_first() -%}
    {#- re-deliveries: the row loaded last wins; within one load the later file and row -#}
    _loaded_at desc, _source_file desc, _source_row desc
{%- endmacro %}

{% macro drop_rows_of_redelivered_files(source_relation) -%}
    {#- pre-hook of the incremental staging models: a file delivered again with changes replaces
        its rows in the raw table (connectors/loader.py), so its rows staged earlier are dropped
        first; the build then stages the new version like any newly loaded rows. Without it, a
        row the new version no longer has would stay staged. -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where _source_file in (
            select distinct _source_file
            from {{ source_relation }}
            where _loaded_at > (select max(_loaded_at) from {{ this }})
        )
    {%- endif -%}
{%- endmacro %}
