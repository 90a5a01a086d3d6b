{#- 任务进度 / One row per task and month: expected (序时) and reported stage, status and trace, with the
    task, its target and its lead unit named. Statuses: seeds/task_statuses.csv. -#}

with assessed as (
    select * from {{ ref('int_task_assessment') }}
),

tasks as (
    select * from {{ ref('stg_seeds__tasks') }}
),

units as (
    select * from {{ ref('stg_seeds__units') }}
),

task_statuses as (
    select * from {{ ref('task_statuses') }}
),

statuses as (
    select * from {{ ref('statuses') }}
)

select
    assessed.task_id,
    assessed.target_id,
    tasks.task_title_zh,
    tasks.task_title_en,
    tasks.city_code,
    assessed.lead_unit_code,
    units.unit_short_zh as lead_unit_zh,
    units.unit_name_en as lead_unit_en,
    tasks.co_unit_codes,
    assessed.month_code,
    assessed.month_end,
    assessed.deadline,
    assessed.due_date,
    assessed.has_return,
    coalesce(assessed.is_late, false) as is_late,
    coalesce(assessed.is_resubmitted, false) as is_resubmitted,
    assessed.is_backwards_unexplained,
    assessed.backwards_flag,
    assessed.expected_stage_zh,
    assessed.expected_pct,
    assessed.next_milestone_date,
    assessed.next_milestone_stage_zh,
    assessed.reported_stage_zh,
    assessed.reported_pct,
    assessed.known_stage_zh,
    assessed.known_pct,
    assessed.schedule_gap_pts,
    assessed.completed_month_code,
    assessed.completed_late,
    assessed.progress_text,
    assessed.problems,
    assessed.report_date,
    assessed.source_file,
    assessed.source_row,
    assessed.task_status_code,
    task_statuses.task_status_zh,
    task_statuses.task_status_en,
    task_statuses.is_task_only,
    task_statuses.sort_order as task_status_sort_order,
    assessed.assessed_status_code,
    assessed.status_code,
    statuses.status_zh,
    assessed.pace_code,
    tasks.assignment as assignment_quality,
    assessed.calculation_trace,
    row_number() over (partition by assessed.task_id order by assessed.month_end desc) = 1 as is_latest
from assessed
inner join tasks
    on assessed.task_id = tasks.task_id
left join units
    on tasks.city_code = units.city_code and assessed.lead_unit_code = units.unit_code
left join task_statuses
    on assessed.task_status_code = task_statuses.task_status_code
left join statuses
    on assessed.status_code = statuses.status_code
