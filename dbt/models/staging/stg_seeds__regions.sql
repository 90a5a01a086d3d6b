with source as (
    select * from {{ ref('regions') }}
)

select
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    name_zh as region_name_zh,
    name_en as region_name_en,
    region_type,
    nullif(cast(parent_code as {{ dbt.type_string() }}), '') as parent_code,
    cast(is_peer_city as boolean) as is_peer_city,
    cast(sort_order as integer) as sort_order
from source
