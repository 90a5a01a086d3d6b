{#- The assessment of every target at every period with data: gap, share achieved, expected share
    by now (序时进度, linear and seasonal), pace, required vs actual compound growth, projection to
    the deadline and status. Methods (methodology.md): Eurostat / Open SDG ratio of actual to
    required growth; UN projection ratio; Chinese 序时进度 for annual cumulative tasks.
    Thresholds come from seeds/status_thresholds.csv only. -#}
{{ incremental_by_target() }}
{#- A growth target's expected share follows compound growth at the required rate (geometric), where its
    target and base allow one; any other cumulative target's a straight line. Read where the share is
    computed and where its method is named (the columns of the one relation each CTE reads). -#}
{%- set path_is_geometric -%}
    (is_growth_target and target_level / base_value > 0 and target_level <> base_value)
{%- endset %}

with series as (
    select * from {{ ref('int_target_series') }}
    where {{ only_targets_to_rebuild_upstream() }}
),

targets as (
    select * from {{ ref('int_targets__enriched') }}
    where {{ only_targets_to_rebuild() }}
),

thresholds as (
    select
        max(case when threshold_code = 'on_track_ratio' then threshold_value end) as on_track_ratio,
        max(case when threshold_code = 'acceleration_ratio' then threshold_value end) as acceleration_ratio,
        max(case when threshold_code = 'deterioration_ratio' then threshold_value end) as deterioration_ratio,
        max(case when threshold_code = 'ahead_margin' then threshold_value end) as ahead_margin,
        max(case when threshold_code = 'behind_margin' then threshold_value end) as behind_margin,
        max(case when threshold_code = 'seasonal_min_years' then threshold_value end) as seasonal_min_years
    from {{ ref('stg_seeds__status_thresholds') }}
),

profiles as (
    select * from {{ ref('int_seasonal_profiles') }}
),

status_reasons as (
    select * from {{ ref('stg_seeds__status_reasons') }}
),

-- What a row takes from other rows: the same period a year before, the seasonal share of the year,
-- whether it is the target's newest period and which period the scorecard shows (the newest one that
-- can be assessed, methodology §4). Worked out on the keys alone, then joined to the wide rows once:
-- DuckDB builds its hash table on the narrow side (a few columns against 47 at 10 years). Three joins
-- onto the wide rows, which the planner sometimes built on, took the full build past 2 GB
-- (BENCHMARKS.md: 3.4 GB without a limit, now 2.4 GB); a window over the wide rows would sort them all.
series_keys as (
    select
        series.target_id,
        series.period_code,
        series.period_kind,
        series.period_end,
        series.actual_value,
        series.year_before_value,
        -- 可评估 / can the row be judged at all: a figure, comparable with its target (as if exact: a
        -- bound is judged at the bound). The status rule below reads this flag (not_comparable), so the
        -- rows the scorecard skips are exactly the not_assessable and no_data rows.
        (
            series.actual_value is not null
            and {{ comparison_met(
                'series.comparator_applied', 'series.actual_value', "'eq'",
                'series.target_level', 'series.tolerance_abs', actual_direction_sign('targets')
            ) }} is not null
        ) as is_assessable
    from series
    inner join targets
        on series.target_id = targets.target_id
),

seasonal as (
    select
        series_keys.target_id,
        series_keys.period_code,
        {{ cross_engine_ordered_mean('profiles.share_of_year') }} as expected_share_seasonal,
        count(*) as seasonal_years
    from series_keys
    inner join targets
        on series_keys.target_id = targets.target_id
    inner join profiles
        on
            targets.indicator_code = profiles.indicator_code
            and targets.scope_code = profiles.region_code
            and profiles.month_number = extract(month from series_keys.period_end)
            and profiles.profile_year < extract(year from series_keys.period_end)
    where
        series_keys.period_kind = 'ytd'
        and targets.measure_kind = 'flow'
        and not targets.is_multi_year
        and targets.is_paced_within_year
    group by series_keys.target_id, series_keys.period_code
),

period_context as (
    select
        series_keys.target_id,
        series_keys.period_code,
        -- the same period a year earlier: the target's own row, else the figure of its series, which may
        -- lie before the window (a one-year target's year-earlier figure always does)
        coalesce(earlier.actual_value, series_keys.year_before_value) as previous_actual,
        case
            when seasonal.seasonal_years >= thresholds.seasonal_min_years then seasonal.expected_share_seasonal
        end as expected_share_seasonal,
        seasonal.seasonal_years,
        series_keys.is_assessable,
        row_number() over (
            partition by series_keys.target_id order by {{ latest_period_first('series_keys') }}
        ) = 1 as is_latest_period,
        -- the scorecard's period: the newest that can be assessed, else (none can) the newest
        row_number() over (
            partition by series_keys.target_id
            order by case when series_keys.is_assessable then 0 else 1 end, {{ latest_period_first('series_keys') }}
        ) = 1 as is_scorecard_period
    from series_keys
    cross join thresholds
    left join series_keys as earlier
        on
            series_keys.target_id = earlier.target_id
            and earlier.period_code = {{ period_code_year_before('series_keys.period_code', 'series_keys.period_end') }}
    left join seasonal
        on series_keys.target_id = seasonal.target_id and series_keys.period_code = seasonal.period_code
),

framed as (
    select
        series.*,
        period_context.previous_actual,
        period_context.expected_share_seasonal,
        period_context.seasonal_years,
        period_context.is_latest_period,
        period_context.is_assessable,
        period_context.is_scorecard_period,
        targets.target_kind,
        targets.comparator,
        targets.measure_kind,
        targets.indicator_code,
        targets.scope_type,
        targets.scope_code,
        targets.direction_sign,
        {{ actual_direction_sign('targets') }} as actual_direction_sign,
        targets.is_multi_year,
        targets.is_cumulative,
        -- seeds/target_kinds.csv: an annual flow of this kind is paced by the seasonal share of the year
        targets.is_paced_within_year,
        targets.needs_full_year_flow,
        targets.start_date,
        targets.deadline,
        targets.baseline_year,
        -- growth targets: a level or a multiple to reach over several years from a baseline year
        (
            targets.is_multi_year
            and targets.baseline_year is not null
            -- a multiple; a level of a flow (seeds/target_kinds.csv growth_measure_kinds)
            and targets.grows_at_a_rate
        ) as is_growth_target,
        series.period_end >= targets.deadline as is_final,
        -- "every month" (annual_rule every_month): the figure is the worst month of the year so far, so
        -- once it misses the target in the deadline's year that year, and the target, are lost
        coalesce(targets.annual_rule = 'every_month', false)
        and extract(year from series.period_end) = targets.deadline_year as is_every_month_of_final_year,
        cast(
            ({{ dbt.datediff('targets.start_date', 'series.period_end', 'month') }}) + 1 as double
        ) / (({{ dbt.datediff('targets.start_date', 'targets.deadline', 'month') }}) + 1) as elapsed_share,
        extract(year from series.period_end) - targets.baseline_year as years_elapsed,
        targets.deadline_year - targets.baseline_year as years_total
    from series
    inner join period_context
        on series.target_id = period_context.target_id and series.period_code = period_context.period_code
    inner join targets
        on series.target_id = targets.target_id
),

measured as (
    select
        framed.*,
        case
            -- full coverage: the count is a lower bound while some counties do not report, but one that reports and
            -- falls short (茶陵县 0 listed firms) means not every county can meet, whatever the others say
            when framed.comparator = 'full_coverage' and framed.units_reporting > framed.actual_value then false
            else {{ comparison_met(
                'framed.comparator_applied', 'framed.actual_value', 'framed.actual_bound',
                'framed.target_level', 'framed.tolerance_abs', 'framed.actual_direction_sign'
            ) }}
        end as is_met,
            -- the bound read as if it were the figure: what the status rests on when the bound alone
            -- can neither prove nor disprove the target (突破4000 against 5000)
        {{ comparison_met(
            'framed.comparator_applied', 'framed.actual_value', "'eq'",
            'framed.target_level', 'framed.tolerance_abs', 'framed.actual_direction_sign'
        ) }}
            as is_met_at_bound,
        {{ bound_reading(
            'framed.comparator_applied', 'framed.actual_value', 'framed.actual_bound', 'framed.actual_direction_sign'
        ) }}
            as bound_reading,
        -- a flow multiple (倍增) on part of a year is judged against the same months of the baseline
        -- year, but only a full-year figure, or a year-to-date already above the full-year target,
        -- completes it (seeds/target_kinds.csv needs_full_year_flow)
        (
            not framed.needs_full_year_flow or framed.measure_kind <> 'flow' or framed.period_kind = 'year'
            or framed.underlying_value >= framed.target_level * framed.annual_base_level
        ) as is_completing_figure,
        case
            when framed.comparator_applied = 'at_most' then framed.actual_value - framed.target_level
            when framed.comparator_applied = 'about'
                then framed.actual_direction_sign * (framed.target_level - framed.actual_value) - framed.tolerance_abs
            else framed.target_level - framed.actual_value
        end as gap,
        case
            -- progress from the base, unless the base already met the target (then the level share)
            when
                framed.is_cumulative and framed.base_value is not null
                and framed.actual_direction_sign * (framed.target_level - framed.base_value) > 0
                then (framed.actual_value - framed.base_value) / (framed.target_level - framed.base_value)
            when framed.comparator_applied = 'at_most' and framed.actual_value > 0
                then framed.target_level / framed.actual_value
            when framed.target_level <> 0 then framed.actual_value / framed.target_level
        end as share_achieved,
        case
            -- without a baseline (or one already past the target) there is no path to be on:
            -- judged on the distance alone
            when
                not framed.is_cumulative or framed.base_value is null
                or framed.actual_direction_sign * (framed.target_level - framed.base_value) <= 0
                then null
            -- compound growth: the expected trajectory is geometric, not a straight line
            when {{ path_is_geometric }}
                then
                    (power(framed.target_level / framed.base_value, framed.years_elapsed / framed.years_total) - 1)
                    / (framed.target_level / framed.base_value - 1)
            else least(framed.elapsed_share, 1.0)
        end as expected_share_linear,
        case
            when framed.is_growth_target and framed.years_elapsed > 0 and framed.base_value > 0 and framed.actual_value > 0
                then power(framed.actual_value / framed.base_value, 1.0 / framed.years_elapsed) - 1
        end as actual_cagr,
        case
            when framed.is_growth_target and framed.years_total > 0 and framed.base_value > 0 and framed.target_level > 0
                then power(framed.target_level / framed.base_value, 1.0 / framed.years_total) - 1
        end as required_cagr,
        case
            when
                framed.is_growth_target and framed.years_total > framed.years_elapsed
                and framed.actual_value > 0 and framed.target_level > 0
                then power(framed.target_level / framed.actual_value, 1.0 / (framed.years_total - framed.years_elapsed)) - 1
        end as required_cagr_from_now,
        thresholds.on_track_ratio,
        thresholds.acceleration_ratio,
        thresholds.deterioration_ratio,
        thresholds.ahead_margin,
        thresholds.behind_margin
    from framed
    cross join thresholds
),

paced as (
    select
        measured.*,
        coalesce(measured.is_met, measured.is_met_at_bound) as is_met_used,
        measured.is_met is null and measured.is_met_at_bound is not null as status_rests_on_bound,
        coalesce(measured.expected_share_seasonal, measured.expected_share_linear) as expected_share,
        case
            when measured.expected_share_seasonal is not null then 'seasonal'
            -- the path expected_share_linear took, named here so that no reader derives it again
            when measured.expected_share_linear is not null and {{ path_is_geometric }} then 'geometric'
            when measured.expected_share_linear is not null then 'linear'
        end
            as expected_share_method,
        case
            when measured.is_growth_target and measured.required_cagr <> 0 then measured.actual_cagr / abs(measured.required_cagr)
            when measured.is_cumulative and coalesce(measured.expected_share_seasonal, measured.expected_share_linear) > 0
                then measured.share_achieved / coalesce(measured.expected_share_seasonal, measured.expected_share_linear)
        end as progress_ratio
    from measured
),

-- the most a figure of the target's indicator can be (seeds/indicators.csv natural_limit: 4 stages of a project,
-- 100 for a rate), where the target is on the figure itself: no projection goes past it
natural_limits as (
    select
        targets.target_id,
        cast(indicators.natural_limit as double) as natural_limit
    from targets
    inner join {{ ref('indicators') }} as indicators
        on targets.indicator_code = indicators.indicator_code
    where targets.target_measure = 'value' and indicators.natural_limit is not null
),

projected as (
    select
        paced.*,
        case
            when paced.is_final then paced.actual_value
            when paced.is_growth_target and paced.actual_cagr is not null
                then paced.actual_value * power(1 + paced.actual_cagr, paced.years_total - paced.years_elapsed)
            when
                paced.is_cumulative and paced.measure_kind = 'flow' and not paced.is_multi_year and paced.expected_share > 0
                and paced.is_paced_within_year
                -- year-end estimate: what is done so far scaled by the share of the year normally done by now
                then paced.actual_value / paced.expected_share
            -- a count of units (counties covered) goes no further than the units there are: 4 + (7 - 4) / 0.2
            -- = 19 of 9 counties is no projection (trial s55h); nor a stage past the last (stage 4 in June:
            -- 4 / 0.5 = stage 8 of 4), nor a rate past 100
            when paced.is_cumulative and paced.elapsed_share > 0 and paced.base_value is not null
                -- (least skips a null, in DuckDB as in Spark)
                then least(
                    paced.base_value + (paced.actual_value - paced.base_value) / paced.elapsed_share,
                    cast(paced.units_total as double),
                    natural_limits.natural_limit
                )
            else paced.actual_value
        end as projected_value
    from paced
    left join natural_limits
        on paced.target_id = natural_limits.target_id
),

-- Which rule gives the status: a stable reason code (seeds/status_reasons.csv), the status read
-- from it, so the rules of the status are written here once and nobody re-derives them.
reasoned as (
    select
        projected.*,
        case
            -- no actual: the reason the series model that made the row knows (no_actual_reason: a rank with
            -- no baseline rank, a growth chain with a missing link …; the status_note names what is
            -- missing), else no figure
            when projected.actual_value is null then coalesce(projected.no_actual_reason, 'no_figure')
            -- no comparison possible (is_assessable, worked out on the keys above: is_met_used is null)
            when not projected.is_assessable then 'not_comparable'
            when
                projected.is_met_used and projected.is_completing_figure
                and (projected.is_cumulative or projected.is_final)
                then case when projected.is_cumulative then 'met_cumulative' else 'met_at_deadline' end
            -- the deadline has passed unmet: final, not "behind"
            when projected.is_final then 'deadline_passed_unmet'
            -- a month of the deadline's year below an "every month" target: already final
            when projected.is_every_month_of_final_year and not projected.is_met_used then 'month_failed_the_year'
            when projected.is_met_used then 'met_now'
            when projected.progress_ratio is not null
                then
                    case
                        when projected.progress_ratio >= projected.on_track_ratio then 'ratio_on_track'
                        when projected.progress_ratio >= projected.acceleration_ratio then 'ratio_needs_acceleration'
                        when projected.progress_ratio >= projected.deterioration_ratio then 'ratio_off_track'
                        else 'ratio_deteriorating'
                    end
            -- state targets (rates, classes, ranks, bands) not met now
            when
                projected.previous_actual is not null
                and projected.actual_direction_sign * (projected.actual_value - projected.previous_actual) < 0
                then 'worse_than_year_before'
            when projected.share_achieved >= projected.on_track_ratio then 'within_reach'
            else 'short_of_target'
        end as status_reason
    from projected
)

select
    reasoned.*,
    case
        when reasoned.comparator_applied = 'at_most' then reasoned.projected_value - reasoned.target_level
        when
            reasoned.comparator_applied = 'about'
            then reasoned.actual_direction_sign * (reasoned.target_level - reasoned.projected_value) - reasoned.tolerance_abs
        else reasoned.target_level - reasoned.projected_value
    end as projected_gap,
    case
        when reasoned.base_value is not null and reasoned.target_level <> reasoned.base_value
            then (reasoned.projected_value - reasoned.base_value) / (reasoned.target_level - reasoned.base_value)
    end as projection_ratio,
    case
        when reasoned.expected_share is null or reasoned.share_achieved is null then null
        when reasoned.is_met_used and reasoned.is_cumulative and reasoned.is_completing_figure then 'completed'
        when reasoned.share_achieved - reasoned.expected_share > reasoned.ahead_margin then 'ahead'
        when reasoned.share_achieved - reasoned.expected_share < -reasoned.behind_margin then 'behind'
        else 'on_schedule'
    end as pace_code,
    reasons.status_code
from reasoned
left join status_reasons as reasons
    on reasoned.status_reason = reasons.status_reason
