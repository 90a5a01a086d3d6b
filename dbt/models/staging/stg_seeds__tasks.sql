{#- 任务分解 / Tasks of the qualitative commitments, each with its lead unit (seeds/tasks.csv). -#}

with source as (
    select * from {{ ref('tasks') }}
)

select
    task_id,
    target_id,
    title_zh as task_title_zh,
    title_en as task_title_en,
    lead_unit_code,
    nullif(co_unit_codes, '') as co_unit_codes,
    cast(start_date as date) as start_date,
    cast(deadline as date) as deadline,
    quote,
    assignment
from source
