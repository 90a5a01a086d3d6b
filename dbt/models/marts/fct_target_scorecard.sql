{#- 目标计分卡 / One row per target of the catalogue: where it stands at its newest period that can be
    assessed (methodology §4: a newer period that cannot, a partial year with no comparable base or a
    broken growth chain, is named beside it with its reason, not shown in its place), and how fresh the
    data is (release date, when the next release is due and whether it is overdue, from the newest
    period). Qualitative targets roll up from their tasks. -#}

with targets as (
    select * from {{ ref('dim_targets') }}
),

indicators as (
    select * from {{ ref('stg_seeds__indicators') }}
),

-- the period each target's scorecard shows (its newest that can be assessed, else its newest), flagged
-- where the target was assessed: a filter that reaches the assessment's scan (ranking every period here
-- computed the trace of all of them, 2.8 s at 10 years)
latest as (
    select * from {{ ref('fct_target_progress') }}
    where is_scorecard_period
),

-- a newer period that cannot be assessed: named beside the one shown, with the reason
unassessed as (
    select
        target_id,
        period_code,
        period_end,
        release_date,
        status_reason,
        status_note
    from {{ ref('fct_target_progress') }}
    where is_latest_period and not is_scorecard_period
),

-- whether the release dates shown (of the period shown, and of a newer one that cannot be assessed) are the
-- day a file stating none arrived: two narrow columns of the rows latest and unassessed read, kept apart from
-- scored so that they come last
dates_imputed as (
    select
        target_id,
        {{ dbt.bool_or('is_scorecard_period and release_date_imputed') }} as latest_release_date_imputed,
        {{ dbt.bool_or('not is_scorecard_period and release_date_imputed') }} as unassessed_release_date_imputed
    from {{ ref('fct_target_progress') }}
    where is_scorecard_period or is_latest_period
    group by target_id
),

status_reasons as (
    select * from {{ ref('stg_seeds__status_reasons') }}
),

statuses as (
    select * from {{ ref('statuses') }}
),

task_rollup as (
    select * from {{ ref('int_task_target_rollup') }}
),

target_units as (
    select * from {{ ref('stg_seeds__target_units') }}
),

plans as (
    select * from {{ ref('stg_seeds__plans') }}
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
        coalesce(latest.period_code, task_rollup.latest_period_code) as latest_period_code,
        coalesce(latest.period_end, task_rollup.latest_period_end) as latest_period_end,
        latest.actual_value,
        latest.actual_quality,
        latest.actual_bound,
        latest.target_level,
        latest.gap,
        latest.share_achieved,
        latest.expected_share,
        coalesce(latest.pace_code, task_rollup.pace_code) as pace_code,
        latest.pace_zh,
        latest.projected_value,
        latest.projected_gap,
        latest.progress_ratio,
        coalesce(latest.release_date, task_rollup.latest_release_date) as latest_release_date,
        target_units.lead_unit_code,
        -- 超(+)/欠(-)序时, percentage points: share achieved minus the expected share, or the tasks' mean
        coalesce({{ cross_engine_round('(latest.share_achieved - latest.expected_share) * 100', 1) }}, task_rollup.schedule_gap_pts)
            as schedule_gap_pts,
        latest.source_file,
        coalesce(latest.calculation_trace, task_rollup.calculation_trace) as calculation_trace,
        -- a status not shown (a deadline passed with no final figure) does not rest on a bound
        case
            when {{ scorecard_awaits_final_figure('targets', 'latest', as_of_date()) }} then false
            else latest.status_rests_on_bound
        end as status_rests_on_bound,
        case
            when not {{ scorecard_awaits_final_figure('targets', 'latest', as_of_date()) }} then latest.bound_reading
        end as bound_reading,
        -- the period's own note, then the newer period that cannot be assessed and why (zh + en)
        case
            when unassessed.target_id is null then latest.status_note
            else
                coalesce(latest.status_note || '; ', '')
                || '较新一期' || unassessed.period_code || '无法评估，计分卡显示最近可评估的' || latest.period_code
                || ' / the newer period ' || unassessed.period_code || ' cannot be assessed ('
                || coalesce(unassessed.status_note, unassessed_reasons.reason_en, unassessed.status_reason)
                || '): the scorecard shows ' || latest.period_code || ', the newest that can'
        end as status_note,
        unassessed.period_code as unassessed_period_code,
        unassessed.period_end as unassessed_period_end,
        unassessed.release_date as unassessed_release_date,
        unassessed.status_reason as unassessed_status_reason,
        unassessed.status_note as unassessed_status_note,
        plans.plan_end_date,
        -- a plan whose window has ended: its statuses are final outcomes, reported apart from the
        -- running plan the headline counts
        coalesce(plans.plan_end_date < {{ as_of_date() }}, false) as plan_is_closed,
        -- a qualitative target's status rolls up from its tasks (int_task_target_rollup)
        -- a deadline passed with no figure for the deadline period: no pace status (no_final_figure)
        {{ scorecard_status_code('targets', 'latest', 'task_rollup', as_of_date()) }} as status_code,
        {{ scorecard_status_reason('targets', 'latest', 'task_rollup', as_of_date()) }} as status_reason,
        indicators.frequency,
        indicators.release_lag_days,
        -- freshness follows the newest period with data, assessable or not
        case indicators.frequency
            when 'monthly' then {{ dbt.dateadd('month', 1, 'coalesce(unassessed.period_end, latest.period_end)') }}
            when 'quarterly' then {{ dbt.dateadd('month', 3, 'coalesce(unassessed.period_end, latest.period_end)') }}
            when 'yearly' then {{ dbt.dateadd('month', 12, 'coalesce(unassessed.period_end, latest.period_end)') }}
        end as next_period_end
    from targets
    left join latest
        on targets.target_id = latest.target_id
    left join unassessed
        on targets.target_id = unassessed.target_id
    left join status_reasons as unassessed_reasons
        on unassessed.status_reason = unassessed_reasons.status_reason
    left join indicators
        on targets.indicator_code = indicators.indicator_code
    left join task_rollup
        on targets.target_id = task_rollup.target_id
    left join target_units
        on targets.target_id = target_units.target_id
    left join plans
        on targets.plan_id = plans.plan_id
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
        and coalesce(scored.unassessed_period_end, scored.latest_period_end) < scored.deadline,
        false
    ) as is_next_release_overdue,
    {{ as_of_date() }} as assessed_as_of,
    -- what actual_value, target_level and projected_value are counted in, from the one macro that gives it to
    -- fct_target_progress (macros/target_series.sql actual_unit): a target with no figure yet has it too; last,
    -- after the columns the mart had before it
    {{ actual_unit('scored') }} as actual_unit,
    -- latest_release_date is the day the file of the figure shown arrived, not a date it states
    -- (fct_target_progress.release_date_imputed); false for a qualitative target's report date and with no
    -- date. Last, after the columns the mart had before them
    coalesce(dates_imputed.latest_release_date_imputed, false) as latest_release_date_imputed,
    coalesce(dates_imputed.unassessed_release_date_imputed, false) as unassessed_release_date_imputed
from scored
cross join grace
left join statuses
    on scored.status_code = statuses.status_code
left join dates_imputed
    on scored.target_id = dates_imputed.target_id
