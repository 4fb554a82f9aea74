with

source as (
    select * from {{ source('crm', 'contacts') }}
),

deduplicated as (
    select
        *,
        row_number() over (partition by contact_id order by {{ latest_delivery_first() }})
            as delivery_rank
    from source
),

renamed as (
    select
        contact_id,
        msisdn,
        channel,
        direction,
        contact_at,
        topic,
        related_ticket_id,
        resolved_on_contact as is_resolved_on_contact,
        agent_id,
        _source_file,
        _source_row,
        _loaded_at
    from deduplicated
    where delivery_rank = 1
)

select * from renamed
