{#- 基期值取用 / The baseline figure a target is measured against: the one rule, read by every model
    that used the catalogue's baseline_value (int_target_series__levels; fct_target_progress names it).
    One row per target whose catalogue quotes a baseline (seeds/targets.csv baseline_year, baseline_value).
      published  the warehouse holds a figure of the target's own series (its indicator, region and
                 measure, no subject) for the whole baseline year (period_kind year, period_code the
                 year) that is published (provenance published, bound eq: not illustrative, not derived,
                 not a bound), and its newest vintage differs from the quote by more than the quote's
                 rounding: the office revised it (最终核实, a census revision), and the calculation uses it
      catalogue  otherwise the quote, as the work report gave it: no such figure, an equal one within
                 rounding, or an illustrative sample figure (which never overrides the report's quote)
    The rounding of the quote (rounding_tolerance): half a unit of its last decimal digit, as the seed
    states it (3420.3 → 0.05; 38 → 0.5; 1016.11 → 0.005), read from the number: a quote written with
    trailing zeros (3420.0) counts as 3420 (0.5). Both sides are in the indicator's unit (the series is
    converted when it is loaded, and the catalogue quotes the baseline in it). dim_targets keeps the quote. -#}

with targets as (
    select * from {{ ref('int_targets__enriched') }}
    where baseline_value is not null and baseline_year is not null
),

values_ as {{ not_materialized() }} (
    select * from {{ ref('int_indicator_values') }}
),

quoted as (
    select
        targets.target_id,
        targets.indicator_code,
        targets.scope_code,
        targets.scope_type,
        targets.reads_own_series,
        targets.target_measure,
        targets.indicator_unit,
        targets.baseline_year,
        targets.baseline_value as catalogue_value,
        case
            when {{ cross_engine_round('targets.baseline_value', 0) }} = targets.baseline_value then 0.5
            when {{ cross_engine_round('targets.baseline_value', 1) }} = targets.baseline_value then 0.05
            when {{ cross_engine_round('targets.baseline_value', 2) }} = targets.baseline_value then 0.005
            when {{ cross_engine_round('targets.baseline_value', 3) }} = targets.baseline_value then 0.0005
            else 0.00005
        end as rounding_tolerance
    from targets
),

published as (
    select
        quoted.target_id,
        values_.value,
        values_.release_id,
        values_.source_file
    from quoted
    inner join values_
        on
            quoted.indicator_code = values_.indicator_code
            and quoted.scope_code = values_.region_code
            and quoted.target_measure = values_.measure
            and cast(quoted.baseline_year as {{ dbt.type_string() }}) = values_.period_code
            and values_.subject_code = ''
            and values_.period_kind = 'year'
    where
        quoted.scope_type in ('city', 'county')
        and quoted.reads_own_series
        and values_.provenance = 'published'
        and not values_.is_illustrative
        and values_.bound = 'eq'
),

decided as (
    select
        quoted.*,
        published.value as published_value,
        published.release_id as published_release_id,
        published.source_file as published_source_file,
        coalesce(abs(published.value - quoted.catalogue_value) > quoted.rounding_tolerance, false) as is_revised_by_release
    from quoted
    left join published
        on quoted.target_id = published.target_id
)

select
    target_id,
    baseline_year,
    catalogue_value,
    rounding_tolerance,
    published_value,
    published_release_id,
    published_source_file,
    case when is_revised_by_release then published_value else catalogue_value end as baseline_value,
    case when is_revised_by_release then 'published' else 'catalogue' end as baseline_origin,
    -- what the calculation trace says of a baseline a release revised:
    -- baseline 3631.2 亿元 (2021, published by release X, revised from the report's 3616.8)
    case
        when is_revised_by_release
            then
                'baseline ' || {{ cross_engine_number_text('published_value') }}
                || coalesce(' ' || indicator_unit, '') || ' (' || cast(baseline_year as {{ dbt.type_string() }})
                || ', published by release ' || coalesce(published_release_id, published_source_file, 'unnamed')
                || ', revised from the report''s ' || {{ cross_engine_number_text('catalogue_value') }} || ')'
    end as baseline_note
from decided
