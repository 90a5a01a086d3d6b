{#- The incremental models after int_observations__latest recompute only the targets
    int_targets__changed marks (needs_rebuild): the pre-hook deletes their rows, the model's filter
    (only_targets_to_rebuild) computes them again, the rest of the table is kept. A full refresh
    computes every target. Such a model starts with {{ incremental_by_target() }}. -#}

{% macro incremental_by_target() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_targets_to_rebuild() }}",
        on_schema_change='append_new_columns'
    ) }}
-- incremental by target; depends_on: {{ ref('int_targets__changed') }}
{% endmacro %}

{% macro only_targets_to_rebuild(column='target_id') -%}
    {%- if is_incremental() -%}
        {{ column }} in (
            select changed.target_id from {{ ref('int_targets__changed') }} as changed
            where changed.needs_rebuild
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro delete_targets_to_rebuild() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ only_targets_to_rebuild() }}
    {%- endif -%}
{%- endmacro %}
