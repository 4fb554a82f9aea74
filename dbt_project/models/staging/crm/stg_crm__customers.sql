with

source as (
    select * from {{ source('crm', 'customers') }}
),

deduplicated as (
    -- the same version (customer_id, updated_at) may be delivered twice: keep the latest delivery
    select
        *,
        row_number() over (
            partition by customer_id, updated_at
            order by {{ latest_delivery_first() }}
        ) as delivery_rank
    from source
),

versioned as (
    select
        customer_id,
        msisdn,
        customer_name,
        tier,
        segment,
        enterprise_name,
        home_district,
        plan_code,
        registered_at,
        updated_at,
        customer_id || '@' || {{ dbt.cast('updated_at', api.Column.translate_type('string')) }}
            as customer_version_id,
        -- a customer's first version also covers tickets created before it was recorded
        case
            when row_number() over (partition by customer_id order by updated_at) = 1 then null
            else updated_at
        end as valid_from,
        lead(updated_at) over (partition by customer_id order by updated_at) as valid_to,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from versioned
