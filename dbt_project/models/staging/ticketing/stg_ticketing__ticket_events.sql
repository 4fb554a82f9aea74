{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ drop_rows_of_redelivered_files(source('ticketing', 'ticket_events')) }}"
    )
}}
-- Incremental although staging: events are read by several models and tests on every run, and
-- a view would deduplicate the whole history each time. Only rows loaded since the last build
-- are read; a re-delivered event replaces the stored one (it was loaded later).

with

source as (
    select * from {{ source('ticketing', 'ticket_events') }}
    {% if is_incremental() %}
    where _loaded_at > (select max(_loaded_at) from {{ this }})
    {% endif %}
),

deduplicated as (
    select
        *,
        row_number() over (partition by event_id order by {{ latest_delivery_first() }})
            as delivery_rank
    from source
),

renamed as (
    select
        event_id,
        ticket_id,
        event_at,
        action,
        status_after,
        department,
        operator_id,
        closure_code,
        note,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from renamed
