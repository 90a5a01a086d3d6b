{#- 分地区类目标序列 / Regional targets: every county (全覆盖, 各县市区), or a river's monitoring
    sections (water class), rolled up from int_target_region_values: the units that meet (or the
    worst class) at each period. A coverage target's base is the coverage at its start: the counties
    covered by their latest figure before the start; with no figure before the start there is no base
    and the target is judged on its distance (7 of 9), never on its own first figure. One row per
    target x period; unioned into int_target_series. -#}
{{ incremental_by_target() }}

with targets as (
    {{ series_targets() }}
),

region_values as (
    select * from {{ ref('int_target_region_values') }}
    where {{ only_targets_to_rebuild_upstream() }}
),

region_rollup as (
    select
        rv.target_id,
        rv.period_code,
        rv.period_kind,
        rv.period_start,
        rv.period_end,
        count(*) as units_total,
        count(rv.value) as units_reporting,
        sum(case when rv.counts_as_met then 1 else 0 end) as units_met,
        max(rv.value) as worst_value,
        -- sections whose class is only bounded from above (达到或优于Ⅱ类, 优于Ⅱ类): if all are, so is the worst
        sum(case when rv.value is not null and rv.bound in ('le', 'lt') then 1 else 0 end) as units_bounded_above,
        {{ dbt.bool_or('rv.is_illustrative') }} as is_illustrative,
        max(rv.release_date) as release_date,
        -- that date is an arrival day unless a unit's figure whose file states a date has it (an undated
        -- figure's true date is no later than the day it arrived)
        coalesce(
            max(rv.release_date) > max(case when not rv.release_date_imputed then rv.release_date end),
            max(rv.release_date) is not null
        ) as release_date_imputed,
        min(rv.source_file) || case when count(distinct rv.source_file) > 1 then ' …' else '' end as source_file
    from region_values as rv
    group by rv.target_id, rv.period_code, rv.period_kind, rv.period_start, rv.period_end
),

values_ as {{ not_materialized() }} (
    select * from {{ ref('int_indicator_values') }}
    where measure = 'value'
),

region_units as (
    select distinct
        rv.target_id,
        rv.region_code,
        rv.subject_code
    from region_values as rv
),

-- full coverage (全覆盖): each county's latest figure before the target's start
start_figures as (
    select
        units.target_id,
        {{ unit_counts_as_met('targets', 'values_.value', 'values_.bound', 'null') }} as counts_as_met,
        row_number() over (
            partition by units.target_id, units.region_code, units.subject_code
            order by values_.period_end desc, values_.release_date desc, values_.period_code desc
        ) as recency
    from region_units as units
    inner join targets
        on units.target_id = targets.target_id and targets.comparator = 'full_coverage'
    inner join values_
        on
            targets.indicator_code = values_.indicator_code
            and units.region_code = values_.region_code
            and units.subject_code = values_.subject_code
            and targets.start_date > values_.period_end
),

coverage_at_start as (
    select
        target_id,
        sum(case when counts_as_met then 1 else 0 end) as units_met_at_start
    from start_figures
    where recency = 1
    group by target_id
),

-- other every-county targets (improvement): the units met at their earliest period
earliest_units_met as (
    select
        rv.target_id,
        sum(case when rv.counts_as_met then 1 else 0 end) as units_met_at_start,
        row_number() over (partition by rv.target_id order by rv.period_end) as earliest
    from region_values as rv
    group by rv.target_id, rv.period_end
),

regional_series as (
    select
        rr.target_id,
        rr.period_code,
        rr.period_kind,
        rr.period_start,
        rr.period_end,
        case
            when targets.comparator = 'class_or_better' then cast(rr.worst_value as double)
            else cast(rr.units_met as double)
        end as actual_value,
        cast(rr.units_met as double) as underlying_value,
        case
            when targets.comparator = 'class_or_better'
                then case when rr.units_reporting > 0 and rr.units_bounded_above = rr.units_reporting then 'le' else 'eq' end
            when rr.units_reporting < rr.units_total then 'ge'
            else 'eq'
        end as actual_bound,
        -- units met: at least so many while some units have not reported
        case when rr.units_reporting < rr.units_total then 'ge' else 'eq' end as underlying_bound,
        case
            when targets.comparator = 'class_or_better' then cast(null as double)
            when targets.comparator = 'full_coverage' then cast(start_cov.units_met_at_start as double)
            else cast(earliest.units_met_at_start as double)
        end as base_value,
        cast(null as double) as baseline_level,
        cast(null as {{ dbt.type_string() }}) as baseline_period_code,
        'derived' as provenance,
        rr.is_illustrative,
        case
            when targets.comparator = 'class_or_better'
                then
                    'worst class over ' || cast(rr.units_reporting as {{ dbt.type_string() }}) || ' of '
                    || cast(rr.units_total as {{ dbt.type_string() }}) || ' sections; '
                    || cast(rr.units_met as {{ dbt.type_string() }}) || ' meet the class'
            else
                cast(rr.units_met as {{ dbt.type_string() }}) || ' of '
                || cast(rr.units_total as {{ dbt.type_string() }}) || ' units meet ('
                || cast(rr.units_reporting as {{ dbt.type_string() }}) || ' reporting)'
        end as derived_from,
        rr.source_file,
        cast(null as integer) as source_row,
        cast(null as {{ dbt.type_string() }}) as source_ref,
        cast(null as {{ dbt.type_string() }}) as release_id,
        rr.release_date,
        false as is_revised,
        cast(rr.units_total as integer) as units_total,
        cast(rr.units_reporting as integer) as units_reporting,
        cast(null as double) as annual_base_level,
        false as baseline_is_estimated,
        cast(null as {{ dbt.type_string() }}) as status_note,
        cast(null as {{ dbt.type_string() }}) as no_actual_reason,
        cast(null as double) as year_before_value,
        -- no catalogue baseline here: int_target_series says 'data' where the row has a baseline level
        cast(null as {{ dbt.type_string() }}) as baseline_origin,
        rr.release_date_imputed
    from region_rollup as rr
    inner join targets
        on rr.target_id = targets.target_id
    left join coverage_at_start as start_cov
        on rr.target_id = start_cov.target_id
    left join earliest_units_met as earliest
        on rr.target_id = earliest.target_id and earliest.earliest = 1
)

{{ series_with_comparison('regional_series', underlying='units_met') }}
