{#- 单位计分卡 / One row per unit of each city: targets and tasks it leads, how many are in each status, its
    returns (due, missing, late), the mean 超/欠序时 of its targets, and a rank for the 督查 office (most to chase
    first). A city's 督查 office chases its own units: the rank is within the unit's city (across that city's
    plans, whose units they share), never across cities. -#}

with units as (
    select * from {{ ref('dim_units') }}
),

target_units as (
    select * from {{ ref('stg_seeds__target_units') }}
),

scorecard as (
    select * from {{ ref('fct_target_scorecard') }}
),

task_latest as (
    select * from {{ ref('fct_task_progress') }}
    where is_latest
),

unit_returns as (
    select * from {{ ref('int_unit_returns') }}
),

targets as (
    select
        target_units.city_code,
        target_units.lead_unit_code as unit_code,
        count(*) filter (where scorecard.status_code = 'achieved') as targets_achieved,
        count(*) filter (where scorecard.status_code = 'on_track') as targets_on_track,
        count(*) filter (where scorecard.status_code = 'needs_acceleration') as targets_needs_acceleration,
        count(*) filter (where scorecard.status_code = 'off_track') as targets_off_track,
        count(*) filter (where scorecard.status_code = 'deteriorating') as targets_deteriorating,
        count(*) filter (where scorecard.status_code = 'not_achieved') as targets_not_achieved,
        count(*) filter (where scorecard.status_code = 'no_data') as targets_no_data,
        count(*) filter (where scorecard.status_code = 'not_assessable') as targets_not_assessable,
        count(*) filter (where scorecard.is_next_release_overdue) as targets_release_overdue,
        {{ cross_engine_mean_of_rounded('scorecard.schedule_gap_pts', 1) }} as schedule_gap_pts
    from target_units
    inner join scorecard
        on target_units.target_id = scorecard.target_id
    group by target_units.city_code, target_units.lead_unit_code
),

tasks as (
    select
        city_code,
        lead_unit_code as unit_code,
        count(*) filter (where task_status_code = 'completed') as tasks_completed,
        count(*) filter (where task_status_code = 'ahead') as tasks_ahead,
        count(*) filter (where task_status_code = 'on_schedule') as tasks_on_schedule,
        count(*) filter (where task_status_code = 'behind') as tasks_behind,
        count(*) filter (where task_status_code = 'overdue_milestone') as tasks_overdue_milestone,
        count(*) filter (where task_status_code = 'not_completed_at_deadline') as tasks_not_completed_at_deadline,
        count(*) filter (where task_status_code = 'no_return') as tasks_no_return,
        count(*) filter (where completed_late) as tasks_completed_late
    from task_latest
    group by city_code, lead_unit_code
),

returns as (
    select
        city_code,
        unit_code,
        count(*) as returns_due,
        count(*) filter (where is_missing) as returns_missing,
        count(*) filter (where is_late) as returns_late,
        count(*) filter (where not is_missing and not is_late) as returns_on_time,
        sum(rows_backwards_unexplained) as rows_backwards_unexplained,
        max(first_report_date) as latest_return_date
    from unit_returns
    group by city_code, unit_code
),

combined as (
    select
        units.city_code,
        units.unit_code,
        units.unit_short_zh,
        units.unit_name_zh,
        units.unit_name_en,
        units.unit_kind,
        units.assignment,
        units.targets_led,
        units.tasks_led,
        units.tasks_shared,
        coalesce(targets.targets_achieved, 0) as targets_achieved,
        coalesce(targets.targets_on_track, 0) as targets_on_track,
        coalesce(targets.targets_needs_acceleration, 0) as targets_needs_acceleration,
        coalesce(targets.targets_off_track, 0) as targets_off_track,
        coalesce(targets.targets_deteriorating, 0) as targets_deteriorating,
        coalesce(targets.targets_not_achieved, 0) as targets_not_achieved,
        coalesce(targets.targets_no_data, 0) as targets_no_data,
        coalesce(targets.targets_not_assessable, 0) as targets_not_assessable,
        coalesce(targets.targets_release_overdue, 0) as targets_release_overdue,
        targets.schedule_gap_pts,
        coalesce(tasks.tasks_completed, 0) as tasks_completed,
        coalesce(tasks.tasks_ahead, 0) as tasks_ahead,
        coalesce(tasks.tasks_on_schedule, 0) as tasks_on_schedule,
        coalesce(tasks.tasks_behind, 0) as tasks_behind,
        coalesce(tasks.tasks_overdue_milestone, 0) as tasks_overdue_milestone,
        coalesce(tasks.tasks_not_completed_at_deadline, 0) as tasks_not_completed_at_deadline,
        coalesce(tasks.tasks_no_return, 0) as tasks_no_return,
        coalesce(tasks.tasks_completed_late, 0) as tasks_completed_late,
        coalesce(returns.returns_due, 0) as returns_due,
        coalesce(returns.returns_missing, 0) as returns_missing,
        coalesce(returns.returns_late, 0) as returns_late,
        coalesce(returns.returns_on_time, 0) as returns_on_time,
        coalesce(returns.rows_backwards_unexplained, 0) as rows_backwards_unexplained,
        returns.latest_return_date
    from units
    left join targets
        on units.city_code = targets.city_code and units.unit_code = targets.unit_code
    left join tasks
        on units.city_code = tasks.city_code and units.unit_code = tasks.unit_code
    left join returns
        on units.city_code = returns.city_code and units.unit_code = returns.unit_code
)

select
    combined.*,
    combined.targets_off_track + combined.targets_deteriorating + combined.targets_not_achieved
    + combined.tasks_overdue_milestone + combined.tasks_not_completed_at_deadline + combined.tasks_no_return
    + combined.returns_missing as attention_count,
    rank() over (
        partition by combined.city_code
        order by
            combined.targets_off_track + combined.targets_deteriorating + combined.targets_not_achieved
            + combined.tasks_overdue_milestone + combined.tasks_not_completed_at_deadline + combined.tasks_no_return
            + combined.returns_missing desc,
            combined.returns_late desc
    ) as attention_rank,
    {{ as_of_date() }} as assessed_as_of
from combined
