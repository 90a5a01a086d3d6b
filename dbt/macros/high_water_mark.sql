{#- 增量水位 / An incremental model's high-water mark: the newest value of `column` (a load time) in
    {{ this }}, the rows an earlier run wrote; 1900-01-01 when there are none.

    Read when the model runs and written into its SQL as a timestamp literal. A filter on a literal is
    pushed down to the scan it filters, where DuckDB skips the row groups loaded before the mark; the
    same filter on a scalar subquery is applied only after every join above the scan, so a new month
    joined every figure ever loaded to the targets reading it (3 s per model at 10 years of history,
    0.07 s with the literal: BENCHMARKS.md).

    In a dbt unit test `this` is the fixture's CTE, which only the model's own query can read: there
    the mark stays a subquery, the same comparison. -#}
{% macro high_water_mark(column) -%}
    {%- if not is_incremental() -%}
        {#- a full build: no rows yet, and no mark to read -#}
        {{ timestamp_literal(none) }}
    {%- elif this is string -%}
        (select coalesce(max(built.{{ column }}), {{ timestamp_literal(none) }}) from {{ this }} as built)
    {%- else -%}
        {{ newest_value_literal(column, this) }}
    {%- endif -%}
{%- endmacro %}

{#- The newest value of a timestamp column of a built relation as text, read when the SQL runs; none
    when the relation is none or has no value, and while dbt only parses.
    Read once per node and run: a model asks for its mark in every filter that uses it (the empty-table
    check and the filter of only_targets_to_rebuild, and int_target_series' five reads of
    only_targets_to_rebuild_upstream): 37 queries and round trips for 12 models in a new month, 1 per
    model now. The value is kept in the node's `model` dict, which dbt builds anew for every node it
    renders, so nothing is carried to another node or run; the model's SQL is rendered (with
    `execute`) once, before it writes, so the mark kept is the one before this run's rows. -#}
{% macro newest_value(column, relation) -%}
    {%- if not execute or relation is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set sql = 'select cast(max(' ~ column ~ ') as ' ~ dbt.type_string() ~ ') from ' ~ relation -%}
    {%- set already_read = model.setdefault('__newest_values__', {}) if model is mapping else {} -%}
    {%- if sql not in already_read -%}
        {%- set value = run_query(sql).columns[0].values()[0] -%}
        {%- do already_read.update({sql: value | string if value is not none else none}) -%}
    {%- endif -%}
    {%- do return(already_read[sql]) -%}
{%- endmacro %}

{#- A value of newest_value() as SQL; none is 1900-01-01, older than any load. -#}
{% macro timestamp_literal(value) -%}
    cast('{{ value if value is not none else "1900-01-01 00:00:00" }}' as timestamp)
{%- endmacro %}

{#- The newest value of a timestamp column of a built relation as a literal (what the data tests of a
    new month filter on: where_rows_of_this_run.sql). -#}
{% macro newest_value_literal(column, relation) -%}
    {{ timestamp_literal(newest_value(column, relation)) }}
{%- endmacro %}
