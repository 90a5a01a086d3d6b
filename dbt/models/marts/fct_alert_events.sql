{#- 提醒事件 / One row per event a lead unit should be told about, with a stable event_key: the alert
    outbox (dagster_project/alerts/) stores each key once, so a rebuild or a rerun never alerts twice.
      task_behind         a task turns behind or milestone-overdue (key: task, status, the month it turned)
      milestone_missed    a milestone date passes with its stage not reached (key: task, milestone date)
      task_not_completed  a task's deadline passes unfinished (key: task)
      return_missing      a unit's monthly return is not in by the due day (key: the unit's city, unit, month,
                          return:430200:KJJ:2026-09; always with the city, so adding a second city changes no
                          key of the first's: a unit code is unique within its city only. The outbox adopts the
                          keys it stored without the city, return:KJJ:2026-09, dagster_project/alerts/outbox.py)
    Each event names the unit's city (city_code).
      target_status       a target is needs_acceleration / off_track / deteriorating / not_achieved (key: target, status)
      release_overdue     the next statistics release a target waits for is overdue (key: target, due date) -#}

with assessed as (
    select * from {{ ref('int_task_assessment') }}
),

tasks as (
    select * from {{ ref('stg_seeds__tasks') }}
),

unit_returns as (
    select * from {{ ref('int_unit_returns') }}
),

scorecard as (
    select * from {{ ref('fct_target_scorecard') }}
),

target_units as (
    select * from {{ ref('stg_seeds__target_units') }}
),

units as (
    select * from {{ ref('stg_seeds__units') }}
),

task_months as (
    select
        assessed.*,
        lag(assessed.task_status_code) over (partition by assessed.task_id order by assessed.month_start)
            as previous_status_code
    from assessed
),

task_events as (
    select
        'task_behind' as event_type,
        'task:' || task_months.task_id || ':' || task_months.task_status_code || ':' || task_months.month_code as event_key,
        task_months.lead_unit_code as unit_code,
        tasks.city_code,
        task_months.task_id as subject_id,
        coalesce(task_months.report_date, task_months.due_date) as event_date,
        'warning' as severity,
        '任务' || task_months.task_id || '「' || tasks.task_title_zh || '」' || task_months.month_code || '起'
        || case task_months.task_status_code when 'behind' then '欠序时' else '节点逾期' end
        || '（序时' || {{ cross_engine_number_text("task_months.expected_pct") }} || '%，报送' || coalesce(task_months.known_stage_zh, '-') || ' '
        || coalesce({{ cross_engine_number_text("task_months.known_pct") }}, '-') || '%）' as message_zh,
        'Task ' || task_months.task_id || ' turned ' || task_months.task_status_code || ' in '
        || task_months.month_code as message_en,
        task_months.calculation_trace as trace
    from task_months
    inner join tasks
        on task_months.task_id = tasks.task_id
    where
        task_months.task_status_code in ('behind', 'overdue_milestone')
        and coalesce(task_months.previous_status_code, '') <> task_months.task_status_code
),

milestone_events as (
    select
        'milestone_missed' as event_type,
        'milestone:' || assessed.task_id || ':'
        || {{ cross_engine_format_date("assessed.milestone_reached_date", '%Y-%m-%d') }} as event_key,
        min(assessed.lead_unit_code) as unit_code,
        min(tasks.city_code) as city_code,
        assessed.task_id as subject_id,
        min(assessed.due_date) as event_date,
        'critical' as severity,
        '任务' || assessed.task_id || '时间节点' || {{ cross_engine_format_date("assessed.milestone_reached_date", '%Y-%m-%d') }} || '应达「'
        || min(assessed.expected_stage_zh) || '」未达到' as message_zh,
        'Task ' || assessed.task_id || ' missed its milestone of '
        || {{ cross_engine_format_date("assessed.milestone_reached_date", '%Y-%m-%d') }} as message_en,
        min(assessed.calculation_trace) as trace
    from assessed
    inner join tasks
        on assessed.task_id = tasks.task_id
    where assessed.task_status_code = 'overdue_milestone' or assessed.assessed_status_code = 'overdue_milestone'
    group by assessed.task_id, assessed.milestone_reached_date
),

