{#- 目标类型 / The kinds of target (seeds/target_kinds.csv): names, the comparators each may use, and
    the flags the models read instead of keeping their own lists of kinds. -#}

with source as (
    select * from {{ ref('target_kinds') }}
)

select
    cast(target_kind as varchar) as target_kind,
    name_zh as target_kind_zh,
    name_en as target_kind_en,
    cast(comparators as varchar) as comparators,
    cast(has_series as boolean) as has_series,
    cast(reads_own_series as boolean) as reads_own_series,
    cast(is_paced_within_year as boolean) as is_paced_within_year,
    series_model
from source
