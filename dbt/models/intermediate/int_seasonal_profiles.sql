{#- For year-to-date flows: the share of the year's total reached by the end of each month, in each
    complete earlier year. The seasonal 序时进度 of a later year is the mean of these shares
    (a straight line says 5/12 by May; GDP and investment are lighter in Q1).

    Incremental by series-year, as the values it reads (int_indicator_values__incremental): a profile
    year is worked out from its own series-year alone, so a run recomputes the series-years that table
    rebuilt since this table's high-water mark and replaces their rows (delete+insert on indicator,
    region and year; on Spark the table is rebuilt whole). A new month reaches a year with no full-year
    figure yet, so it writes nothing, where the whole table was rewritten (1.6 M rows at 10 years).
    Known limit, as in the values: a full-year figure revised to zero or below keeps its year's earlier
    rows until the next full refresh. -#}
{{ cross_engine_incremental(
    ['indicator_code', 'region_code', 'profile_year'], unique_per_row=false, rebuilt_whole_on_spark=true
) }}

with flow_indicators as (
    select indicator_code from {{ ref('stg_seeds__indicators') }}
    where measure_kind = 'flow'
),

{% if is_incremental() -%}
-- the series-years the values table rebuilt since the mark: a filter on a literal (macros/high_water_mark.sql)
rebuilt as (
    select distinct
        indicator_code,
        region_code,
        subject_code,
        series_year
    from {{ ref('int_indicator_values__incremental') }}
    where inputs_loaded_through > {{ high_water_mark('inputs_loaded_through') }}
),
{%- endif %}

values_ as {{ not_materialized() }} (
    select
        indicator_values.indicator_code,
        indicator_values.region_code,
        indicator_values.series_year as profile_year,
        indicator_values.period_kind,
        indicator_values.period_end,
        indicator_values.value,
        indicator_values.is_illustrative
    from {{ ref('int_indicator_values__incremental') }} as indicator_values
    {%- if is_incremental() %}
        inner join rebuilt
            on {{ in_series_year('indicator_values', 'rebuilt') }}
    {%- endif %}
    where
        indicator_values.measure = 'value'
        and indicator_values.subject_code = ''
        and indicator_values.indicator_code in (select flow_indicators.indicator_code from flow_indicators)
),

years as (
    select
        indicator_code,
        region_code,
        profile_year,
        value as year_total,
        is_illustrative
    from values_
    where period_kind = 'year' and value > 0
),

year_to_date as (
    select
        indicator_code,
        region_code,
        profile_year,
        extract(month from period_end) as month_number,
        value as ytd_value,
        is_illustrative
    from values_
    where period_kind = 'ytd'
)

select
    year_to_date.indicator_code,
    year_to_date.region_code,
    year_to_date.profile_year,
    year_to_date.month_number,
    year_to_date.ytd_value / years.year_total as share_of_year,
    year_to_date.is_illustrative or years.is_illustrative as is_illustrative,
    {{ inputs_loaded_through() }} as inputs_loaded_through
from year_to_date
inner join years
    on
        year_to_date.indicator_code = years.indicator_code
        and year_to_date.region_code = years.region_code
        and year_to_date.profile_year = years.profile_year
