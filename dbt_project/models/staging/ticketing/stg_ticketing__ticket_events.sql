{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ drop_superseded_staged_rows() }}"
    )
}}
-- Incremental although staging: events are read by several models and tests on every run, and
-- a view would deduplicate the whole history each time. Only rows loaded since the last build
-- are read; a re-delivered event replaces the stored one (it was loaded later), and the rows of
-- a file changed in place are restaged from what remains (macros/incremental_staging.sql).

with

source as (
    {{ raw_rows_to_stage(source('ticketing', 'ticket_events'), ['event_id']) }}
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
