{#- Fails with the rows whose unit code is not a unit of the city of the row's plan (seeds/units.csv
    city_code = plans.csv region_code, the plan reached through the row's target: tasks/target_units ->
    targets -> plans). A unit's code is unique within its city only, so a code 株洲 has but 湘潭 has not is a
    typo in 湘潭's plan. A plan with no city (a many-city catalogue) only needs the code in some city. -#}
{% test unit_in_plan_city(model, column_name, units, targets, plans) %}
    select model_rows.*
    from {{ model }} as model_rows
    left join {{ targets }} as targets
        on model_rows.target_id = targets.target_id
    left join {{ plans }} as plans
        on targets.plan_id = plans.plan_id
    where
        model_rows.{{ column_name }} is not null
        and not exists (
            select 1
            from {{ units }} as units
            where
                units.unit_code = model_rows.{{ column_name }}
                and (plans.region_code is null or cast(units.city_code as varchar) = cast(plans.region_code as varchar))
        )
{% endtest %}
