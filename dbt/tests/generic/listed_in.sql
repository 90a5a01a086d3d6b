{#- Fails with the rows whose value is not one of the space-separated values of `list_field` in the row
    of `to` that shares this row's `key` (a target's comparator among its kind's, seeds/target_kinds.csv). -#}
{% test listed_in(model, column_name, to, key, list_field) %}
    select model_rows.*
    from {{ model }} as model_rows
    left join {{ to }} as listing
        on model_rows.{{ key }} = listing.{{ key }}
    where
        model_rows.{{ column_name }} is not null
        and (
            listing.{{ key }} is null
            -- position, not like: a value's % or _ would be a wildcard of like
            or {{ dbt.position(
                "' ' || model_rows." ~ column_name ~ " || ' '", "' ' || listing." ~ list_field ~ " || ' '"
            ) }} = 0
        )
{% endtest %}
