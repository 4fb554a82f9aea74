{{
    config(
        materialized='incremental',
        unique_key='ticket_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- depends_on: {{ source('ticketing', 'ticket_events') }}
-- depends_on: {{ source('crm', 'contacts') }}
-- depends_on: {{ source('crm', 'customers') }}
-- depends_on: {{ source('netops', 'alarms') }}
-- One row per ticket the pipeline has seen: which build last saw it change (`changed_in`), and
-- the little the next build needs to tell whether it changes again. The one definition of
-- "what changed since the last build"; every model incremental by ticket rebuilds exactly
-- the tickets stamped since its own last build (macros/changed_tickets.sql).
--
-- A ticket changes when a row new to this build (loaded since the last build, or timed after
-- its as-of, so not visible then) can alter anything built for it:
-- - the ticket itself, delivered again or created since; then every ticket of its customer
--   too (repeat complaints, reopened tickets), under its old MSISDN and its new one;
-- - its events and surveys; contacts of its MSISDN within the contact window, or naming it;
--   a new version of its customer; session hours of its MSISDN in its complaint window;
-- - alarms, KPI hours and inventory rows of a cell its complainant used in the complaint
--   window, inside the windows the ticket's facts read them in (alarms: raised by its last
--   resolution and not cleared before its first; KPI hours: its complaint and recovery
--   windows). Network events reach the timeline per cell (fct_ticket_timeline is a view), so
--   they change no ticket otherwise;
-- - a row re-delivered under another ticket, customer or cell changes the one it left too
--   (every earlier delivery of its key is read from the source);
-- and while time alone still changes it at a later as-of: its clock runs (open or paused),
-- or an hour of its complaint or recovery window had not ended by the last as-of (a build at
-- the same as-of, a retry, rebuilds only what new rows touch). `rows_changed_in` leaves out
-- that last reason: the models that read the as-of only to tell which rows exist (an hour
-- ending in view stamps its tickets through the KPI-hour reason) rebuild by it, so an open
-- ticket's links, cells and events are not rebuilt every 15 minutes for its running clock.
-- An earlier as-of than the last build's, a file changed in place, or a first build marks
-- every ticket; a ticket no longer delivered keeps its row (`is_delivered` false), marked
-- once, so every by-ticket model drops it.

{%- set previous = previous_build_state() %}
{%- set incremental_build = is_incremental() and not previous.rebuild_all %}
{%- set build_number = next_build_number() %}
{%- set stops = "('resolved', 'closed', 'cancelled')" %}

with

tickets as (
    select
        ticket_id,
        msisdn,
        created_at,
        reopened_from_ticket_id,
        {{ dbt.dateadd('hour', -1 * var('complaint_window_hours'), 'created_at') }}
            as complaint_window_start_at,
        _loaded_at
    from {{ ref('stg_ticketing__tickets') }}
    where created_at <= {{ as_of() }}
),

{% if incremental_build %}
previous_state as (
    select * from {{ this }}
),

earlier_deliveries as (
    -- the keys a new row replaces may have named another ticket, customer or cell before
    select 'event' as kind, event_id as record_id, ticket_id, null as msisdn,
           null::timestamp as at
    from {{ source('ticketing', 'ticket_events') }}
    where event_id in (
        select event_id from {{ ref('stg_ticketing__ticket_events') }}
        where {{ new_since(previous, ['event_at']) }}
    )
    union all
    -- a survey's key holds its ticket
    select 'survey', null, ticket_id, null, null
    from {{ ref('stg_ticketing__surveys') }}
    where {{ new_since(previous, ['surveyed_at']) }}
    union all
    select 'contact', contact_id, related_ticket_id, msisdn, contact_at
    from {{ source('crm', 'contacts') }}
    where contact_id in (
        select contact_id from {{ ref('stg_crm__contacts') }}
        where {{ new_since(previous, ['contact_at']) }}
    )
    union all
    select 'customer', customer_id, null, msisdn, null
    from {{ source('crm', 'customers') }}
    where customer_id in (
        select customer_id from {{ ref('stg_crm__customers') }}
        where {{ new_since(previous, []) }}
    )
),

delivered as (
    -- the ticket itself is new to this build, or went (its creation moved after the as-of)
    select ticket_id from tickets
    where {{ new_since(previous, ['created_at']) }}
    union
    select previous_state.ticket_id
    from previous_state
    anti join tickets
        on tickets.ticket_id = previous_state.ticket_id
    where previous_state.is_delivered
),

customers_delivered as (
    -- the MSISDNs of those tickets, before and now
    select tickets.msisdn
    from delivered
    inner join tickets
        on tickets.ticket_id = delivered.ticket_id
    union
    select previous_state.msisdn
    from delivered
    inner join previous_state
        on previous_state.ticket_id = delivered.ticket_id
    union
    -- a new version of a customer: every MSISDN any delivery of it named
    select msisdn from earlier_deliveries
    where kind = 'customer'
),

network_windows as (
    -- the cells each ticket's complainant used in its complaint window, with the windows its
    -- facts read network rows in (null bounds while unresolved: an open ticket changes on
    -- every build anyway)
    select
        previous_state.ticket_id,
        unnest(previous_state.window_cells) as cell_id,
        previous_state.complaint_window_start_at,
        previous_state.created_at,
        previous_state.first_resolution_at,
        previous_state.last_resolution_at,
        previous_state.recovery_window_end_at
    from previous_state
    where previous_state.is_delivered
),

changed_by_rows as (
    select ticket_id from delivered
    union
    select tickets.ticket_id
    from tickets
    inner join customers_delivered
        on customers_delivered.msisdn = tickets.msisdn
    union
    select tickets.reopened_from_ticket_id
    from delivered
    inner join tickets
        on tickets.ticket_id = delivered.ticket_id
    where tickets.reopened_from_ticket_id is not null
    union
    select ticket_id from earlier_deliveries
    where kind in ('event', 'survey', 'contact') and ticket_id is not null
    union
    select tickets.ticket_id
    from earlier_deliveries as contacts
    inner join tickets
        on tickets.msisdn = contacts.msisdn
        and contacts.at >= {{ dbt.dateadd('day', -1 * var('contact_window_days'),
                                          'tickets.created_at') }}
        and contacts.at <= {{ dbt.dateadd('day', var('contact_window_days'),
                                          'tickets.created_at') }}
    where contacts.kind = 'contact'
    union
    select tickets.ticket_id
    from {{ ref('stg_netops__user_cell_sessions') }} as sessions
    inner join tickets
        on tickets.msisdn = sessions.msisdn
        and sessions.period_start >= tickets.complaint_window_start_at
        and sessions.period_start <= tickets.created_at
    where sessions._loaded_at > {{ previous.loaded_through }}
    union
    select network_windows.ticket_id
    from network_windows
    inner join (
        select alarm_id, cell_id, raised_at, cleared_at
        from {{ ref('stg_netops__alarms') }}
        where {{ new_since(previous, ['raised_at', 'cleared_at']) }}
        union all
        select alarm_id, cell_id, raised_at, cleared_at
        from {{ source('netops', 'alarms') }}
        where alarm_id in (
            select alarm_id from {{ ref('stg_netops__alarms') }}
            where {{ new_since(previous, ['raised_at', 'cleared_at']) }}
        )
    ) as alarms
        on alarms.cell_id = network_windows.cell_id
        and alarms.raised_at <= network_windows.last_resolution_at
        and coalesce(alarms.cleared_at, network_windows.last_resolution_at)
            >= network_windows.first_resolution_at
    union
    select network_windows.ticket_id
    from network_windows
    inner join {{ ref('int_cell_kpi_hours_flagged') }} as kpi_hours
        on kpi_hours.cell_id = network_windows.cell_id
        and kpi_hours.period_start >= network_windows.complaint_window_start_at
        and (
            kpi_hours.period_start <= network_windows.created_at
            or (
                kpi_hours.period_start >= network_windows.first_resolution_at
                and kpi_hours.period_start <= network_windows.recovery_window_end_at
            )
        )
    where kpi_hours._loaded_at > {{ previous.loaded_through }}
        -- an hour that has ended since the last build's as-of
        or {{ came_into_view(previous, dbt.dateadd('hour', 1, 'kpi_hours.period_start')) }}
    union
    -- a cell's inventory delivered again (its RAT decides its KPI thresholds)
    select network_windows.ticket_id
    from network_windows
    inner join {{ ref('stg_netops__cells') }} as cells
        on cells.cell_id = network_windows.cell_id
    where cells._loaded_at > {{ previous.loaded_through }}
),

changed as (
    select ticket_id from changed_by_rows
    {%- if previous.time_moved %}
    union
    -- time alone still changes it (the as-of moved on since the last build)
    select ticket_id
    from previous_state
    where previous_state.is_delivered
        and (
            previous_state.live_until is null
            or previous_state.live_until > {{ previous.as_of }}
        )
    {%- endif %}
),
{% else %}
changed as (
    select ticket_id from tickets
    {%- if is_incremental() %}
    union
    select ticket_id from {{ this }}
    {%- endif %}
),
{% endif %}

events as (
    select events.ticket_id, events.event_id, events.event_at, events.action
    from {{ ref('stg_ticketing__ticket_events') }} as events
    semi join changed
        on changed.ticket_id = events.ticket_id
    where events.event_at <= {{ as_of() }}
),

clock_stops as (
    -- the clock stops at a resolution, closure or cancellation until a reopen (audit-rules
    -- §2); ordered as int_ticket_events_sequenced orders them
    select
        ticket_id,
        max(event_at) filter (where action in ('resolved', 'closed')) as last_resolution_at,
        min(event_at) filter (where action in ('resolved', 'closed')) as first_resolution_at,
        max(event_at) filter (where action in {{ stops }}) as last_stop_at,
        arg_max(action in {{ stops }}, (event_at, event_id))
            filter (where action in {{ stops }} or action = 'reopened') as is_stopped
    from events
    group by ticket_id
),

window_cells as (
    select
        tickets.ticket_id,
        list(distinct sessions.cell_id order by sessions.cell_id) as window_cells
    from tickets
    semi join changed
        on changed.ticket_id = tickets.ticket_id
    inner join {{ ref('stg_netops__user_cell_sessions') }} as sessions
        on sessions.msisdn = tickets.msisdn
        and sessions.period_start >= tickets.complaint_window_start_at
        and sessions.period_start <= tickets.created_at
    group by tickets.ticket_id
),

loaded as (
    {{ loaded_through([
        ref('stg_ticketing__tickets'), ref('stg_ticketing__ticket_events'),
        ref('stg_ticketing__surveys'), ref('stg_crm__contacts'), ref('stg_crm__customers'),
        ref('stg_netops__user_cell_sessions'), ref('stg_netops__alarms'),
        ref('stg_netops__cells'), ref('int_cell_kpi_hours_flagged')]) }}
),

marked as (
    select
        changed.ticket_id,
        tickets.ticket_id is not null as is_delivered,
        tickets.msisdn,
        tickets.created_at,
        tickets.complaint_window_start_at,
        coalesce(window_cells.window_cells, []) as window_cells,
        clock_stops.first_resolution_at,
        clock_stops.last_resolution_at,
        {{ dbt.dateadd('hour', var('kpi_recovery_window_hours'),
                       'clock_stops.last_resolution_at') }} as recovery_window_end_at,
        -- until when the next as-of alone can change what is built for it: never while its
        -- clock runs; else until the last hour of its complaint and recovery windows ends
        case
            when coalesce(clock_stops.is_stopped, false) then greatest(
                {{ dbt.dateadd('hour', 1, 'tickets.created_at') }},
                {{ dbt.dateadd('hour', var('kpi_recovery_window_hours') + 1,
                               'clock_stops.last_stop_at') }}
            )
        end as live_until,
        {{ build_number }} as changed_in,
        -- the build that last saw new rows change it (time alone leaves it): what the models
        -- that read the as-of only to see which rows exist rebuild by
        {%- if incremental_build %}
        case
            when changed.ticket_id in (select ticket_id from changed_by_rows)
                then {{ build_number }}
            else previous_state.rows_changed_in
        end as rows_changed_in,
        {%- else %}
        {{ build_number }} as rows_changed_in,
        {%- endif %}
        {{ as_of() }} as built_as_of,
        loaded.loaded_through
    from changed
    left join tickets
        on tickets.ticket_id = changed.ticket_id
    left join clock_stops
        on clock_stops.ticket_id = changed.ticket_id
    left join window_cells
        on window_cells.ticket_id = changed.ticket_id
    {%- if incremental_build %}
    left join previous_state
        on previous_state.ticket_id = changed.ticket_id
    {%- endif %}
    cross join loaded
    {%- if incremental_build %}
    -- a ticket gone before this build's last one was marked then
    where tickets.ticket_id is not null
        or changed.ticket_id in (select ticket_id from delivered)
    {%- endif %}
)

select * from marked
