{#- 状态依据 / The rules a status can come from (seeds/status_reasons.csv): one stable code per rule,
    the status it gives and its sentence in Chinese and English. -#}

with source as (
    select * from {{ ref('status_reasons') }}
)

select
    cast(status_reason as {{ dbt.type_string() }}) as status_reason,
    cast(status_code as {{ dbt.type_string() }}) as status_code,
    reason_zh,
    reason_en
from source
