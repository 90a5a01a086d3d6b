{#- Every vintage of every published number, from files and from the API, typed and keyed.
    observation_key identifies the number (what, where, when, which measure) across vintages. -#}
{%- set columns = [
    'release_id', 'indicator_code', 'region_code', 'subject_code', 'period_code', 'period_kind',
    'period_start', 'period_end', 'measure', 'value', 'bound', 'unit', 'source_value', 'source_unit',
    'provenance', 'derived_from', 'source_ref', 'source_file', 'source_row', 'release_date', 'ingested_at',
    'release_date_imputed'
] -%}

with file_rows as (
    select
        {{ columns | join(', ') }},
        'file' as channel
    from {{ source('raw', 'observations') }}
),

api_rows as (
    select
        {{ columns | join(', ') }},
        'api' as channel
    from {{ source('raw', 'api_observations') }}
),

unioned as (
    select * from file_rows
    union all
    select * from api_rows
)

select
    {{ observation_key() }} as observation_key,
    cast(release_id as {{ dbt.type_string() }}) as release_id,
    cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(region_code as {{ dbt.type_string() }}) as region_code,
    coalesce(cast(subject_code as {{ dbt.type_string() }}), '') as subject_code,
    cast(period_code as {{ dbt.type_string() }}) as period_code,
    cast(period_kind as {{ dbt.type_string() }}) as period_kind,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(value as double) as value,
    cast(bound as {{ dbt.type_string() }}) as bound,
    cast(unit as {{ dbt.type_string() }}) as unit,
    cast(source_value as {{ dbt.type_string() }}) as source_value,
    cast(source_unit as {{ dbt.type_string() }}) as source_unit,
    cast(provenance as {{ dbt.type_string() }}) as provenance,
    cast(derived_from as {{ dbt.type_string() }}) as derived_from,
    cast(source_ref as {{ dbt.type_string() }}) as source_ref,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(source_row as integer) as source_row,
    cast(release_date as date) as release_date,
    cast(ingested_at as timestamp) as ingested_at,
    coalesce(cast(release_date_imputed as boolean), false) as release_date_imputed,
    channel
from unioned
