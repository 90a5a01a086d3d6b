{#- What identifies a published number across its vintages: what, where (region and subject), when,
    which measure. One definition for staging (which shows it) and int_observations__latest (which
    computes it only for the rows it keeps). -#}
{% macro observation_key_columns() -%}
    {{ return(['indicator_code', 'region_code', 'subject_code', 'period_code', 'measure']) }}
{%- endmacro %}

{% macro observation_key() -%}
    {{ dbt.hash(dbt.concat([
        'indicator_code', "'|'", 'region_code', "'|'", "coalesce(subject_code, '')", "'|'",
        'period_code', "'|'", 'measure'
    ])) }}
{%- endmacro %}
