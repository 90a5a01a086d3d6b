{#- The latest vintage, known as of the assessment date, of every number some target reads
    (int_target_inputs: a few percent of what a statistics office publishes; every vintage of every
    number stays in stg_raw__observations). Incremental: a run only re-ranks the keys that received
    a new or re-loaded vintage since the last run, plus the whole history of series a new target
    starts reading, so a new month costs the new month. A revision (a later release of the same
    key) replaces the earlier value here. Changing var('as_of_date') needs --full-refresh. -#}
{{ cross_engine_incremental('observation_key', unique_per_row=true) }}

{%- set key = observation_key_columns() -%}
{%- set columns = key + [
    'release_id', 'period_kind', 'period_start', 'period_end', 'value', 'bound', 'unit', 'source_value',
    'source_unit', 'provenance', 'derived_from', 'source_ref', 'source_file', 'source_row', 'release_date',
    'ingested_at', 'channel'
] -%}

{#- Matched on the key's columns: the hash is computed only for the rows kept, at the end (computing
    it for every stored vintage was most of an incremental run at national scale). -#}
{%- set only_keys_with_new_vintages -%}
exists (
    select 1
    from vintages as new_rows
    where
        new_rows.ingested_at > (select max(loaded.last_ingested_at) from {{ this }} as loaded)
        and new_rows.indicator_code = known.indicator_code
        and new_rows.region_code = known.region_code
        and new_rows.subject_code = known.subject_code
        and new_rows.period_code = known.period_code
        and new_rows.measure = known.measure
)
{%- endset %}

{#- Series a target reads that this table holds nothing of yet (a target added to the catalogue):
    their whole history is loaded. -#}
{%- set only_series_not_loaded_yet -%}
not exists (
    select 1
    from (select distinct indicator_code, region_code, subject_code from {{ this }}) as loaded_series
    where
        loaded_series.indicator_code = known.indicator_code
        and loaded_series.region_code = known.region_code
        and loaded_series.subject_code = known.subject_code
)
{%- endset %}

{%- set only_new_vintages_or_series = '(' ~ only_keys_with_new_vintages ~ ' or ' ~ only_series_not_loaded_yet ~ ')' %}

{#- Not materialised: referenced twice when incremental, and a copy of every vintage is what this
    model must not make. -#}
with vintages as {{ not_materialized() }} (
    select {{ columns | join(', ') }}
    from {{ ref('stg_raw__observations') }}
),

inputs as (
    select * from {{ ref('int_target_inputs') }}
),

known_by_then as (
    select known.*
    from vintages as known
    where
        known.release_date <= {{ as_of_date() }}
        and (
            exists (
                select 1 from inputs
                where
                    inputs.input_kind = 'series'
                    and inputs.indicator_code = known.indicator_code
                    and inputs.region_code = known.region_code
            )
            or exists (
                select 1 from inputs
                where
                    inputs.input_kind = 'subject'
                    and inputs.subject_code = known.subject_code
            )
        )
        and {{ only_new_vintages_or_series if is_incremental() else 'true' }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by {{ key | join(', ') }}
            order by release_date desc, ingested_at desc, release_id desc
        ) as vintage_rank,
        count(*) over (partition by {{ key | join(', ') }}) as vintage_count,
        -- the first vintage is the last in latest-first order: one sort serves every window here
        -- (a second ordering re-sorted all vintages, a third of this model's time at national scale)
        last_value(value) over (
            partition by {{ key | join(', ') }}
            order by release_date desc, ingested_at desc, release_id desc
            rows between unbounded preceding and unbounded following
        ) as first_vintage_value,
        min(release_date) over (partition by {{ key | join(', ') }}) as first_release_date,
        max(ingested_at) over (partition by {{ key | join(', ') }}) as last_ingested_at
    from known_by_then
)

select
    {{ observation_key() }} as observation_key,
    release_id,
    indicator_code,
    region_code,
    subject_code,
    period_code,
    period_kind,
    period_start,
    period_end,
    measure,
    value,
    bound,
    unit,
    source_value,
    source_unit,
    provenance,
    derived_from,
    source_ref,
    source_file,
    source_row,
    release_date,
    ingested_at,
    channel,
    vintage_count,
    vintage_count > 1 as is_revised,
    first_vintage_value,
    first_release_date,
    last_ingested_at
from ranked
where vintage_rank = 1
