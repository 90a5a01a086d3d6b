{#- Incremental by target, the dbt way. A model that starts with {{ incremental_by_target() }} keeps on
    every row inputs_loaded_through ({{ inputs_loaded_through() }}): when the newest figure known to the
    run that wrote the row was loaded. The newest of these in {{ this }} is the model's high-water mark.
    An incremental run recomputes the targets that read a figure, for a period up to their deadline,
    loaded after that mark (only_targets_to_rebuild, over int_target_inputs__loaded) and replaces all
    their rows (delete+insert on target_id; on Spark a partition overwrite, dbt/macros/cross_engine/incremental.sql); the other targets' rows are kept. Each model reads its own
    mark only, so a run that failed half way is caught up by the next one.
    A full refresh computes every target. Dagster passes --full-refresh when a model, macro, seed or var
    changed since the last successful build, or a target was added or removed
    (dagster_project/dbt_build.py): the mark only follows data. -#}

{% macro incremental_by_target() -%}
    {#- delete+insert on target_id on DuckDB; the Spark equivalent in cross_engine_incremental -#}
    {{ cross_engine_incremental('target_id', unique_per_row=false) }}
{%- endmacro %}

{#- The high-water mark stamped on the rows a run writes: the newest load of a figure some target reads. -#}
{% macro inputs_loaded_through() -%}
    (select max(loaded.last_ingested_at) from {{ ref('int_target_inputs__loaded') }} as loaded)
{%- endmacro %}

{% macro only_targets_to_rebuild(column='target_id') -%}
    {#- ref() outside the if: a real dependency of every incremental model, seen when dbt parses it -#}
    {%- set loaded = ref('int_target_inputs__loaded') -%}
    {%- if is_incremental() -%}
        {{ column }} in (
            select loaded.target_id from {{ loaded }} as loaded
            where
                loaded.period_end <= loaded.deadline
                and loaded.last_ingested_at > (
                    select coalesce(max(built.inputs_loaded_through), cast('1900-01-01' as timestamp))
                    from {{ this }} as built
                )
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
