{{
    config(
        materialized='incremental',
        unique_key=['cell_id', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ drop_rows_when_reloaded() }}"
    )
}}
-- One row per cell and KPI hour: which KPI breached its threshold for the cell's RAT
-- (audit-rules §4). Incremental: an hour's verdict depends only on that hour. A change of
-- the kpi_thresholds seed or of a cell's RAT needs `dbt build --full-refresh` of this model.
-- A file changed in place since the last build rebuilds every hour (the pre-hook empties it).

{%- set loaded_through = loaded_through_unless_reloaded() if is_incremental() else none %}

with

kpi_hours as (
    select * from {{ ref('stg_netops__cell_kpi_hourly') }}
    {% if loaded_through is not none %}
    where _loaded_at > {{ loaded_through }}
    {% endif %}
),

cells as (
    select cell_id, rat from {{ ref('stg_netops__cells') }}
),

thresholds as (
    select * from {{ ref('kpi_thresholds') }}
),

thresholds_by_rat as (
    -- one row per RAT, so each hour joins one row instead of one per KPI
    select
        rat,
        {%- for kpi in kpi_columns() %}
        max(case when kpi = '{{ kpi }}' then comparator end) as {{ kpi }}_comparator,
        max(case when kpi = '{{ kpi }}' then threshold end) as {{ kpi }}_threshold
        {{- "," if not loop.last }}
        {%- endfor %}
    from thresholds
    group by rat
),

flagged as (
    select
        kpi_hours.cell_id,
        kpi_hours.period_start,
        cells.rat,
        {%- for kpi in kpi_columns() %}
        kpi_hours.{{ kpi }},
        {{ breaches('kpi_hours.' ~ kpi, 'thresholds_by_rat.' ~ kpi ~ '_comparator',
                    'thresholds_by_rat.' ~ kpi ~ '_threshold') }} as is_{{ kpi }}_breached,
        {%- endfor %}
        kpi_hours.traffic_gb,
        kpi_hours.active_users,
        -- an hour whose every KPI is null is not an hour with data (audit-rules §5 F2)
        (
            {%- for kpi in kpi_columns() %}
            kpi_hours.{{ kpi }} is not null {{- " or" if not loop.last }}
            {%- endfor %}
        ) as has_data,
        kpi_hours._loaded_at
    from kpi_hours
    left join cells
        on cells.cell_id = kpi_hours.cell_id
    left join thresholds_by_rat
        on thresholds_by_rat.rat = cells.rat
),

degraded as (
    select
        *,
        (
            {%- for kpi in kpi_columns() %}
            is_{{ kpi }}_breached {{- " or" if not loop.last }}
            {%- endfor %}
        ) as is_degraded
    from flagged
)

select * from degraded
