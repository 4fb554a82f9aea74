{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ drop_rows_of_redelivered_files(source('ticketing', 'tickets')) }}"
    )
}}
-- Incremental although staging (as stg_ticketing__ticket_events): only rows loaded since the
-- last build are read; a re-delivered ticket replaces the stored one (it was loaded later).

with

source as (
    select * from {{ source('ticketing', 'tickets') }}
    {% if is_incremental() %}
    where _loaded_at > (select max(_loaded_at) from {{ this }})
    {% endif %}
),

deduplicated as (
    select
        *,
        row_number() over (partition by ticket_id order by {{ latest_delivery_first() }})
            as delivery_rank
    from source
),

renamed as (
    select
        ticket_id,
        msisdn,
        created_at,
        channel,
        category,
        -- categories are `<family>.<kind>`; repeat complaints compare families (audit-rules F4)
        {{ dbt.split_part('category', "'.'", 1) }} as category_family,
        priority,
        description,
        reported_district,
        reported_lat,
        reported_lon,
        reopened_from_ticket_id,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from renamed
