{#- The scorecard's reading of a target's latest period (fct_target_scorecard, and each month end of
    fct_scorecard_monthly): which period is the latest, and the status it gives. -#}

{% macro latest_period_first(relation) -%}
    {{ relation }}.period_end desc, {{ relation }}.period_kind desc
{%- endmacro %}

{% macro scorecard_status_code(targets, latest) -%}
    case
        when {{ targets }}.target_kind = 'qualitative' then 'not_assessable'
        when {{ latest }}.target_id is null then 'no_data'
        else {{ latest }}.status_code
    end
{%- endmacro %}
