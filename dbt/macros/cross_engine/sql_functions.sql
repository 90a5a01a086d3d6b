{#- 跨引擎 / Cross-engine SQL: the functions whose spelling differs between DuckDB and Spark, each behind
    adapter.dispatch (default__ = DuckDB's spelling, spark__ = Spark's). dbt's own cross-database macros
    (dbt.type_string(), dbt.datediff, dbt.listagg, dbt.hash ...) come first; these cover what dbt has not.
    docs/cluster.md lists which model used what. -#}

{#- A number as text (rounded to `digits` decimals first, when given), written the way DuckDB writes a
    double (the explanation texts of the marts: derived_from, explanation, task traces). DuckDB writes the
    shortest round-trip digits, in plain notation from 1e-4 up to 1e16 (10000000.0, 0.0001) and as 1e+16 /
    1e-05 outside; Spark writes Java's Double.toString, plain only from 1e-3 up to 1e7 (1.0E7, 1.0E-4). On
    Spark the same digits are re-written in DuckDB's notation (rounding: cross_engine_round). -#}
{% macro cross_engine_number_text(value, digits=none) -%}
    {{ return(adapter.dispatch('cross_engine_number_text', 'zhuzhou_progress')(value, digits)) }}
{%- endmacro %}

{% macro default__cross_engine_number_text(value, digits) -%}
    {%- if digits is none -%}
        cast({{ value }} as varchar)
    {%- else -%}
        cast({{ cross_engine_round(value, digits) }} as varchar)
    {%- endif -%}
{%- endmacro %}

{#- Spark: the value is bound once to a lambda variable (transform over a one-element array), so the
    expression is not repeated in every branch (a view of fct_target_progress written out that way no
    longer fits the metastore's view text). -#}
{% macro spark__cross_engine_number_text(value, digits) -%}
    {%- set x = 'cast(' ~ value ~ ' as double)' if digits is none else cross_engine_round(value, digits) -%}
    element_at(transform(array({{ x }}), pmw_x -> case
        when pmw_x is null then null
        when pmw_x = 0 or (abs(pmw_x) >= 1e-3 and abs(pmw_x) < 1e7) then cast(pmw_x as string)
        when abs(pmw_x) >= 1e-4 and abs(pmw_x) < 1e16
            then regexp_replace(
                regexp_replace(cast(cast(cast(pmw_x as string) as decimal(38, 20)) as string), '0+$', ''),
                '[.]$', '.0'
            )
        else
            regexp_replace(substring_index(cast(pmw_x as string), 'E', 1), '[.]0$', '')
            || 'e'
            || case when cast(substring_index(cast(pmw_x as string), 'E', -1) as int) < 0 then '-' else '+' end
            || lpad(cast(abs(cast(substring_index(cast(pmw_x as string), 'E', -1) as int)) as string), 2, '0')
    end), 1)
{%- endmacro %}

{#- round(x, digits) of a double as DuckDB rounds it: the exact binary value, half away from zero, and a
    negative number rounded to zero stays -0.0. Spark's round rounds the shortest decimal text of the double
    instead (0.85 is 0.84999999999999997... in binary: DuckDB 0.8, Spark 0.9; the averages of one-decimal
    figures land on such ties often) and drops the sign of -0.0. On Spark: p = x * 10^digits, and the exact
    error of that product from Math.fma (java_method); a p that sits on .5 is rounded toward zero when the
    exact product lies just inside the tie. -#}
{% macro cross_engine_round(value, digits=0) -%}
    {{ return(adapter.dispatch('cross_engine_round', 'zhuzhou_progress')(value, digits)) }}
{%- endmacro %}

{% macro default__cross_engine_round(value, digits) -%}
    round({{ value }}{{ ', ' ~ digits if digits else '' }})
{%- endmacro %}

{% macro spark__cross_engine_round(value, digits) -%}
    {%- set scale = '1e' ~ digits ~ 'd' -%}
    element_at(transform(array(cast({{ value }} as double)), pmw_v -> case
        when pmw_v is null then null
        when pmw_v < 0 and abs(pmw_v) * {{ scale }} < 0.5 then cast('-0.0' as double)
        when abs(pmw_v * {{ scale }} - (case when pmw_v >= 0 then floor(pmw_v * {{ scale }}) else ceil(pmw_v * {{ scale }}) end)) = 0.5
            and sign(cast(java_method('java.lang.Math', 'fma', pmw_v, {{ scale }}, -(pmw_v * {{ scale }})) as double)) = -sign(pmw_v)
            then (case when pmw_v >= 0 then floor(pmw_v * {{ scale }}) else ceil(pmw_v * {{ scale }}) end) / {{ scale }}
        else round(pmw_v * {{ scale }}) / {{ scale }}
    end), 1)
{%- endmacro %}

{#- A date or timestamp as text, with a strftime format (%Y %m %d %b and literal text such as 年). -#}
{% macro cross_engine_format_date(value, format) -%}
    {{ return(adapter.dispatch('cross_engine_format_date', 'zhuzhou_progress')(value, format)) }}
{%- endmacro %}

{% macro default__cross_engine_format_date(value, format) -%}
    strftime({{ value }}, '{{ format }}')
{%- endmacro %}

{% macro spark__cross_engine_format_date(value, format) -%}
    {%- set java = format.replace('%Y', 'yyyy').replace('%m', 'MM').replace('%d', 'dd').replace('%b', 'MMM') -%}
    date_format({{ value }}, '{{ java }}')
{%- endmacro %}

{#- One row per month start from `start` to `stop` (timestamps, both month starts), as a select-list
    expression: `select ..., {{ cross_engine_month_starts(a, b) }} as month_start from ...`. Spark refuses a
    generator nested in another expression (a cast): select it as it is, in a subquery. -#}
{% macro cross_engine_month_starts(start, stop) -%}
    {{ return(adapter.dispatch('cross_engine_month_starts', 'zhuzhou_progress')(start, stop)) }}
{%- endmacro %}

{% macro default__cross_engine_month_starts(start, stop) -%}
    unnest(generate_series({{ start }}, {{ stop }}, interval 1 month))
{%- endmacro %}

{#- Spark's sequence() fails on a start after the stop where DuckDB gives no rows: guarded. -#}
{% macro spark__cross_engine_month_starts(start, stop) -%}
    explode(if({{ start }} <= {{ stop }}, sequence({{ start }}, {{ stop }}, interval 1 month), array()))
{%- endmacro %}

{#- One row per integer from `first` to `last`, as a select-list expression. -#}
{% macro cross_engine_integer_range(first, last) -%}
    {{ return(adapter.dispatch('cross_engine_integer_range', 'zhuzhou_progress')(first, last)) }}
{%- endmacro %}

{% macro default__cross_engine_integer_range(first, last) -%}
    unnest(generate_series({{ first }}, {{ last }}))
{%- endmacro %}

{% macro spark__cross_engine_integer_range(first, last) -%}
    explode(sequence({{ first }}, {{ last }}))
{%- endmacro %}

{#- One row per part of a delimited text (a literal, non-regex delimiter), as a select-list expression. -#}
{% macro cross_engine_split_to_rows(text, delimiter) -%}
    {{ return(adapter.dispatch('cross_engine_split_to_rows', 'zhuzhou_progress')(text, delimiter)) }}
{%- endmacro %}

{% macro default__cross_engine_split_to_rows(text, delimiter) -%}
    unnest(string_split({{ text }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro spark__cross_engine_split_to_rows(text, delimiter) -%}
    explode(split({{ text }}, '[{{ delimiter }}]'))
{%- endmacro %}

{#- The last non-null value of `value` in a window: write `{{ cross_engine_last_value_ignore_nulls(x) }} over w`. -#}
{% macro cross_engine_last_value_ignore_nulls(value) -%}
    {{ return(adapter.dispatch('cross_engine_last_value_ignore_nulls', 'zhuzhou_progress')(value)) }}
{%- endmacro %}

{% macro default__cross_engine_last_value_ignore_nulls(value) -%}
    last_value({{ value }} ignore nulls)
{%- endmacro %}

{% macro spark__cross_engine_last_value_ignore_nulls(value) -%}
    last_value({{ value }}, true)
{%- endmacro %}

{#- Every column of `relation` (read as `alias`) but those in `exclude`, with those in `replace`
    ({column: expression}) computed instead, in place. DuckDB: `alias.* exclude (...)` / `alias.* replace
    (... as column)`; Spark has neither, so there the columns are listed from the relation. -#}
{% macro cross_engine_star(relation, alias, exclude=[], replace={}) -%}
    {{ return(adapter.dispatch('cross_engine_star', 'zhuzhou_progress')(relation, alias, exclude, replace)) }}
{%- endmacro %}

{% macro default__cross_engine_star(relation, alias, exclude, replace) -%}
    {{ alias }}.*
    {%- if exclude %} exclude ({% for column in exclude %}{{ alias }}.{{ column }}{{ ', ' if not loop.last }}{% endfor %}){% endif %}
    {%- if replace %} replace ({% for column, expression in replace.items() %}{{ expression }} as {{ column }}{{ ', ' if not loop.last }}{% endfor %}){% endif %}
{%- endmacro %}

{% macro spark__cross_engine_star(relation, alias, exclude, replace) -%}
    {%- if not execute -%}{{ return(alias ~ '.*') }}{%- endif -%}
    {%- set excluded = exclude | map('lower') | list -%}
    {%- set found = namespace(columns=adapter.get_columns_in_relation(relation)) -%}
    {%- if found.columns | length == 0 -%}
        {#- in a dbt unit test the input is a CTE that Spark cannot describe: the model it stands for has
            the same columns -#}
        {%- set name = relation.identifier | replace('__dbt__cte__', '') -%}
        {#- the layer's schema from the model's name (stg_ / int_ / fct_, dim_; seeds otherwise) -#}
        {%- set layer = {'stg': 'staging', 'int': 'intermediate', 'fct': 'marts', 'dim': 'marts'} -%}
        {%- set model_relation = adapter.get_relation(
            database=none, schema=layer.get(name.split('_')[0], 'seeds'), identifier=name) -%}
        {%- if model_relation is not none -%}
            {%- set found.columns = adapter.get_columns_in_relation(model_relation) -%}
        {%- endif -%}
        {%- if found.columns | length == 0 -%}
            {{ exceptions.raise_compiler_error('cross_engine_star: no columns found for ' ~ relation) }}
        {%- endif -%}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in found.columns -%}
        {%- if column.name | lower in replace -%}
            {%- do columns.append(replace[column.name | lower] ~ ' as `' ~ column.name ~ '`') -%}
        {%- elif column.name | lower not in excluded -%}
            {%- do columns.append(alias ~ '.`' ~ column.name ~ '`') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns | join(',\n    ')) }}
{%- endmacro %}

{#- dbt.listagg on Spark: dbt-spark's drops the order_by_clause (a warning, and the order is whatever the
    shuffle gives); Spark 4 has listagg ... within group (order by ...). This project's spark__listagg
    comes first in dbt's dispatch, so dbt.listagg keeps its order on both engines. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause=none, limit_num=none) -%}
    {%- if order_by_clause and not limit_num -%}
        listagg({{ measure }}, {{ delimiter_text }}) within group ({{ order_by_clause }})
    {%- else -%}
        {{ return(dbt.spark__listagg(measure, delimiter_text, order_by_clause, limit_num)) }}
    {%- endif -%}
{%- endmacro %}
