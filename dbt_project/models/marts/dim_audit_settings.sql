-- The numbers the audit (quality_checks/) applies, as this build resolved its vars: the
-- audit reads them here, never from dbt_project.yml, so a `--vars` override reaches dbt's
-- facts and the audit's expectations alike (docs/architecture.md lists each var's meaning).
{% set audit_vars = [
    'alarm_clear_grace_hours',
    'kpi_recovery_window_hours',
    'kpi_not_recovered_share',
    'repeat_complaint_window_days',
    'appeal_window_days',
    'integrity_max_unknown_ticket_event_share',
    'integrity_min_network_trace_share',
] %}

{% for name in audit_vars %}
select
    '{{ name }}' as var_name,
    cast({{ var(name) }} as double) as var_value
{% if not loop.last %}union all{% endif %}
{% endfor %}
