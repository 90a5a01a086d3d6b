{#- Fails with the targets whose unit is not one their kind lists in `value_units` (seeds/target_kinds.csv),
    where `indicator` stands for the unit of the target's indicator: the models compare a level's value
    with its indicator's figures as they are, so 5000 万元 on an 亿元 indicator would be read as 5000 亿元.
    A kind listing no unit accepts any, but one with a figure series (`kinds`.has_series: improvement) still
    needs one: its actual, target and gap are shown in it (fct_target_progress.actual_unit), and a figure
    without a unit is unreadable. A kind without a series (qualitative) may leave it empty. An unknown kind or
    indicator is its own relationship's failure.
    Python twin: dagster_project/catalogue_check.py _unit_of_kind. -#}
{% test unit_of_kind(model, column_name, kinds, indicators) %}
    select model_rows.*
    from {{ model }} as model_rows
    inner join {{ kinds }} as kinds
        on model_rows.target_kind = kinds.target_kind
    inner join {{ indicators }} as indicators
        on model_rows.indicator_code = indicators.indicator_code
    where
        (
            kinds.value_units is not null
            -- position, not like: a unit such as % is a wildcard of like
            and {{ dbt.position(
                "' ' || coalesce(model_rows." ~ column_name ~ ", '') || ' '",
                "' ' || replace(kinds.value_units, 'indicator', indicators.unit) || ' '"
            ) }} = 0
        )
        or (kinds.value_units is null and kinds.has_series and coalesce(model_rows.{{ column_name }}, '') = '')
{% endtest %}
