with

source as (
    select * from {{ source('ticketing', 'ticket_events') }}
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
