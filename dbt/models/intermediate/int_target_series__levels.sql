{#- 水平类目标序列 / The targets read from one region's own series (city or county scope): levels,
    multiples of a baseline, additions since the start, improvements on the baseline year.
      level        the indicator's value (year-to-date for annual flows, annual for multi-year flows)
      multiple     value / baseline value (a flow multiple with no level to compare is measured by
                   int_target_series__growth_index when growth is published: int_target_series
                   then takes those rows instead of these)
      additions    stock now minus stock at the start, or the flow summed since the start
      improvement  city: the value vs the same period of the baseline year
    One row per target x period, with the target level it is compared to (target_level), the
    baseline (base_value) and where the actual came from. Unioned into int_target_series. -#}
{{ incremental_by_target() }}

{#- A target's own series: its region's figures of its indicator and measure (city and county scope). -#}
{%- set own_series_join -%}
    targets.indicator_code = values_.indicator_code
    and targets.scope_code = values_.region_code
    and values_.subject_code = ''
    and values_.measure = coalesce(targets.target_measure, 'value')
    and targets.scope_type in ('city', 'county')
    and targets.reads_own_series
{%- endset %}
{#- The measure kinds measured by their cumulative figure when their series publishes one, else monthly. -#}
{%- set measured_cumulative_when_published = "('rate', 'ratio')" %}

with catalogue_targets as (
    {{ series_targets() }}
),

-- The baseline used (int_target_baselines: the catalogue's quote, or the figure a later release
-- revised it to), in place of the quote: every expression below that reads baseline_value (as
-- declared_baseline) reads the one it decided. baseline_label names it where a multiple shows what it
-- is divided by.
targets as (
    select
        {{ cross_engine_star(ref('int_targets__enriched'), 'catalogue_targets', replace={
            'baseline_value': 'coalesce(baselines.baseline_value, catalogue_targets.baseline_value)'
        }) }},
        case
            when catalogue_targets.baseline_value is not null then coalesce(baselines.baseline_origin, 'catalogue')
        end as baseline_origin,
        case
            when baselines.baseline_origin = 'published'
                then 'published baseline, release ' || coalesce(baselines.published_release_id, baselines.published_source_file, 'unnamed')
            else 'catalogue baseline'
        end as baseline_label
    from catalogue_targets
    left join {{ ref('int_target_baselines') }} as baselines
        on catalogue_targets.target_id = baselines.target_id
),

values_ as {{ not_materialized() }} (
    select * from {{ ref('int_indicator_values') }}
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
        'growth of the levels ' || cur.period_code || ' ' || {{ cross_engine_number_text("cur.value") }} || ' / '
        || prev.period_code || ' ' || {{ cross_engine_number_text("prev.value") }} || ' - 1' as derived_from,
        cur.source_file,
        cur.source_row,
        cast(null as {{ dbt.type_string() }}) as source_ref,
        cur.release_id,
        cur.release_date,
        cur.is_revised or prev.is_revised as is_revised,
        -- the date shown is the current level's: its flag
        cur.release_date_imputed
    from values_ as cur
    inner join growth_target_series as wanted
        on cur.indicator_code = wanted.indicator_code and cur.region_code = wanted.region_code
    inner join values_ as prev
        on
            cur.indicator_code = prev.indicator_code
            and cur.region_code = prev.region_code
            and cur.subject_code = prev.subject_code
            and prev.measure = 'value'
            and prev.period_code = {{ period_code_year_before('cur.period_code', 'cur.period_end') }}
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
-- Rates and ratios are measured by the cumulative figure of a year when their series publishes one for
-- that year, else by that year's monthly figures: decided per series-year, so a year with only a
-- monthly figure (2022-10 优良率 71.0) is read even when another year has a full-year figure.
-- An aggregate, not a window over every figure of every target's series: at national scale the
-- window sorted 18.6 M rows and took most of this model's time (BENCHMARKS.md). Only rates and ratios
-- ask: over every year of every other target's series it was 2.9 M rows at 10 years of history.
cumulative_published as (
    select
        targets.target_id,
        extract(year from values_.period_end) as series_year,
        max(case when values_.period_kind in ('ytd', 'year') then 1 else 0 end) as has_cumulative
    from targets
    inner join target_values as values_
        on {{ own_series_join }}
    where
        targets.measure_kind in {{ measured_cumulative_when_published }}
        and {{ in_years_a_target_reads('targets', 'values_.period_end') }}
    group by targets.target_id, extract(year from values_.period_end)
),

-- Only the years a target can use (in_years_a_target_reads, macros/target_series.sql) are read, and
-- only the monthly figures of a target with an annual rule go through the per-year window: at 10
-- years of history the others were most of this model's time (BENCHMARKS.md).
{%- set single_region_target_columns -%}
        targets.target_id,
        targets.target_kind,
        targets.comparator,
        targets.measure_kind,
        targets.is_multi_year,
        targets.start_date,
        targets.deadline,
        targets.baseline_year,
        targets.baseline_value as declared_baseline,
        targets.baseline_origin as declared_baseline_origin,
        targets.baseline_label,
        targets.annual_rule,
        targets.direction_sign
{%- endset %}
{%- set reads_annual_rule = annual_rule_applies('targets.annual_rule', 'values_.period_kind') %}
-- Five CTEs below read these rows. A full build reads them apart (a copy of every target's figures is
-- what the hint avoids, see not_materialized); a new month's run, with few targets, reads the figures
-- once: each read scanned every figure of the history and joined it to the targets (10 years: 5 x 4 M).
single_region as {% if is_incremental() %}{{ materialized() }}{% else %}{{ not_materialized() }}{% endif %} (
    select
        {{ single_region_target_columns }},
        {{ cross_engine_star(ref('int_indicator_values'), 'values_') }}
    from targets
    inner join target_values as values_
        on {{ own_series_join }}
    where
        {{ in_years_a_target_reads('targets', 'values_.period_end') }}
        and not {{ reads_annual_rule }}
    union all
    select
        {{ single_region_target_columns }},
        -- annual rules (seeds/target_rules.csv): a monthly figure stands for the year so far
        {{ cross_engine_star(ref('int_indicator_values'), 'values_', replace={'value': annual_rule_value(
            'targets.annual_rule', 'values_.value', 'targets.direction_sign', 'targets.measure_kind',
            'values_.period_kind', 'annual_so_far', 'values_.bound'
        ), 'bound': annual_rule_bound(
            'targets.annual_rule', 'targets.measure_kind', 'values_.period_kind', 'values_.bound',
            'targets.direction_sign', 'annual_so_far', 'values_.period_end'
        )}) }}
    from targets
    inner join target_values as values_
        on {{ own_series_join }}
    where
        {{ in_years_a_target_reads('targets', 'values_.period_end') }}
        and {{ reads_annual_rule }}
    window annual_so_far as (
        partition by targets.target_id, values_.period_kind, extract(year from values_.period_end)
        order by values_.period_end
        rows between unbounded preceding and current row
    )
),

-- Which periods measure a target: annual flows by year-to-date; multi-year flows by the annual
-- figure (and, for multiples, year-to-date against the same months of the baseline year);
-- rates and ratios by the cumulative figure of the year when one is published, else that year's monthly.
single_region_selected as (
    select
        single_region.*,
        cumulative_published.has_cumulative
    from single_region
    left join cumulative_published
        on
            single_region.target_id = cumulative_published.target_id
            and extract(year from single_region.period_end) = cumulative_published.series_year
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
            when single_region.measure_kind in {{ measured_cumulative_when_published }} and cumulative_published.has_cumulative = 1
                then single_region.period_kind in ('ytd', 'year')
            when single_region.measure_kind in {{ measured_cumulative_when_published }} then single_region.period_kind = 'month'
            else true
        end
),

-- Baselines found in the data when the catalogue gives none.
stock_before_start as (
    select
        targets.target_id,
        values_.value,
        values_.period_code,
        values_.is_illustrative,
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
            when targets.baseline_year is not null then cast(cast(targets.baseline_year as {{ dbt.type_string() }}) || '-12-31' as date)
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
            and base.period_code = {{ period_code_in_year(
                'sel.period_code', 'coalesce(sel.baseline_year, extract(year from sel.period_end) - 1)'
            ) }}
),

-- The same period a year earlier in the target's own series, read before its window too (the year
-- before the start is one of the years a target reads): what "worse than a year earlier" compares a
-- state target with (int_target_assessment). 2021-10's 83.9 for the 2022-10 优良率 71.0 of a 2022 target.
-- A multiple or an addition is measured from its base, not as the level, so it has none.
year_before as (
    select
        sel.target_id,
        sel.period_code,
        earlier.value as year_before_value
    from single_region_selected as sel
    inner join single_region as earlier
        on
            sel.target_id = earlier.target_id
            and earlier.period_code = {{ period_code_year_before('sel.period_code', 'sel.period_end') }}
    where sel.target_kind not in ('multiple', 'additions')
),

-- Multiples of a flow: the full baseline year (the catalogue's figure, else the data), and, for a
-- year-to-date figure whose months of the baseline year are not published, those months estimated
-- as the full baseline year times the seasonal share normally reached by that month (flagged): the
-- mean over at least seasonal_min_years complete years before the measured one. With fewer there is
-- no estimate and the period has no actual here (growth measures it where growth is published:
-- int_target_series__growth_index).
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
            and base.period_code = cast(targets.baseline_year as {{ dbt.type_string() }})
    where targets.target_kind = 'multiple' and targets.measure_kind = 'flow'
),

seasonal_share_by_month as (
    select
        sel.target_id,
        sel.period_code,
        sel.baseline_year,
        extract(month from sel.period_end) as month_number,
        total.annual_base_level,
        total.annual_base_is_illustrative or {{ dbt.bool_or('profiles.is_illustrative') }} as base_is_illustrative,
        {{ cross_engine_ordered_mean('profiles.share_of_year') }} as mean_share_of_year,
        count(*) as profile_years
    from single_region_selected as sel
    inner join base_year_total as total
        on sel.target_id = total.target_id
    inner join profiles
        on
            sel.indicator_code = profiles.indicator_code
            and sel.region_code = profiles.region_code
            and profiles.month_number = extract(month from sel.period_end)
            -- complete years before the one measured: never the measured year's own share
            and profiles.profile_year < extract(year from sel.period_end)
    where sel.period_kind = 'ytd' and total.annual_base_level is not null
    group by sel.target_id, sel.period_code, sel.baseline_year, sel.period_end, total.annual_base_level, total.annual_base_is_illustrative
    -- as many years as a seasonal 序时进度 needs (status_thresholds.seasonal_min_years), else no estimate
    having count(*) >= (
        select thresholds.threshold_value from {{ ref('stg_seeds__status_thresholds') }} as thresholds
        where thresholds.threshold_code = 'seasonal_min_years'
    )
),

-- the estimate and the note that shows how it was made, from the same mean
estimated_base as (
    select
        target_id,
        period_code,
        annual_base_level * mean_share_of_year as base_value,
        base_is_illustrative,
        'estimated: ' || cast(baseline_year as {{ dbt.type_string() }}) || ' full year '
        || {{ cross_engine_number_text("annual_base_level") }}
        || ' x seasonal share by month ' || cast(month_number as {{ dbt.type_string() }}) || ' '
        || {{ cross_engine_number_text("mean_share_of_year", 4) }} || ' (mean of '
        || cast(profile_years as {{ dbt.type_string() }}) || ' years)' as base_note
    from seasonal_share_by_month
),

-- Flows summed since the start (additions over a multi-year window): earlier full years + this one.
flow_additions as (
    select
        sel.target_id,
        sel.period_code,
        {{ cross_engine_ordered_sum('earlier.value') }} as earlier_years_total
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

{#- What a multiple's level is divided by (null: no baseline level, or 0); written once, for its actual
    and for the note on a row it leaves with no actual. -#}
{%- set multiple_divisor -%}
    nullif(case
        when sel.measure_kind = 'stock' then coalesce(sel.declared_baseline, stock_base.value)
        -- like with like: a year-to-date figure against the same months of the baseline year
        when sel.period_kind = 'ytd' then coalesce(base.base_value, est.base_value)
        else coalesce(sel.declared_baseline, base.base_value)
    end, 0)
{%- endset %}

single_region_series as (
    select
        sel.target_id,
        sel.period_code,
        sel.period_kind,
        sel.period_start,
        sel.period_end,
        case
            when sel.target_kind = 'multiple' then sel.value / {{ multiple_divisor }}
            when
                sel.target_kind = 'additions' and sel.measure_kind = 'stock'
                then sel.value - coalesce(sel.declared_baseline, stock_base.value)
            when sel.target_kind = 'additions' then sel.value + coalesce(flow_additions.earlier_years_total, 0)
            else sel.value
        end as actual_value,
        sel.value as underlying_value,
        sel.bound as actual_bound,
        -- the bound of the figure behind the actual: kept on a row with no actual (int_target_series)
        sel.bound as underlying_bound,
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
                then {{ period_code_in_year('sel.period_code', 'sel.baseline_year') }}
            when sel.target_kind = 'multiple' and sel.period_kind <> 'ytd' and sel.declared_baseline is not null
                then cast(sel.baseline_year as {{ dbt.type_string() }})
            when sel.target_kind = 'multiple' or sel.comparator = 'improve' or sel.is_multi_year then base.base_period_code
        end as baseline_period_code,
        case
            when sel.target_kind = 'multiple' and sel.period_kind = 'ytd' and base.base_value is null and est.base_value is not null
                then 'derived'
            else sel.provenance
        end as provenance,
        -- the lowest quality of the inputs actually used: the baseline row only when it was used
        sel.is_illustrative or case
            -- a stock's additions or multiple are made of the count at the start too (18 now - 11 then): an
            -- illustrative count there makes the result illustrative, though the count now is published
            when sel.measure_kind = 'stock' and (sel.target_kind = 'additions' or sel.target_kind = 'multiple')
                then sel.declared_baseline is null and coalesce(stock_base.is_illustrative, false)
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
            -- a stock's additions or multiple name the two counts (新增上市企业: 18 at the end of 2022 - 11 in 2021-06)
            when
                (sel.target_kind = 'additions' or sel.target_kind = 'multiple') and sel.measure_kind = 'stock'
                and coalesce(sel.declared_baseline, stock_base.value) is not null
                then
                    coalesce(nullif(sel.derived_from, '') || '; ', '') || 'stock ' || {{ cross_engine_number_text("sel.value") }}
                    || ' (' || sel.period_code || ')' || case when sel.target_kind = 'additions' then ' - ' else ' / ' end
                    || {{ cross_engine_number_text("coalesce(sel.declared_baseline, stock_base.value)") }} || ' ('
                    || case when sel.declared_baseline is not null then sel.baseline_label else stock_base.period_code end || ')'
            -- a flow's multiple names its level and what it is divided by too (高新技术产业增加值 1.03 倍:
            -- 1043.3 in 2022 / 1016.11 of the catalogue; Jan-Sep 2026 / Jan-Sep 2021)
            when sel.target_kind = 'multiple' and {{ multiple_divisor }} is not null
                then
                    coalesce(nullif(sel.derived_from, '') || '; ', '') || 'level ' || {{ cross_engine_number_text("sel.value") }}
                    || ' (' || sel.period_code || ') / ' || {{ cross_engine_number_text(multiple_divisor) }} || ' ('
                    || case
                        when sel.period_kind <> 'ytd' and sel.declared_baseline is not null then sel.baseline_label
                        else base.base_period_code
                    end || ')'
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
        -- 倍增缺基期 / a multiple's level with no baseline level to divide it by: no actual, and a note
        -- saying so. Where growth is published int_target_series takes the growth index's rows instead
        case
            when sel.target_kind = 'multiple' and sel.value is not null and {{ multiple_divisor }} is null
                then
                    'the baseline (' || coalesce({{ period_code_in_year('sel.period_code', 'sel.baseline_year') }}, 'year')
                    || ') level is not published: '
                    || {{ cross_engine_number_text('sel.value') }} || ' (' || sel.period_code
                    || ') cannot be made a multiple of it'
        end as status_note,
        -- its reason (seeds/status_reasons.csv: the growth chain's, whose wording names a missing baseline level)
        case
            when sel.target_kind = 'multiple' and sel.value is not null and {{ multiple_divisor }} is null
                then 'growth_chain_broken'
        end as no_actual_reason,
        year_before.year_before_value,
        -- where baseline_level (or the full baseline year a year to date is estimated from) came from:
        -- the catalogue's quote or the release that revised it (int_target_baselines); int_target_series
        -- says 'data' of every other baseline level
        case
            when sel.declared_baseline is null then null
            when
                sel.target_kind = 'multiple' and sel.measure_kind <> 'stock' and sel.period_kind = 'ytd'
                and not (base.base_value is null and est.base_value is not null)
                then null
            else sel.declared_baseline_origin
        end as baseline_origin,
        -- release_date is the day the file of the figure shown arrived (int_target_series says when a value
        -- made of several figures is so): last, in every int_target_series__<kind> model alike
        sel.release_date_imputed
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
    left join year_before
        on sel.target_id = year_before.target_id and sel.period_code = year_before.period_code
)

-- A flow multiple with no level to compare with its baseline keeps its rows here (actual unknown):
-- int_target_series__growth_index measures it by growth where growth is published, and the union
-- (int_target_series) then takes those rows instead; with neither, the periods stay, with no actual.
{{ series_with_comparison('single_region_series') }}
