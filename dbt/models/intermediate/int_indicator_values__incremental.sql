{#- The table behind int_indicator_values (the view other models read). One series of values per
    indicator, region, subject and period: the published (or illustrative) figures (a published level
    supersedes the illustrative levels of its series-year), plus two kinds of derived rows, each saying
    what it came from:
    - ratio indicators (e.g. budget revenue as a share of GDP) from their numerator and denominator
      for the same region and period;
    - levels of growth-only releases: where a period has a reported growth rate but no level, the
      level of the same period a year earlier times (1 + growth). Reported growth is often real
      (comparable prices) while levels are nominal, so the derived level is flagged, never passed
      off as published, and the reported growth row is kept beside it.

    Incremental by series-year (indicator, region, subject, year of the period's end): a run recomputes
    the series-years with a figure loaded since this table's high-water mark, the year after each (its
    growth rates become levels from this year's) and the ratios whose numerator or denominator is among
    them, and replaces all their rows (delete+insert on the series-year; on Spark the table is rebuilt
    whole, dbt/macros/cross_engine/incremental.sql). Every rule below acts within a series-year or on
    the year before, so the series-years read are these, the year before each and a ratio's numerator
    and denominator. A new national month recomputes one year of the series it reaches, not ten
    (BENCHMARKS.md). Known limit: a ratio whose denominator is revised to zero or below in every period
    of a year keeps its earlier rows of that year until the next full refresh. -#}
{{ cross_engine_incremental(
    ['indicator_code', 'region_code', 'subject_code', 'series_year'], unique_per_row=false, rebuilt_whole_on_spark=true
) }}

with indicators as (
    select * from {{ ref('stg_seeds__indicators') }}
),

{% if is_incremental() -%}
-- the series-years with a figure loaded since the mark: a filter on a literal (macros/high_water_mark.sql)
changed as (
    select distinct
        indicator_code,
        region_code,
        subject_code,
        {{ series_year('period_end') }} as series_year
    from {{ ref('int_observations__latest') }}
    where last_ingested_at > {{ high_water_mark('inputs_loaded_through') }}
),

rebuilt as (
    select * from changed
    union
    -- a growth rate of the next year becomes a level from this year's
    select
        indicator_code,
        region_code,
        subject_code,
        series_year + 1 as series_year
    from changed
    union
    select
        ratios.indicator_code,
        changed.region_code,
        changed.subject_code,
        changed.series_year
    from changed
    inner join indicators as ratios
        on
            ratios.measure_kind = 'ratio'
            and changed.indicator_code in (ratios.numerator_code, ratios.denominator_code)
),

read_series_years as (
    select * from rebuilt
    union
    -- the base of a level derived from growth
    select
        indicator_code,
        region_code,
        subject_code,
        series_year - 1 as series_year
    from rebuilt
    union
    select
        component.indicator_code,
        rebuilt.region_code,
        rebuilt.subject_code,
        rebuilt.series_year
    from rebuilt
    inner join indicators as ratios
        on
            rebuilt.indicator_code = ratios.indicator_code
            and ratios.measure_kind = 'ratio'
    inner join indicators as component
        on component.indicator_code in (ratios.numerator_code, ratios.denominator_code)
),

{% endif -%}
latest as {{ not_materialized() }} (
    select observations.*
    from {{ ref('int_observations__latest') }} as observations
    {%- if is_incremental() %}
        inner join read_series_years
            on {{ in_series_year('observations', 'read_series_years') }}
    {%- endif %}
),

-- Real figures beside the sample: a published level of a flow supersedes the illustrative levels of
-- the same series, year and kind of period (cumulative: year to date, quarter, half, year; or single
-- months) that end no later than it: their months would not add up to it (an illustrative Jan-May above a real H1). Flows only:
-- a count, rate or class is a point in time that a real figure of another month does not contradict;
-- growth rates and ranks stand for their own period. The staged checks judge the rows kept here
-- (dagster_project/checks/batches.py reads this model, ytd_not_decreasing).
flagged as {{ not_materialized() }} (
    select
        latest.*,
        (
            latest.provenance = 'illustrative'
            and latest.measure = 'value'
            and latest.period_kind <> 'multi_year'
            and latest.indicator_code in (
                select flows.indicator_code from indicators as flows
                where flows.measure_kind = 'flow'
            )
            and exists (
                select 1 from latest as real_figure
                where
                    real_figure.provenance = 'published'
                    and real_figure.measure = 'value'
                    and real_figure.period_kind <> 'multi_year'
                    and (real_figure.period_kind = 'month') = (latest.period_kind = 'month')
                    and real_figure.indicator_code = latest.indicator_code
                    and real_figure.region_code = latest.region_code
                    and real_figure.subject_code = latest.subject_code
                    and {{ series_year('real_figure.period_end') }} = {{ series_year('latest.period_end') }}
                    -- the months up to the real figure: an illustrative total after it still adds to it
                    and latest.period_end <= real_figure.period_end
            )
        ) as is_superseded
    from latest
),

published as {{ not_materialized() }} (
    select
        flagged.indicator_code,
        flagged.region_code,
        flagged.subject_code,
        flagged.period_code,
        flagged.period_kind,
        flagged.period_start,
        flagged.period_end,
        flagged.measure,
        flagged.value,
        flagged.bound,
        flagged.provenance,
        flagged.provenance = 'illustrative' as is_illustrative,
        flagged.derived_from,
        flagged.source_file,
        flagged.source_row,
        flagged.source_ref,
        flagged.release_id,
        flagged.release_date,
        flagged.is_revised,
        -- release_date is the day the figure's file arrived (it states none); false on a row of
        -- int_observations__latest written before the flag (its old rows have none)
        coalesce(flagged.release_date_imputed, false) as release_date_imputed
    from flagged
    where not flagged.is_superseded
),

ratio_inputs as (
    select
        ind.indicator_code,
        num.region_code,
        num.subject_code,
        num.period_code,
        num.period_kind,
        num.period_start,
        num.period_end,
        num.value as numerator_value,
        den.value as denominator_value,
        num.provenance as numerator_provenance,
        den.provenance as denominator_provenance,
        num.bound as numerator_bound,
        den.bound as denominator_bound,
        -- each input by file and row: '#' names a workbook's sheet in source_file (月报.xlsx#5月)
        num.source_file || ' row ' || num.source_row || ' / ' || den.source_file || ' row ' || den.source_row as source_file,
        greatest(num.release_date, den.release_date) as release_date,
        num.release_id,
        num.is_revised or den.is_revised as is_revised,
        -- the date shown (the later input's) is an arrival day unless an input whose file states it has it:
        -- an undated input's true date is no later than the day it arrived
        case
            when num.release_date >= den.release_date and not num.release_date_imputed then false
            when den.release_date >= num.release_date and not den.release_date_imputed then false
            else true
        end as release_date_imputed,
        ind.numerator_code,
        ind.denominator_code
    from indicators as ind
    inner join published as num
        on
            ind.numerator_code = num.indicator_code
            and num.measure = 'value'
    inner join published as den
        on
            ind.denominator_code = den.indicator_code
            and den.measure = 'value'
            and num.region_code = den.region_code
            and num.subject_code = den.subject_code
            and num.period_code = den.period_code
    where
        ind.measure_kind = 'ratio'
        and den.value > 0
),

derived_ratios as (
    select
        indicator_code,
        region_code,
        subject_code,
        period_code,
        period_kind,
        period_start,
        period_end,
        'value' as measure,
        100.0 * numerator_value / denominator_value as value,
        case
            when numerator_bound = 'eq' and denominator_bound = 'eq' then 'eq'
            else 'approx'
        end as bound,
        'derived' as provenance,
        numerator_provenance = 'illustrative' or denominator_provenance = 'illustrative' as is_illustrative,
        numerator_code || ' ' || {{ cross_engine_number_text("numerator_value") }} || ' (' || numerator_provenance || ') / '
        || denominator_code || ' ' || {{ cross_engine_number_text("denominator_value") }} || ' (' || denominator_provenance
        || ') × 100, ' || period_code as derived_from,
        source_file,
        cast(null as integer) as source_row,
        cast(null as {{ dbt.type_string() }}) as source_ref,
        release_id,
        release_date,
        is_revised,
        release_date_imputed
    from ratio_inputs
),

growth_without_level as (
    select growth.*
    from published as growth
    where
        growth.measure = 'yoy_pct'
        and not exists (
            select 1
            -- a superseded illustrative level still counts: no illustrative level is derived in its place
            from flagged as level_
            where
                level_.measure = 'value'
                and level_.indicator_code = growth.indicator_code
                and level_.region_code = growth.region_code
                and level_.subject_code = growth.subject_code
                and level_.period_code = growth.period_code
        )
),

derived_levels as (
    select
        growth.indicator_code,
        growth.region_code,
        growth.subject_code,
        growth.period_code,
        growth.period_kind,
        growth.period_start,
        growth.period_end,
        'value' as measure,
        base.value * (1 + growth.value / 100.0) as value,
        'approx' as bound,
        'derived' as provenance,
        growth.is_illustrative or base.is_illustrative as is_illustrative,
        base.period_code || ' level ' || {{ cross_engine_number_text("base.value") }} || ' (' || base.provenance
        || coalesce(', ' || base.source_ref, '') || ') × (1 + ' || {{ cross_engine_number_text("growth.value") }} || '% reported growth '
        || growth.period_code || '); reported growth may be real while the level is nominal' as derived_from,
        growth.source_file,
        growth.source_row,
        cast(null as {{ dbt.type_string() }}) as source_ref,
        growth.release_id,
        growth.release_date,
        growth.is_revised or base.is_revised as is_revised,
        -- the date shown is the growth rate's: its flag
        growth.release_date_imputed
    from growth_without_level as growth
    inner join published as base
        on
            base.measure = 'value'
            and base.provenance <> 'derived'
            and growth.indicator_code = base.indicator_code
            and growth.region_code = base.region_code
            and growth.subject_code = base.subject_code
            and growth.period_kind = base.period_kind
            and base.period_code = {{ period_code_year_before('growth.period_code', 'growth.period_end') }}
),

all_values as (
    select * from published
    union all
    select * from derived_ratios
    union all
    select * from derived_levels
)

select
    all_values.*,
    {{ series_year('all_values.period_end') }} as series_year,
    {{ inputs_loaded_through() }} as inputs_loaded_through
from all_values
{%- if is_incremental() %}
    inner join rebuilt
        on {{ in_series_year('all_values', 'rebuilt') }}
{%- endif %}
