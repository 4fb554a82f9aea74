-- One row per delivered row kept out of the marts, with its file, row number and reason: the
-- rows the loader quarantined (data-contract: a row that breaks the contract), and the events
-- and surveys of a ticket that was itself quarantined, which cost only themselves, and the 3GPP
-- PM results of objects no mapping rule makes a cell while a KPI formula names their counter.

with

loader_rows as (
    select entity, file, row_number, reason, raw
    from {{ loader_relation('quarantine') }}
),

quarantined_tickets as (
    select * from {{ ref('int_tickets_quarantined') }}
),

events as (
    select * from {{ ref('stg_ticketing__ticket_events') }}
),

surveys as (
    select * from {{ ref('stg_ticketing__surveys') }}
),

dependent_rows as (
    {%- for entity, relation in [('ticketing/ticket_events', 'events'),
                                 ('ticketing/surveys', 'surveys')] %}
    select
        '{{ entity }}' as entity,
        {{ relation }}._source_file as file,
        {{ relation }}._source_row as row_number,
        'its ticket was quarantined: ' || quarantined_tickets.quarantined_file || ' row '
            || quarantined_tickets.quarantined_row || ': '
            || quarantined_tickets.quarantine_reason as reason,
        to_json({{ relation }})::varchar as raw
    from {{ relation }}
    inner join quarantined_tickets
        on quarantined_tickets.ticket_id = {{ relation }}.ticket_id
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

unmapped_pm_results as (
    select
        'netops/pm_xml' as entity,
        _source_file as file,
        _source_row as row_number,
        'no pm_cell_mapping rule makes this measObjLdn a cell: ' || meas_obj_ldn as reason,
        json_object('vendor_name', vendor_name, 'measObjLdn', meas_obj_ldn,
                    'measType', counter)::varchar as raw
    from {{ ref('int_pm_results_unmapped') }}
),

held_back as (
    select *, false as is_dependent from loader_rows
    union all
    select *, true as is_dependent from dependent_rows
    union all
    select *, true as is_dependent from unmapped_pm_results
)

select * from held_back
