{#- The scorecard's reading of a target's latest period (fct_target_scorecard, and each month end of
    fct_scorecard_monthly): which period is the latest, and the status it gives. -#}

{% macro latest_period_first(relation) -%}
    {{ relation }}.period_end desc, {{ relation }}.period_kind desc
{%- endmacro %}

{#- The date from which a period's row is known at a month end: its figure released and the period
    ended (null while either is unknown). -#}
{% macro scorecard_known_from(relation) -%}
    case
        when {{ relation }}.release_date is not null and {{ relation }}.period_end is not null
            then greatest({{ relation }}.release_date, {{ relation }}.period_end)
    end
{%- endmacro %}

{#- A target whose deadline has passed (by the date `as_of`) while its latest period ends before the
    deadline has no final figure yet: a pace status (on track, behind …) read off an earlier period says
    nothing about a window that has closed, so it is not shown. A final outcome (achieved early,
    not achieved) and the statuses that are not paces stay. -#}
{% macro scorecard_awaits_final_figure(targets, latest, as_of) -%}
    (
        {{ targets }}.deadline < {{ as_of }}
        and {{ latest }}.period_end < {{ targets }}.deadline
        and {{ latest }}.status_code in ('on_track', 'needs_acceleration', 'off_track', 'deteriorating')
    )
{%- endmacro %}

{#- A target with no figure series (a qualitative one: seeds/target_kinds.csv has_series) is assessed from its tasks.
    task_rollup: the qualitative targets' status rolled up from their tasks (int_task_target_rollup, or
    int_task_target_rollup__as_of for each month end); without it they are not assessable.
    as_of: the date the scorecard stands at (the as-of date, or a month end), for a deadline passed with
    no final figure (not_assessable, reason no_final_figure). -#}
{% macro scorecard_status_code(targets, latest, task_rollup=none, as_of=none) -%}
    case
        {% if task_rollup -%}
        when not {{ targets }}.has_series then coalesce({{ task_rollup }}.status_code, 'not_assessable')
        {%- else -%}
        when not {{ targets }}.has_series then 'not_assessable'
        {%- endif %}
        when {{ latest }}.target_id is null then 'no_data'
        {% if as_of -%}
        when {{ scorecard_awaits_final_figure(targets, latest, as_of) }} then 'not_assessable'
        {% endif -%}
        else {{ latest }}.status_code
    end
{%- endmacro %}

{#- Which rule gave the scorecard's status (seeds/status_reasons.csv): the latest period's reason, or
    the roll-up of a qualitative target's tasks, or no figure yet. Mirrors scorecard_status_code. -#}
{% macro scorecard_status_reason(targets, latest, task_rollup=none, as_of=none) -%}
    case
        {% if task_rollup -%}
        when not {{ targets }}.has_series
            then case when {{ task_rollup }}.status_code is null then 'qualitative_no_tasks' else 'qualitative_tasks' end
        {%- else -%}
        when not {{ targets }}.has_series then 'qualitative_no_tasks'
        {%- endif %}
        when {{ latest }}.target_id is null then 'no_data'
        {% if as_of -%}
        when {{ scorecard_awaits_final_figure(targets, latest, as_of) }} then 'no_final_figure'
        {% endif -%}
        else {{ latest }}.status_reason
    end
{%- endmacro %}
