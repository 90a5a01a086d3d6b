{#- 跨引擎增量 / How an incremental model replaces its rows, per engine: the one place that decides.
    `key` is what the model's incremental logic rebuilds by; `unique_per_row` says whether it identifies
    one row (an observation, a month x target) or many (every row of a target).
    DuckDB: delete+insert on the key (dbt-duckdb).
    Spark, one row per key: `merge` on the key where the tables are Delta (its MERGE is one atomic
    commit); plain Parquet refuses merge, so there the model is rebuilt whole (materialized table).
    Spark, many rows per key: `insert_overwrite` partitioned by the key (dynamic partition overwrite
    replaces exactly the partitions of the targets written, as delete+insert does), on Delta (one atomic
    commit) and on Parquet alike. A merge would keep the rows a recomputed target no longer has.
    Spark, `rebuilt_whole_on_spark`: a key with too many values for a partition each (a series-year:
    hundreds in the sample, 380 k at national scale) would write as many small files; the model is
    rebuilt whole (materialized table), as it was before it was incremental.
    docs/cluster.md says what each gives up. -#}
{% macro cross_engine_incremental(key, unique_per_row, rebuilt_whole_on_spark=false) -%}
    {{ return(adapter.dispatch('cross_engine_incremental', 'zhuzhou_progress')(key, unique_per_row, rebuilt_whole_on_spark)) }}
{%- endmacro %}

{% macro default__cross_engine_incremental(key, unique_per_row, rebuilt_whole_on_spark) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=key,
        on_schema_change='append_new_columns'
    ) }}
{%- endmacro %}

{% macro spark__cross_engine_incremental(key, unique_per_row, rebuilt_whole_on_spark) -%}
    {%- set file_format = config.get('file_format') or env_var('PMW_SPARK_FILE_FORMAT', 'delta') -%}
    {%- if rebuilt_whole_on_spark -%}
        {{ config(materialized='table') }}
    {%- elif unique_per_row and file_format == 'delta' -%}
        {{ config(materialized='incremental', incremental_strategy='merge', unique_key=key,
                  on_schema_change='append_new_columns') }}
    {%- elif unique_per_row -%}
        {{ config(materialized='table') }}
    {%- else -%}
        {{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by=[key],
                  on_schema_change='append_new_columns') }}
    {%- endif -%}
{%- endmacro %}