not_completed_events as (
    select
        'task_not_completed' as event_type,
        'task_not_completed:' || assessed.task_id as event_key,
        min(assessed.lead_unit_code) as unit_code,
        min(tasks.city_code) as city_code,
        assessed.task_id as subject_id,
        min(assessed.due_date) as event_date,
        'critical' as severity,
        '任务' || assessed.task_id || '到期（' || {{ cross_engine_format_date("min(assessed.deadline)", '%Y-%m-%d') }} || '）未完成' as message_zh,
        'Task ' || assessed.task_id || ' was not completed by its deadline' as message_en,
        min(assessed.calculation_trace) as trace
    from assessed
    inner join tasks
        on assessed.task_id = tasks.task_id
    where assessed.assessed_status_code = 'not_completed_at_deadline'
    group by assessed.task_id
),

return_events as (
    select
        'return_missing' as event_type,
        'return:' || unit_returns.city_code || ':' || unit_returns.unit_code || ':' || unit_returns.month_code
            as event_key,
        unit_returns.unit_code,
        unit_returns.city_code,
        unit_returns.unit_code || ':' || unit_returns.month_code as subject_id,
        unit_returns.due_date as event_date,
        'warning' as severity,
        unit_returns.month_code || '工作台账逾期未报（截止' || {{ cross_engine_format_date("unit_returns.due_date", '%Y-%m-%d') }} || '，涉及'
        || unit_returns.tasks_due || '项任务）' as message_zh,
        'Monthly return for ' || unit_returns.month_code || ' not received by '
        || {{ cross_engine_format_date("unit_returns.due_date", '%Y-%m-%d') }} as message_en,
        unit_returns.tasks_due || ' unfinished task(s) led; no return row' as trace
    from unit_returns
    where unit_returns.is_missing
),

target_events as (
    select
        'target_status' as event_type,
        'target:' || scorecard.target_id || ':' || scorecard.status_code as event_key,
        target_units.lead_unit_code as unit_code,
        target_units.city_code,
        scorecard.target_id as subject_id,
        coalesce(scorecard.latest_release_date, scorecard.assessed_as_of) as event_date,
        case when scorecard.status_code in ('off_track', 'deteriorating', 'not_achieved') then 'critical' else 'warning' end
            as severity,
        '目标「' || scorecard.title_zh || '」状态：' || scorecard.status_zh as message_zh,
        'Target ' || scorecard.target_id || ' is ' || scorecard.status_code as message_en,
        coalesce(scorecard.calculation_trace, '') as trace
    from scorecard
    inner join target_units
        on scorecard.target_id = target_units.target_id
    where scorecard.status_code in ('needs_acceleration', 'off_track', 'deteriorating', 'not_achieved')
),

release_events as (
    select
        'release_overdue' as event_type,
        'release:' || scorecard.target_id || ':' || {{ cross_engine_format_date("scorecard.next_release_due", '%Y-%m-%d') }} as event_key,
        target_units.lead_unit_code as unit_code,
        target_units.city_code,
        scorecard.target_id as subject_id,
        scorecard.next_release_due as event_date,
        'warning' as severity,
        '目标「' || scorecard.title_zh || '」所需数据逾期未发布（应于' || {{ cross_engine_format_date("scorecard.next_release_due", '%Y-%m-%d') }}
        || '前发布）' as message_zh,
        'The release target ' || scorecard.target_id || ' waits for was due by '
        || {{ cross_engine_format_date("scorecard.next_release_due", '%Y-%m-%d') }} as message_en,
        'latest period ' || coalesce(scorecard.latest_period_code, '-') as trace
    from scorecard
    inner join target_units
        on scorecard.target_id = target_units.target_id
    where scorecard.is_next_release_overdue
),

events as (
    select * from task_events
    union all
    select * from milestone_events
    union all
    select * from not_completed_events
    union all
    select * from return_events
    union all
    select * from target_events
    union all
    select * from release_events
)

select
    events.event_key,
    events.event_type,
    events.severity,
    events.unit_code,
    events.city_code,
    units.unit_short_zh,
    units.alert_email,
    events.subject_id,
    cast(events.event_date as date) as event_date,
    events.message_zh,
    events.message_en,
    events.trace,
    {{ as_of_date() }} as assessed_as_of
from events
left join units
    on events.city_code = units.city_code and events.unit_code = units.unit_code
