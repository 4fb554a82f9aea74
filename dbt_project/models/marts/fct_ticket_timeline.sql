{{ config(materialized='view') }}
-- One row per ticket and timeline item (audit-rules §7): the ticket's own items
-- (int_ticket_items_unioned: CRM contacts around creation, every ticket event, surveys and
-- repeat tickets) and the alarms and degradation episodes on its linked cells from the
-- complaint window's start until some days after resolution (up to as-of while unresolved);
-- each names its source record.
--
-- A view: the network events are kept once per cell (fct_cell_network_events) and cut to each
-- ticket's window when read, as the trace API does, so a day's new network events change no
-- ticket's rows and no by-ticket build.

{%- set string_type = api.Column.translate_type('string') %}

with

network_windows as (
    -- until resolution + N days; a ticket still unresolved shows everything up to as-of
    select
        linked.ticket_id,
        linked.cell_id,
        tickets.complaint_window_start_at as window_start_at,
        least(coalesce(lifecycle.network_window_end_at, {{ as_of() }}), {{ as_of() }})
            as window_end_at
    from {{ ref('int_tickets_linked_to_cells') }} as linked
    inner join {{ ref('int_tickets_tiered') }} as tickets
        on tickets.ticket_id = linked.ticket_id
    inner join {{ ref('int_tickets_resolved') }} as lifecycle
        on lifecycle.ticket_id = linked.ticket_id
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
    inner join {{ ref('fct_cell_network_events') }} as network_events
        on network_events.cell_id = network_windows.cell_id
        and network_events.event_at >= network_windows.window_start_at
        and network_events.event_at <= network_windows.window_end_at
),

network_keyed as (
    select
        {{ dbt.hash(dbt.concat(['ticket_id', "'|'", 'item_type', "'|'", 'source_record_id'])) }}
            as timeline_item_id,
        network_items.*,
        {{ as_of() }} as built_as_of,
        cast(null as {{ api.Column.translate_type('timestamp') }}) as loaded_through,
        cast(null as {{ api.Column.translate_type('bigint') }}) as changes_through,
        {{ lineage_columns() }}
    from network_items
)

select * from {{ ref('int_ticket_items_unioned') }}
union all by name
select * from network_keyed
