{{ config(**by_load_config(['cell_id', 'period_start'])) }}
-- One row per cell and KPI hour: which KPI breached its threshold for the cell's RAT
-- (audit-rules §4), over the contract's KPI rows and the hours rolled up from PM files.
-- Incremental: an hour's verdict depends only on that hour and its cell's
-- RAT, so a build flags the hours loaded since the last one, and again every hour of a cell
-- whose inventory row arrived since with another RAT (an inventory delivered after the KPIs:
-- until then the hour had no RAT and breached nothing). A row's `_loaded_at` is when the
-- later of its two inputs arrived, so the models built from it see the new verdict as new.
-- A file changed in place since the last build rebuilds every hour (the pre-hook empties it);
-- a change of the kpi_thresholds seed needs `dbt build --full-refresh` of this model.

{%- set loaded_through = loaded_through_unless_reloaded() if is_incremental() else none %}

with

cells as (
    select cell_id, rat, _loaded_at from {{ ref('stg_netops__cells') }}
),

{% if loaded_through is not none %}
cells_with_another_rat as (
    select distinct flagged.cell_id
    from {{ this }} as flagged
    inner join cells
        on cells.cell_id = flagged.cell_id
    where cells._loaded_at > {{ loaded_through }}
        and flagged.rat is distinct from cells.rat
),
{% endif %}

delivered_hours as (
    -- the contract's KPI rows and the hours rolled up from 3GPP PM files
    {%- for relation in [ref('stg_netops__cell_kpi_hourly'), ref('int_cell_kpi_hours_rolled_up')] %}
    select
        cell_id, period_start,
        {%- for kpi in kpi_columns() %} {{ kpi }},{% endfor %}
        traffic_gb, active_users, _source_file, _source_row, _loaded_at
    from {{ relation }}
    {%- if loaded_through is not none %}
    where _loaded_at > {{ loaded_through }}
        or cell_id in (select cell_id from cells_with_another_rat)
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

kpi_hours as (
    -- an hour both give: the later delivered wins
    select * from delivered_hours
    qualify row_number() over (
        partition by cell_id, period_start order by {{ latest_delivery_first() }}) = 1
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
        greatest(kpi_hours._loaded_at, coalesce(cells._loaded_at, kpi_hours._loaded_at))
            as _loaded_at
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

select
    *,
    -- The build that last wrote every row (a full build, or the rebuild after a file changed
    -- in place), the same on every row: within one series each row a later build writes
    -- carries a later `_loaded_at` and none is taken away, so a reader that saw the series
    -- up to some `_loaded_at` knows which hours changed since (the publisher fingerprints
    -- only their KPI days: serving/network.py).
    {%- if loaded_through is none %}
    {{ dbt.cast(dbt.string_literal(invocation_id), api.Column.translate_type('string')) }}
    {%- else %}
    (select max(flagged_series) from {{ this }})
    {%- endif %} as flagged_series
from degraded
