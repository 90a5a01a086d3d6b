{#- Data tests follow new data: a test whose config says `where: __rows_of_this_run__` (dbt_project.yml
    sets it for staging, intermediate and marts) checks only the rows this run wrote or read for the
    first time, so a new month's tests do not re-scan ten years of history. What "this run" means comes
    from the columns of the relation tested:
    - inputs_loaded_through (the models incremental by target): the rows carrying the model's
      high-water mark, i.e. every row of every target recomputed in this run (rewritten whole, so a
      uniqueness test per target stays sound);
    - target_id, on a view over int_target_assessment (fct_target_progress): the targets it recomputed in
      this run (a view holds no rows of its own; tables the marts rebuild whole are tested whole);
    - ingested_at (the staged raw releases): the rows loaded after the last build that succeeded
      (raw_loaded_through in orchestration.dbt_builds, written by dagster_project/dbt_build.py after
      the build and its tests passed, so a build whose tests failed has its rows tested again);
    - recorded_as_of (fct_scorecard_monthly, whose closed months are written once and kept): the rows
      written as of this run's assessment date, or the day before (a build running past midnight
      wrote its rows as of the day it started), not every month of the recorded history.
    Everything is tested on a full refresh (any model, macro, seed or var changed), when the mark is
    not there (first build; on Spark, where orchestration.dbt_builds is not), and on a relation with
    none of these columns. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == '__rows_of_this_run__' -%}
        {%- set where = rows_of_this_run(relation) -%}
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

{% macro rows_of_this_run(relation) -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- if 'inputs_loaded_through' in columns -%}
        {%- do return(high_water_mark_rows(relation)) -%}
    {%- elif 'target_id' in columns and is_view_over('int_target_assessment') -%}
        {%- set assessment = built_relation('int_target_assessment') -%}
        {%- if assessment is not none -%}
            {%- do return('target_id in (select target_id from ' ~ assessment ~ ' where '
                ~ high_water_mark_rows(assessment) ~ ')') -%}
        {%- endif -%}
    {%- elif 'recorded_as_of' in columns -%}
        {%- do return('recorded_as_of >= ' ~ dbt.dateadd('day', -1, as_of_date())) -%}
    {%- elif 'ingested_at' in columns -%}
        {%- set builds = adapter.get_relation(database=relation.database, schema='orchestration', identifier='dbt_builds') -%}
        {%- set builds_columns = adapter.get_columns_in_relation(builds) | map(attribute='name') | map('lower') | list
            if builds is not none else [] -%}
        {%- if 'raw_loaded_through' in builds_columns -%}
            {%- do return('ingested_at > (select coalesce(max(raw_loaded_through), cast(\'1900-01-01\' as timestamp)) from '
                ~ builds ~ ')') -%}
        {%- endif -%}
    {%- endif -%}
    {%- do return('') -%}
{%- endmacro %}

{% macro high_water_mark_rows(relation) -%}
    inputs_loaded_through = (select max(inputs_loaded_through) from {{ relation }})
{%- endmacro %}

{#- Whether the model this test is attached to is a view that reads model_name directly. -#}
{% macro is_view_over(model_name) -%}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- if tested is none or tested.config.materialized != 'view' -%}
        {%- do return(false) -%}
    {%- endif -%}
    {%- for parent in tested.depends_on.nodes if parent.startswith('model.') and parent.split('.')[-1] == model_name -%}
        {%- do return(true) -%}
    {%- endfor -%}
    {%- do return(false) -%}
{%- endmacro %}

{#- The relation a model of this project was built into, none when it is not built (yet). A test runs
    after what it tests, and the marts a test filters this way are built after int_target_assessment. -#}
{% macro built_relation(model_name) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
        {%- do return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) -%}
    {%- endfor -%}
    {%- do return(none) -%}
{%- endmacro %}
