{{ config(**by_ticket_config(changed_by='rows')) }}
-- One row per ticket created by as-of: the first operator contact (audit-rules §1), from the
-- ticket's `customer_contacted` events and outbound CRM contacts tied to it. An inbound call
-- is the customer reaching us, not a contact by the operator.
--
-- Incremental by ticket, by new rows only (`changed_by='rows'`: nothing here moves with a
-- running clock): a build rebuilds the tickets changed since its last one
-- (int_tickets_changed).

with

affected_tickets as (
    {{ changed_tickets() }}
),

tickets as (
    select ticket_id from {{ ref('int_tickets_tiered') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

events as (
    select * from {{ ref('int_ticket_events_sequenced') }}
    where action = 'customer_contacted'
        and ticket_id in (select ticket_id from affected_tickets)
),

crm_contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    where direction = 'outbound'
        and related_ticket_id is not null
        and contact_at <= {{ as_of() }}
        and related_ticket_id in (select ticket_id from affected_tickets)
),

candidates as (
    select
        ticket_id,
        event_at as contact_at,
        'ticket_event' as contact_source,
        event_id as contact_record_id
    from events
    union all
    select
        related_ticket_id as ticket_id,
        contact_at,
        'crm_contact' as contact_source,
        contact_id as contact_record_id
    from crm_contacts
),

ranked as (
    select
        *,
        row_number() over (
            partition by ticket_id
            order by contact_at, contact_source desc, contact_record_id
        ) as contact_rank
    from candidates
),

first_contacts as (
    select
        tickets.ticket_id,
        ranked.contact_at as first_contact_at,
        ranked.contact_source as first_contact_source,
        ranked.contact_record_id as first_contact_record_id
    from tickets
    left join ranked
        on ranked.ticket_id = tickets.ticket_id
        and ranked.contact_rank = 1
)

select
    first_contacts.*,
    {{ changes_through() }} as changes_through
from first_contacts
