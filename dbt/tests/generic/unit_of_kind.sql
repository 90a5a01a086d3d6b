{#- Fails with the targets whose unit is not one their kind lists in `value_units` (seeds/target_kinds.csv),
    where `indicator` stands for the unit of the target's indicator: the models compare a level's value
    with its indicator's figures as they are, so 5000 万元 on an 亿元 indicator would be read as 5000 亿元.
    A kind listing no unit accepts any; an unknown kind or indicator is its own relationship's failure. -#}
{% test unit_of_kind(model, column_name, kinds, indicators) %}
    select model_rows.*
    from {{ model }} as model_rows
    inner join {{ kinds }} as kinds
        on model_rows.target_kind = kinds.target_kind
    inner join {{ indicators }} as indicators
        on model_rows.indicator_code = indicators.indicator_code
    where
        kinds.value_units is not null
        -- position, not like: a unit such as % is a wildcard of like
        and {{ dbt.position(
            "' ' || coalesce(model_rows." ~ column_name ~ ", '') || ' '",
            "' ' || replace(kinds.value_units, 'indicator', indicators.unit) || ' '"
        ) }} = 0
{% endtest %}
