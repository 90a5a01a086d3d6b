{#- 任务分解 / Tasks of the qualitative commitments, each with its lead unit (seeds/tasks.csv), and the city
    of the task's plan, in which its unit codes are read (a unit's code is unique within its city only). -#}

with source as (
    select * from {{ ref('tasks') }}
),

targets as (
    select * from {{ ref('targets') }}
),

plans as (
    select * from {{ ref('plans') }}
)

select
    source.task_id,
    source.target_id,
    source.title_zh as task_title_zh,
    source.title_en as task_title_en,
    cast(plans.region_code as {{ dbt.type_string() }}) as city_code,
    source.lead_unit_code,
    nullif(source.co_unit_codes, '') as co_unit_codes,
    cast(source.start_date as date) as start_date,
    cast(source.deadline as date) as deadline,
    source.quote,
    source.assignment
from source
left join targets
    on source.target_id = targets.target_id
left join plans
    on targets.plan_id = plans.plan_id
