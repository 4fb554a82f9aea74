{#- What changed since the last build, defined once (`int_tickets_changed`), and how every model
    that is incremental by ticket uses it.

    `int_tickets_changed` numbers its builds (`changed_in`, 1, 2, ...) and stamps each ticket
    with the build that last saw it change. A model incremental by ticket keeps, on each row,
    the newest build number it has taken in (`changes_through`); its next build rebuilds the
    tickets stamped later, and nothing else. A model that failed in a run takes in that run's
    changes on its next build, because its own number stayed behind.

    A model that reads the as-of only to tell which rows exist (nothing it builds for a
    ticket moves with the clock) is configured `by_ticket_config(changed_by='rows')`: it
    rebuilds by `rows_changed_in`, the build that last saw new rows change the ticket, so a
    running clock alone does not rebuild it. -#}

{% macro changes_taken_in() -%}
    {#- The newest `changed_in` this model has taken in: none on a first build, a full refresh,
        or when it is empty (then every ticket is rebuilt). Read before the SQL is rendered,
        so it enters it as a constant. -#}
    {%- if execute and is_incremental() -%}
        {%- set row = run_query('select max(changes_through) from ' ~ this).rows[0] -%}
        {{ return(row[0]) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro changed_tickets() -%}
    {#- The tickets this build of a by-ticket model rebuilds: changed since its last build.
        Includes tickets no longer delivered, so their rows are dropped (`drop_changed_tickets`)
        and none comes back. -#}
    {%- set since = changes_taken_in() %}
    {#- (`config.get` answers '' while dbt parses) -#}
    {%- set meta = config.get('meta') or {} %}
    {%- set stamp = 'rows_changed_in' if meta.get('changed_by') == 'rows' else 'changed_in' %}
    select ticket_id from {{ ref('int_tickets_changed') }}
    {%- if since is not none %}
    where {{ stamp }} > {{ since }}
    {%- endif %}
{%- endmacro %}

{% macro changes_through() -%}
    {#- The column each row of a by-ticket model carries: the changes it has taken in. -#}
    (select max(changed_in) from {{ ref('int_tickets_changed') }})
{%- endmacro %}

{% macro drop_changed_tickets() -%}
    {#- pre-hook of a by-ticket model: the rows of every ticket it rebuilds go first, also of a
        ticket that gets no row back (gone from the feed, created after the as-of, or with no
        row in this model any more), which delete+insert alone would keep -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where ticket_id in ({{ changed_tickets() }})
    {%- endif -%}
{%- endmacro %}

{% macro by_ticket_config(changed_by='any') -%}
    {#- The config of a model incremental by ticket; `changed_by='rows'`: it rebuilds the
        tickets new rows changed only (see above). -#}
    {{ return({
        'materialized': 'incremental',
        'unique_key': 'ticket_id',
        'incremental_strategy': 'delete+insert',
        'on_schema_change': 'fail',
        'pre_hook': "{{ drop_changed_tickets() }}",
        'meta': {'changed_by': changed_by},
    }) }}
{%- endmacro %}

{% macro new_since(previous, time_columns) -%}
    {#- a row new to this build: loaded since the last one, or timed after its as-of and by
        this one's (not visible then, visible now; one timed later still is not visible yet,
        so it changes nothing before a build whose as-of reaches it) -#}
    (_loaded_at > {{ previous.loaded_through }}
    {%- for column in time_columns %}
        or {{ came_into_view(previous, column) }}
    {%- endfor %})
{%- endmacro %}

{% macro came_into_view(previous, moment) -%}
    {#- `moment` passed since the last build's as-of, by this one's -#}
    ({{ moment }} > {{ previous.as_of }} and {{ moment }} <= {{ as_of() }})
{%- endmacro %}

{% macro next_build_number() -%}
    {%- if execute and is_incremental() -%}
        {%- set row = run_query('select coalesce(max(changed_in), 0) + 1 from ' ~ this).rows[0] -%}
        {{ return(row[0]) }}
    {%- endif -%}
    {{ return(1) }}
{%- endmacro %}
