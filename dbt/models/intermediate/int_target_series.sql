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

profiles as (
    select * from {{ ref('int_seasonal_profiles') }}
),

-- Growth-rate targets (target_measure yoy_pct, seeds/target_rules.csv) compare growth rates, never
-- levels: the published rate, else the growth of the levels of the same period a year apart (derived,
-- naming both levels).
growth_target_series as (
    select distinct
        indicator_code,
        scope_code as region_code
    from targets
    where target_measure = 'yoy_pct'
),

growth_from_levels as (
    select
        cur.indicator_code,
        cur.region_code,
        cur.subject_code,
        cur.period_code,
        cur.period_kind,
        cur.period_start,
        cur.period_end,
        'yoy_pct' as measure,
        (cur.value / prev.value - 1) * 100 as value,
        case when cur.bound = 'eq' and prev.bound = 'eq' then 'eq' else 'approx' end as bound,
        'derived' as provenance,
        cur.is_illustrative or prev.is_illustrative as is_illustrative,
        'growth of the levels ' || cur.period_code || ' ' || cast(cur.value as varchar) || ' / '
        || prev.period_code || ' ' || cast(prev.value as varchar) || ' - 1' as derived_from,
        cur.source_file,
        cur.source_row,
        cast(null as varchar) as source_ref,
        cur.release_id,
        cur.release_date,
        cur.is_revised or prev.is_revised as is_revised
    from values_ as cur
    inner join growth_target_series as wanted
        on cur.indicator_code = wanted.indicator_code and cur.region_code = wanted.region_code
    inner join values_ as prev
        on
            cur.indicator_code = prev.indicator_code
            and cur.region_code = prev.region_code
            and cur.subject_code = prev.subject_code
            and prev.measure = 'value'
            and prev.period_code = cast(extract(year from cur.period_end) - 1 as varchar) || substr(cur.period_code, 5)
    where
        cur.measure = 'value'
        and cur.provenance <> 'derived'
        and prev.provenance <> 'derived'
        and prev.value > 0
        and not exists (
            select 1 from values_ as published_rate
            where
                published_rate.measure = 'yoy_pct'
                and published_rate.indicator_code = cur.indicator_code
                and published_rate.region_code = cur.region_code
                and published_rate.subject_code = cur.subject_code
                and published_rate.period_code = cur.period_code
        )
),

