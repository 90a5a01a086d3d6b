{#- CTE hint for big import CTEs: DuckDB materializes a CTE that is referenced more than once, a
    full copy of it. Over every number of the country that copy costs minutes and spills gigabytes
    (measured by `make bench`, see BENCHMARKS.md); `not materialized` lets each reference scan the
    table with its own filters instead. Results are the same, only the plan changes. Engines
    without the hint (Snowflake, BigQuery) get nothing: the SQL stays portable. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}{%- endmacro %}

{% macro duckdb__not_materialized() -%}not materialized{%- endmacro %}

{% macro postgres__not_materialized() -%}not materialized{%- endmacro %}

{#- The opposite hint, for a CTE that several others read and that is small: computed once instead of
    once per reader. Engines without it compute it as they choose. -#}
{% macro materialized() -%}
    {{ return(adapter.dispatch('materialized')()) }}
{%- endmacro %}

{% macro default__materialized() -%}{%- endmacro %}

{% macro duckdb__materialized() -%}materialized{%- endmacro %}

{% macro postgres__materialized() -%}materialized{%- endmacro %}
