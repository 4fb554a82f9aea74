{{ config(**by_ticket_config()) }}
-- One row per ticket and item of its own timeline (audit-rules §7): CRM contacts around
-- creation, every ticket event, surveys and repeat tickets; each names its source record. The
-- network events on its linked cells join them in `fct_ticket_timeline`: they are kept once
-- per cell, so a new alarm or degradation episode changes no ticket here.
--
-- Incremental by ticket: a build rebuilds the tickets changed since its last one
-- (int_tickets_changed: an event, contact, survey or repeat ticket new to it).

{%- set string_type = api.Column.translate_type('string') %}

with

all_tickets as (
    select * from {{ ref('int_tickets_tiered') }}
),

lifecycle as (
    select ticket_id, resolved_at from {{ ref('int_tickets_resolved') }}
),

affected_tickets as (
    {{ changed_tickets() }}
),

tickets as (
    select all_tickets.*
    from all_tickets
    inner join affected_tickets
        on affected_tickets.ticket_id = all_tickets.ticket_id
),

events as (
    select events.*
    from {{ ref('int_ticket_events_sequenced') }} as events
    inner join tickets
        on tickets.ticket_id = events.ticket_id
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    where contact_at <= {{ as_of() }}
),

surveys as (
    select surveys.*
    from {{ ref('stg_ticketing__surveys') }} as surveys
    inner join tickets
        on tickets.ticket_id = surveys.ticket_id
    where surveys.surveyed_at <= {{ as_of() }}
),

loaded_through as (
    -- the newest input row this build has seen: the next build looks for rows loaded later
    {{ loaded_through([
        ref('stg_ticketing__tickets'), ref('stg_ticketing__ticket_events'),
        ref('stg_ticketing__surveys'), ref('stg_crm__contacts'),
    ]) }}
),

matched_contacts as (
    -- the customer's contacts around creation, and any contact tied to the ticket (the one
    -- that counts as first contact may come from another number, e.g. an account manager's)
    select tickets.ticket_id, contacts.*
    from tickets
    inner join contacts
        on contacts.msisdn = tickets.msisdn
        and contacts.contact_at >= {{ dbt.dateadd('day', -1 * var('contact_window_days'),
                                                   'tickets.created_at') }}
        and contacts.contact_at <= {{ dbt.dateadd('day', var('contact_window_days'),
                                                   'tickets.created_at') }}
    union
    select tickets.ticket_id, contacts.*
    from tickets
    inner join contacts
        on contacts.related_ticket_id = tickets.ticket_id
),

contact_items as (
    select
        ticket_id,
        contact_at as item_at,
        'crm_contact' as item_type,
        'crm' as source_system,
        'contacts' as source_table,
        contact_id as source_record_id,
        cast(null as {{ string_type }}) as cell_id,
        cast(null as {{ string_type }}) as department,
        agent_id as actor_id,
        direction as status,
        channel as code,
        topic as detail,
        direction || ' ' || channel || ' contact' as summary
    from matched_contacts
),

event_items as (
    select
        ticket_id,
        event_at as item_at,
        'ticket_event' as item_type,
        'ticketing' as source_system,
        'ticket_events' as source_table,
        event_id as source_record_id,
        cast(null as {{ string_type }}) as cell_id,
        department,
        operator_id as actor_id,
        status_after as status,
        closure_code as code,
        note as detail,
        action as summary
    from events
),

survey_items as (
    select
        ticket_id,
        surveyed_at as item_at,
        'survey' as item_type,
        'ticketing' as source_system,
        'surveys' as source_table,
        survey_id as source_record_id,
        cast(null as {{ string_type }}) as cell_id,
        cast(null as {{ string_type }}) as department,
        cast(null as {{ string_type }}) as actor_id,
        case
            when is_resolution_confirmed then 'confirmed'
            when not is_resolution_confirmed then 'disputed'
        end as status,
        {{ dbt.cast('score', string_type) }} as code,
        cast(null as {{ string_type }}) as detail,
        'customer survey' as summary
    from surveys
),

repeat_pairs as (
    -- later tickets of the same customer and family, or tickets that name this one as reopened
    select earlier.ticket_id, later.ticket_id as later_ticket_id
    from tickets as earlier
    inner join lifecycle
        on lifecycle.ticket_id = earlier.ticket_id
    inner join all_tickets as later
        on later.msisdn = earlier.msisdn
        and later.category_family = earlier.category_family
        and later.created_at > earlier.created_at
        and later.created_at <= {{ dbt.dateadd('day', var('repeat_complaint_window_days'),
            'coalesce(lifecycle.resolved_at, ' ~ as_of() ~ ')') }}
    union
    select earlier.ticket_id, later.ticket_id as later_ticket_id
    from all_tickets as later
    inner join tickets as earlier
        on earlier.ticket_id = later.reopened_from_ticket_id
),

repeat_items as (
    select
        repeat_pairs.ticket_id,
        later.created_at as item_at,
        'repeat_ticket' as item_type,
        'ticketing' as source_system,
        'tickets' as source_table,
        later.ticket_id as source_record_id,
        cast(null as {{ string_type }}) as cell_id,
        cast(null as {{ string_type }}) as department,
        cast(null as {{ string_type }}) as actor_id,
        later.priority as status,
        later.category as code,
        later.description as detail,
        'repeat ticket ' || later.ticket_id as summary
    from repeat_pairs
    inner join all_tickets as later
        on later.ticket_id = repeat_pairs.later_ticket_id
),
unioned as (
    select * from contact_items
    union all select * from event_items
    union all select * from survey_items
    union all select * from repeat_items
),

keyed as (
    select
        {{ dbt.hash(dbt.concat(['ticket_id', "'|'", 'item_type', "'|'", 'source_record_id'])) }}
            as timeline_item_id,
        unioned.*,
        {{ as_of() }} as built_as_of,
        loaded_through.loaded_through,
        {{ changes_through() }} as changes_through,
        {{ lineage_columns() }}
    from unioned
    cross join loaded_through
)

select * from keyed
