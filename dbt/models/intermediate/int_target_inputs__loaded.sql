{#- 目标输入入库时间 / Every figure a target reads (int_target_inputs: its series and subjects) with when
    it was last loaded and the period it is for, beside the target's deadline. The incremental models
    recompute the targets with a figure up to their deadline loaded after their high-water mark
    (dbt/macros/incremental_by_target.sql). A view: each run filters it on its own mark, so only the
    figures loaded since are read. -#}
{{ config(materialized='view') }}

with targets as (
    select
        target_id,
        deadline
    from {{ ref('int_targets__enriched') }}
),

inputs as (
    select * from {{ ref('int_target_inputs') }}
),

latest as (
    select
        indicator_code,
        region_code,
        subject_code,
        period_end,
        last_ingested_at
    from {{ ref('int_observations__latest') }}
),

by_series as (
    select
        inputs.target_id,
        latest.period_end,
        latest.last_ingested_at
    from inputs
    inner join latest
        on
            inputs.indicator_code = latest.indicator_code
            and inputs.region_code = latest.region_code
    where inputs.input_kind = 'series'
),

by_subject as (
    select
        inputs.target_id,
        latest.period_end,
        latest.last_ingested_at
    from inputs
    inner join latest
        on inputs.subject_code = latest.subject_code
    where inputs.input_kind = 'subject'
),

figures as (
    select * from by_series
    union all
    select * from by_subject
)

select
    figures.target_id,
    targets.deadline,
    figures.period_end,
    figures.last_ingested_at
from figures
inner join targets
    on figures.target_id = targets.target_id
