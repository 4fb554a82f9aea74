{#- A composite key is unique: no combination of the columns occurs twice. With
    `recent_column`, only rows whose time lies within var data_test_recent_hours before as-of
    are checked, so a test of an ever-growing hourly table costs the same every day. -#}
{% test unique_combination(model, columns, recent_column=none) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
{%- if recent_column %}
where {{ recent_column }} >= {{ dbt.dateadd('hour', -1 * var('data_test_recent_hours'),
                                             as_of()) }}
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
