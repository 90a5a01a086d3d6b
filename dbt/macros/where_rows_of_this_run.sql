{#- Data tests on the models incremental by target check the rows of this run only: their tests get
    `where: __rows_of_this_run__` (dbt_project.yml, data_tests of intermediate), which this override of
    dbt's get_where_subquery turns into "the rows carrying the model's high-water mark", i.e. every row
    of every target recomputed in this run (they are rewritten whole, so a uniqueness test per target
    stays sound). After a full refresh every row carries the mark, so everything is tested; a build
    whose tests failed is not recorded, so Dagster's next build is a full refresh and tests everything
    again (dagster_project/dbt_build.py). On a model without the column the test reads every row. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == '__rows_of_this_run__' -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list if execute else [] -%}
        {%- set where = (
            'inputs_loaded_through = (select max(inputs_loaded_through) from ' ~ relation ~ ')'
        ) if 'inputs_loaded_through' in columns else '' -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
