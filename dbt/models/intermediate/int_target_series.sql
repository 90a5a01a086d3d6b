{#- Every target brought to one comparable actual per period (target x period), whatever its kind:
      level        the indicator's value (year-to-date for annual flows, annual for multi-year flows)
      multiple     value / baseline value (or the chained real growth index for growth-only series)
      additions    stock now minus stock at the start, or the flow summed since the start
      rank         places gained among the province's cities since the baseline year
      coverage     units (counties) covered, from int_target_region_values
      improvement  city: the value vs the same period of the baseline year; counties: units improved
      class        the worst class over the river's sections that period
      milestone    the project's stage
    with the target level it is compared to (target_level), the baseline (base_value), and where
    the actual came from. Qualitative targets have no series. -#}
{{ incremental_by_target() }}

with targets as (
    select * from {{ ref('int_targets__enriched') }}
    where
        target_kind <> 'qualitative'
        and {{ only_targets_to_rebuild() }}
),

values_ as {{ not_materialized() }} (
    select * from {{ ref('int_indicator_values') }}
),

regions as (
    select * from {{ ref('stg_seeds__regions') }}
),

-- ---------------------------------------------------------------- single-region series
single_region as {{ not_materialized() }} (
    select
        targets.target_id,
        targets.target_kind,
        targets.comparator,
        targets.measure_kind,
        targets.is_multi_year,
        targets.start_date,
        targets.deadline,
        targets.baseline_year,
        targets.baseline_value as declared_baseline,
        values_.*
    from targets
    inner join values_
        on
            targets.indicator_code = values_.indicator_code
            and targets.scope_code = values_.region_code
            and values_.subject_code = ''
            and values_.measure = 'value'
    where
        targets.scope_type in ('city', 'county')
        and targets.target_kind in ('level', 'multiple', 'additions', 'improvement', 'coverage')
),

-- Which periods measure a target: annual flows by year-to-date; multi-year flows by the annual
-- figure (and, for multiples, year-to-date against the same months of the baseline year);
-- rates and ratios by the cumulative figure when one is published, else monthly.
-- An aggregate, not a window over every figure of every target's series: at national scale the
-- window sorted 18.6 M rows and took most of this model's time (BENCHMARKS.md).
cumulative_published as (
    select
        target_id,
        max(case when period_kind in ('ytd', 'year') then 1 else 0 end) as has_cumulative
    from single_region
    group by target_id
),

single_region_selected as (
    select
        single_region.*,
        cumulative_published.has_cumulative
    from single_region
    inner join cumulative_published
        on single_region.target_id = cumulative_published.target_id
    where
        single_region.period_end between single_region.start_date and single_region.deadline
        and case
            when single_region.measure_kind = 'flow' and single_region.target_kind = 'additions'
                then single_region.period_kind in ('ytd', 'year')
            when single_region.measure_kind = 'flow' and single_region.target_kind = 'multiple'
                then single_region.period_kind in ('ytd', 'year')
            when single_region.measure_kind = 'flow' and single_region.is_multi_year
                then single_region.period_kind = 'year'
            when single_region.measure_kind = 'flow' then single_region.period_kind in ('ytd', 'year')
            when single_region.measure_kind in ('rate', 'ratio') and cumulative_published.has_cumulative = 1
                then single_region.period_kind in ('ytd', 'year')
            when single_region.measure_kind in ('rate', 'ratio') then single_region.period_kind = 'month'
            else true
        end
),

-- Baselines found in the data when the catalogue gives none.
stock_before_start as (
    select
        targets.target_id,
        values_.value,
        values_.period_code,
        row_number() over (partition by targets.target_id order by values_.period_end desc) as recency
    from targets
    inner join values_
        on
            targets.indicator_code = values_.indicator_code
            and targets.scope_code = values_.region_code
            and values_.subject_code = ''
            and values_.measure = 'value'
    where
        targets.measure_kind = 'stock'
        and values_.period_end <= case
            when targets.baseline_year is not null then cast(cast(targets.baseline_year as varchar) || '-12-31' as date)
            else {{ dbt.dateadd('day', -1, 'targets.start_date') }}
        end
),

same_period_in_base_year as (
    select
        sel.target_id,
        sel.period_code,
        base.value as base_value,
        base.period_code as base_period_code,
        base.is_illustrative as base_is_illustrative
    from single_region_selected as sel
    inner join single_region as base
        on
            sel.target_id = base.target_id
            and base.period_code = cast(
                coalesce(sel.baseline_year, extract(year from sel.period_end) - 1) as varchar
            ) || substr(sel.period_code, 5)
),

-- Flows summed since the start (additions over a multi-year window): earlier full years + this one.
flow_additions as (
    select
        sel.target_id,
        sel.period_code,
        sum(earlier.value) as earlier_years_total
    from single_region_selected as sel
    inner join single_region as earlier
        on
            sel.target_id = earlier.target_id
            and earlier.period_kind = 'year'
            and earlier.period_end < {{ dbt.date_trunc('year', 'sel.period_end') }}
            and sel.start_date <= earlier.period_start
    where sel.target_kind = 'additions' and sel.measure_kind = 'flow'
    group by sel.target_id, sel.period_code
),

single_region_series as (
    select
        sel.target_id,
        sel.period_code,
        sel.period_kind,
        sel.period_start,
        sel.period_end,
        case
            when sel.target_kind = 'multiple'
                then sel.value / nullif(coalesce(
                    sel.declared_baseline,
                    case when sel.measure_kind = 'stock' then stock_base.value else base.base_value end
                ), 0)
            when
                sel.target_kind = 'additions' and sel.measure_kind = 'stock'
                then sel.value - coalesce(sel.declared_baseline, stock_base.value)
            when sel.target_kind = 'additions' then sel.value + coalesce(flow_additions.earlier_years_total, 0)
            else sel.value
        end as actual_value,
        sel.value as underlying_value,
        sel.bound as actual_bound,
        case
            when sel.target_kind = 'multiple' then 1.0
            when sel.target_kind = 'additions' then 0.0
            when sel.comparator = 'improve' then base.base_value
            when sel.is_multi_year and sel.measure_kind = 'flow' then coalesce(sel.declared_baseline, base.base_value)
            when sel.measure_kind = 'stock' then coalesce(sel.declared_baseline, stock_base.value)
            when sel.measure_kind = 'flow' then 0.0
        end as base_value,
        case
            when sel.target_kind = 'multiple' and sel.measure_kind <> 'stock'
                then coalesce(sel.declared_baseline, base.base_value)
            when sel.measure_kind = 'stock' then coalesce(sel.declared_baseline, stock_base.value)
            else coalesce(sel.declared_baseline, base.base_value)
        end as baseline_level,
        case
            when sel.measure_kind = 'stock' then stock_base.period_code
            when sel.target_kind = 'multiple' or sel.comparator = 'improve' or sel.is_multi_year then base.base_period_code
        end as baseline_period_code,
        sel.provenance,
        sel.is_illustrative or coalesce(base.base_is_illustrative, false) as is_illustrative,
        sel.derived_from,
        sel.source_file,
        sel.source_row,
        sel.source_ref,
        sel.release_id,
        sel.release_date,
        sel.is_revised,
        cast(null as integer) as units_total,
        cast(null as integer) as units_reporting
    from single_region_selected as sel
    left join same_period_in_base_year as base
        on sel.target_id = base.target_id and sel.period_code = base.period_code
    left join stock_before_start as stock_base
        on sel.target_id = stock_base.target_id and stock_base.recency = 1
    left join flow_additions
        on sel.target_id = flow_additions.target_id and sel.period_code = flow_additions.period_code
),

-- ---------------------------------------------------------------- growth-only multiples
-- 规模工业增加值 is published almost only as real growth: its multiple of the baseline year is
-- the chained growth index, a derived figure (and in comparable prices, as the office measures it).
growth_rows as (
    select
        targets.target_id,
        targets.baseline_year,
        targets.start_date,
        targets.deadline,
        values_.*
    from targets
    inner join values_
        on
            targets.indicator_code = values_.indicator_code
            and targets.scope_code = values_.region_code
            and values_.subject_code = ''
            and values_.measure = 'yoy_pct'
    where
        targets.target_kind = 'multiple'
        and targets.measure_kind = 'flow'
        and not exists (
            select 1 from single_region_series as s
            where s.target_id = targets.target_id
        )
),

annual_growth as (
    select * from growth_rows
    where period_kind = 'year'
),

growth_index as (
    select
        g.target_id,
        g.period_code,
        g.period_kind,
        g.period_start,
        g.period_end,
        exp(sum(ln(1 + earlier.value / 100.0))) as earlier_index,
        {{ dbt.listagg("earlier.period_code || ' ' || cast(earlier.value as varchar) || '%'", "', '", 'order by earlier.period_code') }}
            as earlier_rates
    from growth_rows as g
    inner join annual_growth as earlier
        on
            g.target_id = earlier.target_id
            and cast(earlier.period_code as integer) > g.baseline_year
            and cast(earlier.period_code as integer) < extract(year from g.period_end)
    group by g.target_id, g.period_code, g.period_kind, g.period_start, g.period_end
),

growth_series as (
    select
        g.target_id,
        g.period_code,
        g.period_kind,
        g.period_start,
        g.period_end,
        coalesce(gi.earlier_index, 1.0) * (1 + g.value / 100.0) as actual_value,
        g.value as underlying_value,
        g.bound as actual_bound,
        1.0 as base_value,
        cast(null as double) as baseline_level,
        cast(g.baseline_year as varchar) as baseline_period_code,
        'derived' as provenance,
        g.is_illustrative,
        'chained real growth since ' || cast(g.baseline_year as varchar) || ': '
        || coalesce(gi.earlier_rates || ', ', '') || g.period_code || ' ' || cast(g.value as varchar) || '%'
            as derived_from,
        g.source_file,
        g.source_row,
        g.source_ref,
        g.release_id,
        g.release_date,
        g.is_revised,
        cast(null as integer) as units_total,
        cast(null as integer) as units_reporting
    from growth_rows as g
    left join growth_index as gi
        on g.target_id = gi.target_id and g.period_code = gi.period_code
    where
        g.period_end between g.start_date and g.deadline
        and g.period_kind in ('ytd', 'year')
        and extract(year from g.period_end) > g.baseline_year
),

-- ---------------------------------------------------------------- rank among the province's cities
rank_targets as (
    select
        targets.*,
        coalesce(scope_region.region_code, home_city.region_code) as ranked_region_code
    from targets
    left join regions as scope_region
        on targets.scope_code = scope_region.region_code and scope_region.is_peer_city
    left join regions as home_city
        on home_city.sort_order = 1 and home_city.region_type = 'city'
    where targets.target_kind = 'rank'
),

peer_values as (
    select
        values_.*,
        count(*) over (partition by values_.indicator_code, values_.period_code) as peers_reporting,
        rank() over (partition by values_.indicator_code, values_.period_code order by values_.value desc)
            as rank_high_first,
        rank() over (partition by values_.indicator_code, values_.period_code order by values_.value asc)
            as rank_low_first
    from values_
    inner join regions
        on values_.region_code = regions.region_code and regions.is_peer_city
    where values_.measure = 'value' and values_.subject_code = ''
),

peer_count as (
    select count(*) as peer_cities from regions
    where is_peer_city
),

ranks as (
    select
        rank_targets.target_id,
        rank_targets.baseline_year,
        rank_targets.start_date,
        rank_targets.deadline,
        peer_values.*,
        case
            when rank_targets.direction_sign < 0 then peer_values.rank_low_first else peer_values.rank_high_first
        end as city_rank
    from rank_targets
    inner join peer_values
        on
            rank_targets.indicator_code = peer_values.indicator_code
            and rank_targets.ranked_region_code = peer_values.region_code
    cross join peer_count
    -- a rank is only a rank when every peer city reported for that period
    where peer_values.peers_reporting = peer_count.peer_cities
),

rank_series as (
    select
        r.target_id,
        r.period_code,
        r.period_kind,
        r.period_start,
        r.period_end,
        cast(base.city_rank - r.city_rank as double) as actual_value,
        cast(r.city_rank as double) as underlying_value,
        'eq' as actual_bound,
        0.0 as base_value,
        cast(base.city_rank as double) as baseline_level,
        base.period_code as baseline_period_code,
        'derived' as provenance,
        r.is_illustrative or base.is_illustrative as is_illustrative,
        'rank ' || cast(r.city_rank as varchar) || ' of ' || cast(r.peers_reporting as varchar)
        || ' cities by ' || r.indicator_code || ' (' || r.period_code || ') vs rank '
        || cast(base.city_rank as varchar) || ' in ' || base.period_code as derived_from,
        r.source_file,
        r.source_row,
        r.source_ref,
        r.release_id,
        r.release_date,
        r.is_revised,
        cast(r.peers_reporting as integer) as units_total,
        cast(r.peers_reporting as integer) as units_reporting
    from ranks as r
    inner join ranks as base
        on
            r.target_id = base.target_id
            and base.period_code = cast(r.baseline_year as varchar) || substr(r.period_code, 5)
    where r.period_end between r.start_date and r.deadline
),

-- ---------------------------------------------------------------- regional targets (counties, sections)
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
        {{ dbt.bool_or('rv.is_illustrative') }} as is_illustrative,
        max(rv.release_date) as release_date,
        min(rv.source_file) || case when count(distinct rv.source_file) > 1 then ' …' else '' end as source_file
    from {{ ref('int_target_region_values') }} as rv
    group by rv.target_id, rv.period_code, rv.period_kind, rv.period_start, rv.period_end
),

