{{
    config(
        materialized='incremental',
        unique_key='contact_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="{{ drop_superseded_staged_rows() }}"
    )
}}
-- Incremental although staging (as stg_ticketing__ticket_events): only rows loaded since the
-- last build are read; a re-delivered contact replaces the stored one (it was loaded later).

with

source as (
    {{ raw_rows_to_stage(source('crm', 'contacts'), ['contact_id']) }}
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
