{#- 范围代码 / Fails with the targets whose scope_code names nothing of their scope_type: a city or a province
    (scope city, every_county, province_peers: a province's plan names the province) or a county of `regions`
    (its region_type), a river of `sections`
    (river_code) or a listed project of `projects` (project_code). Such a target was built and showed no
    data, or failed a test with a generated name. An unknown scope_type is its own column's problem.
    Python twin: dagster_project/catalogue_check.py _scope_in_catalogue. -#}
{% test scope_in_catalogue(model, column_name, regions, sections, projects) %}
    select model_rows.*
    from {{ model }} as model_rows
    where
        model_rows.{{ column_name }} is not null
        and model_rows.scope_type in ('city', 'every_county', 'province_peers', 'county', 'river', 'project')
        and not exists (
            select 1 from {{ regions }} as known
            where
                known.region_code = model_rows.{{ column_name }}
                and (
                    (model_rows.scope_type = 'county' and known.region_type = 'county')
                    or (
                        model_rows.scope_type in ('city', 'every_county', 'province_peers')
                        and known.region_type in ('city', 'province')
                    )
                )
        )
        and not exists (
            select 1 from {{ sections }} as known
            where known.river_code = model_rows.{{ column_name }} and model_rows.scope_type = 'river'
        )
        and not exists (
            select 1 from {{ projects }} as known
            where known.project_code = model_rows.{{ column_name }} and model_rows.scope_type = 'project'
        )
{% endtest %}
