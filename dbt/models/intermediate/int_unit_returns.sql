{#- 单位月度报送 / One row per unit (of its city) and month in which it led an unfinished task: whether its
    return came, when (first vintage), whether late, and how many of its tasks it left out. -#}

with assessed as (
    select * from {{ ref('int_task_assessment') }}
),

returns as (
    select * from {{ ref('int_task_returns__latest') }}
),

tasks as (
    select * from {{ ref('stg_seeds__tasks') }}
)

select
    tasks.city_code,
    assessed.lead_unit_code as unit_code,
    assessed.month_code,
    max(assessed.month_end) as month_end,
    max(assessed.due_date) as due_date,
    count(*) as tasks_due,
    count(*) filter (where assessed.has_return) as tasks_reported,
    count(*) filter (where not assessed.has_return) as tasks_unreported,
    count(*) filter (where assessed.is_backwards_unexplained) as rows_backwards_unexplained,
    min(returns.first_report_date) as first_report_date,
    count(*) filter (where assessed.has_return) = 0 as is_missing,
    coalesce(min(returns.first_report_date) > max(assessed.due_date), false) as is_late
from assessed
inner join tasks
    on assessed.task_id = tasks.task_id
left join returns
    on assessed.task_id = returns.task_id and assessed.month_code = returns.month_code
where not assessed.was_completed_before
group by tasks.city_code, assessed.lead_unit_code, assessed.month_code
