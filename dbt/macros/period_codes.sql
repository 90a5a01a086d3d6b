{#- 同期 / The same period in another year: the one place a period code is shifted across years
    (the SQL twin of dagster_project/ingest/periods.py shift_years). A period code starts with its
    four-digit year ('2022', '2022-06', '2022-01~09', '2022-H1'); the rest names the period within
    the year and is kept. `year` is any SQL expression giving the year wanted, e.g. the baseline year
    or `extract(year from period_end) - 1` for the same period a year earlier. -#}
{% macro period_code_in_year(period_code, year) -%}
    cast({{ year }} as {{ dbt.type_string() }}) || substr({{ period_code }}, 5)
{%- endmacro %}

{#- The same period one year before the period ending `period_end` (同比 the year-on-year base). -#}
{% macro period_code_year_before(period_code, period_end) -%}
    {{ period_code_in_year(period_code, 'extract(year from ' ~ period_end ~ ') - 1') }}
{%- endmacro %}
