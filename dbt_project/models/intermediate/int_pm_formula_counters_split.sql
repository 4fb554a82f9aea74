{{ config(materialized='view') }}
-- One row per counter a KPI formula of seed pm_kpi_formulas names (issue #15): the formula's
-- numerator and denominator counter lists split into one counter each, with the formula's
-- vendor, KPI, priority, aggregation and unit factor. The roll-up evaluates formulas from it;
-- the unmapped-object check asks it which counters any formula uses.

with

formulas as (
    select * from {{ ref('pm_kpi_formulas') }}
),

numerators as (
    select vendor_name, kpi, priority, aggregation, unit_factor, 'numerator' as term,
        unnest(string_split(trim(numerator_counters), ' ')) as counter
    from formulas
),

denominators as (
    select vendor_name, kpi, priority, aggregation, unit_factor, 'denominator' as term,
        unnest(string_split(trim(denominator_counters), ' ')) as counter
    from formulas
    where nullif(trim(denominator_counters), '') is not null
),

split as (
    select * from numerators
    union all
    select * from denominators
)

select * from split
where counter <> ''
