{#- 分地区目标进度 / Regional targets unit by unit: each county's (or river section's) value at each
    period and whether it counts as covered / met. -#}
{#- A view over the incremental model it reads (dbt/macros/incremental_by_target.sql): it holds
    no rows of its own, so it is never behind them; the published copy is a table. -#}
{{ config(materialized='view') }}

with region_values as (
    select * from {{ ref('int_target_region_values') }}
),

regions as (
    select * from {{ ref('stg_seeds__regions') }}
)

select
    region_values.target_id,
    region_values.period_code,
    region_values.period_kind,
    region_values.period_end,
    region_values.region_code,
    regions.region_name_zh,
    regions.region_name_en,
    region_values.subject_code,
    region_values.unit_name_zh,
    region_values.value,
    region_values.bound,
    region_values.value_period_code,
    region_values.baseline_value,
    region_values.baseline_period_code,
    region_values.counts_as_met,
    case
        when region_values.value is null then 'no_data'
        when region_values.counts_as_met then 'met'
        else 'not_met'
    end as unit_status,
    case when region_values.is_illustrative then 'illustrative' else region_values.provenance end as value_quality,
    region_values.source_file,
    region_values.source_row,
    region_values.release_date,
    region_values.inputs_loaded_through,
    -- release_date is the day the unit's figure's file arrived (it states none); false with no figure. Last,
    -- after the columns the mart had before it
    coalesce(region_values.release_date is not null and region_values.release_date_imputed, false)
        as release_date_imputed
from region_values
left join regions
    on region_values.region_code = regions.region_code
