{{ config(materialized='view') }}
-- One row per delivered 3GPP PM measurement result (docs/spec/standard-feeds.md; the raw table
-- holds one row per measValue, its results as lists), with the
-- period's start and the hour it counts in: the hour holding its middle, so a quarter a few
-- seconds off its boundary still lands in its own hour. A view: the roll-up reads only the
-- hours a build touches.

with

source as (
    select * from {{ source('netops', 'pm_xml') }}
),

results as (
    -- the loader keeps a measValue's results as lists (one element per result), their
    -- counter names joined by chr(1) (connectors/standard/pm_rows.py): one row each. A row
    -- without value_counts and result_rows has one value per result on consecutive rows
    -- from _source_row (the regular case; unnest pads a null list with nulls)
    select
        * exclude (counter_names, result_values, value_counts, result_rows),
        unnest(string_split(counter_names, chr(1))) as counter,
        unnest(result_values) as value,
        unnest(value_counts) as listed_value_count,
        unnest(result_rows) as listed_result_row,
        unnest(range(len(result_values))) as result_index
    from source
),

renamed as (
    select
        vendor_name,
        managed_element,
        meas_info_id,
        meas_obj_ldn,
        counter,
        value,
        coalesce(listed_value_count, 1) as value_count,
        coalesce(is_suspect, false) as is_suspect,
        period_end - to_seconds(period_seconds) as period_start,
        period_end,
        period_seconds,
        date_trunc('hour', period_end - to_seconds(period_seconds / 2.0)) as period_hour,
        _source_file,
        coalesce(listed_result_row, _source_row + result_index) as _source_row,
        _loaded_at
    from results
)

select * from renamed
