{#- 非空检查 / The not_null check of several columns of one model as one test: fails with a row per column
    holding nulls, naming it with their count. Each column is its own filter over the model, as
    dbt's not_null is, so the engine pushes it down to the scan (one pass computing every column's nulls
    evaluates a view's joins whole: int_target_inputs__loaded took 3.2 s against 0.6 s). One test per
    model, not per column: a new month's tests cost dbt's per-test overhead more than rows read. -#}
{% test not_null_columns(model, columns) %}
    {% for column in columns -%}
        select
            '{{ column }}' as column_name,
            count(*) as null_rows
        from {{ model }}
        where {{ column }} is null
        having count(*) > 0
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
{% endtest %}
