{#- Which targets the incremental models after int_observations__latest must recompute in this run,
    so that a new month costs the targets it concerns, not ten years of history.

    A target is recomputed when
      - a number it reads (int_target_inputs) for a period up to its deadline was loaded after the
        run that last built it (a new month, a revision, a late figure): inputs_loaded_through rises;
      - it is new, or the last complete build used other models, seeds or vars (chain_fingerprint:
        the checksums dbt keeps of every model and seed file, and as_of_date), which rebuilds all;
      - it was removed from the catalogue (is_removed: its rows are deleted).
    Data after a target's deadline never changes its rows, so a 2016 target is not recomputed when
    2026 figures arrive.

    The previous state is int_target_build_state, written after the marts succeed. It is read by
    name, not ref(), because it depends on this model: if a run fails half way the state stays as it
    was, and the next run recomputes the same targets again. dbt checksums models and seeds, not
    macros: Dagster passes a hash of dbt/macros as var macros_fingerprint; run dbt by hand after a
    macro change with `--full-refresh` (docs/architecture.md). -#}

{%- set fingerprint_parts = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type in ('model', 'seed') -%}
            {%- do fingerprint_parts.append(node.unique_id ~ ':' ~ node.checksum.checksum) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- do fingerprint_parts.append('as_of_date:' ~ var('as_of_date', '')) -%}
{#- macros: the orchestrator passes a hash of dbt/macros (dagster_project.resources.dbt_macros_fingerprint) -#}
{%- do fingerprint_parts.append('macros:' ~ var('macros_fingerprint', '')) -%}
{%- set chain_fingerprint = local_md5(fingerprint_parts | join('|')) -%}

{%- set previous_state = adapter.get_relation(
    database=this.database, schema=this.schema, identifier='int_target_build_state'
) if execute else none -%}
{%- set use_previous = previous_state is not none and not flags.FULL_REFRESH -%}

{%- set no_previous_state -%}
(
    select
        cast(null as varchar) as target_id,
        cast(null as varchar) as definition_hash,
        cast(null as timestamp) as inputs_loaded_through,
        cast(null as varchar) as chain_fingerprint
    where 1 = 0
)
{%- endset %}

{#- Every column of the target's definition (a big seed's checksum is only its path in dbt). -#}
{%- set definition_parts = ["coalesce(input_lists.input_list, '')"] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(ref('int_targets__enriched')) -%}
        {%- do definition_parts.extend(["'|'", "coalesce(cast(definitions." ~ column.name ~ " as varchar), '')"]) -%}
    {%- endfor -%}
{%- endif -%}

with definitions as (
    select * from {{ ref('int_targets__enriched') }}
),

inputs as (
    select * from {{ ref('int_target_inputs') }}
),

input_lists as (
    select
        target_id,
        {{ dbt.listagg(
            "input_kind || ':' || coalesce(indicator_code, '') || ':' || coalesce(region_code, '') || ':'"
            ~ " || coalesce(subject_code, '')",
            "','",
            "order by input_kind, indicator_code, region_code, subject_code"
        ) }} as input_list
    from inputs
    group by target_id
),

targets as (
    select
        definitions.target_id,
        definitions.deadline,
        {{ dbt.hash(dbt.concat(definition_parts)) }} as definition_hash
    from definitions
    left join input_lists
        on definitions.target_id = input_lists.target_id
),

-- the targets the last build left rows for, whatever it was built with
previously_built as (
    select * from {{ previous_state if use_previous else no_previous_state }}
),

-- what can be kept: built with the same models, seeds and vars
previous as (
    select
        target_id,
        definition_hash,
        inputs_loaded_through
    from previously_built
    where chain_fingerprint = '{{ chain_fingerprint }}'
),

-- Numbers loaded since the last build are the only ones that can move a state: every number that
-- existed then was counted in the state of each target it concerns. That is every number after the
-- newest state (the oldest would be 2016's targets, which would make a run scan ten years). A new or
-- changed target needs all of them.
loaded_since as (
    select
        case
            when exists (
                select 1 from targets
                where not exists (
                    select 1 from previous
                    where
                        previous.target_id = targets.target_id
                        and previous.definition_hash = targets.definition_hash
                )
            ) then cast(null as timestamp)
            else (select max(previous.inputs_loaded_through) from previous)
        end as loaded_after
),

recent_numbers as (
    select
        latest.indicator_code,
        latest.region_code,
        latest.subject_code,
        latest.period_end,
        latest.last_ingested_at
    from {{ ref('int_observations__latest') }} as latest
    cross join loaded_since
    where
        loaded_since.loaded_after is null
        or latest.last_ingested_at > loaded_since.loaded_after
),

recent_by_input as (
    select
        inputs.target_id,
        recent_numbers.period_end,
        recent_numbers.last_ingested_at
    from inputs
    inner join recent_numbers
        on
            inputs.indicator_code = recent_numbers.indicator_code
            and inputs.region_code = recent_numbers.region_code
    where inputs.input_kind = 'series'
    union all
    select
        inputs.target_id,
        recent_numbers.period_end,
        recent_numbers.last_ingested_at
    from inputs
    inner join recent_numbers
        on inputs.subject_code = recent_numbers.subject_code
    where inputs.input_kind = 'subject'
),

recent_by_target as (
    select
        recent_by_input.target_id,
        max(recent_by_input.last_ingested_at) as loaded_through
    from recent_by_input
    inner join targets
        on recent_by_input.target_id = targets.target_id
    where recent_by_input.period_end <= targets.deadline
    group by recent_by_input.target_id
),

current_targets as (
    select
        targets.target_id,
        false as is_removed,
        targets.definition_hash,
        case
            when previous.target_id is null or previous.definition_hash <> targets.definition_hash then true
            else
                coalesce(recent_by_target.loaded_through > previous.inputs_loaded_through, false)
                or (previous.inputs_loaded_through is null and recent_by_target.loaded_through is not null)
        end as needs_rebuild,
        coalesce(recent_by_target.loaded_through, previous.inputs_loaded_through) as inputs_loaded_through
    from targets
    left join previous
        on targets.target_id = previous.target_id
    left join recent_by_target
        on targets.target_id = recent_by_target.target_id
),

removed_targets as (
    select
        previously_built.target_id,
        true as is_removed,
        previously_built.definition_hash,
        true as needs_rebuild,
        cast(null as timestamp) as inputs_loaded_through
    from previously_built
    where not exists (
        select 1 from targets
        where targets.target_id = previously_built.target_id
    )
),

all_targets as (
    select * from current_targets
    union all
    select * from removed_targets
)

select
    target_id,
    definition_hash,
    is_removed,
    needs_rebuild,
    inputs_loaded_through,
    '{{ chain_fingerprint }}' as chain_fingerprint
from all_targets
