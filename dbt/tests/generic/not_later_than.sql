{#- Fails with the rows whose value comes after the row's `than` date: a target's start after its deadline,
    or (part='year', an integer year) its baseline year after its deadline's year. Nulls pass. -#}
{% test not_later_than(model, column_name, than, part=none) %}
    select *
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ than }} is not null
        {% if part == 'year' %}
            and {{ column_name }} > extract(year from {{ than }})
        {% else %}
            and {{ column_name }} > {{ than }}
        {% endif %}
{% endtest %}
