with source as (
    select * from {{ ref('listed_projects') }}
)

select
    cast(project_code as {{ dbt.type_string() }}) as project_code,
    list_id,
    list_name_zh,
    list_name_en,
    cast(item_order as integer) as item_order,
    name_zh as project_name_zh,
    name_en as project_name_en,
    cast(target_id as {{ dbt.type_string() }}) as target_id,
    quote
from source
