{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook="{{ drop_rows_when_rebuilding_all() }}"
    )
}}
-- One row per ticket and timeline item (audit-rules §7): CRM contacts around creation, every
-- ticket event, alarms and degradation episodes on the linked cells from the complaint window's
-- start to some days after resolution, surveys and repeat tickets; each names its source record.
--
-- Incremental by ticket: a run rebuilds only the tickets that a row new to it can touch (loaded
-- since the last build, or timed after the last as-of: an event, contact, survey, repeat
-- ticket, alarm, degradation episode or relinking), so a new day costs about a day. An
-- earlier as-of than the last build's rebuilds every ticket (the pre-hook drops rows built for
-- a later as-of).

{%- set string_type = api.Column.translate_type('string') %}

with

all_tickets as (
    select * from {{ ref('int_tickets_tiered') }}
),

lifecycle as (
    select ticket_id, resolved_at, network_window_end_at from {{ ref('int_tickets_resolved') }}
),

episodes as (
    select * from {{ ref('fct_cell_degradation_episodes') }}
),

{%- set previous = previous_build_state() %}
{% if is_incremental() and not previous.rebuild_all %}
all_network_windows as (
    select
        linked.ticket_id,
        linked.cell_id,
        all_tickets.complaint_window_start_at as window_start_at,
        coalesce(lifecycle.network_window_end_at, {{ as_of() }}) as window_end_at
    from {{ ref('int_tickets_linked_to_cells') }} as linked
    inner join all_tickets
        on all_tickets.ticket_id = linked.ticket_id
    inner join lifecycle
        on lifecycle.ticket_id = linked.ticket_id
),

touched_tickets as (
    select events.ticket_id
    from {{ ref('stg_ticketing__ticket_events') }} as events
    where events._loaded_at > {{ previous.loaded_through }}
        or events.event_at > {{ previous.as_of }}
    union
    select surveys.ticket_id
    from {{ ref('stg_ticketing__surveys') }} as surveys
    where surveys._loaded_at > {{ previous.loaded_through }}
        or surveys.surveyed_at > {{ previous.as_of }}
    union
    select all_tickets.ticket_id
    from all_tickets
    inner join {{ ref('stg_crm__contacts') }} as contacts
        on contacts.msisdn = all_tickets.msisdn
        and contacts.contact_at >= {{ dbt.dateadd('day', -1 * var('contact_window_days'),
                                                   'all_tickets.created_at') }}
        and contacts.contact_at <= {{ dbt.dateadd('day', var('contact_window_days'),
                                                   'all_tickets.created_at') }}
    where contacts._loaded_at > {{ previous.loaded_through }}
        or contacts.contact_at > {{ previous.as_of }}
    union
    select contacts.related_ticket_id as ticket_id
    from {{ ref('stg_crm__contacts') }} as contacts
    where contacts.related_ticket_id is not null
        and (
            contacts._loaded_at > {{ previous.loaded_through }}
            or contacts.contact_at > {{ previous.as_of }}
        )
    union
    -- the ticket itself, or a later ticket of the same customer (a repeat), is new
    select earlier.ticket_id
    from all_tickets as earlier
    inner join {{ ref('stg_ticketing__tickets') }} as later
        on later.msisdn = earlier.msisdn
        and later.created_at >= earlier.created_at
    where later._loaded_at > {{ previous.loaded_through }}
        or later.created_at > {{ previous.as_of }}
    union
    select later.reopened_from_ticket_id as ticket_id
    from {{ ref('stg_ticketing__tickets') }} as later
    where later.reopened_from_ticket_id is not null
        and (
            later._loaded_at > {{ previous.loaded_through }}
            or later.created_at > {{ previous.as_of }}
        )
    union
    -- an event item whose event a re-delivered file took away or gave to another ticket
    select built.ticket_id
    from {{ this }} as built
    anti join {{ ref('int_ticket_events_sequenced') }} as events
        on events.event_id = built.source_record_id
        and events.ticket_id = built.ticket_id
    where built.item_type = 'ticket_event'
    union
    -- linked cells rebuilt in this very build
    select ticket_id
    from {{ ref('int_tickets_linked_to_cells') }}
    where dbt_invocation_id = '{{ invocation_id }}'
    union
    select windows.ticket_id
    from all_network_windows as windows
    inner join {{ ref('stg_netops__alarms') }} as alarms
        on alarms.cell_id = windows.cell_id
    where (
            alarms._loaded_at > {{ previous.loaded_through }}
            or alarms.raised_at > {{ previous.as_of }}
            or alarms.cleared_at > {{ previous.as_of }}
        )
        and alarms.raised_at <= windows.window_end_at
        and coalesce(alarms.cleared_at, windows.window_end_at) >= windows.window_start_at
    union
    -- an episode that began or went on since the last as-of
    select windows.ticket_id
    from all_network_windows as windows
    inner join episodes
        on episodes.cell_id = windows.cell_id
    where episodes.episode_end_at > {{ previous.as_of }}
        and episodes.episode_start_at <= windows.window_end_at
        and episodes.episode_end_at >= windows.window_start_at
    union
    -- KPI hours that arrived late, for an hour that had ended by the last as-of
    select windows.ticket_id
    from all_network_windows as windows
    inner join {{ ref('int_cell_kpi_hours_flagged') }} as kpi_hours
        on kpi_hours.cell_id = windows.cell_id
    where kpi_hours._loaded_at > {{ previous.loaded_through }}
        and {{ dbt.dateadd('hour', 1, 'kpi_hours.period_start') }}
            <= {{ previous.as_of }}
),

