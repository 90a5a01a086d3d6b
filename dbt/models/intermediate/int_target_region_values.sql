{#- Regional targets unit by unit: each county (全覆盖, 各县市区 targets) or each monitoring section
    of a river (water class targets), at each period, with its value and whether it counts.
    Coverage uses the latest stock known at the period end (a county keeps its listed firm until a
    release says otherwise); rates and classes use the figure of that very period. A section is known
    by its code (the figure's subject): the city's monitoring report files every section under the city
    (430200), so a section's figure is read whether it is filed under the section's county or under
    that county's city; the county's filing wins when both exist. -#}
{{ incremental_by_target() }}

{#- what a unit's value carries, whichever rule found it (stock or same period): the figure `obs` -#}
{%- set unit_value_columns -%}
    obs.value,
    obs.bound,
    obs.provenance,
    obs.is_illustrative,
    obs.source_file,
    obs.source_row,
    obs.release_date,
    obs.period_code as value_period_code,
    obs.release_date_imputed
{%- endset %}

with targets as (
    select * from {{ ref('int_targets__enriched') }}
    where
        scope_type in ('every_county', 'river')
        and {{ only_targets_to_rebuild() }}
),

regions as (
    select * from {{ ref('stg_seeds__regions') }}
),

sections as (
    select * from {{ ref('stg_seeds__monitoring_sections') }}
),

values_ as {{ not_materialized() }} (
    select * from {{ ref('int_indicator_values') }}
    where measure in ('value', 'class')
),

county_units as (
    select
        targets.target_id,
        regions.region_code,
        '' as subject_code,
        regions.region_name_zh as unit_name_zh,
        cast(null as {{ dbt.type_string() }}) as filed_city_code
    from targets
    inner join regions
        on
            targets.scope_code = regions.parent_code
            and regions.region_type = 'county'
    where targets.scope_type = 'every_county'
),

section_units as (
    select
        targets.target_id,
        sections.region_code,
        sections.section_code as subject_code,
        sections.section_name_zh as unit_name_zh,
        -- the city's monitoring report files its sections under the city
        section_county.parent_code as filed_city_code
    from targets
    inner join sections
        on targets.scope_code = sections.river_code
    left join regions as section_county
        on sections.region_code = section_county.region_code
    where targets.scope_type = 'river'
),

units as (
    select * from county_units
    union all
    select * from section_units
),

-- Every figure of every unit, beside what its target's annual rule needs: filed under its own region,
-- and a river section's filed under its county's city (macros/unit_figures.sql).
unit_figures as {{ not_materialized() }} (
    {{ unit_figures_filed_under('units.region_code', own_filing=true) }}
    union all
    {{ unit_figures_filed_under('units.filed_city_code', own_filing=false) }}
),

-- Only the monthly figures of a unit whose target has an annual rule go through the per-year window;
-- at 10 years of history sorting every unit's figures took most of this model's time (BENCHMARKS.md).
{%- set reads_annual_rule = annual_rule_applies('figures.annual_rule', 'figures.period_kind') %}
unit_observations as (
    select
        figures.target_id,
        figures.unit_name_zh,
        {{ cross_engine_star(ref('int_indicator_values'), 'figures') }}
    from unit_figures as figures
    where not {{ reads_annual_rule }}
    union all
    select
        figures.target_id,
        figures.unit_name_zh,
        -- annual rules (seeds/target_rules.csv): a monthly figure stands for the year so far
        {{ cross_engine_star(ref('int_indicator_values'), 'figures', replace={'value': annual_rule_value(
            'figures.annual_rule', 'figures.value', 'figures.direction_sign', 'figures.target_measure_kind',
            'figures.period_kind', 'annual_so_far', 'figures.bound'
        ), 'bound': annual_rule_bound(
            'figures.annual_rule', 'figures.target_measure_kind', 'figures.period_kind', 'figures.bound',
            'figures.direction_sign', 'annual_so_far', 'figures.period_end'
        )}) }}
    from unit_figures as figures
    where {{ reads_annual_rule }}
    window annual_so_far as (
        partition by
            figures.target_id, figures.region_code, figures.subject_code, figures.measure, figures.period_kind,
            extract(year from figures.period_end)
        order by figures.period_end
        rows between unbounded preceding and current row
    )
),

-- The periods at which a regional target is assessed: every period any unit reported in the window
-- (for rates, the cumulative figures of a year when units publish them for it, else that year's monthly ones).
windowed as (
    select
        unit_observations.*,
        targets.measure_kind,
        max(case when unit_observations.period_kind in ('ytd', 'year') then 1 else 0 end)
            over (partition by unit_observations.target_id, extract(year from unit_observations.period_end))
            as has_cumulative
    from unit_observations
    inner join targets
        on unit_observations.target_id = targets.target_id
    where unit_observations.period_end between targets.start_date and targets.deadline
),

assessment_periods as (
    select distinct
        target_id,
        period_code,
        period_kind,
        period_start,
        period_end
    from windowed
    where
        measure_kind <> 'rate'
        or (has_cumulative = 1 and period_kind in ('ytd', 'year'))
        or (has_cumulative = 0 and period_kind = 'month')
),

unit_periods as (
    select
        assessment_periods.*,
        units.region_code,
        units.subject_code,
        units.unit_name_zh
    from assessment_periods
    inner join units
        on assessment_periods.target_id = units.target_id
),

-- Stocks: the latest figure known at the period end. Each figure holds until the next one (by
-- period end; of one period end, the latest release), so a period picks its figure with one equality
-- and a range instead of ranking every earlier figure (quadratic in history; BENCHMARKS.md).
-- A target's periods end on or after its start, so a unit's figures before its last one by the start
-- are never the one known: only that one and the later ones are ranked (an aggregate finds it). The
-- windows over every stock figure since the first were half of this model's time at 10 years of history.
stock_start as (
    select
        obs.target_id,
        obs.region_code,
        obs.subject_code,
        max(obs.period_end) as period_end
    from unit_observations as obs
    inner join targets
        on obs.target_id = targets.target_id
    where targets.measure_kind = 'stock' and obs.period_end <= targets.start_date
    group by obs.target_id, obs.region_code, obs.subject_code
),

stock_figures as (
    select
        obs.*,
        row_number() over (
            partition by obs.target_id, obs.region_code, obs.subject_code, obs.period_end
            order by obs.release_date desc, obs.source_file desc, obs.source_row desc
        ) as release_recency
    from unit_observations as obs
    inner join targets
        on obs.target_id = targets.target_id
    left join stock_start
        on
            obs.target_id = stock_start.target_id
            and obs.region_code = stock_start.region_code
            and obs.subject_code = stock_start.subject_code
    where
        targets.measure_kind = 'stock'
        and (stock_start.period_end is null or obs.period_end >= stock_start.period_end)
),

stock_validity as (
    select
        *,
        lead(period_end) over (
            partition by target_id, region_code, subject_code
            order by period_end
        ) as next_period_end
    from stock_figures
    where release_recency = 1
),

stock_candidates as (
    select
        unit_periods.target_id,
        unit_periods.period_code,
        unit_periods.region_code,
        unit_periods.subject_code,
        {{ unit_value_columns }}
    from unit_periods
    inner join stock_validity as obs
        on
            unit_periods.target_id = obs.target_id
            and unit_periods.region_code = obs.region_code
            and unit_periods.subject_code = obs.subject_code
            and unit_periods.period_end >= obs.period_end
            and (obs.next_period_end is null or unit_periods.period_end < obs.next_period_end)
),

-- Rates and classes: the figure of the same period, and of the same period in the baseline year.
same_period as (
    select
        unit_periods.target_id,
        unit_periods.period_code,
        unit_periods.region_code,
        unit_periods.subject_code,
        {{ unit_value_columns }}
    from unit_periods
    inner join targets
        on unit_periods.target_id = targets.target_id
    inner join unit_observations as obs
        on
            unit_periods.target_id = obs.target_id
            and unit_periods.region_code = obs.region_code
            and unit_periods.subject_code = obs.subject_code
            and unit_periods.period_code = obs.period_code
    where targets.measure_kind <> 'stock'
),

-- the same columns in the same order (unit_value_columns)
unit_values as (
    select * from stock_candidates
    union all
    select * from same_period
),

-- the baseline period is computed first so that the join is on equal keys
baseline_wanted as (
    select
        unit_periods.target_id,
        unit_periods.period_code,
        unit_periods.region_code,
        unit_periods.subject_code,
        {{ period_code_in_year(
            'unit_periods.period_code', 'coalesce(targets.baseline_year, extract(year from unit_periods.period_end) - 1)'
        ) }} as baseline_period_code
    from unit_periods
    inner join targets
        on unit_periods.target_id = targets.target_id
    where targets.comparator = 'improve'
),

baseline_values as (
    select
        wanted.target_id,
        wanted.period_code,
        wanted.region_code,
        wanted.subject_code,
        obs.value as baseline_value,
        obs.period_code as baseline_period_code
    from baseline_wanted as wanted
    inner join unit_observations as obs
        on
            wanted.target_id = obs.target_id
            and wanted.region_code = obs.region_code
            and wanted.subject_code = obs.subject_code
            and wanted.baseline_period_code = obs.period_code
)

select
    unit_periods.target_id,
    unit_periods.period_code,
    unit_periods.period_kind,
    unit_periods.period_start,
    unit_periods.period_end,
    unit_periods.region_code,
    unit_periods.subject_code,
    unit_periods.unit_name_zh,
    unit_values.value,
    unit_values.bound,
    unit_values.value_period_code,
    unit_values.provenance,
    unit_values.is_illustrative,
    unit_values.source_file,
    unit_values.source_row,
    unit_values.release_date,
    baseline_values.baseline_value,
    baseline_values.baseline_period_code,
    {{ unit_counts_as_met('targets', 'unit_values.value', 'unit_values.bound', 'baseline_values.baseline_value') }}
        as counts_as_met,
    {{ inputs_loaded_through() }} as inputs_loaded_through,
    -- release_date is the day the figure's file arrived (it states none); null with no figure. Last: a table
    -- built before the column gets it appended (on_schema_change)
    unit_values.release_date_imputed
from unit_periods
inner join targets
    on unit_periods.target_id = targets.target_id
left join unit_values
    on
        unit_periods.target_id = unit_values.target_id
        and unit_periods.period_code = unit_values.period_code
        and unit_periods.region_code = unit_values.region_code
        and unit_periods.subject_code = unit_values.subject_code
left join baseline_values
    on
        unit_periods.target_id = baseline_values.target_id
        and unit_periods.period_code = baseline_values.period_code
        and unit_periods.region_code = baseline_values.region_code
        and unit_periods.subject_code = baseline_values.subject_code
