with source as (
    select * from {{ ref('targets') }}
)

select
    cast(target_id as {{ dbt.type_string() }}) as target_id,
    cast(plan_id as {{ dbt.type_string() }}) as plan_id,
    section_zh,
    section_en,
    nullif(cast(indicator_code as {{ dbt.type_string() }}), '') as indicator_code,
    title_zh,
    title_en,
    target_kind,
    comparator,
    cast(target_value as double) as target_value,
    cast(tolerance as double) as tolerance,
    unit as target_unit,
    cast(baseline_year as integer) as baseline_year,
    cast(baseline_value as double) as baseline_value,
    baseline_source,
    cast(start_date as date) as start_date,
    cast(deadline as date) as deadline,
    scope_type,
    cast(scope_code as {{ dbt.type_string() }}) as scope_code,
    quote,
    reading_notes
from source
