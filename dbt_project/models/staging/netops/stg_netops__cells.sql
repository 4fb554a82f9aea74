with

source as (
    select * from {{ source('netops', 'cells') }}
),

deduplicated as (
    -- inventory is re-delivered as it changes: the latest record describes the cell
    select
        *,
        row_number() over (partition by cell_id order by {{ latest_delivery_first() }})
            as delivery_rank
    from source
),

renamed as (
    select
        cell_id,
        site_id,
        cell_name,
        rat,
        site_type,
        district,
        latitude,
        longitude,
        status as cell_status,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from renamed
