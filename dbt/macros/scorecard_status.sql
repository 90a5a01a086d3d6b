{#- The scorecard's reading of a target's latest period (fct_target_scorecard, and each month end of
    fct_scorecard_monthly): which period is the latest, and the status it gives. -#}

{% macro latest_period_first(relation) -%}
    {{ relation }}.period_end desc, {{ relation }}.period_kind desc
{%- endmacro %}

{#- task_rollup: the qualitative targets' status rolled up from their tasks (int_task_target_rollup);
    without it (the month-end snapshots, which hold the statistics only) they are not assessable. -#}
{% macro scorecard_status_code(targets, latest, task_rollup=none) -%}
    case
        {% if task_rollup -%}
        when {{ targets }}.target_kind = 'qualitative' then coalesce({{ task_rollup }}.status_code, 'not_assessable')
        {%- else -%}
        when {{ targets }}.target_kind = 'qualitative' then 'not_assessable'
        {%- endif %}
        when {{ latest }}.target_id is null then 'no_data'
        else {{ latest }}.status_code
    end
{%- endmacro %}

{#- Which rule gave the scorecard's status (seeds/status_reasons.csv): the latest period's reason, or
    the roll-up of a qualitative target's tasks, or no figure yet. Mirrors scorecard_status_code. -#}
{% macro scorecard_status_reason(targets, latest, task_rollup=none) -%}
    case
        {% if task_rollup -%}
        when {{ targets }}.target_kind = 'qualitative'
            then case when {{ task_rollup }}.status_code is null then 'qualitative_no_tasks' else 'qualitative_tasks' end
        {%- else -%}
        when {{ targets }}.target_kind = 'qualitative' then 'qualitative_no_tasks'
        {%- endif %}
        when {{ latest }}.target_id is null then 'no_data'
        else {{ latest }}.status_reason
    end
{%- endmacro %}
