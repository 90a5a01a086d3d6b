{#- 序列年份 / A series-year: an indicator's figures for one region and subject in one year (the year of
    the period's end). What int_indicator_values__incremental rebuilds by: every rule that model applies
    acts within one, or on the year before. series_year(period_end): the year a period's row belongs
    to. in_series_year: true when the row `values` falls in the series-year
    `series_years` names (a relation with indicator_code, region_code, subject_code and series_year). -#}
{% macro series_year(period_end) -%}
    cast(extract(year from {{ period_end }}) as integer)
{%- endmacro %}

{% macro in_series_year(values, series_years) -%}
    {{ values }}.indicator_code = {{ series_years }}.indicator_code
    and {{ values }}.region_code = {{ series_years }}.region_code
    and {{ values }}.subject_code = {{ series_years }}.subject_code
    and {{ series_year(values ~ '.period_end') }} = {{ series_years }}.series_year
{%- endmacro %}
