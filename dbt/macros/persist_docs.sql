{#- 注释只写一次 / The table and column comments (persist_docs: the zh + en descriptions of the yml files)
    of an incremental model are written when its table is created; delete+insert keeps them. dbt-duckdb
    writes them again after every incremental run: a comment on the table, two `describe`s of it and a
    comment on every column, four statements and their round trips per model, for twelve models in a new
    month (0.24 s of int_target_series__ranks' 1.8 s in a benchmark run at a fifth of the national scale).
    Here an incremental run first reads the comments the table holds (with the schema check's columns,
    schema_changes.sql, else in one query of its own) and writes them only
    when one differs from the yml: a description edited, a column appended (on_schema_change), a table
    created (a --full-refresh of fct_scorecard_monthly, which stays incremental, among them).
    A table or view rebuilt whole is new, with no comments: it is commented with no look at what it holds,
    in two statements, not four: one `describe` (dbt's check that each documented column exists, with its
    warning when one does not) and one statement with the table's comment and every column's
    (dbt.default__persist_docs sent the table's alone, and dbt-duckdb's alter_column_comment described the
    relation again): 28 statements fewer over the 14 tables a new month rebuilds whole. -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- if is_incremental() and docs_already_persisted(relation, model, for_relation, for_columns) -%}
        {{ return('') }}
    {%- endif -%}
    {%- set comments = [] -%}
    {%- if for_relation and config.persist_relation_docs() and model.description -%}
        {%- do comments.append(alter_relation_comment(relation, model.description)) -%}
    {%- endif -%}
    {%- if for_columns and config.persist_column_docs() and model.columns -%}
        {%- set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- do comments.append(alter_column_comment(relation, validate_doc_columns(relation, model.columns, existing_columns))) -%}
    {%- endif -%}
    {%- if comments | join('') | trim -%}
        {%- do run_query(comments | join('\n')) -%}
    {%- endif -%}
{%- endmacro %}

{#- The comments on the columns of column_dict, which duckdb__persist_docs has checked against the
    relation's columns (dbt-duckdb's version described the relation again to check them). -#}
{% macro duckdb__alter_column_comment(relation, column_dict) -%}
    {%- for column_name in column_dict %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column_dict[column_name]['quote'] else column_name }}
        is {{ duckdb_escape_comment(column_dict[column_name]['description']) }};
    {%- endfor %}
{%- endmacro %}

{#- True when the relation's stored comments are the model's descriptions: its table's, when relation docs
    are persisted, and every documented column's, when column docs are (a documented column the table
    lacks counts as different: dbt then warns, as it always did). -#}
{% macro docs_already_persisted(relation, model, for_relation, for_columns) -%}
    {%- set want_table = for_relation and config.persist_relation_docs() and model.description -%}
    {%- set want_columns = for_columns and config.persist_column_docs() and model.columns -%}
    {%- if not want_table and not want_columns -%}
        {{ return(true) }}
    {%- endif -%}
    {#- read with the schema check of this run (schema_changes.sql), else here -#}
    {%- set comments = model.get('__stored_comments__', {}).get(relation | string) -%}
    {%- if comments is none -%}
        {%- set stored = run_query(
            "select '' as column_name, comment from duckdb_tables() where " ~ relation_is(relation)
            ~ " union all select lower(column_name), comment from duckdb_columns() where " ~ relation_is(relation)
        ) -%}
        {%- set comments = {} -%}
        {%- for row in stored.rows -%}
            {%- do comments.update({row[0]: row[1]}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if want_table and comments.get('') != model.description -%}
        {{ return(false) }}
    {%- endif -%}
    {%- if want_columns -%}
        {%- for name, column in model.columns.items() -%}
            {%- if name | lower not in comments or comments[name | lower] != column.description -%}
                {{ return(false) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(true) }}
{%- endmacro %}

{#- A relation in duckdb_tables() / duckdb_columns() (also schema_changes.sql). -#}
{% macro relation_is(relation) -%}
    database_name = '{{ relation.database }}' and schema_name = '{{ relation.schema }}'
    and table_name = '{{ relation.identifier }}'
{%- endmacro %}
