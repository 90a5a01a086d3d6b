{#- The latest vintage, known as of the assessment date, of every number some target reads
    (int_target_inputs: a few percent of what a statistics office publishes; every vintage of every
    number stays in stg_raw__observations). Incremental: a run only re-ranks the keys that received
    a new or re-loaded vintage since the last run, so a new month costs the new month. A revision (a
    later release of the same key) replaces the earlier value here. A target added to the catalogue
    changes the seeds, so Dagster runs a full refresh (dagster_project/dbt_build.py), which loads the
    whole history of what it reads; changing var('as_of_date') does too. -#}
{{ cross_engine_incremental('observation_key', unique_per_row=true) }}

{%- set key = observation_key_columns() -%}
{#- Latest first (store.vintage_recency orders them so for ingestion's notes and `pmw explain`). A published or
    derived figure outranks an illustrative one of the same key (a sample's made-up figure never displaces a
    real one). A date the release states outranks a date imputed from the day its file landed
    (release_date_imputed): that day bounds when the figure was published, it does not date it, so a ledger's
    undated quote of a preliminary figure, loaded today, does not outrank the 最终核实 revision dated last year.
    Then the later date, the later load. -#}
{%- set latest_first = [
    "case when provenance = 'illustrative' then 1 else 0 end",
    'release_date_imputed', 'release_date desc', 'ingested_at desc', 'release_id desc'
] | join(', ') -%}
{%- set columns = key + [
    'release_id', 'period_kind', 'period_start', 'period_end', 'value', 'bound', 'unit', 'source_value',
    'source_unit', 'provenance', 'derived_from', 'source_ref', 'source_file', 'source_row', 'release_date',
    'release_date_imputed', 'ingested_at', 'channel'
] -%}

{#- Not materialised: referenced twice when incremental, and a copy of every vintage is what this
    model must not make. -#}
with vintages as {{ not_materialized() }} (
    select {{ columns | join(', ') }}
    from {{ ref('stg_raw__observations') }}
),

inputs as (
    select * from {{ ref('int_target_inputs') }}
),

{% if is_incremental() -%}
-- the keys that received a vintage after this table's high-water mark: a filter on a literal, so only
-- the row groups loaded since are read (macros/high_water_mark.sql); then every vintage of those keys
new_keys as (
    select distinct {{ key | join(', ') }}
    from vintages
    where ingested_at > {{ high_water_mark('last_ingested_at') }}
),

{% endif -%}
candidates as (
    {% if is_incremental() -%}
        select known.*
        from vintages as known
        where exists (
            select 1 from new_keys
            where
                {% for column in key -%}
                {{ 'and ' if not loop.first }}new_keys.{{ column }} = known.{{ column }}
                {% endfor %}
        )
    {%- else -%}
        select * from vintages
    {%- endif %}
),

known_by_then as (
    select known.*
    from candidates as known
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
),

ranked as (
    select
        *,
        row_number() over (
            partition by {{ key | join(', ') }}
            order by {{ latest_first }}
        ) as vintage_rank,
        count(*) over (partition by {{ key | join(', ') }}) as vintage_count,
        -- the first vintage is the last in latest-first order: one sort serves every window here
        -- (a second ordering re-sorted all vintages, a third of this model's time at national scale)
        last_value(value) over (
            partition by {{ key | join(', ') }}
            order by {{ latest_first }}
            rows between unbounded preceding and unbounded following
        ) as first_vintage_value,
        min(release_date) over (partition by {{ key | join(', ') }}) as first_release_date,
        -- revised: two of its vintages differ in value, bound (突破, 左右 …) or unit. A later release that only
        -- restates the figure (a file re-sent with the same figures) is not a revision: A -> A false, A -> B
        -- true, A -> B -> B true (it was revised once). The key's extremes: partition-only windows, no sort
        coalesce(
            min(value) over (partition by {{ key | join(', ') }})
            <> max(value) over (partition by {{ key | join(', ') }})
            or min(coalesce(bound, 'eq')) over (partition by {{ key | join(', ') }})
            <> max(coalesce(bound, 'eq')) over (partition by {{ key | join(', ') }})
            or min(coalesce(unit, '')) over (partition by {{ key | join(', ') }})
            <> max(coalesce(unit, '')) over (partition by {{ key | join(', ') }}),
            false
        ) as is_revised,
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
    -- not vintage_count > 1: a file re-sent with the same figures adds a vintage, not a revision
    is_revised,
    first_vintage_value,
    first_release_date,
    last_ingested_at,
    -- last: an incremental table built before the flag gets it appended (on_schema_change), as a new one has it
    release_date_imputed
from ranked
where vintage_rank = 1