coverage_at_start as (
    select
        rv.target_id,
        sum(case when rv.counts_as_met then 1 else 0 end) as units_met_at_start,
        row_number() over (partition by rv.target_id order by rv.period_end) as earliest
    from {{ ref('int_target_region_values') }} as rv
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
        case when rr.units_reporting < rr.units_total and targets.comparator <> 'class_or_better' then 'ge' else 'eq' end
            as actual_bound,
        case
            when targets.comparator = 'class_or_better' then cast(null as double)
            else cast(start_cov.units_met_at_start as double)
        end as base_value,
        cast(null as double) as baseline_level,
        cast(null as varchar) as baseline_period_code,
        'derived' as provenance,
        rr.is_illustrative,
        case
            when targets.comparator = 'class_or_better'
                then
                    'worst class over ' || cast(rr.units_reporting as varchar) || ' of '
                    || cast(rr.units_total as varchar) || ' sections; ' || cast(rr.units_met as varchar) || ' meet the class'
            else
                cast(rr.units_met as varchar) || ' of ' || cast(rr.units_total as varchar) || ' units meet ('
                || cast(rr.units_reporting as varchar) || ' reporting)'
        end as derived_from,
        rr.source_file,
        cast(null as integer) as source_row,
        cast(null as varchar) as source_ref,
        cast(null as varchar) as release_id,
        rr.release_date,
        false as is_revised,
        cast(rr.units_total as integer) as units_total,
        cast(rr.units_reporting as integer) as units_reporting
    from region_rollup as rr
    inner join targets
        on rr.target_id = targets.target_id
    left join coverage_at_start as start_cov
        on rr.target_id = start_cov.target_id and start_cov.earliest = 1
),

