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
