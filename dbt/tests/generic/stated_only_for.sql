{#- 容差 / Fails with the rows that state `column_name` with a comparator not among `comparators`, or state it
    at or below `above`: a tolerance is read by about (左右) alone, as its ± band (dbt/macros/target_comparators.sql),
    so one on another comparator was shown and never read; an about target without one is met within the default
    share of its value (seeds/status_thresholds.csv default_about_tolerance_pct).
    Python twin: dagster_project/catalogue_check.py _stated_only_for. -#}
{% test stated_only_for(model, column_name, comparators, above=none) %}
    select *
    from {{ model }}
    where
        {{ column_name }} is not null
        and (
            coalesce(comparator, '') not in (
                {%- for comparator in comparators %}'{{ comparator }}'{% if not loop.last %}, {% endif %}{% endfor -%}
            )
            {% if above is not none %} or {{ column_name }} <= {{ above }} {% endif %}
        )
{% endtest %}
