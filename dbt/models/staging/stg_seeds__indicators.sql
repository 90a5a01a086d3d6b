with source as (
    select * from {{ ref('indicators') }}
)

select
    cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
    name_zh as indicator_name_zh,
    name_en as indicator_name_en,
    unit,
    measure_kind,
    frequency,
    direction,
    -- +1 when a higher value is better, -1 when lower is better (PM2.5, water class)
    case when direction = 'lower' then -1 else 1 end as direction_sign,
    nullif(cast(numerator_code as {{ dbt.type_string() }}), '') as numerator_code,
    nullif(cast(denominator_code as {{ dbt.type_string() }}), '') as denominator_code,
    cast(natural_limit as double) as natural_limit,
    cast(release_lag_days as integer) as release_lag_days,
    publisher
from source
