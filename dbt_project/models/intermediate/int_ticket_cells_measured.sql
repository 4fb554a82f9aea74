{{ config(**by_ticket_config(changed_by='rows')) }}
-- One row per ticket and linked cell: KPI summary over the complaint window and over the
-- hours after resolution (resolved_at, resolved_at + 24 h], counting only hours complete by
-- as-of (audit-rules §5 F2, §7).
--
-- Incremental by ticket, by new rows only (`changed_by='rows'`): a build measures the tickets
-- new rows changed since its last one (int_tickets_changed: among others, those with a new or
-- late resolution, relinked, or with a KPI hour inside their windows loaded or ended since).
-- The as-of only decides which hours have ended, so a running clock alone changes nothing
-- here.

{%- set imports %}
all_linked_cells as (
    select * from {{ ref('int_tickets_linked_to_cells') }}
),

tickets as (
    select ticket_id, created_at, complaint_window_start_at
    from {{ ref('int_tickets_tiered') }}
),

lifecycle as (
    select ticket_id, resolved_at from {{ ref('int_tickets_resolved') }}
)
{%- endset %}

{%- set affected_tickets %}
    {{ changed_tickets() }}
{%- endset %}

{#- The earliest KPI hour any affected ticket's windows reach, found before the model runs so
    it enters the SQL as a constant: DuckDB then skips the older row groups of the KPI history
    (zone maps) instead of scanning every hour of it on every run. -#}
{%- set kpi_hours_from = none %}
{%- if execute and changes_taken_in() is not none %}
    {%- set earliest = run_query("with " ~ imports ~ ", affected_tickets as ("
        ~ affected_tickets ~ ") select min(tickets.complaint_window_start_at) from tickets"
        ~ " inner join affected_tickets on affected_tickets.ticket_id = tickets.ticket_id"
    ).rows[0][0] %}
    {%- if earliest is not none %}
        {%- set kpi_hours_from = dbt.cast(dbt.string_literal(
            earliest.strftime('%Y-%m-%d %H:%M:%S')), api.Column.translate_type('timestamp')) %}
    {%- else %}
        {%- set kpi_hours_from = as_of() %}
    {%- endif %}
{%- endif %}

with

{{ imports }},

affected_tickets as (
{{ affected_tickets }}
),

linked_cells as (
    select all_linked_cells.*
    from all_linked_cells
    inner join affected_tickets
        on affected_tickets.ticket_id = all_linked_cells.ticket_id
),

kpi_hours as (
    -- an hour counts once it has ended by as-of
    select * from {{ ref('int_cell_kpi_hours_flagged') }}
    where {{ dbt.dateadd('hour', 1, 'period_start') }} <= {{ as_of() }}
        {%- if kpi_hours_from is not none %}
        and period_start >= {{ kpi_hours_from }}
        {%- endif %}
),

windows as (
    select
        linked_cells.ticket_id,
        linked_cells.cell_id,
        tickets.complaint_window_start_at,
        tickets.created_at,
        lifecycle.resolved_at,
        {{ dbt.dateadd('hour', var('kpi_recovery_window_hours'), 'lifecycle.resolved_at') }}
            as post_resolution_end_at
    from linked_cells
    inner join tickets
        on tickets.ticket_id = linked_cells.ticket_id
    inner join lifecycle
        on lifecycle.ticket_id = linked_cells.ticket_id
),

{% for phase in ['window', 'after'] %}
{{ phase }}_summary as (
    select
        windows.ticket_id,
        windows.cell_id,
        sum(case when kpi_hours.has_data then 1 else 0 end) as hours_with_data,
        sum(case when kpi_hours.has_data and kpi_hours.is_degraded then 1 else 0 end)
            as degraded_hours,
        -- summed as decimals: a parallel float sum differs in its last bits from run to run,
        -- and a summary must not change when nothing changed
        {%- for kpi in kpi_columns() %}
        cast(avg(cast(kpi_hours.{{ kpi }} as decimal(18, 6))) as double) as avg_{{ kpi }},
        {%- endfor %}
        cast(sum(cast(kpi_hours.traffic_gb as decimal(38, 6))) as double) as traffic_gb
    from windows
    inner join kpi_hours
        on kpi_hours.cell_id = windows.cell_id
        {%- if phase == 'window' %}
        and kpi_hours.period_start >= windows.complaint_window_start_at
        and kpi_hours.period_start <= windows.created_at
        {%- else %}
        and kpi_hours.period_start > windows.resolved_at
        and kpi_hours.period_start <= windows.post_resolution_end_at
        {%- endif %}
    group by windows.ticket_id, windows.cell_id
),
{% endfor %}

loaded as (
    {{ loaded_through([ref('int_cell_kpi_hours_flagged'), ref('stg_ticketing__ticket_events'),
                       ref('stg_netops__user_cell_sessions')]) }}
),

measured as (
    select
        windows.ticket_id,
        windows.cell_id,
        {%- for phase in ['window', 'after'] %}
        coalesce({{ phase }}_summary.hours_with_data, 0) as {{ phase }}_hours_with_data,
        coalesce({{ phase }}_summary.degraded_hours, 0) as {{ phase }}_degraded_hours,
        {%- for kpi in kpi_columns() %}
        {{ phase }}_summary.avg_{{ kpi }} as {{ phase }}_avg_{{ kpi }},
        {%- endfor %}
        {{ phase }}_summary.traffic_gb as {{ phase }}_traffic_gb,
        {%- endfor %}
        case
            when coalesce(after_summary.hours_with_data, 0) = 0 then null
            else after_summary.degraded_hours * 1.0 / after_summary.hours_with_data
        end as after_degraded_share,
        {{ as_of() }} as built_as_of,
        loaded.loaded_through,
        {{ changes_through() }} as changes_through
    from windows
    cross join loaded
    left join window_summary
        on window_summary.ticket_id = windows.ticket_id
        and window_summary.cell_id = windows.cell_id
    left join after_summary
        on after_summary.ticket_id = windows.ticket_id
        and after_summary.cell_id = windows.cell_id
)

select * from measured
