{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ drop_superseded_staged_rows() }}"
    )
}}
-- Incremental although staging (as stg_ticketing__ticket_events): only rows loaded since the
-- last build are read; a re-delivered ticket replaces the stored one (it was loaded later).

with

source as (
    {{ raw_rows_to_stage(source('ticketing', 'tickets'), ['ticket_id']) }}
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
