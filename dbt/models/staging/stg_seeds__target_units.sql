{#- 目标牵头单位 / The lead unit (and co-units) of every target of the catalogue (seeds/target_units.csv). -#}

with source as (
    select * from {{ ref('target_units') }}
)

select
    target_id,
    lead_unit_code,
    nullif(co_unit_codes, '') as co_unit_codes,
    assignment
from source
