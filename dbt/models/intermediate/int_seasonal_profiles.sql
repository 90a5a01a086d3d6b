{#- For year-to-date flows: the share of the year's total reached by the end of each month, in each
    complete earlier year. The seasonal 序时进度 of a later year is the mean of these shares
    (a straight line says 5/12 by May; GDP and investment are lighter in Q1). -#}

with flow_indicators as (
    select indicator_code from {{ ref('stg_seeds__indicators') }}
    where measure_kind = 'flow'
),

values_ as {{ not_materialized() }} (
    select * from {{ ref('int_indicator_values') }}
    where
        measure = 'value'
        and subject_code = ''
        and indicator_code in (select flow_indicators.indicator_code from flow_indicators)
),

years as (
    select
        indicator_code,
        region_code,
        extract(year from period_end) as profile_year,
        value as year_total,
        is_illustrative
    from values_
    where period_kind = 'year' and value > 0
),

year_to_date as (
    select
        indicator_code,
        region_code,
        extract(year from period_end) as profile_year,
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
    year_to_date.is_illustrative or years.is_illustrative as is_illustrative
from year_to_date
inner join years
    on
        year_to_date.indicator_code = years.indicator_code
        and year_to_date.region_code = years.region_code
        and year_to_date.profile_year = years.profile_year
