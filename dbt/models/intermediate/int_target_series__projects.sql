{#- 项目类目标序列 / Listed projects (milestone targets): the project's stage at each period
    (seeds/listed_projects.csv, measure stage). One row per target x period; unioned into
    int_target_series. -#}
{{ incremental_by_target() }}

with targets as (
    {{ series_targets() }}
),

values_ as {{ not_materialized() }} (
    select * from {{ ref('int_indicator_values') }}
),

project_series as (
    select
        targets.target_id,
        values_.period_code,
        values_.period_kind,
        values_.period_start,
        values_.period_end,
        values_.value as actual_value,
        values_.value as underlying_value,
        values_.bound as actual_bound,
        values_.bound as underlying_bound,
        0.0 as base_value,
        cast(null as double) as baseline_level,
        cast(null as {{ dbt.type_string() }}) as baseline_period_code,
        values_.provenance,
        values_.is_illustrative,
        values_.derived_from,
        values_.source_file,
        values_.source_row,
        values_.source_ref,
        values_.release_id,
        values_.release_date,
        values_.is_revised,
        cast(null as integer) as units_total,
        cast(null as integer) as units_reporting,
        cast(null as double) as annual_base_level,
        false as baseline_is_estimated,
        cast(null as {{ dbt.type_string() }}) as status_note,
        cast(null as {{ dbt.type_string() }}) as no_actual_reason,
        cast(null as double) as year_before_value,
        -- no catalogue baseline here: int_target_series says 'data' where the row has a baseline level
        cast(null as {{ dbt.type_string() }}) as baseline_origin,
        values_.release_date_imputed
    from targets
    inner join values_
        on
            targets.scope_code = values_.subject_code
            and values_.measure = 'stage'
    where
        targets.scope_type = 'project'
        and values_.period_end between targets.start_date and targets.deadline
)

{{ series_with_comparison('project_series') }}
