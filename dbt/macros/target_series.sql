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

{% macro series_with_comparison(series) -%}
select
    series.*,
    {{ series_comparison_columns('targets', 'series') }},
    {{ inputs_loaded_through() }} as inputs_loaded_through
from {{ series }} as series
inner join targets
    on series.target_id = targets.target_id
{%- endmacro %}
