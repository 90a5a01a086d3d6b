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

{#- The high-water mark stamped on the rows a run writes: the newest load of a figure some target reads.
    int_observations__latest holds only such figures, so its newest load is that, read from one column
    of one table (through int_target_inputs__loaded it joined every figure ever loaded to its targets:
    3 s per model at 10 years of history). A later load is later than every load this run knew, which
    is all the mark must tell apart. -#}
{% macro inputs_loaded_through() -%}
    (select max(latest.last_ingested_at) from {{ ref('int_observations__latest') }} as latest)
{%- endmacro %}

{% macro only_targets_to_rebuild(column='target_id') -%}
    {#- ref() outside the if: a real dependency of every incremental model, seen when dbt parses it -#}
    {%- set loaded = ref('int_target_inputs__loaded') -%}
    {%- if is_incremental() and this is not string and newest_value('inputs_loaded_through', this) is none -%}
        {#- The table holds no rows (no target of its kind had any): there is no mark, and finding the
            targets with figures loaded since 1900 joins every figure to its targets (3 s at 10 years of
            history, every month, for a model with nothing to write). Every target, as a full build. -#}
        true
    {%- elif is_incremental() -%}
        {{ column }} in (
            select loaded.target_id from {{ loaded }} as loaded
            where
                loaded.period_end <= loaded.deadline
                and loaded.last_ingested_at > {{ high_water_mark('inputs_loaded_through') }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The same filter on a model that is itself incremental by target (its rows stamped with
    inputs_loaded_through). Every row of a target to rebuild was rewritten by that model's run after the
    figure was loaded, so it carries a stamp newer than this model's mark; the stamp is compared with a
    literal, which DuckDB checks against each row group's min/max and so skips the history unread. The
    target list alone made DuckDB hash every upstream row to probe it with the few targets (a semi join
    built on the wide side): at 10 years of history that was 1.6 s of int_target_assessment's new month
    and its peak memory rose from 0.2 to 1 GB (BENCHMARKS.md). The target list stays: rows stamped newer
    may belong to targets another run recomputed, which this one need not. -#}
{% macro only_targets_to_rebuild_upstream(column='target_id') -%}
    {#- outside the if: its ref() is a dependency dbt must see when it parses -#}
    {%- set targets_to_rebuild = only_targets_to_rebuild(column) -%}
    {%- if is_incremental() -%}
        inputs_loaded_through > {{ high_water_mark('inputs_loaded_through') }}
        and {{ targets_to_rebuild }}
    {%- else -%}
        {{ targets_to_rebuild }}
    {%- endif -%}
{%- endmacro %}
