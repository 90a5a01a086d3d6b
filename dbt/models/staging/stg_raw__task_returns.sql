{#- 单位月度台账 / Every row of every loaded unit return (all vintages), with the stage's rank and
    nominal percent. A return file is a release in raw.releases; only loaded ones count. -#}

with returns as (
    select * from {{ source('raw', 'task_returns') }}
),

releases as (
    select * from {{ source('raw', 'releases') }}
),

stages as (
    select * from {{ ref('task_stages') }}
)

select
    returns.release_id,
    returns.task_id,
    returns.month_code,
    returns.month_start,
    returns.month_end,
    returns.stage_code,
    stages.stage_zh,
    cast(stages.stage_rank as integer) as stage_rank,
    returns.percent_done,
    coalesce(returns.percent_done, cast(stages.nominal_pct as double)) as progress_pct,
    returns.progress_text,
    returns.evidence_ref,
    returns.problems,
    returns.note,
    returns.reporting_unit,
    returns.report_date,
    returns.provenance,
    returns.source_file,
    returns.source_row,
    returns.ingested_at
from returns
inner join releases
    on returns.release_id = releases.release_id
inner join stages
    on returns.stage_code = stages.stage_code
where releases.status = 'loaded'