affected_tickets as (
    select all_tickets.ticket_id
    from all_tickets
    where all_tickets.created_at > {{ previous.as_of }}
    union
    select ticket_id from touched_tickets
),
{% else %}
affected_tickets as (
    select ticket_id from all_tickets
),
{% endif %}

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

linked_cells as (
    select linked.ticket_id, linked.cell_id
    from {{ ref('int_tickets_linked_to_cells') }} as linked
    inner join tickets
        on tickets.ticket_id = linked.ticket_id
),

network_events as (
    select * from {{ ref('fct_cell_network_events') }}
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
        ref('stg_ticketing__surveys'), ref('stg_crm__contacts'), ref('stg_netops__alarms'),
        ref('stg_netops__user_cell_sessions'), ref('int_cell_kpi_hours_flagged'),
    ]) }}
),

network_windows as (
    -- until resolution + N days; a ticket still unresolved shows everything up to as-of
    select
        linked_cells.ticket_id,
        linked_cells.cell_id,
        tickets.complaint_window_start_at as window_start_at,
        least(coalesce(lifecycle.network_window_end_at, {{ as_of() }}), {{ as_of() }})
            as window_end_at
    from linked_cells
    inner join tickets
        on tickets.ticket_id = linked_cells.ticket_id
    inner join lifecycle
        on lifecycle.ticket_id = linked_cells.ticket_id
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

network_items as (
    -- alarm edges and degradation episode edges on the linked cells inside the window
    select
        network_windows.ticket_id,
        network_events.event_at as item_at,
        network_events.item_type,
        network_events.source_system,
        network_events.source_table,
        network_events.source_record_id,
        network_events.cell_id,
        cast(null as {{ string_type }}) as department,
        cast(null as {{ string_type }}) as actor_id,
        network_events.status,
        network_events.code,
        network_events.detail,
        network_events.summary
    from network_windows
    inner join network_events
        on network_events.cell_id = network_windows.cell_id
        and network_events.event_at >= network_windows.window_start_at
        and network_events.event_at <= network_windows.window_end_at
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
    union all select * from network_items
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
        {{ lineage_columns() }}
    from unioned
    cross join loaded_through
)

select * from keyed
