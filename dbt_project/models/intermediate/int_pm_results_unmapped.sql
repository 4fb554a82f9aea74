{{ config(**by_load_config(['_source_file', '_source_row'])) }}
-- depends_on: {{ ref('pm_cell_mapping') }}
-- One row per 3GPP PM result held back: its object is no cell by any rule of seed
-- pm_cell_mapping, yet a formula of seed pm_kpi_formulas for its vendor names its counter
-- (so a cell's KPI may be missing it). Objects whose counters no formula uses (equipment,
-- ports, node functions) are not cells and not held back. Incremental on `_loaded_at`.

{%- set loaded_through = loaded_through_unless_reloaded() if is_incremental() else none %}

with

results as (
    select * from {{ ref('stg_netops__pm_xml') }}
    {%- if loaded_through is not none %}
    where _loaded_at > {{ loaded_through }}
    {%- endif %}
),

formula_counters as (
    select distinct vendor_name, counter from {{ ref('int_pm_formula_counters_split') }}
),

unmapped as (
    select
        results._source_file,
        results._source_row,
        results.vendor_name,
        results.meas_obj_ldn,
        results.counter,
        results._loaded_at
    from results
    where {{ pm_cell_id('results.vendor_name', 'results.meas_obj_ldn') }} is null
        and exists (
            select 1 from formula_counters
            where formula_counters.counter = results.counter
                and (formula_counters.vendor_name = results.vendor_name
                     or formula_counters.vendor_name = '*')
        )
)

select * from unmapped
