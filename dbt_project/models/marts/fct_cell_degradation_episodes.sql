-- One row per degradation episode: consecutive degraded hours of one cell, complete by as-of,
-- with the worst value of each breached KPI (audit-rules §4).

with

degraded_hours as (
    select * from {{ ref('int_cell_kpi_hours_flagged') }}
    where is_degraded
        and {{ dbt.dateadd('hour', 1, 'period_start') }} <= {{ as_of() }}
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
        {{ lineage_columns() }}
    from episodes
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
