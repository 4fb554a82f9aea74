{{ config(**by_ticket_config(changed_by='rows')) }}
-- One row per ticket and alarm that was still active on a linked cell after resolution: a
-- configured severity (critical/major), raised by resolved_at and not cleared by
-- resolved_at + grace, where a clearance after as-of has not happened yet (audit-rules §5 F1).
--
-- Incremental by ticket, by new rows only (`changed_by='rows'`: nothing here moves with a
-- running clock): a build rebuilds the tickets changed since its last one
-- (int_tickets_changed).

{%- set severities = var('f1_alarm_severities') %}

with

affected_tickets as (
    {{ changed_tickets() }}
),

linked_cells as (
    select ticket_id, cell_id from {{ ref('int_tickets_linked_to_cells') }}
    where ticket_id in (select ticket_id from affected_tickets)
),

lifecycle as (
    select ticket_id, resolved_at from {{ ref('int_tickets_resolved') }}
    where resolved_at is not null
        and ticket_id in (select ticket_id from affected_tickets)
),

-- Materialised on purpose: inlined, the optimiser may join lifecycle to alarms on the
-- inequality `raised_at <= resolved_at` alone (every ticket x every alarm) before the cell
-- join; at 24 days of day-scale history that spilled more than 60 GB. Joined first, the
-- alarm join is one hash join on cell_id (0.2 s at the same size).
linked_resolved as materialized (
    select linked_cells.ticket_id, linked_cells.cell_id, lifecycle.resolved_at
    from linked_cells
    inner join lifecycle
        on lifecycle.ticket_id = linked_cells.ticket_id
),

alarms as (
    select * from {{ ref('stg_netops__alarms') }}
    where severity in (
        {%- for severity in severities %}'{{ severity }}'{{ ", " if not loop.last }}{% endfor -%}
    )
        and raised_at <= {{ as_of() }}
),

uncleared as (
    select
        linked_resolved.ticket_id,
        alarms.alarm_id,
        alarms.cell_id,
        alarms.severity,
        -- the configured list is ordered strongest first
        case alarms.severity
            {%- for severity in severities %}
            when '{{ severity }}' then {{ loop.index }}
            {%- endfor %}
        end as severity_rank,
        alarms.alarm_type,
        alarms.raised_at,
        case when alarms.cleared_at <= {{ as_of() }} then alarms.cleared_at end as cleared_at
    from linked_resolved
    inner join alarms
        on alarms.cell_id = linked_resolved.cell_id
        and alarms.raised_at <= linked_resolved.resolved_at
    where alarms.cleared_at is null
        or alarms.cleared_at > {{ as_of() }}
        or alarms.cleared_at > {{ dbt.dateadd('hour', var('alarm_clear_grace_hours'),
                                              'linked_resolved.resolved_at') }}
)

select
    uncleared.*,
    {{ changes_through() }} as changes_through
from uncleared
