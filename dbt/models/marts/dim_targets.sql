{#- 目标维度 / One row per commitment of the report, with its plan and indicator. -#}

with targets as (
    select * from {{ ref('int_targets__enriched') }}
),

plans as (
    select * from {{ ref('stg_seeds__plans') }}
)

select
    targets.target_id,
    targets.plan_id,
    plans.plan_name_zh,
    plans.plan_name_en,
    plans.plan_region_code,
    targets.section_zh,
    targets.section_en,
    targets.title_zh,
    targets.title_en,
    targets.target_kind,
    -- whether the kind has a figure series (seeds/target_kinds.csv); without one the tasks give the status
    targets.has_series,
    targets.comparator,
    targets.target_value,
    targets.tolerance,
    targets.target_unit,
    targets.indicator_code,
    targets.indicator_name_zh,
    targets.indicator_name_en,
    targets.measure_kind,
    targets.direction_sign,
    targets.baseline_year,
    targets.baseline_value,
    targets.baseline_source,
    targets.start_date,
    targets.deadline,
    targets.is_multi_year,
    targets.is_cumulative,
    targets.scope_type,
    targets.scope_code,
    targets.quote,
    targets.reading_notes
from targets
left join plans
    on targets.plan_id = plans.plan_id
