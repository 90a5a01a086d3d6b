{#- 台账报送记录 / Every row of every loaded return (all vintages), marked with what the office checks:
    superseded by a later vintage, filed late, stage going backwards without a note. -#}

with returns as (
    select * from {{ ref('stg_raw__task_returns') }}
),

latest as (
    select * from {{ ref('int_task_returns__latest') }}
),

tasks as (
    select * from {{ ref('stg_seeds__tasks') }}
)

select
    returns.release_id,
    returns.task_id,
    tasks.target_id,
    returns.month_code,
    tasks.city_code,
    returns.reporting_unit,
    tasks.lead_unit_code,
    returns.stage_zh,
    returns.stage_rank,
    returns.percent_done,
    returns.progress_pct,
    returns.progress_text,
    returns.evidence_ref,
    returns.problems,
    returns.note,
    returns.report_date,
    latest.due_date,
    returns.report_date > latest.due_date as is_filed_after_due,
    latest.release_id <> returns.release_id as is_superseded,
    case when latest.release_id = returns.release_id then latest.is_backwards_unexplained else false end
        as is_backwards_unexplained,
    case when latest.release_id = returns.release_id then latest.backwards_flag end as backwards_flag,
    returns.provenance,
    returns.source_file,
    returns.source_row,
    returns.ingested_at
from returns
inner join latest
    on returns.task_id = latest.task_id and returns.month_code = latest.month_code
inner join tasks
    on returns.task_id = tasks.task_id
