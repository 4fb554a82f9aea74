{#- 3GPP PM results (raw_netops.pm_xml, docs/spec/standard-feeds.md) on their way to
    cell_kpi_hourly rows: which cell a measured object is, and which hours a build touches. -#}

{% macro pm_cell_id(vendor_name, meas_obj_ldn) -%}
    {#- The cell a measured object belongs to: the first rule of seed pm_cell_mapping whose
        dn_pattern matches the whole DN, the vendor's own rules before those for any vendor
        ('*'), each in priority order; null when none does. The rules are read when the
        model is compiled and become constant patterns, so DuckDB compiles each once. -#}
    {%- set rules = [] -%}
    {%- if execute -%}
        {%- set rules = run_query(
            "select vendor_name, dn_pattern, cell_id_template from " ~ ref('pm_cell_mapping')
            ~ " order by vendor_name = '*', vendor_name, priority").rows -%}
    {%- endif -%}
    case
        {%- for vendor, pattern, template in rules %}
        {%- set anchored = dbt.string_literal('^(?:' ~ pattern ~ ')$') %}
        when {% if vendor != '*' %}{{ vendor_name }} = {{ dbt.string_literal(vendor) }} and {% endif -%}
            regexp_full_match({{ meas_obj_ldn }}, {{ anchored }})
            then regexp_replace({{ meas_obj_ldn }}, {{ anchored }}, {{ dbt.string_literal(template) }})
        {%- endfor %}
    end
{%- endmacro %}

{% macro pm_periods_loaded_since(loaded_through) -%}
    {#- The range of period ends among the results loaded after `loaded_through`, widened by
        two hours each side (an hour takes periods ending up to an hour after it starts), as
        constants so DuckDB skips the raw row groups outside it; none when nothing is new. -#}
    {%- if execute -%}
        {%- set row = run_query("select min(period_end), max(period_end) from "
            ~ source('netops', 'pm_xml') ~ " where _loaded_at > " ~ loaded_through).rows[0] -%}
        {%- if row[0] is not none -%}
            {{ return([
                dbt.cast(dbt.string_literal((row[0] - modules.datetime.timedelta(hours=2))
                                            .strftime('%Y-%m-%d %H:%M:%S')), 'timestamp'),
                dbt.cast(dbt.string_literal((row[1] + modules.datetime.timedelta(hours=2))
                                            .strftime('%Y-%m-%d %H:%M:%S')), 'timestamp')]) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
