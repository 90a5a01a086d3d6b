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

{#- The direction an actual is better in: counts of units met and a kind's actual that is better when
    higher (places gained: seeds/target_kinds.csv actual_higher_is_better) whatever the indicator;
    otherwise the indicator's direction. -#}
{% macro actual_direction_sign(targets) -%}
    case
        when {{ targets }}.scope_type = 'every_county' or {{ targets }}.actual_higher_is_better then 1
        else {{ targets }}.direction_sign
    end
{%- endmacro %}

{#- The comparator an actual is judged with, once each target kind has been brought to a
    comparable actual (a level, a multiple, places gained, units covered, a class, a stage). The
    comparator alone decides: seeds/target_kinds.csv comparators gives each kind its own (improve is
    an improvement's only; a coverage counts covered units, full_coverage). -#}
{% macro effective_comparator(comparator, direction_sign) -%}
    case
        when {{ comparator }} in ('exceed', 'at_least', 'at_most', 'about') then {{ comparator }}
        when {{ comparator }} = 'class_or_better' then 'at_most'
        when {{ comparator }} = 'improve' then
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

{#- A bound (突破4000, >600, 以内) read conservatively: the status is computed at the bound as if it
    were the figure, and says which way the true status can only go. 'at_least': the bound is on the
    favourable side (a lower bound of a higher-is-better comparison), so the true figure, and the true
    status, can only be better; 'at_most': on the unfavourable side, so they can only be worse. Null
    for exact and approximate figures. -#}
{% macro bound_reading(comparator, value, bound, direction_sign=1) -%}
    case
        -- a bound left on a row whose figure could not be made (a rank with no baseline rank) reads nothing:
        -- "at most not_assessable" says nothing true
        when {{ value }} is null or coalesce({{ bound }}, 'eq') in ('eq', 'approx') then null
        when {{ comparator }} in ('exceed', 'at_least')
            then case when {{ bound }} in ('gt', 'ge') then 'at_least' else 'at_most' end
        when {{ comparator }} = 'at_most'
            then case when {{ bound }} in ('lt', 'le') then 'at_least' else 'at_most' end
        when {{ comparator }} = 'about'
            then case when ({{ bound }} in ('gt', 'ge')) = ({{ direction_sign }} > 0) then 'at_least' else 'at_most' end
    end
{%- endmacro %}

{#- Whether an annual rule (seeds/target_rules.csv) reads a figure: a monthly one of a target that has a
    rule (period_kind is never null, so neither is this). The figures it does not read skip its window. -#}
{% macro annual_rule_applies(rule, period_kind) -%}
    ({{ rule }} is not null and {{ period_kind }} = 'month')
{%- endmacro %}

{#- Annual rules (seeds/target_rules.csv annual_rule): a monthly figure stands for the year so far.
    every_month: the worst month of the year so far (any month below 100% fails the year);
    annual_mean: the mean of the year's months so far, a class rounded to a class (年均水质类别); a class is
    a whole number, so a month 优于Ⅱ类 (2, bound lt) counts as the class next to it on the bound's side (Ⅰ),
    not as Ⅱ: Ⅰ-or-better in May and Ⅲ in December is a mean of Ⅱ, not 2.5 → Ⅲ.
    `window` names a window over the unit's months of one year, ordered, up to the current row;
    `bound` the figure's bound column. -#}
{% macro annual_rule_value(rule, value, direction_sign, measure_kind, period_kind, window, bound) -%}
    {%- set class_value = "case " ~ bound ~ " when 'lt' then " ~ value ~ " - 1 when 'gt' then " ~ value ~ " + 1 else " ~ value ~ " end" -%}
    case
        when not {{ annual_rule_applies(rule, period_kind) }} then {{ value }}
        when {{ rule }} = 'every_month'
            then case when {{ direction_sign }} < 0 then max({{ value }}) over {{ window }} else min({{ value }}) over {{ window }} end
        when {{ rule }} = 'annual_mean' and {{ measure_kind }} = 'class' then {{ cross_engine_round('avg(' ~ class_value ~ ') over ' ~ window) }}
        when {{ rule }} = 'annual_mean' then avg({{ value }}) over {{ window }}
        else {{ value }}
    end
{%- endmacro %}

{#- The bound that goes with annual_rule_value: a class month read as the class its bound implies is a bound
    on that side (优于Ⅱ类: Ⅰ or better, le 1). every_month with months of the year so far missing (3 of 12
    reported by December): the worst month may be one not reported, so the worst shown bounds the year on the
    unknown side (at most it, for a figure where higher is better); the year is not achieved on 3 months. -#}
{% macro annual_rule_bound(rule, measure_kind, period_kind, bound, direction_sign, window, period_end) -%}
    case
        when {{ annual_rule_applies(rule, period_kind) }} and {{ rule }} = 'annual_mean' and {{ measure_kind }} = 'class'
            then case {{ bound }} when 'lt' then 'le' when 'gt' then 'ge' else {{ bound }} end
        when
            {{ annual_rule_applies(rule, period_kind) }} and {{ rule }} = 'every_month'
            and count(*) over {{ window }} < extract(month from {{ period_end }})
            then case when {{ direction_sign }} < 0 then 'ge' else 'le' end
        else {{ bound }}
    end
{%- endmacro %}

{#- What every series row is judged against, whatever the kind that produced it (each
    int_target_series__<kind> model ends with these three columns):
    comparator_applied  one of exceed / at_least / at_most / about: a river's class must be at most
                        the target class, every county's count at least the number of counties;
    target_level        the level compared with (the number of counties; for an improvement, the
                        same period of the baseline year);
    tolerance_abs       the tolerance of an about (左右) target, the catalogue's or the default share
                        (seeds/status_thresholds.csv default_about_tolerance_pct) of the target. -#}
{% macro series_comparison_columns(targets, series) -%}
    case
        when {{ targets }}.scope_type = 'river' then 'at_most'
        when {{ targets }}.scope_type = 'every_county' then 'at_least'
        else {{ targets }}.effective_comparator
    end as comparator_applied,
    case
        when {{ targets }}.scope_type = 'every_county' then cast({{ series }}.units_total as double)
        when {{ targets }}.comparator = 'improve' and {{ targets }}.scope_type in ('city', 'county') then {{ series }}.base_value
        else {{ targets }}.target_value
    end as target_level,
    case
        when {{ targets }}.comparator = 'about'
            then coalesce(
                {{ targets }}.tolerance,
                abs({{ targets }}.target_value) * (
                    select thresholds.threshold_value from {{ ref('stg_seeds__status_thresholds') }} as thresholds
                    where thresholds.threshold_code = 'default_about_tolerance_pct'
                )
            )
        else 0
    end as tolerance_abs
{%- endmacro %}

{#- Does one unit of a regional target (a county, a river section) count as met? Null when it has
    no figure (or, for an improvement, no baseline figure):
    full_coverage    at least one (a county with a listed firm …);
    improve          no worse than the same period of the baseline year, in the desirable direction;
    class_or_better  the class or better: comparison_met() at most the target class, bounds and all
                     ("优于Ⅱ类", 2 with bound lt, meets Ⅱ; "达到或优于Ⅲ类", 3 with bound le, may or may not meet Ⅱ:
                     unknown, not unmet; "劣于Ⅰ类", 1 with bound gt, may be Ⅱ or worse: unknown);
    otherwise        comparison_met() with the target's comparator. -#}
{% macro unit_counts_as_met(targets, value, bound, baseline_value) -%}
    case
        when {{ value }} is null then null
        when {{ targets }}.comparator = 'full_coverage' then {{ value }} >= 1
        when {{ targets }}.comparator = 'improve'
            then
                case
                    when {{ baseline_value }} is null then null
                    else {{ targets }}.direction_sign * ({{ value }} - {{ baseline_value }}) >= 0
                end
        when {{ targets }}.comparator = 'class_or_better'
            then {{ comparison_met("'at_most'", value, bound, targets ~ '.target_value', '0') }}
        else
            {{ comparison_met(
                targets ~ '.effective_comparator', value, bound,
                targets ~ '.target_value', 'coalesce(' ~ targets ~ '.tolerance, 0)', targets ~ '.direction_sign'
            ) }}
    end
{%- endmacro %}
