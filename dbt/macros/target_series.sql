{#- The two ends every int_target_series__<kind> model shares, written once.
    series_targets(): the targets that have a figure series (seeds/target_kinds.csv has_series), only
    those this run recomputes (incremental by target).
    series_with_comparison(series): the model's rows with what each is judged against
    (series_comparison_columns, target_comparators.sql) and the run's high-water mark
    (inputs_loaded_through, incremental_by_target.sql); `targets` is the series_targets() CTE. -#}
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

{% macro series_with_comparison(series) -%}
select
    series.*,
    {{ series_comparison_columns('targets', 'series') }},
    {{ inputs_loaded_through() }} as inputs_loaded_through
from {{ series }} as series
inner join targets
    on series.target_id = targets.target_id
{%- endmacro %}

{#- 位次文字 / A side's rank in words for int_target_series__ranks (a row with rank_bound and
    city_rank): '5', 'at best 3' (前三), 'better than 4'. -#}
{% macro rank_text(side) -%}
    case {{ side }}.rank_bound when 'le' then 'at best ' when 'lt' then 'better than ' else '' end
    || cast({{ side }}.city_rank as {{ dbt.type_string() }})
{%- endmacro %}
