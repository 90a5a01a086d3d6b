{#- Use the custom schema name as is (staging, intermediate, marts, seeds) rather than dbt's
    default "<target>_<custom>", so analysts see stable schema names in DuckDB. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
