{#- 台账截止日 / The day a unit's return for the month ending ``month_end`` is due: ``return_due_day``
    days after the month end (seeds/task_return_rules.csv; 5 = the 5th of the next month). The one place
    the due date is computed. -#}
{% macro task_return_due_date(month_end) -%}
    cast({{ dbt.dateadd(
        'day',
        "(select cast(rule_value as integer) from " ~ ref('task_return_rules') ~ " where rule_code = 'return_due_day')",
        month_end
    ) }} as date)
{%- endmacro %}
