{#- 任务逐月评估 / One row per task and month, from the task's first month to the month before the
    as-of date (and the as-of month itself once its return is in): 序时 from the milestones, the stage
    last reported, the task status and its trace. The rules are int_task_assessment__as_of's (see its
    header); these are its rows for the as-of date itself. -#}

with as_of as (
    select * from {{ ref('int_task_assessment__as_of') }}
)

select {{ cross_engine_star(ref('int_task_assessment__as_of'), 'as_of', exclude=['snapshot_month', 'snapshot_as_of']) }}
from as_of
where as_of.snapshot_as_of = {{ as_of_date() }}
