{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ drop_episodes_to_rebuild() }}"
    )
}}
-- One row per degradation episode: consecutive degraded hours of one cell, complete by as-of,
-- with the worst value of each breached KPI (audit-rules §4).
--
-- Incremental by cell and time: an hour new to this build (loaded since the last one, or
-- complete since its as-of) can only change the episodes of its cell that end at or after it
-- (an episode ending right before it may now go on). The pre-hook drops those episodes; this
-- model rebuilds the cell's episodes from the end of the last one it kept. An earlier as-of
-- than the last build's rebuilds every episode.

{%- set previous = previous_build_state() %}

with

flagged_hours as (
    select * from {{ ref('int_cell_kpi_hours_flagged') }}
),

{% if is_incremental() and not previous.rebuild_all %}
rebuild_from as (
    -- per cell with a new hour, where its kept episodes end (the pre-hook dropped the rest)
    select
        changed.cell_id,
        coalesce(max(kept.episode_end_at), {{ dbt.cast(dbt.string_literal('0001-01-01'),
                                                       api.Column.translate_type('timestamp')) }})
            as rebuild_from_at
    from ({{ episode_hours_new_to_build(previous) }}) as changed
    left join {{ this }} as kept
        on kept.cell_id = changed.cell_id
    group by changed.cell_id
),

degraded_hours as (
    select flagged_hours.*
    from flagged_hours
    inner join rebuild_from
        on rebuild_from.cell_id = flagged_hours.cell_id
        and flagged_hours.period_start >= rebuild_from.rebuild_from_at
    where flagged_hours.is_degraded
        and {{ dbt.dateadd('hour', 1, 'flagged_hours.period_start') }} <= {{ as_of() }}
),
{% else %}
degraded_hours as (
    select * from flagged_hours
    where is_degraded
        and {{ dbt.dateadd('hour', 1, 'period_start') }} <= {{ as_of() }}
),
{% endif %}

loaded_through as (
    -- the newest flagged hour this build has seen: the next build looks for hours loaded later
    {{ loaded_through([ref('int_cell_kpi_hours_flagged')]) }}
),

thresholds as (
    select * from {{ ref('kpi_thresholds') }}
),

numbered as (
    select
        *,
        row_number() over (partition by cell_id order by period_start) as hour_seq
    from degraded_hours
),

islands as (
    -- consecutive hours share period_start minus their sequence number
    select
        *,
        {{ dbt.dateadd('hour', '-1 * hour_seq', 'period_start') }} as island_key
    from numbered
),

episodes as (
    select
        cell_id,
        island_key,
        max(rat) as rat,
        min(period_start) as episode_start_at,
        {{ dbt.dateadd('hour', 1, 'max(period_start)') }} as episode_end_at,
        count(*) as degraded_hours,
        {%- for kpi in kpi_columns() %}
        sum(case when is_{{ kpi }}_breached then 1 else 0 end) as {{ kpi }}_breached_hours,
        max(case when is_{{ kpi }}_breached then {{ kpi }} end) as {{ kpi }}_highest,
        min(case when is_{{ kpi }}_breached then {{ kpi }} end) as {{ kpi }}_lowest
        {{- "," if not loop.last }}
        {%- endfor %}
    from islands
    group by cell_id, island_key
),

worst_values as (
    -- "worst" follows the threshold's direction: highest above a ceiling, lowest below a floor
    select
        episodes.cell_id || '@' || {{ dbt.cast('episodes.episode_start_at',
            api.Column.translate_type('string')) }} as episode_id,
        episodes.cell_id,
        episodes.rat,
        episodes.episode_start_at,
        episodes.episode_end_at,
        episodes.degraded_hours,
        {%- for kpi in kpi_columns() %}
        episodes.{{ kpi }}_breached_hours,
        case
            when max(case when thresholds.kpi = '{{ kpi }}' then thresholds.comparator end)
                in ('>', '>=')
                then episodes.{{ kpi }}_highest
            else episodes.{{ kpi }}_lowest
        end as worst_{{ kpi }},
        {%- endfor %}
        {{ as_of() }} as built_as_of,
        max(loaded_through.loaded_through) as loaded_through,
        {{ lineage_columns() }}
    from episodes
    cross join loaded_through
    left join thresholds
        on thresholds.rat = episodes.rat
    group by
        episodes.cell_id,
        episodes.rat,
        episodes.episode_start_at,
        episodes.episode_end_at,
        episodes.degraded_hours
        {%- for kpi in kpi_columns() %},
        episodes.{{ kpi }}_breached_hours,
        episodes.{{ kpi }}_highest,
        episodes.{{ kpi }}_lowest
        {%- endfor %}
)

select * from worst_values
