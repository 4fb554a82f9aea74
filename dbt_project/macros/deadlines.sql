{#- Deadlines of clocks counted on a calendar (audit-rules §2, §6, §9, §10): where a limit is
    reached, and who owned the ticket then. The SLA clock (int_tickets_clocked) and the step
    clocks (fct_ticket_steps) both use them. -#}

{% macro limit_reached_at(pieces, keys, calendar, start_at, start_ms, banked_before, length,
                          limit, unit_ms, open_ended='false') -%}
    {#- One row per `keys` whose clock reaches `limit`: `pieces` has a row per counted piece
        of the clock with its start instant, W at its start (`start_ms`), the time banked by
        the pieces before it and its own length, all three in the same unit of `unit_ms`
        milliseconds. The limit is reached in the piece where the banked time crosses it
        (one at most, as it only grows), at the instant W reaches start_ms plus what was
        left; a piece still running at as-of (`open_ended`) projects the deadline past it. -#}
    select
        {%- for key in keys %}
        crossing.{{ key }},
        {%- endfor %}
        {{ calendar_instant('crossing.' ~ calendar, 'target_day', 'crossing.target_ms',
                            'crossing.' ~ start_at, 'crossing.' ~ start_ms) }} as deadline_at
    from (
        select
            *,
            {{ start_ms }} + ({{ limit }} - {{ banked_before }}) * {{ unit_ms }} as target_ms
        from {{ pieces }}
        where {{ banked_before }} < {{ limit }}
            and ({{ open_ended }} or {{ banked_before }} + {{ length }} >= {{ limit }})
    ) as crossing
    {{ calendar_target_join('target_day', 'crossing.' ~ calendar, 'crossing.target_ms') }}
{%- endmacro %}

{% macro department_at(deadlines, keys, deadline_at, events) -%}
    {#- One row per `keys` of `deadlines` with the department of the ticket's last event at
        or before `deadline_at` that names one (§6: the owner when the limit passed); none
        before it leaves the row out, and callers fall back to the first department. -#}
    select
        {%- for key in keys %}
        deadlines.{{ key }},
        {%- endfor %}
        arg_max(events.department, events.event_seq) as department
    from {{ deadlines }} as deadlines
    inner join {{ events }} as events
        on events.ticket_id = deadlines.ticket_id
        and events.event_at <= deadlines.{{ deadline_at }}
        and events.department is not null
    group by all
{%- endmacro %}
