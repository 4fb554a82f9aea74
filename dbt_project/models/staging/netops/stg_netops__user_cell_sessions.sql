{{
    config(
        materialized='incremental',
        unique_key=['msisdn', 'cell_id', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ drop_superseded_staged_rows() }}"
    )
}}
-- Incremental although staging: sessions grow every day with every complainant's hours; only
-- rows loaded since the last build are read, and a re-delivered hour replaces the stored one.

with

source as (
    {{ raw_rows_to_stage(source('netops', 'user_cell_sessions'), ['msisdn', 'cell_id', 'period_start']) }}
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by msisdn, cell_id, period_start order by {{ latest_delivery_first() }}
        ) as delivery_rank
    from source
),

renamed as (
    select
        msisdn,
        cell_id,
        period_start,
        duration_s as duration_seconds,
        bytes_dl,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from renamed
