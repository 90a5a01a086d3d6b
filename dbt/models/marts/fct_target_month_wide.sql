{#- BI 宽表 / One row per target and month, for BI tools: the month-end scorecard
    (fct_scorecard_monthly) with the target's plan, indicator and catalogue figures and the month's
    calendar attributes (dim_period) on the same row, so a chart needs no join and has one grain. -#}
{{ config(materialized='view') }}

with snapshot as (
    select * from {{ ref('fct_scorecard_monthly') }}
),

targets as (
    select * from {{ ref('dim_targets') }}
),

periods as (
    select * from {{ ref('dim_period') }}
    where period_kind = 'month'
)

select
    snapshot.snapshot_month,
    periods.period_year,
    periods.end_quarter as period_quarter,
    periods.end_month as period_month,
    periods.period_label_zh,
    periods.period_label_en,
    snapshot.month_end,
    snapshot.is_month_closed,
    snapshot.snapshot_basis,
    snapshot.target_id,
    snapshot.plan_id,
    targets.plan_name_zh,
    targets.plan_name_en,
    snapshot.section_zh,
    snapshot.section_en,
    snapshot.title_zh,
    snapshot.title_en,
    snapshot.target_kind,
    targets.comparator,
    targets.target_value,
    snapshot.target_unit,
    snapshot.indicator_code,
    targets.indicator_name_zh,
    targets.indicator_name_en,
    snapshot.scope_type,
    snapshot.scope_code,
    targets.start_date,
    snapshot.deadline,
    snapshot.status_code,
    snapshot.status_zh,
    snapshot.status_en,
    snapshot.status_sort_order,
    snapshot.latest_period_code,
    snapshot.latest_period_kind,
    snapshot.latest_period_end,
    snapshot.actual_value,
    snapshot.actual_quality,
    snapshot.actual_bound,
    snapshot.target_level,
    snapshot.gap,
    snapshot.share_achieved,
    snapshot.expected_share,
    snapshot.share_achieved - snapshot.expected_share as share_vs_expected,
    snapshot.progress_ratio,
    snapshot.projected_value,
    snapshot.latest_release_date,
    snapshot.source_file,
    snapshot.source_row,
    -- last, after the columns the view had before it
    snapshot.latest_release_date_imputed
from snapshot
inner join targets
    on snapshot.target_id = targets.target_id
left join periods
    on snapshot.snapshot_month = periods.period_code
