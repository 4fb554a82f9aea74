with

source as (
    select * from {{ source('netops', 'alarms') }}
),

deduplicated as (
    -- an alarm comes once raised and again cleared: the clearing delivery wins, then the
    -- later file and row (data-contract: netops/alarms)
    select
        *,
        row_number() over (
            partition by alarm_id
            order by
                case when cleared_at is null then 0 else 1 end desc,
                _source_file desc,
                _source_row desc
        ) as delivery_rank
    from source
),

renamed as (
    select
        alarm_id,
        cell_id,
        raised_at,
        cleared_at,
        severity,
        alarm_type,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from renamed
