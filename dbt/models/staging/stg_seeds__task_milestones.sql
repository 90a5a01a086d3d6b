{#- 时间节点 / Each task's milestones (date and the stage expected by then), with the stage's rank and
    nominal percent (seeds/task_milestones.csv, seeds/task_stages.csv). -#}

with milestones as (
    select * from {{ ref('task_milestones') }}
),

stages as (
    select * from {{ ref('task_stages') }}
)

select
    milestones.task_id,
    cast(milestones.milestone_no as integer) as milestone_no,
    cast(milestones.milestone_date as date) as milestone_date,
    milestones.expected_stage as expected_stage_code,
    stages.stage_zh as expected_stage_zh,
    cast(stages.stage_rank as integer) as expected_stage_rank,
    cast(stages.nominal_pct as double) as expected_pct,
    milestones.deliverable_zh
from milestones
inner join stages
    on milestones.expected_stage = stages.stage_code
