{#- The mean of figures already rounded to `digits` decimals, rounded to `digits` as 四舍五入 does
    (half away from zero). It is summed in whole units of the last digit: a sum of doubles such as
    15.2 + 28.9 is not exactly 44.1, its mean 22.05 then rounds down to 22.0, and a sum taken in
    another order can round the other way (DuckDB and Spark disagreed on a unit's schedule gap).
    Whole units add up exactly in any order, and their mean, a ratio of two integers, sits exactly on
    the half (441 / 2 = 220.5) when the decimal mean does. Each figure times 10^digits lies within
    binary error of a whole number, never near a half, so DuckDB's and Spark's round agree on it; it
    is not cross_engine_round, whose Spark form calls a Java method that an aggregate may not hold. -#}
{% macro cross_engine_mean_of_rounded(value, digits) -%}
    {%- set scale = 10 ** digits -%}
    {{ cross_engine_round(
        'sum(round(' ~ value ~ ' * ' ~ scale ~ ')) / nullif(count(' ~ value ~ '), 0)'
    ) }} / {{ scale }}
{%- endmacro %}
