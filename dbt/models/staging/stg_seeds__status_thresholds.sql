with source as (
    select * from {{ ref('status_thresholds') }}
)

select
    threshold_code,
    cast(threshold_value as double) as threshold_value,
    applies_to,
    source as threshold_source,
    description_zh,
    description_en
from source
