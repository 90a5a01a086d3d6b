{#- 定性目标汇总（按评估日）/ For each date the ledger is assessed as of (int_task_snapshot_dates: every
    month end, and the as-of date itself), one row per qualitative target: its status rolled up from its
    tasks as assessed on that date (int_task_assessment__as_of: the returns filed by then).
    int_task_target_rollup is the as-of date's rows (fct_target_scorecard); fct_scorecard_monthly reads
    a row per month end.

    Each task is read at its assessment month: the deadline month, or the latest assessed month when
    the deadline is still ahead. Its assessed status (a missing return keeps the stage last reported)
    decides, worst first:
      every task completed                 -> achieved
      any task not_completed_at_deadline   -> not_achieved
      any task overdue_milestone           -> off_track
      any task behind                      -> needs_acceleration
      no task has any return yet           -> no_data
      otherwise (ahead / on schedule)      -> on_track
    超/欠序时 (schedule_gap_pts) is the mean over the tasks of progress minus the expected progress. -#}

with assessed as (
    select * from {{ ref('int_task_assessment__as_of') }}
),

snapshot_dates as (
    select * from {{ ref('int_task_snapshot_dates') }}
),

tasks as (
    select * from {{ ref('stg_seeds__tasks') }}
),

thresholds as (
    select max(case when threshold_code = 'ahead_margin' then threshold_value end) * 100 as ahead_margin_pts
    from {{ ref('stg_seeds__status_thresholds') }}
),

per_task as (
    select
        *,
        row_number() over (
            partition by snapshot_as_of, task_id
            order by
                (month_end <= last_day(deadline)) desc,
                case when month_end <= last_day(deadline) then month_start end desc,
                month_start
        ) as pick
    from assessed
),

picked as (
    -- every task at every assessment date, assessed or not yet
    select
        snapshot_dates.snapshot_month,
        snapshot_dates.snapshot_as_of,
        tasks.task_id,
        tasks.target_id,
        per_task.month_code,
        per_task.month_end,
        per_task.assessed_status_code,
        per_task.schedule_gap_pts,
        per_task.known_stage_zh,
        per_task.known_pct,
        per_task.expected_pct,
        per_task.completed_month_code,
        per_task.report_date,
        per_task.source_file
    from snapshot_dates
    cross join tasks
    left join per_task
        on
            snapshot_dates.snapshot_as_of = per_task.snapshot_as_of
            and tasks.task_id = per_task.task_id
            and per_task.pick = 1
),

rolled as (
    select
        snapshot_month,
        snapshot_as_of,
        target_id,
        count(*) as task_count,
        count(*) filter (where assessed_status_code = 'completed') as tasks_completed,
        count(*) filter (where assessed_status_code = 'not_completed_at_deadline') as tasks_not_completed,
        count(*) filter (where assessed_status_code = 'overdue_milestone') as tasks_overdue,
        count(*) filter (where assessed_status_code = 'behind') as tasks_behind,
        count(*) filter (where assessed_status_code in ('ahead', 'on_schedule')) as tasks_on_track,
        count(*) filter (where assessed_status_code = 'no_return' or assessed_status_code is null) as tasks_without_return,
        max(month_code) as latest_period_code,
        max(month_end) as latest_period_end,
        max(report_date) as latest_release_date,
        {{ cross_engine_mean_of_rounded('schedule_gap_pts', 1) }} as schedule_gap_pts,
        {{ cross_engine_round('avg(known_pct)', 1) }} as progress_pct,
        {{ cross_engine_mean_of_rounded('expected_pct', 1) }} as expected_pct,
        {{ dbt.listagg(
            "task_id || ' ' || coalesce(assessed_status_code, 'no_return') || ' at ' || coalesce(month_code, '-')"
            ~ " || coalesce(' (' || known_stage_zh || ' ' || " ~ cross_engine_number_text('known_pct')
            ~ " || '% vs 序时 ' || " ~ cross_engine_number_text('expected_pct') ~ " || '%)', '')"
            ~ " || coalesce(', completed ' || completed_month_code, '')",
            "'; '",
            'order by task_id'
        ) }} as task_trace
    from picked
    group by snapshot_month, snapshot_as_of, target_id
)

select
    rolled.*,
    case
        when rolled.tasks_completed = rolled.task_count then 'achieved'
        when rolled.tasks_not_completed > 0 then 'not_achieved'
        when rolled.tasks_overdue > 0 then 'off_track'
        when rolled.tasks_behind > 0 then 'needs_acceleration'
        when rolled.tasks_without_return = rolled.task_count then 'no_data'
        else 'on_track'
    end as status_code,
    case
        when rolled.tasks_completed = rolled.task_count then 'completed'
        when rolled.schedule_gap_pts > thresholds.ahead_margin_pts then 'ahead'
        when rolled.schedule_gap_pts < 0 then 'behind'
        when rolled.schedule_gap_pts is not null then 'on_schedule'
    end as pace_code,
    'qualitative target, rolled up from ' || rolled.task_count || ' task(s) of the unit returns: '
    || rolled.tasks_completed || ' completed, ' || rolled.tasks_not_completed || ' not completed at deadline, '
    || rolled.tasks_overdue || ' milestone overdue, ' || rolled.tasks_behind || ' behind, '
    || rolled.tasks_on_track || ' on track, ' || rolled.tasks_without_return || ' without return; '
    || rolled.task_trace as calculation_trace
from rolled
cross join thresholds
