{#- 单位维度 / Every unit of every city, with how many of its city's targets and tasks it leads or shares
    (a unit's key is city_code + unit_code: codes are unique within a city only). -#}

with units as (
    select * from {{ ref('stg_seeds__units') }}
),

target_units as (
    select * from {{ ref('stg_seeds__target_units') }}
),

tasks as (
    select * from {{ ref('stg_seeds__tasks') }}
),

targets_led as (
    select
        city_code,
        lead_unit_code as unit_code,
        count(*) as targets_led
    from target_units
    group by city_code, lead_unit_code
),

tasks_led as (
    select
        city_code,
        lead_unit_code as unit_code,
        count(*) as tasks_led
    from tasks
    group by city_code, lead_unit_code
),

co_units as (
    select
        city_code,
        {{ cross_engine_split_to_rows('co_unit_codes', ';') }} as unit_code
    from tasks
    where co_unit_codes is not null
),

tasks_shared as (
    select
        city_code,
        unit_code,
        count(*) as tasks_shared
    from co_units
    group by city_code, unit_code
)

select
    units.city_code,
    units.unit_code,
    units.unit_short_zh,
    units.unit_name_zh,
    units.unit_name_en,
    units.unit_kind,
    units.alert_email,
    units.assignment,
    coalesce(targets_led.targets_led, 0) as targets_led,
    coalesce(tasks_led.tasks_led, 0) as tasks_led,
    coalesce(tasks_shared.tasks_shared, 0) as tasks_shared
from units
left join targets_led
    on units.city_code = targets_led.city_code and units.unit_code = targets_led.unit_code
left join tasks_led
    on units.city_code = tasks_led.city_code and units.unit_code = tasks_led.unit_code
left join tasks_shared
    on units.city_code = tasks_shared.city_code and units.unit_code = tasks_shared.unit_code
