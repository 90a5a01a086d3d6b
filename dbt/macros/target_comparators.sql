{#- Target-kind logic lives here and only here.

    comparison_met(): is an actual (possibly a bound such as ">600" or "突破4000") on the right side
    of a target? Returns true, false, or null when a bound can neither prove nor disprove it.
    bound: eq exact | approx 左右/约 (treated as the value) | gt/ge the true value is above | lt/le below.
    comparator: exceed (突破, strictly above) | at_least (以上) | at_most (以下/以内) | about (左右:
    no worse than the target by more than the tolerance, in the desirable direction) — every target kind is brought to one of these by int_target_series. -#}
{% macro comparison_met(comparator, actual, bound, target, tolerance, direction_sign=1) -%}
    case
        when {{ actual }} is null or {{ target }} is null then null
        when {{ comparator }} = 'exceed' then
            case
                when coalesce({{ bound }}, 'eq') in ('eq', 'approx') then {{ actual }} > {{ target }}
                when {{ bound }} = 'gt' then case when {{ actual }} >= {{ target }} then true end
                when {{ bound }} = 'ge' then case when {{ actual }} > {{ target }} then true end
                when {{ bound }} in ('lt', 'le') then case when {{ actual }} <= {{ target }} then false end
            end
        when {{ comparator }} = 'at_least' then
            case
                when coalesce({{ bound }}, 'eq') in ('eq', 'approx') then {{ actual }} >= {{ target }}
                when {{ bound }} in ('gt', 'ge') then case when {{ actual }} >= {{ target }} then true end
                when {{ bound }} = 'lt' then case when {{ actual }} <= {{ target }} then false end
                when {{ bound }} = 'le' then case when {{ actual }} < {{ target }} then false end
            end
        when {{ comparator }} = 'at_most' then
            case
                when coalesce({{ bound }}, 'eq') in ('eq', 'approx') then {{ actual }} <= {{ target }}
                when {{ bound }} in ('lt', 'le') then case when {{ actual }} <= {{ target }} then true end
                when {{ bound }} = 'gt' then case when {{ actual }} >= {{ target }} then false end
                when {{ bound }} = 'ge' then case when {{ actual }} > {{ target }} then false end
            end
        -- 左右 on a desirable direction: overshooting is met (83%左右 with 84.9% is met; GDP growth
        -- "6.5%左右" with 6.6% is met in official scorecards); falling short by more than the tolerance is not.
        when {{ comparator }} = 'about' then
            case
                when coalesce({{ bound }}, 'eq') in ('eq', 'approx')
                    then ({{ direction_sign }}) * ({{ actual }} - {{ target }}) >= -({{ tolerance }}) - 1e-9
                -- a bound on the desirable side proves it; on the other side it can only disprove it
                when ({{ bound }} in ('gt', 'ge') and {{ direction_sign }} > 0) or ({{ bound }} in ('lt', 'le') and {{ direction_sign }} < 0)
                    then case when ({{ direction_sign }}) * ({{ actual }} - {{ target }}) >= -({{ tolerance }}) then true end
                else case when ({{ direction_sign }}) * ({{ actual }} - {{ target }}) < -({{ tolerance }}) then false end
            end
    end
{%- endmacro %}

{#- The comparator an actual is judged with, once each target kind has been brought to a
    comparable actual (a level, a multiple, places gained, units covered, a class, a stage). -#}
{% macro effective_comparator(target_kind, comparator, direction_sign) -%}
    case
        when {{ comparator }} in ('exceed', 'at_least', 'at_most', 'about') then {{ comparator }}
        when {{ comparator }} = 'class_or_better' then 'at_most'
        when {{ comparator }} = 'improve' and {{ target_kind }} <> 'coverage' then
            case when {{ direction_sign }} < 0 then 'at_most' else 'at_least' end
        else 'at_least'
    end
{%- endmacro %}

{#- Cumulative targets, once met, stay met (a count reached, a multiple reached, a stage reached):
    meeting one early is "achieved" (提前完成). State targets (rates, classes, ranks, bands) can slip
    back, so before the deadline meeting them only means "on track". -#}
{% macro is_cumulative_target(comparator, measure_kind) -%}
    (
        {{ comparator }} in ('exceed', 'at_least', 'multiple_of_baseline', 'additions_at_least', 'full_coverage', 'milestone')
        and coalesce({{ measure_kind }}, '') not in ('rate', 'class', 'ratio')
    )
{%- endmacro %}
