{#- Each target with what its indicator says about it (measure kind, direction), what its kind says
    (seeds/target_kinds.csv), its plan's city (seeds/plans.csv) and its time frame. -#}

with targets as (
    select * from {{ ref('stg_seeds__targets') }}
),

indicators as (
    select * from {{ ref('stg_seeds__indicators') }}
),

rules as (
    select * from {{ ref('stg_seeds__target_rules') }}
),

kinds as (
    select * from {{ ref('stg_seeds__target_kinds') }}
),

plans as (
    select * from {{ ref('stg_seeds__plans') }}
)

select
    targets.*,
    indicators.indicator_name_zh,
    indicators.indicator_name_en,
    indicators.unit as indicator_unit,
    indicators.measure_kind,
    indicators.frequency,
    coalesce(indicators.direction_sign, 1) as direction_sign,
    indicators.release_lag_days,
    coalesce(rules.target_measure, 'value') as target_measure,
    rules.annual_rule,
    extract(year from targets.start_date) as start_year,
    extract(year from targets.deadline) as deadline_year,
    extract(year from targets.deadline) > extract(year from targets.start_date) as is_multi_year,
    {{ effective_comparator('targets.comparator', 'coalesce(indicators.direction_sign, 1)') }}
        as effective_comparator,
    {{ is_cumulative_target('targets.comparator', 'indicators.measure_kind') }} as is_cumulative,
    kinds.has_series,
    kinds.reads_own_series,
    kinds.is_paced_within_year,
    kinds.reads_peer_cities,
    kinds.actual_higher_is_better,
    kinds.needs_full_year_flow,
    -- a multi-year target with a baseline year paced by its compound annual rate (CAGR): a kind that grows
    -- so, of an indicator of one of the measure kinds it lists (seeds/target_kinds.csv growth_measure_kinds)
    coalesce(
        ' ' || kinds.growth_measure_kinds || ' ' like '% ' || indicators.measure_kind || ' %', false
    ) as grows_at_a_rate,
    plans.plan_region_code
from targets
left join indicators
    on targets.indicator_code = indicators.indicator_code
left join rules
    on targets.target_id = rules.target_id
left join kinds
    on targets.target_kind = kinds.target_kind
left join plans
    on targets.plan_id = plans.plan_id
