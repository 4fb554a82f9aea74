{{ config(**by_ticket_config(changed_by='rows')) }}
-- Incremental by ticket, by new rows only (`changed_by='rows'`: nothing here moves with a
-- running clock): a build rebuilds the tickets changed since its last one
-- (int_tickets_changed).

with

affected_tickets as (
    {{ changed_tickets() }}
),

tickets as (
    -- only what happened by the as-of time counts (audit-rules §5)
    select * from {{ ref('stg_ticketing__tickets') }}
    where created_at <= {{ as_of() }}
        and ticket_id in (select ticket_id from affected_tickets)
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

sla_policy as (
    select * from {{ ref('sla_policy') }}
),

versions_matched as (
    -- the customer version valid at created_at (data-contract crm/customers: updated_at);
    -- when a recycled MSISDN matches two customers, the most recently changed version wins
    select
        tickets.ticket_id,
        customers.customer_id,
        customers.customer_version_id,
        customers.tier,
        customers.segment,
        customers.enterprise_name,
        row_number() over (
            partition by tickets.ticket_id
            order by customers.valid_from desc nulls last, customers.customer_id
        ) as match_rank
    from tickets
    inner join customers
        on customers.msisdn = tickets.msisdn
        and (customers.valid_from is null or customers.valid_from <= tickets.created_at)
        and (customers.valid_to is null or tickets.created_at < customers.valid_to)
),

tiered as (
    select
        tickets.ticket_id,
        tickets.msisdn,
        tickets.created_at,
        {{ to_local_date('tickets.created_at') }} as created_date_local,
        tickets.channel,
        tickets.category,
        tickets.category_family,
        tickets.priority,
        tickets.description,
        tickets.reported_district,
        tickets.reopened_from_ticket_id,
        versions_matched.customer_id,
        versions_matched.customer_version_id,
        versions_matched.tier as tier_at_creation,
        versions_matched.segment,
        versions_matched.enterprise_name,
        -- an unknown customer still gets an SLA: the configured default tier (dbt_project.yml)
        coalesce(versions_matched.tier, '{{ var("unknown_customer_tier") }}') as sla_tier,
        {{ dbt.dateadd('hour', -1 * var('complaint_window_hours'), 'tickets.created_at') }}
            as complaint_window_start_at
    from tickets
    left join versions_matched
        on versions_matched.ticket_id = tickets.ticket_id
        and versions_matched.match_rank = 1
),

policies_matching as (
    -- audit-rules §8: the rows in force on the creation date whose match columns all match
    -- (an empty one matches any value), ranked most specific first, then the latest version,
    -- then the lowest policy_id
    select
        tiered.ticket_id,
        sla_policy.policy_id,
        sla_policy.calendar,
        sla_policy.first_contact_minutes,
        sla_policy.resolution_hours,
        row_number() over (
            partition by tiered.ticket_id
            order by
                (sla_policy.channel is not null)::integer
                + (sla_policy.segment is not null)::integer
                + (sla_policy.category_family is not null)::integer desc,
                sla_policy.effective_from desc,
                sla_policy.policy_id
        ) as policy_rank
    from tiered
    inner join sla_policy
        on sla_policy.priority = tiered.priority
        and sla_policy.tier = tiered.sla_tier
        and (sla_policy.channel is null or sla_policy.channel = tiered.channel)
        and (sla_policy.segment is null or sla_policy.segment = tiered.segment)
        and (sla_policy.category_family is null
             or sla_policy.category_family = tiered.category_family)
        and sla_policy.effective_from <= tiered.created_date_local
        and (sla_policy.effective_to is null
             or tiered.created_date_local <= sla_policy.effective_to)
),

limits_applied as (
    -- no matching row leaves the limits null: the facts' integrity suite names the ticket
    -- and its match values (quality_checks/integrity.py), never a silent default
    select
        tiered.*,
        policies_matching.policy_id,
        policies_matching.calendar as sla_calendar,
        policies_matching.first_contact_minutes as first_contact_limit_minutes,
        policies_matching.resolution_hours * 60 as resolution_limit_minutes
    from tiered
    left join policies_matching
        on policies_matching.ticket_id = tiered.ticket_id
        and policies_matching.policy_rank = 1
)

select
    limits_applied.*,
    {{ changes_through() }} as changes_through
from limits_applied
