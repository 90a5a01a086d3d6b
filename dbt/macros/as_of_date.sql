{#- The date the assessment is made as of: var('as_of_date') when set, else today.
    Every "by now" in the marts (序时进度, freshness, future periods) is measured against it. -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date', '') -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}
