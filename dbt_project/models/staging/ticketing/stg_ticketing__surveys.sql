with

source as (
    select * from {{ source('ticketing', 'surveys') }}
),

deduplicated as (
    select
        *,
        row_number() over (
            partition by ticket_id, surveyed_at order by {{ latest_delivery_first() }}
        ) as delivery_rank
    from source
),

renamed as (
    select
        ticket_id || '@' || {{ dbt.cast('surveyed_at', api.Column.translate_type('string')) }}
            as survey_id,
        ticket_id,
        surveyed_at,
        resolved_confirmed as is_resolution_confirmed,
        score,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from renamed
