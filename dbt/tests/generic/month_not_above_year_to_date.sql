{#- 当月值不超过同月累计值（跨发布）/ A flow's month (当月) above the year to date of the same month (1-N月累计)
    of the same indicator, region and subject, the two figures from different releases (within one
    release the raw suite refuses it: expectations/raw_observations.json month_within_year_to_date).
    One row per pair, naming the indicator, region, both periods, values and files. Exact levels of the
    flows only (seeds/indicators.csv measure_kind 'flow'; a bound can lie either side). `model` is the
    rows of this run (the test's `where`); `counterpart` is the whole model, for the other figure of a
    pair, which an earlier run may have loaded: only the series-months of this run's rows are read. -#}
{% test month_not_above_year_to_date(model, counterpart, indicators) %}
    with flows as (
        select indicators.indicator_code
        from {{ indicators }} as indicators
        where indicators.measure_kind = 'flow'
    ),

    this_run as (
        select distinct
            run_rows.indicator_code,
            run_rows.region_code,
            run_rows.subject_code,
            run_rows.period_end
        -- `model` may be a filtered subquery already aliased (dbt/macros/where_rows_of_this_run.sql)
        from (select * from {{ model }}) as run_rows
        where
            run_rows.measure = 'value'
            and run_rows.bound = 'eq'
            and run_rows.period_kind in ('month', 'ytd', 'year')
            and run_rows.indicator_code in (select flows.indicator_code from flows)
    ),

    levels as (
        select
            whole.indicator_code,
            whole.region_code,
            whole.subject_code,
            whole.period_code,
            whole.period_kind,
            whole.period_end,
            whole.value,
            whole.source_file,
            whole.source_row
        from {{ counterpart }} as whole
        inner join this_run
            on
                whole.indicator_code = this_run.indicator_code
                and whole.region_code = this_run.region_code
                and whole.subject_code = this_run.subject_code
                and whole.period_end = this_run.period_end
        where whole.measure = 'value' and whole.bound = 'eq'
    )

    select
        month_level.indicator_code,
        month_level.region_code,
        month_level.subject_code,
        month_level.period_code as month_period_code,
        month_level.value as month_value,
        month_level.source_file as month_source_file,
        month_level.source_row as month_source_row,
        year_to_date.period_code as ytd_period_code,
        year_to_date.value as ytd_value,
        year_to_date.source_file as ytd_source_file,
        year_to_date.source_row as ytd_source_row
    from levels as month_level
    inner join levels as year_to_date
        on
            month_level.indicator_code = year_to_date.indicator_code
            and month_level.region_code = year_to_date.region_code
            and month_level.subject_code = year_to_date.subject_code
            and month_level.period_end = year_to_date.period_end
    where
        month_level.period_kind = 'month'
        and year_to_date.period_kind in ('ytd', 'year')
        and month_level.value > year_to_date.value
{% endtest %}
