{#- 责任单位 / The units that lead and share the work (seeds/units.csv; illustrative assignment). A unit
    belongs to a city: (city_code, unit_code) is its key, so two cities may each have a 商务局. -#}

with source as (
    select * from {{ ref('units') }}
)

select
    cast(unit_code as {{ dbt.type_string() }}) as unit_code,
    cast(city_code as {{ dbt.type_string() }}) as city_code,
    short_name_zh as unit_short_zh,
    name_zh as unit_name_zh,
    name_en as unit_name_en,
    kind as unit_kind,
    alert_email,
    assignment
from source
