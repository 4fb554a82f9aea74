{{
    config(
        materialized='incremental',
        unique_key=['msisdn', 'cell_id', 'period_start'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ drop_rows_of_redelivered_files(source('netops', 'user_cell_sessions')) }}"
    )
}}
-- Incremental although staging: sessions grow every day with every complainant's hours; only
-- rows loaded since the last build are read, and a re-delivered hour replaces the stored one.

with

source as (
    select * from {{ source('netops', 'user_cell_sessions') }}
    {% if is_incremental() %}
    where _loaded_at > (select max(_loaded_at) from {{ this }})
    {% endif %}
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
