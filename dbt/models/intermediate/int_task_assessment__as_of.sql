{#- 任务逐月评估（按评估日）/ For each date the ledger is assessed as of (int_task_snapshot_dates: every
    month end, and the as-of date itself), one row per task and month, from the task's first month to
    the month before that date (and its own month once the return is in): the progress expected by the
    milestones (序时: linear between milestones, each at its stage's nominal percent), the stage
    reached as last reported by that date (carried forward; int_task_returns__as_of, so a return filed
    later is not seen), and the task status with its trace. int_task_assessment is the as-of date's rows.

    Task status (seeds/task_statuses.csv), first rule that holds:
      completed                  the stage reported (now or earlier) is 已完成
      no_return                  no return for the month and its due day has passed
      not_completed_at_deadline  the month is at or after the deadline month
      overdue_milestone          a milestone date has passed and its stage is not reached
      ahead                      progress - 序时 > ahead_margin (status_thresholds), or a stage beyond the milestone
      behind                     progress - 序时 < -behind_margin
      on_schedule                otherwise
    assessed_status applies the same rules without no_return, on the last stage reported: it is what
    the target roll-up and the unit scorecard use when a month's return is missing. -#}

with tasks as (
    select * from {{ ref('stg_seeds__tasks') }}
),

milestones as (
    select * from {{ ref('stg_seeds__task_milestones') }}
),

returns as (
    select * from {{ ref('int_task_returns__as_of') }}
),

snapshot_dates as (
    select * from {{ ref('int_task_snapshot_dates') }}
),

task_statuses as (
    select * from {{ ref('task_statuses') }}
),

thresholds as (
    select
        max(case when threshold_code = 'ahead_margin' then threshold_value end) * 100 as ahead_margin_pts,
        max(case when threshold_code = 'behind_margin' then threshold_value end) * 100 as behind_margin_pts
    from {{ ref('stg_seeds__status_thresholds') }}
),

month_grid as (
    -- one row per task and month from the task's first month to the as-of month
    select
        task_id,
        {{ cross_engine_month_starts("date_trunc('month', start_date)", "date_trunc('month', " ~ as_of_date() ~ ")") }}
            as month_start
    from tasks
),

months as (
    select
        tasks.task_id,
        tasks.target_id,
        tasks.lead_unit_code,
        tasks.start_date,
        tasks.deadline,
        cast(grid.month_start as date) as month_start,
        cast(last_day(grid.month_start) as date) as month_end,
        {{ cross_engine_format_date("grid.month_start", '%Y-%m') }} as month_code
    from tasks
    inner join month_grid as grid
        on tasks.task_id = grid.task_id
),

previous_milestone as (
    select
        months.task_id,
        months.month_code,
        max(milestones.milestone_date) as milestone_date
    from months
    inner join milestones
        on
            months.task_id = milestones.task_id
            and months.month_end >= milestones.milestone_date
    group by months.task_id, months.month_code
),

next_milestone as (
    select
        months.task_id,
        months.month_code,
        min(milestones.milestone_date) as milestone_date
    from months
    inner join milestones
        on
            months.task_id = milestones.task_id
            and months.month_end < milestones.milestone_date
    group by months.task_id, months.month_code
),

expected as (
    select
        months.*,
        prev_ms.expected_stage_code,
        coalesce(prev_ms.expected_stage_zh, '未启动') as expected_stage_zh,
        coalesce(prev_ms.expected_stage_rank, 0) as expected_stage_rank,
        prev_ms.milestone_date as milestone_reached_date,
        prev_ms.deliverable_zh as milestone_reached_deliverable,
        next_ms.milestone_date as next_milestone_date,
        next_ms.expected_stage_zh as next_milestone_stage_zh,
        case
            when next_ms.milestone_date is null then coalesce(prev_ms.expected_pct, 0)
            else
                coalesce(prev_ms.expected_pct, 0)
                + (next_ms.expected_pct - coalesce(prev_ms.expected_pct, 0))
                * greatest(
                    0,
                    {{ dbt.datediff('coalesce(prev_ms.milestone_date, months.start_date - 1)', 'months.month_end', 'day') }}
                )
                / {{ dbt.datediff('coalesce(prev_ms.milestone_date, months.start_date - 1)', 'next_ms.milestone_date', 'day') }}
        end as expected_pct
    from months
    left join previous_milestone
        on months.task_id = previous_milestone.task_id and months.month_code = previous_milestone.month_code
    left join milestones as prev_ms
        on previous_milestone.task_id = prev_ms.task_id and previous_milestone.milestone_date = prev_ms.milestone_date
    left join next_milestone
        on months.task_id = next_milestone.task_id and months.month_code = next_milestone.month_code
    left join milestones as next_ms
        on next_milestone.task_id = next_ms.task_id and next_milestone.milestone_date = next_ms.milestone_date
),

assessed_months as (
    -- each assessment date sees the months up to its own
    select
        snapshot_dates.snapshot_month,
        snapshot_dates.snapshot_as_of,
        expected.*
    from snapshot_dates
    inner join expected
        on snapshot_dates.snapshot_as_of >= expected.month_start
),

joined as (
    select
        assessed_months.*,
        returns.release_id,
        returns.stage_zh as reported_stage_zh,
        returns.stage_rank as reported_stage_rank,
        returns.progress_pct as reported_pct,
        returns.progress_text,
        returns.problems,
        returns.report_date,
        returns.source_file,
        returns.source_row,
        returns.is_late,
        returns.is_resubmitted,
        returns.is_backwards_unexplained,
        returns.backwards_flag,
        returns.release_id is not null as has_return,
        {{ task_return_due_date('assessed_months.month_end') }} as due_date,
        -- the last return up to this month (a missing month keeps the stage reported before)
        {{ cross_engine_last_value_ignore_nulls('returns.stage_rank') }} over w as known_stage_rank,
        {{ cross_engine_last_value_ignore_nulls('returns.stage_zh') }} over w as known_stage_zh,
        {{ cross_engine_last_value_ignore_nulls('returns.progress_pct') }} over w as known_pct,
        {{ cross_engine_last_value_ignore_nulls('returns.month_code') }} over w as known_month_code,
        max(case when returns.stage_rank = 4 then returns.month_code end) over w as completed_month_code
    from assessed_months
    left join returns
        on
            assessed_months.snapshot_as_of = returns.snapshot_as_of
            and assessed_months.task_id = returns.task_id
            and assessed_months.month_code = returns.month_code
    window w as (
        partition by assessed_months.snapshot_as_of, assessed_months.task_id
        order by assessed_months.month_start rows between unbounded preceding and current row
    )
),

in_scope as (
    -- a month is assessed once its return is due, or earlier when it is already in
    select
        joined.*,
        coalesce(
            lag(joined.completed_month_code) over (
                partition by joined.snapshot_as_of, joined.task_id order by joined.month_start
            ) is not null,
            false
        ) as was_completed_before
    from joined
    where joined.due_date < joined.snapshot_as_of or joined.has_return
),

rated as (
    select
        in_scope.*,
        thresholds.ahead_margin_pts,
        thresholds.behind_margin_pts,
        in_scope.known_pct - in_scope.expected_pct as schedule_gap_pts,
        case
            when in_scope.known_stage_rank is null then null
            when in_scope.completed_month_code is not null then 'completed'
            when in_scope.month_end >= last_day(in_scope.deadline) then 'not_completed_at_deadline'
            when in_scope.known_stage_rank < in_scope.expected_stage_rank then 'overdue_milestone'
            when
                in_scope.known_pct - in_scope.expected_pct > thresholds.ahead_margin_pts
                or in_scope.known_stage_rank > in_scope.expected_stage_rank
                then 'ahead'
            when in_scope.known_pct - in_scope.expected_pct < -thresholds.behind_margin_pts then 'behind'
            else 'on_schedule'
        end as assessed_status
    from in_scope
    cross join thresholds
),

statused as (
    select
        rated.*,
        case
            when rated.completed_month_code is not null then 'completed'
            when not rated.has_return then 'no_return'
            else rated.assessed_status
        end as task_status_code
    from rated
)

select
    statused.snapshot_month,
    statused.snapshot_as_of,
    statused.task_id,
    statused.target_id,
    statused.lead_unit_code,
    statused.month_code,
    statused.month_start,
    statused.month_end,
    statused.start_date,
    statused.deadline,
    statused.due_date,
    statused.has_return,
    statused.is_late,
    statused.is_resubmitted,
    coalesce(statused.is_backwards_unexplained, false) as is_backwards_unexplained,
    statused.backwards_flag,
    statused.expected_stage_zh,
    statused.expected_stage_rank,
    {{ cross_engine_round('statused.expected_pct', 1) }} as expected_pct,
    statused.milestone_reached_date,
    statused.next_milestone_date,
    statused.next_milestone_stage_zh,
    statused.reported_stage_zh,
    statused.reported_stage_rank,
    statused.reported_pct,
    statused.known_stage_zh,
    statused.known_stage_rank,
    statused.known_pct,
    statused.known_month_code,
    statused.completed_month_code,
    statused.was_completed_before,
    statused.completed_month_code is not null
    and statused.completed_month_code > {{ cross_engine_format_date("statused.deadline", '%Y-%m') }} as completed_late,
    {{ cross_engine_round('statused.schedule_gap_pts', 1) }} as schedule_gap_pts,
    statused.progress_text,
    statused.problems,
    statused.report_date,
    statused.source_file,
    statused.source_row,
    statused.task_status_code,
    coalesce(statused.assessed_status, 'no_return') as assessed_status_code,
    task_statuses.status_code,
    task_statuses.pace_code,
    statused.month_code || ': 序时 expected ' || statused.expected_stage_zh || ' / '
    || {{ cross_engine_number_text("statused.expected_pct", 1) }} || '%'
    || coalesce(
        ' (last milestone ' || {{ cross_engine_format_date("statused.milestone_reached_date", '%Y-%m-%d') }} || ', next '
        || {{ cross_engine_format_date("statused.next_milestone_date", '%Y-%m-%d') }} || ' ' || statused.next_milestone_stage_zh || ')',
        ' (after the last milestone)'
    )
    || '; '
    || case
        when statused.has_return
            then
                'reported ' || statused.reported_stage_zh || ' / ' || {{ cross_engine_number_text("statused.reported_pct") }} || '% ('
                || statused.source_file || ' row ' || statused.source_row || ', filed '
                || {{ cross_engine_format_date("statused.report_date", '%Y-%m-%d') }}
                || case when statused.is_late then ', late' else '' end || ')'
        when statused.known_stage_zh is not null
            then
                'no return by ' || {{ cross_engine_format_date("statused.due_date", '%Y-%m-%d') }} || '; last reported '
                || statused.known_stage_zh || ' / ' || {{ cross_engine_number_text("statused.known_pct") }} || '% for '
                || statused.known_month_code
        else 'no return by ' || {{ cross_engine_format_date("statused.due_date", '%Y-%m-%d') }} || ', nothing reported yet'
    end
    || coalesce('; ' || case when statused.is_backwards_unexplained then 'FLAG ' else '' end || statused.backwards_flag, '')
    || coalesce('; gap ' || {{ cross_engine_number_text("statused.schedule_gap_pts", 1) }} || ' points', '')
    || ' -> ' || statused.task_status_code as calculation_trace
from statused
left join task_statuses
    on statused.task_status_code = task_statuses.task_status_code
-- a task's rows end with the month it was completed: no return is owed after that
where not statused.was_completed_before
