{{ config(**by_ticket_config(changed_by='rows')) }}
-- One row per ticket and linked cell: rank, dwell, inventory, KPI summary for the complaint
-- window and the hours after resolution, and the alarm that was still active then (§3, §7).
--
-- Incremental by ticket, by new rows only (`changed_by='rows'`: nothing here moves with a
-- running clock): a build rebuilds the tickets changed since its last one
-- (int_tickets_changed).

with

affected_tickets as (
    {{ changed_tickets() }}
),

linked_cells as (
    select * from {{ ref('int_tickets_linked_to_cells') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

cells as (
    select * from {{ ref('stg_netops__cells') }}
),

cell_measures as (
    select * from {{ ref('int_ticket_cells_measured') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

uncleared_alarms as (
    select
        ticket_id,
        cell_id,
        count(*) as uncleared_alarm_count
    from {{ ref('int_ticket_alarms_uncleared') }}
    where ticket_id in (select ticket_id from affected_tickets)
    group by ticket_id, cell_id
),

joined as (
    select
        linked_cells.ticket_id,
        linked_cells.cell_id,
        linked_cells.cell_rank,
        linked_cells.dwell_seconds,
        linked_cells.session_hours,
        linked_cells.first_session_hour_at,
        linked_cells.last_session_hour_at,
        cells.site_id,
        cells.cell_name,
        cells.rat,
        cells.site_type,
        cells.district,
        cells.latitude,
        cells.longitude,
        cells.cell_status,
        cells.cell_id is not null as is_in_inventory,
        {%- for phase in ['window', 'after'] %}
        cell_measures.{{ phase }}_hours_with_data,
        cell_measures.{{ phase }}_degraded_hours,
        {%- for kpi in kpi_columns() %}
        cell_measures.{{ phase }}_avg_{{ kpi }},
        {%- endfor %}
        cell_measures.{{ phase }}_traffic_gb,
        {%- endfor %}
        cell_measures.after_degraded_share,
        coalesce(uncleared_alarms.uncleared_alarm_count, 0) as uncleared_alarm_count,
        {{ lineage_columns() }}
    from linked_cells
    left join cells
        on cells.cell_id = linked_cells.cell_id
    left join cell_measures
        on cell_measures.ticket_id = linked_cells.ticket_id
        and cell_measures.cell_id = linked_cells.cell_id
    left join uncleared_alarms
        on uncleared_alarms.ticket_id = linked_cells.ticket_id
        and uncleared_alarms.cell_id = linked_cells.cell_id
)

select
    joined.*,
    {{ changes_through() }} as changes_through
from joined