-- ---------------------------------------------------------------- listed projects
project_series as (
    select
        targets.target_id,
        values_.period_code,
        values_.period_kind,
        values_.period_start,
        values_.period_end,
        values_.value as actual_value,
        values_.value as underlying_value,
        values_.bound as actual_bound,
        0.0 as base_value,
        cast(null as double) as baseline_level,
        cast(null as varchar) as baseline_period_code,
        values_.provenance,
        values_.is_illustrative,
        values_.derived_from,
        values_.source_file,
        values_.source_row,
        values_.source_ref,
        values_.release_id,
        values_.release_date,
        values_.is_revised,
        cast(null as integer) as units_total,
        cast(null as integer) as units_reporting
    from targets
    inner join values_
        on
            targets.scope_code = values_.subject_code
            and values_.measure = 'stage'
    where
        targets.scope_type = 'project'
        and values_.period_end between targets.start_date and targets.deadline
),

all_series as (
    select * from single_region_series
    union all
    select * from growth_series
    union all
    select * from rank_series
    union all
    select * from regional_series
    union all
    select * from project_series
)

select
    all_series.*,
    case
        when targets.scope_type = 'river' then 'at_most'
        when targets.scope_type = 'every_county' then 'at_least'
        else targets.effective_comparator
    end as comparator_applied,
    case
        when targets.scope_type = 'every_county' then cast(all_series.units_total as double)
        when targets.comparator = 'improve' and targets.scope_type in ('city', 'county') then all_series.base_value
        else targets.target_value
    end as target_level,
    case
        when targets.comparator = 'about'
            then coalesce(
                targets.tolerance,
                abs(targets.target_value) * (
                    select thresholds.threshold_value from {{ ref('stg_seeds__status_thresholds') }} as thresholds
                    where thresholds.threshold_code = 'default_about_tolerance_pct'
                )
            )
        else 0
    end as tolerance_abs
from all_series
inner join targets
    on all_series.target_id = targets.target_id