target_values as {{ not_materialized() }} (
    select * from values_
    union all
    select * from growth_from_levels
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
        targets.annual_rule,
        targets.direction_sign,
        values_.* replace (
        -- annual rules (seeds/target_rules.csv): a monthly figure stands for the year so far
            {{ annual_rule_value(
                'targets.annual_rule', 'values_.value', 'targets.direction_sign', 'targets.measure_kind',
                'values_.period_kind', 'annual_so_far'
            ) }} as value
        )
    from targets
    inner join target_values as values_
        on
            targets.indicator_code = values_.indicator_code
            and targets.scope_code = values_.region_code
            and values_.subject_code = ''
            and values_.measure = coalesce(targets.target_measure, 'value')
    where
        targets.scope_type in ('city', 'county')
        and targets.target_kind in ('level', 'multiple', 'additions', 'improvement', 'coverage')
    window annual_so_far as (
        partition by targets.target_id, values_.period_kind, extract(year from values_.period_end)
        order by values_.period_end
        rows between unbounded preceding and current row
    )
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

-- Multiples of a flow: the full baseline year (the catalogue's figure, else the data), and, for a
-- year-to-date figure whose months of the baseline year are not published, those months estimated
-- as the full baseline year times the seasonal share normally reached by that month (flagged).
base_year_total as (
    select
        targets.target_id,
        coalesce(targets.baseline_value, base.value) as annual_base_level,
        targets.baseline_value is null and coalesce(base.is_illustrative, false) as annual_base_is_illustrative
    from targets
    left join single_region as base
        on
            targets.target_id = base.target_id
            and base.period_kind = 'year'
            and base.period_code = cast(targets.baseline_year as varchar)
    where targets.target_kind = 'multiple' and targets.measure_kind = 'flow'
),

estimated_base as (
    select
        sel.target_id,
        sel.period_code,
        total.annual_base_level * avg(profiles.share_of_year) as base_value,
        total.annual_base_is_illustrative or {{ dbt.bool_or('profiles.is_illustrative') }} as base_is_illustrative,
        'estimated: ' || cast(sel.baseline_year as varchar) || ' full year ' || cast(total.annual_base_level as varchar)
        || ' x seasonal share by month ' || cast(extract(month from sel.period_end) as varchar) || ' '
        || cast(round(avg(profiles.share_of_year), 4) as varchar) || ' (mean of '
        || cast(count(*) as varchar) || ' years)' as base_note
    from single_region_selected as sel
    inner join base_year_total as total
        on sel.target_id = total.target_id
    inner join profiles
        on
            sel.indicator_code = profiles.indicator_code
            and sel.region_code = profiles.region_code
            and profiles.month_number = extract(month from sel.period_end)
    where sel.period_kind = 'ytd' and total.annual_base_level is not null
    group by sel.target_id, sel.period_code, sel.baseline_year, sel.period_end, total.annual_base_level, total.annual_base_is_illustrative
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
                then sel.value / nullif(case
                    when sel.measure_kind = 'stock' then coalesce(sel.declared_baseline, stock_base.value)
                    -- like with like: a year-to-date figure against the same months of the baseline year
                    when sel.period_kind = 'ytd' then coalesce(base.base_value, est.base_value)
                    else coalesce(sel.declared_baseline, base.base_value)
                end, 0)
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
            when sel.target_kind = 'multiple' and sel.measure_kind <> 'stock' and sel.period_kind = 'ytd'
                then coalesce(base.base_value, est.base_value)
            when sel.target_kind = 'multiple' and sel.measure_kind <> 'stock'
                then coalesce(sel.declared_baseline, base.base_value)
            when sel.measure_kind = 'stock' then coalesce(sel.declared_baseline, stock_base.value)
            else coalesce(sel.declared_baseline, base.base_value)
        end as baseline_level,
        case
            when sel.measure_kind = 'stock' then stock_base.period_code
            when sel.target_kind = 'multiple' and sel.period_kind = 'ytd' and base.base_value is null and est.base_value is not null
                then cast(sel.baseline_year as varchar) || substr(sel.period_code, 5)
            when sel.target_kind = 'multiple' and sel.period_kind <> 'ytd' and sel.declared_baseline is not null
                then cast(sel.baseline_year as varchar)
            when sel.target_kind = 'multiple' or sel.comparator = 'improve' or sel.is_multi_year then base.base_period_code
        end as baseline_period_code,
        case
            when sel.target_kind = 'multiple' and sel.period_kind = 'ytd' and base.base_value is null and est.base_value is not null
                then 'derived'
            else sel.provenance
        end as provenance,
        -- the lowest quality of the inputs actually used: the baseline row only when it was used
        sel.is_illustrative or case
            when sel.measure_kind = 'stock' then false
            when sel.target_kind = 'multiple' and sel.period_kind = 'ytd'
                then coalesce(base.base_is_illustrative, est.base_is_illustrative, false)
            when sel.target_kind = 'multiple' or (sel.is_multi_year and sel.measure_kind = 'flow')
                then sel.declared_baseline is null and coalesce(base.base_is_illustrative, false)
            when sel.comparator = 'improve' then coalesce(base.base_is_illustrative, false)
            else false
        end as is_illustrative,
        case
            when sel.target_kind = 'multiple' and sel.period_kind = 'ytd' and base.base_value is null and est.base_value is not null
                then coalesce(sel.derived_from || '; ', '') || 'baseline ' || est.base_note
            else sel.derived_from
        end as derived_from,
        sel.source_file,
        sel.source_row,
        sel.source_ref,
        sel.release_id,
        sel.release_date,
        sel.is_revised,
        cast(null as integer) as units_total,
        cast(null as integer) as units_reporting,
        total.annual_base_level,
        sel.target_kind = 'multiple' and sel.period_kind = 'ytd' and base.base_value is null and est.base_value is not null
            as baseline_is_estimated,
        cast(null as varchar) as status_note
    from single_region_selected as sel
    left join same_period_in_base_year as base
        on sel.target_id = base.target_id and sel.period_code = base.period_code
    left join estimated_base as est
        on sel.target_id = est.target_id and sel.period_code = est.period_code
    left join base_year_total as total
        on sel.target_id = total.target_id
    left join stock_before_start as stock_base
        on sel.target_id = stock_base.target_id and stock_base.recency = 1
    left join flow_additions
        on sel.target_id = flow_additions.target_id and sel.period_code = flow_additions.period_code
),

-- ---------------------------------------------------------------- growth-only multiples
-- 规模工业增加值 is published almost only as real growth: its multiple of the baseline year is
-- the chained growth index, a derived figure (and in comparable prices, as the office measures it).
-- Each year after the baseline is a link: its published annual growth, else its share of a published
-- multi-year rate covering it (年均 avg_yoy_pct, 累计 cum_pct: what the span's other published years
-- leave, spread evenly over its unpublished years). A year with neither is unknown, never 0%: the
-- chain stops there and the status says which year is missing.
growth_targets as (
    select targets.*
    from targets
    where
        targets.target_kind = 'multiple'
        and targets.measure_kind = 'flow'
        -- no level compares with its baseline (none published, or no baseline level): growth decides
        and not exists (
            select 1 from single_region_series as s
            where s.target_id = targets.target_id and s.actual_value is not null
        )
),

growth_rows as (
    select
        growth_targets.target_id,
        growth_targets.baseline_year,
        growth_targets.start_date,
        growth_targets.deadline,
        values_.*
    from growth_targets
    inner join values_
        on
            growth_targets.indicator_code = values_.indicator_code
            and growth_targets.scope_code = values_.region_code
            and values_.subject_code = ''
            and values_.measure in ('yoy_pct', 'avg_yoy_pct', 'cum_pct')
),

calendar_years as (
    select cast(unnest(generate_series(1949, 2100)) as integer) as link_year
),

published_links as (
    select
        target_id,
        cast(extract(year from period_end) as integer) as link_year,
        ln(1 + value / 100.0) as link_ln,
        is_illustrative,
        period_code || ' ' || cast(value as varchar) || '%' as link_label
    from growth_rows
    where measure = 'yoy_pct' and period_kind = 'year'
),

span_years as (
    select
        spans.target_id,
        spans.period_code as span_code,
        spans.is_illustrative,
        spans.measure,
        spans.value,
        calendar_years.link_year,
        extract(year from spans.period_end) - extract(year from spans.period_start) + 1 as span_length,
        case
            when spans.measure = 'avg_yoy_pct'
                then (extract(year from spans.period_end) - extract(year from spans.period_start) + 1) * ln(1 + spans.value / 100.0)
            else ln(1 + spans.value / 100.0)
        end as span_ln
    from growth_rows as spans
    inner join calendar_years
        on calendar_years.link_year between extract(year from spans.period_start) and extract(year from spans.period_end)
    where spans.measure in ('avg_yoy_pct', 'cum_pct') and spans.period_kind = 'multi_year'
),

span_remainders as (
    select
        span_years.target_id,
        span_years.span_code,
        (max(span_years.span_ln) - coalesce(sum(known.link_ln), 0)) / (max(span_years.span_length) - count(known.link_year))
            as unknown_year_ln,
        {{ dbt.bool_or('span_years.is_illustrative') }} or coalesce({{ dbt.bool_or('known.is_illustrative') }}, false)
            as is_illustrative,
        max(span_years.span_length) - count(known.link_year) as unknown_years,
        case when max(span_years.measure) = 'avg_yoy_pct' then '年均 ' else '累计 ' end
        || cast(max(span_years.value) as varchar) || '%' as span_label
    from span_years
    left join published_links as known
        on span_years.target_id = known.target_id and span_years.link_year = known.link_year
    group by span_years.target_id, span_years.span_code
),

span_links as (
    select
        span_years.target_id,
        span_years.link_year,
        remainders.unknown_year_ln as link_ln,
        remainders.is_illustrative,
        cast(span_years.link_year as varchar) || ' from ' || span_years.span_code || ' ' || remainders.span_label as link_label,
        row_number() over (partition by span_years.target_id, span_years.link_year order by span_years.span_code) as span_choice
    from span_years
    inner join span_remainders as remainders
        on span_years.target_id = remainders.target_id and span_years.span_code = remainders.span_code
    where
        remainders.unknown_years > 0
        and not exists (
            select 1 from published_links as known
            where known.target_id = span_years.target_id and known.link_year = span_years.link_year
        )
),

growth_links as (
    select
        target_id,
        link_year,
        link_ln,
        is_illustrative,
        link_label
    from published_links
    union all
    select
        target_id,
        link_year,
        link_ln,
        is_illustrative,
        link_label
    from span_links
    where span_choice = 1
),

-- The points measured: each published growth figure (year or year to date) after the baseline year,
-- and the end of a multi-year span where that year's own growth is not published.
growth_points as (
    select
        target_id,
        baseline_year,
        period_code,
        period_kind,
        period_start,
        period_end,
        1 + value / 100.0 as own_factor,
        cast(extract(year from period_end) as integer) - 1 as last_link_year,
        value,
        bound,
        is_illustrative,
        period_code || ' ' || cast(value as varchar) || '%' as own_label,
        source_file,
        source_row,
        source_ref,
        release_id,
        release_date,
        is_revised
    from growth_rows
    where
        measure = 'yoy_pct'
        and period_end between start_date and deadline
        and period_kind in ('ytd', 'year')
        and extract(year from period_end) > baseline_year
    union all
    select
        spans.target_id,
        spans.baseline_year,
        cast(extract(year from spans.period_end) as varchar) as period_code,
        'year' as period_kind,
        cast(cast(extract(year from spans.period_end) as varchar) || '-01-01' as date) as period_start,
        spans.period_end,
        1.0 as own_factor,
        cast(extract(year from spans.period_end) as integer) as last_link_year,
        spans.value,
        spans.bound,
        spans.is_illustrative,
        cast(null as varchar) as own_label,
        spans.source_file,
        spans.source_row,
        spans.source_ref,
        spans.release_id,
        spans.release_date,
        spans.is_revised
    from growth_rows as spans
    where
        spans.measure in ('avg_yoy_pct', 'cum_pct')
        and spans.period_kind = 'multi_year'
        and spans.period_end between spans.start_date and spans.deadline
        and extract(year from spans.period_end) > spans.baseline_year
        and not exists (
            select 1 from published_links as own
            where own.target_id = spans.target_id and own.link_year = extract(year from spans.period_end)
        )
),

growth_chain as (
    select
        points.target_id,
        points.period_code,
        count(*) filter (where calendar_years.link_year is not null) as links_needed,
        count(links.link_year) as links_found,
        min(case when links.link_year is null then calendar_years.link_year end) as first_missing_year,
        sum(links.link_ln) as links_ln,
        coalesce({{ dbt.bool_or('links.is_illustrative') }}, false) as links_illustrative,
        {{ dbt.listagg('links.link_label', "', '", 'order by links.link_year') }} as link_labels
    from growth_points as points
    left join calendar_years
        on calendar_years.link_year between points.baseline_year + 1 and points.last_link_year
    left join growth_links as links
        on points.target_id = links.target_id and calendar_years.link_year = links.link_year
    group by points.target_id, points.period_code
),

growth_series as (
    select
        g.target_id,
        g.period_code,
        g.period_kind,
        g.period_start,
        g.period_end,
        case
            when chain.links_found = chain.links_needed then exp(coalesce(chain.links_ln, 0)) * g.own_factor
        end as actual_value,
        g.value as underlying_value,
        g.bound as actual_bound,
        1.0 as base_value,
        cast(null as double) as baseline_level,
        cast(g.baseline_year as varchar) as baseline_period_code,
        'derived' as provenance,
        -- the lowest quality of every link used, not only the latest rate's
        g.is_illustrative or chain.links_illustrative as is_illustrative,
        'chained real growth since ' || cast(g.baseline_year as varchar) || ': '
        || concat_ws(', ', chain.link_labels, g.own_label) as derived_from,
        g.source_file,
        g.source_row,
        g.source_ref,
        g.release_id,
        g.release_date,
        g.is_revised,
        cast(null as integer) as units_total,
        cast(null as integer) as units_reporting,
        cast(null as double) as annual_base_level,
        false as baseline_is_estimated,
        case
            when chain.links_found < chain.links_needed
                then
                    'growth for ' || cast(chain.first_missing_year as varchar)
                    || ' is not published: the chained index stops there (a missing year is unknown, not 0%)'
        end as status_note
    from growth_points as g
    inner join growth_chain as chain
        on g.target_id = chain.target_id and g.period_code = chain.period_code
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
        cast(r.peers_reporting as integer) as units_reporting,
        cast(null as double) as annual_base_level,
        false as baseline_is_estimated,
        cast(null as varchar) as status_note
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
        cast(rr.units_reporting as integer) as units_reporting,
        cast(null as double) as annual_base_level,
        false as baseline_is_estimated,
        cast(null as varchar) as status_note
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
        cast(null as integer) as units_reporting,
        cast(null as double) as annual_base_level,
        false as baseline_is_estimated,
        cast(null as varchar) as status_note
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
    where
        actual_value is not null
        or target_id not in (select growth_targets.target_id from growth_targets)
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
