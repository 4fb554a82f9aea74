-- One row per ticket number delivered only in quarantined rows (none staged): what its events
-- and surveys depend on is missing, so they are held back with this reason (fct_quarantined_rows)
-- instead of failing the blocking "event of an unknown ticket" check for everyone.

with

quarantined as (
    select * from {{ loader_relation('quarantine') }}
    where entity = 'ticketing/tickets'
),

staged_tickets as (
    select ticket_id from {{ ref('stg_ticketing__tickets') }}
),

keyed as (
    select
        json_extract_string(raw, '$.ticket_id') as ticket_id,
        file,
        row_number,
        reason,
        row_number() over (
            partition by json_extract_string(raw, '$.ticket_id') order by file, row_number
        ) as delivery_rank
    from quarantined
),

unstaged as (
    select
        keyed.ticket_id,
        keyed.file as quarantined_file,
        keyed.row_number as quarantined_row,
        keyed.reason as quarantine_reason
    from keyed
    anti join staged_tickets
        on staged_tickets.ticket_id = keyed.ticket_id
    where keyed.ticket_id is not null
        and keyed.delivery_rank = 1
)

select * from unstaged
