{{ config(**by_load_config(['cell_id', 'period_start'])) }}
-- depends_on: {{ ref('pm_cell_mapping') }}
-- One row per cell and hour of the contract's KPIs, computed from 3GPP PM results (issue #15,
-- docs/spec/standard-feeds.md): the results of the cell's objects (seed pm_cell_mapping; an
-- NR cell's CU and DU objects meet here) in the periods counting in the hour, the latest
-- delivery of each object, counter and period, suspect ones left out and counted. Each KPI
-- is the formula of seed pm_kpi_formulas for the file's vendor (else for any vendor, '*'),
-- the first in priority order whose counters the hour all has; otherwise null. Counters are
-- summed over the hour, gauges averaged, the KPI rounded to var pm_kpi_decimals; an hour
-- missing a period is marked, not scaled.
--
-- Incremental: a build recomputes the cell-hours that results loaded since the last build
-- fall in, from every result of them; a file changed in place rebuilds all (pre-hook). A
-- change of either seed needs `dbt build --full-refresh` of this model.

{%- set loaded_through = loaded_through_unless_reloaded() if is_incremental() else none %}
{%- set periods = pm_periods_loaded_since(loaded_through) if loaded_through is not none
    else none %}

with

results as (
    select * from {{ ref('stg_netops__pm_xml') }}
    {%- if loaded_through is not none %}
    {%- if periods is none %}
    where false  -- nothing loaded since the last build
    {%- else %}
    where period_end between {{ periods[0] }} and {{ periods[1] }}
    {%- endif %}
    {%- endif %}
),

objects as (
    select vendor_name, meas_obj_ldn, {{ pm_cell_id('vendor_name', 'meas_obj_ldn') }} as cell_id
    from (select distinct vendor_name, meas_obj_ldn from results) as distinct_objects
),

results_of_cells as (
    select results.*, objects.cell_id
    from results
    inner join objects
        on objects.vendor_name is not distinct from results.vendor_name
        and objects.meas_obj_ldn = results.meas_obj_ldn
    where objects.cell_id is not null
),

touched_hours as (
    select distinct cell_id, period_hour
    from results_of_cells
    {%- if loaded_through is not none %}
    where _loaded_at > {{ loaded_through }}
    {%- endif %}
),

deliveries_ranked as (
    select
        results_of_cells.*,
        row_number() over (
            partition by cell_id, meas_obj_ldn, counter, period_end, period_seconds
            order by {{ latest_delivery_first() }}
        ) as delivery_rank
    from results_of_cells
    semi join touched_hours
        using (cell_id, period_hour)
),

current_results as (
    select * from deliveries_ranked
    where delivery_rank = 1
),

counters as (
    -- a counter is in the hour when a result not suspect gave at least one value
    select
        cell_id,
        period_hour,
        vendor_name,
        counter,
        sum(value) as value_sum,
        sum(value_count) as values_given
    from current_results
    where not is_suspect
    group by all
    having sum(value_count) > 0
),

formula_counters_of_all as (
    select * from {{ ref('int_pm_formula_counters_split') }}
),

vendors as (
    select distinct vendor_name from current_results
),

formula_counters as (
    -- a vendor's own formulas for a KPI replace those for any vendor
    select vendors.vendor_name as data_vendor, formula_counters_of_all.*
    from vendors
    inner join formula_counters_of_all
        on formula_counters_of_all.vendor_name = vendors.vendor_name
        or (formula_counters_of_all.vendor_name = '*' and not exists (
            select 1 from formula_counters_of_all as own
            where own.vendor_name = vendors.vendor_name
                and own.kpi = formula_counters_of_all.kpi))
),

cell_hour_vendors as (
    select distinct cell_id, period_hour, vendor_name from current_results
),

formulas_evaluated as (
    select
        cell_hour_vendors.cell_id,
        cell_hour_vendors.period_hour,
        formula_counters.kpi,
        formula_counters.priority,
        any_value(formula_counters.aggregation) as aggregation,
        any_value(formula_counters.unit_factor) as unit_factor,
        count(*) = count(counters.counter) as has_every_counter,
        sum(counters.value_sum) filter (where formula_counters.term = 'numerator')
            as numerator,
        sum(counters.values_given) filter (where formula_counters.term = 'numerator')
            as numerator_values,
        sum(counters.value_sum) filter (where formula_counters.term = 'denominator')
            as denominator
    from cell_hour_vendors
    inner join formula_counters
        on formula_counters.data_vendor is not distinct from cell_hour_vendors.vendor_name
    left join counters
        on counters.cell_id = cell_hour_vendors.cell_id
        and counters.period_hour = cell_hour_vendors.period_hour
        and counters.vendor_name is not distinct from cell_hour_vendors.vendor_name
        and counters.counter = formula_counters.counter
    group by all
),

kpi_values as (
    select
        cell_id,
        period_hour,
        kpi,
        -- rounded (var pm_kpi_decimals): a ratio at a threshold stays at it
        round(arg_min(
            case aggregation
                when 'ratio' then numerator / nullif(denominator, 0) * unit_factor
                when 'sum' then numerator * unit_factor
                when 'mean' then numerator / nullif(numerator_values, 0) * unit_factor
            end,
            priority
        ), {{ var('pm_kpi_decimals') }}) as kpi_value
    from formulas_evaluated
    where has_every_counter
    group by all
),

hours as (
    select
        cell_id,
        period_hour,
        count(distinct period_end) filter (where not is_suspect) as pm_periods,
        max(3600 // period_seconds) as pm_periods_expected,
        count(*) filter (where is_suspect) as pm_suspect_results,
        -- lineage: the hour's latest delivered result
        arg_max(_source_file, (_loaded_at, _source_file, _source_row)) as _source_file,
        arg_max(_source_row, (_loaded_at, _source_file, _source_row)) as _source_row,
        max(_loaded_at) as _loaded_at
    from current_results
    group by all
),

rolled_up as (
    select
        hours.cell_id,
        hours.period_hour as period_start,
        {%- for kpi in ['prb_util_dl_pct', 'user_dl_rate_mbps', 'access_success_pct',
                        'drop_rate_pct', 'good_coverage_pct', 'traffic_gb'] %}
        max(kpi_values.kpi_value) filter (where kpi_values.kpi = '{{ kpi }}') as {{ kpi }},
        {%- endfor %}
        round(max(kpi_values.kpi_value) filter (where kpi_values.kpi = 'active_users'))::integer
            as active_users,
        hours.pm_periods,
        hours.pm_periods_expected,
        hours.pm_periods < hours.pm_periods_expected as is_partial_hour,
        hours.pm_suspect_results,
        hours._source_file,
        hours._source_row,
        hours._loaded_at
    from hours
    left join kpi_values
        on kpi_values.cell_id = hours.cell_id
        and kpi_values.period_hour = hours.period_hour
    group by all
)

select * from rolled_up
