{#- 目标牵头单位 / The lead unit (and co-units) of every target of the catalogue (seeds/target_units.csv),
    and the city of the target's plan, in which the unit codes are read. -#}

with source as (
    select * from {{ ref('target_units') }}
),

targets as (
    select * from {{ ref('targets') }}
),

plans as (
    select * from {{ ref('plans') }}
)

select
    source.target_id,
    cast(plans.region_code as {{ dbt.type_string() }}) as city_code,
    source.lead_unit_code,
    nullif(source.co_unit_codes, '') as co_unit_codes,
    source.assignment
from source
left join targets
    on source.target_id = targets.target_id
left join plans
    on targets.plan_id = plans.plan_id
