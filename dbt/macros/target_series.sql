{#- The two ends every int_target_series__<kind> model shares, written once.
    series_targets(): the targets that have a figure series (seeds/target_kinds.csv has_series), only
    those this run recomputes (incremental by target).
    series_with_comparison(series): the model's rows with what each is judged against
    (series_comparison_columns, target_comparators.sql), the run's high-water mark
    (inputs_loaded_through, incremental_by_target.sql) and the unit of its underlying_value
    (underlying_unit below: `underlying` names what the model's value is; `join` may bring in a
    column it needs) and the unit of its actual_value (actual_unit below, the target's);
    `targets` is the series_targets() CTE. -#}
{% macro series_targets() -%}
    select * from {{ ref('int_targets__enriched') }}
    where
        has_series
        and {{ only_targets_to_rebuild() }}
{%- endmacro %}

{#- The years a target's figures can be read in: from its baseline year (or the year before its start, a
    year-on-year comparison's base) to its deadline's year. Whole years, so a per-year window over them is
    unchanged. At 10 years of history the years outside were most of what its models read. -#}
{% macro in_years_a_target_reads(targets, period_end) -%}
    (
        extract(year from {{ period_end }})
        >= coalesce(least({{ targets }}.baseline_year, {{ targets }}.start_year - 1), 0)
        and extract(year from {{ period_end }}) <= coalesce({{ targets }}.deadline_year, 9999)
    )
{%- endmacro %}

{% macro series_with_comparison(series, underlying='indicator_level', growth_measure=none, join='') -%}
select
    series.*,
    {{ series_comparison_columns('targets', 'series') }},
    {{ inputs_loaded_through() }} as inputs_loaded_through,
    {{ underlying_unit(underlying, 'targets', growth_measure) }} as underlying_unit,
    {{ actual_unit('targets') }} as actual_unit
from {{ series }} as series
inner join targets
    on series.target_id = targets.target_id
{{ join }}
{%- endmacro %}

{#- 原始指标值单位 / What underlying_value is counted in, as it is shown after the number: the one place
    each int_target_series__<kind> model's choice of underlying_value is given its unit (the model names
    what its value is through series_with_comparison(underlying=…)):
      indicator_level  the indicator's own level, in its unit (seeds/indicators.csv unit: 亿元, %, 家);
                       levels, multiples and additions of one region, a project's stage
      growth_rate      a published growth rate, %, of the kind growth_measure names (yoy_pct, avg_yoy_pct,
                       cum_pct): the growth index of a growth-only multiple
      rank             the city's place among the province's cities (1 = best): rank targets
      units_met        how many units meet the target: river sections (scope river) or counties
    On every row, a row with no underlying_value too (fct_target_progress tests it not null). -#}
{% macro underlying_unit(underlying, targets='targets', growth_measure=none) -%}
    {%- if underlying == 'indicator_level' -%}
        {{ targets }}.indicator_unit
    {%- elif underlying == 'growth_rate' -%}
        case {{ growth_measure }}
            when 'avg_yoy_pct' then '%（年均增速 average annual growth rate）'
            when 'cum_pct' then '%（累计增速 cumulative growth rate）'
            else '%（同比增速 year-on-year growth rate）'
        end
    {%- elif underlying == 'rank' -%}
        '位（全省排位 place among the province''s cities, 1 = best）'
    {%- elif underlying == 'units_met' -%}
        case
            when {{ targets }}.scope_type = 'river' then '个断面（达到目标类别的断面 sections meeting the class）'
            else '个县市区（达到目标的县市区 counties meeting the target）'
        end
    {%- else -%}
        {{ exceptions.raise_compiler_error("underlying_unit: unknown underlying value '" ~ underlying ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- 可比实际值单位 / What actual_value is counted in, and target_level with it (the two are compared), as it
    is shown after the number: the target's own unit (seeds/targets.csv unit: 亿元, 倍, 位, 类), except
    where the comparable actual counts units: an every-county target's actual is how many counties meet it
    (个县市区), whatever unit its quote gives (T22-AIR-COUNTIES: %, the ratio each county is judged by).
    One value per target: int_target_series__<kind> rows take it through series_with_comparison, and
    fct_target_scorecard gives it to a target with no figure yet. Null where the target states no unit
    (a qualitative target). -#}
{% macro actual_unit(targets='targets') -%}
    case when {{ targets }}.scope_type = 'every_county' then '个县市区' else {{ targets }}.target_unit end
{%- endmacro %}

{#- 位次文字 / A side's rank in words for int_target_series__ranks (a row with rank_bound and
    city_rank): '5', 'at best 3' (前三), 'better than 4'. -#}
{% macro rank_text(side) -%}
    case {{ side }}.rank_bound when 'le' then 'at best ' when 'lt' then 'better than ' else '' end
    || cast({{ side }}.city_rank as {{ dbt.type_string() }})
{%- endmacro %}
