{#- 列变更检查 / The schema check of an incremental run (on_schema_change='append_new_columns', set for every
    incremental model in cross_engine/incremental.sql), in one statement. dbt's check_for_schema_changes
    `describe`s the new rows' temp table and the target one after the other: two statements and round
    trips per model, 24 in a new month. Here both are read by one query; what is compared and what
    follows is dbt's (a column the model gained is appended to the table, and the insert names the
    model's columns, as before).
    The check stays on every run although Dagster passes --full-refresh when a model, macro, seed or var
    changed (dagster_project/dbt_build.py): a model's columns can change with none of these (a
    `select *` over a raw table whose columns ingestion changed, a `dbt run` by hand), and without the
    check such a column would be left out of the table with no word. -#}
{% macro duckdb__check_for_schema_changes(source_relation, target_relation) -%}
    {%- set read -%}
        select 'source' as side, column_name, column_type from (describe {{ source_relation.render() }})
        union all
        select 'target' as side, column_name, column_type from (describe {{ target_relation.render() }})
    {%- endset -%}
    {%- set columns = {'source': [], 'target': []} -%}
    {#- in each relation's column order: DuckDB keeps a union's order (preserve_insertion_order) -#}
    {%- for row in run_query(read) -%}
        {%- do columns[row[0]].append(api.Column(row[1], row[2], none, none, none)) -%}
    {%- endfor -%}
    {%- set source_not_in_target = diff_columns(columns.source, columns.target) -%}
    {%- set target_not_in_source = diff_columns(columns.target, columns.source) -%}
    {%- set new_target_types = diff_column_data_types(columns.source, columns.target) -%}
    {%- set changes = {
        'schema_changed': source_not_in_target != [] or target_not_in_source != [] or new_target_types != [],
        'source_not_in_target': source_not_in_target,
        'target_not_in_source': target_not_in_source,
        'source_columns': columns.source,
        'target_columns': columns.target,
        'new_target_types': new_target_types
    } -%}
    {%- do log('In ' ~ target_relation ~ ': schema changed: ' ~ changes.schema_changed
        ~ '; source columns not in target: ' ~ source_not_in_target
        ~ '; target columns not in source: ' ~ target_not_in_source
        ~ '; new column types: ' ~ new_target_types) -%}
    {{ return(changes) }}
{%- endmacro %}
