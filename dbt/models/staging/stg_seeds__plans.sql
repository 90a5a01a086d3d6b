with source as (
    select * from {{ ref('plans') }}
)

select
    cast(plan_id as varchar) as plan_id,
    name_zh as plan_name_zh,
    name_en as plan_name_en,
    cast(region_code as varchar) as plan_region_code,
    plan_kind,
    cast(start_date as date) as plan_start_date,
    cast(end_date as date) as plan_end_date,
    source_document,
    cast(published_date as date) as published_date
from source
