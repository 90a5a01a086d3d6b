{#- 量化目标 / Fails with the targets of a kind with a figure series (`kinds`.has_series, seeds/target_kinds.csv)
    that leave `column_name` empty (an indicator, a target value), and with those whose comparator is one of
    `not_for` (improve compares with its baseline year) that state it anyway: such a target was built and
    shown as not assessable, or its value was shown and never read. A kind without a series (qualitative)
    may leave it empty; with `none_without_series` it must (a qualitative target's value is never read).
    An unknown kind is its own relationship's failure.
    Python twin: dagster_project/catalogue_check.py _stated_with_series. -#}
{% test stated_with_series(model, column_name, kinds, not_for=[], none_without_series=false) %}
    {%- set is_not_for -%}
        {%- if not_for -%}
            coalesce(model_rows.comparator, '') in (
                {%- for comparator in not_for %}'{{ comparator }}'{% if not loop.last %}, {% endif %}{% endfor -%}
            )
        {%- else -%}
            false
        {%- endif -%}
    {%- endset %}
    select model_rows.*
    from {{ model }} as model_rows
    inner join {{ kinds }} as kinds
        on model_rows.target_kind = kinds.target_kind
    where
        (kinds.has_series and model_rows.{{ column_name }} is null and not ({{ is_not_for }}))
        or (model_rows.{{ column_name }} is not null and ({{ is_not_for }}))
        {%- if none_without_series %}
            or (not kinds.has_series and model_rows.{{ column_name }} is not null)
        {%- endif %}
{% endtest %}
