with source as (
    select * from {{ ref('monitoring_sections') }}
)

select
    cast(section_code as {{ dbt.type_string() }}) as section_code,
    cast(river_code as {{ dbt.type_string() }}) as river_code,
    river_name_zh,
    section_name_zh,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    cast(is_illustrative as boolean) as is_illustrative,
    note
from source
