{#- Every column of a composite key is filled. -#}
{% test not_null_combination(model, columns) %}

select *
from {{ model }}
where {% for column in columns %}{{ column }} is null{{ " or " if not loop.last }}{% endfor %}

{% endtest %}
