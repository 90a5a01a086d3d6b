{#- Sums and means of doubles that do not depend on the order the rows arrive in. A sum of doubles
    does in its last bits ((0.1 + 0.2) + 0.3 is 0.6000000000000001, 0.1 + (0.2 + 0.3) is 0.6), and the
    order is the engine's: DuckDB adds in the order its threads meet the rows, Spark in the order of its
    partitions. Two full builds of the 10-year benchmark gave 64,605 assessment rows whose seasonal
    expected share differed by up to 4.4e-16 (and the progress ratio and projection after it).
    Here each group's values are sorted and added one after the other, smallest first: the same
    doubles in the same order on every run and on both engines. It costs a list per group, so it is
    for small groups (the years of a seasonal profile, the links of a growth chain), not for totals
    over a whole table. A cast to DECIMAL would add exactly too, but DuckDB's cast from a double
    rounds (ln 1.5 lost its last bit and exp(2 ln 1.5) came out 2.2500000000000004). Null when every
    value is null. -#}
{% macro cross_engine_ordered_sum(value) -%}
    {{ return(adapter.dispatch('cross_engine_ordered_sum', 'zhuzhou_progress')(value)) }}
{%- endmacro %}

{% macro default__cross_engine_ordered_sum(value) -%}
    list_sum(list_sort(list(cast({{ value }} as double))))
{%- endmacro %}

{% macro spark__cross_engine_ordered_sum(value) -%}
    case when count({{ value }}) > 0 then
        aggregate(
            array_sort(collect_list(cast({{ value }} as double))), cast(0 as double), (pmw_sum, pmw_v) -> pmw_sum + pmw_v
        )
    end
{%- endmacro %}

{% macro cross_engine_ordered_mean(value) -%}
    {{ cross_engine_ordered_sum(value) }} / nullif(count({{ value }}), 0)
{%- endmacro %}
