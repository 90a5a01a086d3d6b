{#- 目标类型 / The kinds of target (seeds/target_kinds.csv): names, the comparators each may use, and
    the flags the models read instead of keeping their own lists of kinds. -#}

with source as (
    select * from {{ ref('target_kinds') }}
)

select
    cast(target_kind as {{ dbt.type_string() }}) as target_kind,
    name_zh as target_kind_zh,
    name_en as target_kind_en,
    cast(comparators as {{ dbt.type_string() }}) as comparators,
    cast(has_series as boolean) as has_series,
    cast(reads_own_series as boolean) as reads_own_series,
    cast(is_paced_within_year as boolean) as is_paced_within_year,
    cast(reads_peer_cities as boolean) as reads_peer_cities,
    cast(actual_higher_is_better as boolean) as actual_higher_is_better,
    cast(needs_full_year_flow as boolean) as needs_full_year_flow,
    cast(coalesce(growth_measure_kinds, '') as {{ dbt.type_string() }}) as growth_measure_kinds,
    series_model
from source
