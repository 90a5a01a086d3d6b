{#- 目标计分卡 / One row per target of the catalogue: where it stands at its latest period with data,
    and how fresh that data is (latest period, release date, when the next release is due and
    whether it is overdue). Qualitative targets are listed as not assessable (assessed by hand). -#}

with targets as (
    select * from {{ ref('dim_targets') }}
),

indicators as (
    select * from {{ ref('stg_seeds__indicators') }}
),

progress as (
    select
        all_periods.*,
        row_number() over (
            partition by all_periods.target_id order by {{ latest_period_first('all_periods') }}
        ) as recency
    from {{ ref('fct_target_progress') }} as all_periods
),

latest as (
    select * from progress
    where recency = 1
),

statuses as (
    select * from {{ ref('statuses') }}
),

grace as (
    select threshold_value as overdue_grace_days
    from {{ ref('stg_seeds__status_thresholds') }}
    where threshold_code = 'overdue_grace_days'
),

scored as (
    select
        targets.target_id,
        targets.plan_id,
        targets.section_zh,
        targets.section_en,
        targets.title_zh,
        targets.title_en,
        targets.target_kind,
        targets.comparator,
        targets.target_value,
        targets.target_unit,
        targets.deadline,
        targets.scope_type,
        targets.scope_code,
        targets.quote,
        latest.period_code as latest_period_code,
        latest.period_end as latest_period_end,
        latest.actual_value,
        latest.actual_quality,
        latest.actual_bound,
        latest.target_level,
        latest.gap,
        latest.share_achieved,
        latest.expected_share,
        latest.pace_code,
        latest.pace_zh,
        latest.projected_value,
        latest.projected_gap,
        latest.progress_ratio,
        latest.release_date as latest_release_date,
        latest.source_file,
        latest.calculation_trace,
        {{ scorecard_status_code('targets', 'latest') }} as status_code,
        indicators.frequency,
        indicators.release_lag_days,
        case indicators.frequency
            when 'monthly' then {{ dbt.dateadd('month', 1, 'latest.period_end') }}
            when 'quarterly' then {{ dbt.dateadd('month', 3, 'latest.period_end') }}
            when 'yearly' then {{ dbt.dateadd('month', 12, 'latest.period_end') }}
        end as next_period_end
    from targets
    left join latest
        on targets.target_id = latest.target_id
    left join indicators
        on targets.indicator_code = indicators.indicator_code
)

select
    scored.*,
    statuses.status_zh,
    statuses.status_en,
    statuses.sort_order as status_sort_order,
    {{ dbt.dateadd('day', 'coalesce(scored.release_lag_days, 30)', 'scored.next_period_end') }} as next_release_due,
    coalesce(
        {{ as_of_date() }}
        > {{ dbt.dateadd('day', 'coalesce(scored.release_lag_days, 30) + grace.overdue_grace_days', 'scored.next_period_end') }}
        -- only while the target still waits for figures: once the deadline period is in, nothing is due
        and scored.latest_period_end < scored.deadline,
        false
    ) as is_next_release_overdue,
    {{ as_of_date() }} as assessed_as_of
from scored
cross join grace
left join statuses
    on scored.status_code = statuses.status_code
