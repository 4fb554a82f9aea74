with

source as (
    select * from {{ source('netops', 'alarms') }}
),

deduplicated as (
    -- an alarm comes once raised and again cleared: the clearing delivery wins, then the
    -- later file and row (data-contract: netops/alarms)
    select
        *,
        row_number() over deliveries as delivery_rank,
        -- a clearing record of a standard feed (TMF642 `cleared`, VES `NORMAL`) carries no
        -- severity: the alarm keeps the one its best-ranked delivery with one gave
        first_value(severity ignore nulls) over (
            deliveries rows between unbounded preceding and unbounded following
        ) as severity_given
    from source
    window deliveries as (
        partition by alarm_id
        order by
            case when cleared_at is null then 0 else 1 end desc,
            _source_file desc,
            _source_row desc
    )
),

renamed as (
    select
        alarm_id,
        cell_id,
        raised_at,
        cleared_at,
        severity_given as severity,
        alarm_type,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from renamed
