{#- 列变更检查 / The schema check of an incremental run (on_schema_change='append_new_columns', set for every
    incremental model in cross_engine/incremental.sql), in one statement. dbt's check_for_schema_changes
    `describe`s the new rows' temp table and the target one after the other: two statements and round
    trips per model, 24 in a new month. Here both are read by one query; what is compared and what
    follows is dbt's (a column the model gained is appended to the table, and the insert names the
    model's columns, as before). The same query reads the comments the table holds, which
    duckdb__persist_docs (persist_docs.sql) compares with the yml after the insert instead of reading
    them again: a third statement a model saved. A column appended here has no comment in what was read
    and is commented, as a column whose comment differs.
    The check stays on every run although Dagster passes --full-refresh when a model, macro, seed or var
    changed (dagster_project/dbt_build.py): a model's columns can change with none of these (a
    `select *` over a raw table whose columns ingestion changed, a `dbt run` by hand), and without the
    check such a column would be left out of the table with no word. -#}
{% macro duckdb__check_for_schema_changes(source_relation, target_relation) -%}
    {%- set read -%}
        select 'source' as side, row_number() over () as position, column_name, column_type, null as comment
        from (describe {{ source_relation.render() }})
        union all
        select 'target', column_index, column_name, data_type, comment from duckdb_columns()
        where {{ relation_is(target_relation) }}
        union all
        select 'table', 0, '', '', comment from duckdb_tables() where {{ relation_is(target_relation) }}
        order by side, position
    {%- endset -%}
    {%- set columns = {'source': [], 'target': []} -%}
    {%- set comments = {} -%}
    {%- for row in run_query(read) -%}
        {%- if row[0] == 'table' -%}
            {%- do comments.update({'': row[4]}) -%}
        {%- else -%}
            {%- do columns[row[0]].append(api.Column(row[2], row[3], none, none, none)) -%}
        {%- endif -%}
        {%- if row[0] == 'target' -%}
            {%- do comments.update({row[2] | lower: row[4]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do model.setdefault('__stored_comments__', {}).update({target_relation | string: comments}) -%}
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
