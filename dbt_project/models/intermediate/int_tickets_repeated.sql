{{ config(**by_ticket_config(changed_by='rows')) }}
-- One row per resolved ticket: the first later ticket of the same MSISDN and category family
-- created after its resolution and by as-of (audit-rules §5 F4; the audit applies the window).
--
-- Incremental by ticket, by new rows only (`changed_by='rows'`: nothing here moves with a
-- running clock): a build rebuilds the tickets changed since its last one
-- (int_tickets_changed).
-- (A later ticket may be any ticket of the customer; the earlier one is rebuilt.)

with

affected_tickets as (
    {{ changed_tickets() }}
),

tickets as (
    select ticket_id, msisdn, category_family, created_at
    from {{ ref('int_tickets_tiered') }}
),

lifecycle as (
    select ticket_id, resolved_at from {{ ref('int_tickets_resolved') }}
    where resolved_at is not null
        and ticket_id in (select ticket_id from affected_tickets)
),

later_tickets as (
    select
        earlier.ticket_id,
        later.ticket_id as next_ticket_id,
        later.created_at as next_created_at,
        row_number() over (
            partition by earlier.ticket_id order by later.created_at, later.ticket_id
        ) as later_rank,
        lifecycle.resolved_at
    from tickets as earlier
    inner join lifecycle
        on lifecycle.ticket_id = earlier.ticket_id
    inner join tickets as later
        on later.msisdn = earlier.msisdn
        and later.category_family = earlier.category_family
        and later.created_at > lifecycle.resolved_at
        and later.ticket_id <> earlier.ticket_id
),

first_repeats as (
    select
        ticket_id,
        next_ticket_id as next_same_family_ticket_id,
        next_created_at as next_same_family_created_at,
        {{ seconds_between('resolved_at', 'next_created_at') }} / 3600.0
            as hours_to_next_same_family_ticket
    from later_tickets
    where later_rank = 1
)

select
    first_repeats.*,
    {{ changes_through() }} as changes_through
from first_repeats
