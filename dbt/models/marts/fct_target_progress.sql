{#- 目标进度事实表 / Target x period: the actual, the gap, the share achieved against the share
    expected by now, the pace, required vs actual growth, the projection to the deadline and the
    status, with the inputs of every status (the calculation trace). -#}
{#- A view over the incremental model it reads (dbt/macros/incremental_by_target.sql): it holds
    no rows of its own, so it is never behind them; the published copy is a table. -#}
{{ config(materialized='view') }}

with assessment as (
    select * from {{ ref('int_target_assessment') }}
),

statuses as (
    select * from {{ ref('statuses') }}
),

paces as (
    select * from {{ ref('pace_statuses') }}
),

-- the baseline a release revised, as the trace names it (int_target_baselines: the one rule)
baselines as (
    select * from {{ ref('int_target_baselines') }}
)

select
    assessment.target_id,
    assessment.period_code,
    assessment.period_kind,
    assessment.period_start,
    assessment.period_end,
    assessment.indicator_code,
    assessment.scope_type,
    assessment.scope_code,
    assessment.actual_value,
    assessment.underlying_value,
    -- what underlying_value is counted in (int_target_series__<kind> via macros/target_series.sql)
    assessment.underlying_unit,
    assessment.actual_bound,
    -- false on a row with no actual: int_target_series leaves it no bound (bound_reading is null there too)
    coalesce(assessment.actual_bound, 'eq') not in ('eq', 'approx') as actual_is_bound,
    assessment.underlying_bound,
    case when assessment.is_illustrative then 'illustrative' else assessment.provenance end as actual_quality,
    assessment.provenance as actual_provenance,
    assessment.is_illustrative,
    assessment.derived_from,
    assessment.target_level,
    assessment.tolerance_abs,
    assessment.comparator_applied,
    assessment.base_value,
    assessment.baseline_level,
    assessment.baseline_period_code,
    assessment.is_met,
    assessment.is_met_at_bound,
    assessment.status_rests_on_bound,
    assessment.bound_reading,
    assessment.is_completing_figure,
    assessment.annual_base_level,
    assessment.baseline_is_estimated,
    assessment.status_note,
    assessment.is_final,
    assessment.gap,
    assessment.share_achieved,
    assessment.elapsed_share,
    assessment.expected_share_linear,
    assessment.expected_share_seasonal,
    assessment.seasonal_years,
    assessment.expected_share,
    assessment.expected_share_method,
    assessment.pace_code,
    paces.pace_zh,
    paces.pace_en,
    assessment.years_elapsed,
    assessment.years_total,
    assessment.actual_cagr,
    assessment.required_cagr,
    assessment.required_cagr_from_now,
    assessment.progress_ratio,
    assessment.previous_actual,
    assessment.projected_value,
    assessment.projected_gap,
    assessment.projection_ratio,
    assessment.status_code,
    -- which rule gave the status (seeds/status_reasons.csv)
    assessment.status_reason,
    statuses.status_zh,
    statuses.status_en,
    assessment.on_track_ratio as threshold_on_track,
    assessment.acceleration_ratio as threshold_acceleration,
    assessment.units_total,
    assessment.units_reporting,
    assessment.source_file,
    assessment.source_row,
    assessment.source_ref,
    assessment.release_id,
    assessment.release_date,
    assessment.is_revised,
    assessment.inputs_loaded_through,
    assessment.is_latest_period,
    assessment.is_assessable,
    assessment.is_scorecard_period,
    'actual ' || coalesce({{ cross_engine_number_text("assessment.actual_value", 4) }}, '—')
    || ' (' || coalesce(assessment.actual_bound, 'eq') || ', '
    || case when assessment.is_illustrative then 'illustrative' else assessment.provenance end || ')'
    || ' vs target ' || coalesce({{ cross_engine_number_text("assessment.target_level", 4) }}, '—')
    || ' [' || assessment.comparator_applied || ']'
    || coalesce('; base ' || {{ cross_engine_number_text("assessment.base_value", 4) }}, '')
    || case when assessment.baseline_origin = 'published' then coalesce('; ' || baselines.baseline_note, '') else '' end
    || coalesce('; share ' || {{ cross_engine_number_text("assessment.share_achieved", 4) }}, '')
    || coalesce(
        ' vs expected ' || {{ cross_engine_number_text("assessment.expected_share", 4) }}
        || ' (' || assessment.expected_share_method || ')', ''
    )
    || coalesce(
        '; CAGR actual ' || {{ cross_engine_number_text("assessment.actual_cagr", 4) }}
        || ' vs required ' || {{ cross_engine_number_text("assessment.required_cagr", 4) }}, ''
    )
    || coalesce(
        '; ratio R ' || {{ cross_engine_number_text("assessment.progress_ratio", 4) }}
        || ' (on track >= ' || {{ cross_engine_number_text("assessment.on_track_ratio") }}
        || ', acceleration >= ' || {{ cross_engine_number_text("assessment.acceleration_ratio") }} || ')', ''
    )
    || coalesce('; projected ' || {{ cross_engine_number_text("assessment.projected_value", 4) }}, '')
    || case when assessment.baseline_is_estimated then '; baseline estimated from the seasonal profile' else '' end
    || coalesce('; ' || assessment.status_note, '')
    || ' => ' || case
        when assessment.bound_reading = 'at_least' then 'at least '
        when assessment.bound_reading = 'at_most' then 'at most '
        else ''
    end || assessment.status_code
    || case
        when assessment.status_rests_on_bound
            then
                -- the underlying figure's own bound: 52家以上 is ≥52, not >52 (突破1000 is >1000), with the
                -- figure's unit (underlying_unit: '>4000 亿元', '≤3 位（全省排位 …）'), as `pmw explain` says it
                ' (rests on the bound ' || case coalesce(nullif(assessment.underlying_bound, 'eq'), assessment.actual_bound)
                    when 'gt' then '>' when 'ge' then '≥' when 'lt' then '<' else '≤'
                end
                || {{ cross_engine_number_text("assessment.underlying_value", 4) }}
                || coalesce(' ' || assessment.underlying_unit, '')
                || ': R and projection are bounds; the true status can only be '
                || case when assessment.bound_reading = 'at_least' then 'better' else 'worse' end || ')'
        else ''
    end as calculation_trace,
    -- release_date is the day the file of the very figure behind the row arrived, not one the file states: carried
    -- with the figure from int_observations__latest (a value made of several figures: int_target_series.yml);
    -- false with no release date. Last, after the columns the mart had before it
    coalesce(assessment.release_date is not null and assessment.release_date_imputed, false) as release_date_imputed,
    -- what actual_value and target_level are counted in (macros/target_series.sql actual_unit); last, after
    -- the columns the mart had before it
    assessment.actual_unit,
    -- where baseline_level came from: the catalogue's quote, a release that revised it, or the data
    -- (int_target_baselines, int_target_series); last, after the columns the mart had before it
    assessment.baseline_origin
from assessment
left join statuses
    on assessment.status_code = statuses.status_code
left join paces
    on assessment.pace_code = paces.pace_code
left join baselines
    on assessment.target_id = baselines.target_id
