{#- 单位属于其计划所属城市 / Fails with the rows naming a unit code that is not a unit of the city of the row's
    plan (units city_code = plans.csv region_code). A unit's code is unique within its city only, so a code
    株洲 has but 湘潭 has not is a typo in 湘潭's plan, and a relationship on the code alone would pass it.
    The row's city is either reached through its target (`targets`, `plans`: the seeds tasks/target_units ->
    targets -> plans) or read from a column of the model (`city_column`: a staging model or mart that
    carries it). With `separator` the column is a list (co_unit_codes, `;`-separated) and every code in it
    is checked; a row fails once however many of its codes are wrong. A row with no city (a plan with no
    region, a many-city catalogue) only needs the code in some city.
    The Python twin is dagster_project/catalogue_check.py _unit_in_plan_city. -#}
{% test unit_in_plan_city(model, column_name, units, targets=none, plans=none, city_column=none, separator=none) %}
    -- the model unaliased: on an incremental run dbt passes it as `(select ... where new rows) dbt_subquery`
    with tested as (
        select * from {{ model }}
    ),

    model_rows as (
        select
            model_rows.*,
            {% if city_column -%}
                cast(model_rows.{{ city_column }} as {{ dbt.type_string() }}) as plan_city_code__
            {%- else -%}
                cast(plans.region_code as {{ dbt.type_string() }}) as plan_city_code__
            {%- endif %}
        from tested as model_rows
        {% if not city_column -%}
            left join {{ targets }} as targets
                on model_rows.target_id = targets.target_id
            left join {{ plans }} as plans
                on targets.plan_id = plans.plan_id
        {%- endif %}
    ),

    named as (
        select
            listed,
            plan_city_code__,
            trim(part) as named_unit_code
        from (
            select
                {{ column_name }} as listed,
                plan_city_code__,
                {% if separator -%}
                    {{ cross_engine_split_to_rows(column_name, separator) }}
                {%- else -%}
                    {{ column_name }}
                {%- endif %} as part
            from model_rows
            where {{ column_name }} is not null
        ) as parts
    ),

    unknown as (
        select distinct
            named.listed,
            named.plan_city_code__
        from named
        where
            named.named_unit_code <> ''
            and not exists (
                select 1
                from {{ units }} as units
                where
                    units.unit_code = named.named_unit_code
                    and (
                        named.plan_city_code__ is null
                        or cast(units.city_code as {{ dbt.type_string() }}) = named.plan_city_code__
                    )
            )
    )

    select model_rows.*
    from model_rows
    inner join unknown
        on
            model_rows.{{ column_name }} = unknown.listed
            and coalesce(model_rows.plan_city_code__, '') = coalesce(unknown.plan_city_code__, '')
{% endtest %}
