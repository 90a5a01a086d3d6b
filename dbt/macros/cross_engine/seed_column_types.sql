{#- 跨引擎 / Cross-engine: the one place for SQL that differs between DuckDB and Spark (docs/cluster.md).
    Seeds declare their column types in DuckDB's words (seeds/properties.yml: varchar, double, integer,
    date, boolean). Spark wants a length on varchar, so on Spark the seed's DDL and its typed inserts
    read `varchar` as dbt's cross-database string type; every other type name means the same on both. -#}

{% macro cross_engine_type(type_name) -%}
    {{ return(adapter.dispatch('cross_engine_type', 'zhuzhou_progress')(type_name)) }}
{%- endmacro %}

{% macro default__cross_engine_type(type_name) -%}
    {{ return(type_name) }}
{%- endmacro %}

{% macro spark__cross_engine_type(type_name) -%}
    {{ return(dbt.type_string() if (type_name | lower | trim) in ['varchar', 'text'] else type_name) }}
{%- endmacro %}

{#- The seed node with its column_types in the current engine's words. -#}
{% macro cross_engine_seed_node(model) -%}
    {%- set column_types = {} -%}
    {%- for name, type_name in model['config'].get('column_types', {}).items() -%}
        {%- do column_types.update({name: cross_engine_type(type_name)}) -%}
    {%- endfor -%}
    {%- set config = {} -%}
    {%- do config.update(model['config']) -%}
    {%- do config.update({'column_types': column_types}) -%}
    {%- set node = {} -%}
    {%- do node.update(model) -%}
    {%- do node.update({'config': config}) -%}
    {{ return(node) }}
{%- endmacro %}

{#- dbt-spark's seed DDL and inserts, given the translated types (this project's macros come first in
    adapter.dispatch, so these replace the adapter's own for this project's seeds). -#}
{% macro spark__create_csv_table(model, agate_table) -%}
    {{ return(dbt.spark__create_csv_table(cross_engine_seed_node(model), agate_table)) }}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {{ return(dbt.spark__load_csv_rows(cross_engine_seed_node(model), agate_table)) }}
{%- endmacro %}
