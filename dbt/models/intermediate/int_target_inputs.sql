{#- The series each target reads, one row per target and input. Everything after
    int_observations__latest works on these series only: a country has millions of series and its
    targets read a few percent of them (the benchmark's national scale: 5%), so the cost of a build
    follows the targets, not the size of the statistics office's output.

    input_kind 'series':  an indicator in one region (any subject): the target's own region, every
                          peer city of a rank target, every county of an every-county target, the
                          region of each monitoring section of a river target (and its city, under
                          which the city's report files them), and the numerator
                          and denominator of a ratio indicator in each of those regions;
    input_kind 'subject': every number about one subject (a listed project), whatever indicator or
                          region it is filed under.
    A new scope type must be added here; the test on this model's target_id fails until it is. -#}

with targets as (
    select * from {{ ref('int_targets__enriched') }}
    where has_series
),

regions as (
    select * from {{ ref('stg_seeds__regions') }}
),

sections as (
    select * from {{ ref('stg_seeds__monitoring_sections') }}
),

indicators as (
    select * from {{ ref('stg_seeds__indicators') }}
),

own_region as (
    select
        target_id,
        indicator_code,
        scope_code as region_code,
        'own region' as read_as
    from targets
    where scope_type in ('city', 'county')
),

peer_cities as (
    select
        targets.target_id,
        targets.indicator_code,
        regions.region_code,
        'peer city' as read_as
    from targets
    inner join regions
        on regions.is_peer_city
    -- a kind ranked among the province's cities (seeds/target_kinds.csv reads_peer_cities)
    where targets.reads_peer_cities
),

counties as (
    select
        targets.target_id,
        targets.indicator_code,
        regions.region_code,
        'county' as read_as
    from targets
    inner join regions
        on
            targets.scope_code = regions.parent_code
            and regions.region_type = 'county'
    where targets.scope_type = 'every_county'
),

section_regions as (
    select distinct
        targets.target_id,
        targets.indicator_code,
        sections.region_code,
        'monitoring section' as read_as
    from targets
    inner join sections
        on targets.scope_code = sections.river_code
    where targets.scope_type = 'river'
    union
    -- the city's monitoring report files every section under the city (int_target_region_values)
    select distinct
        targets.target_id,
        targets.indicator_code,
        section_county.parent_code as region_code,
        'monitoring section (filed under the city)' as read_as
    from targets
    inner join sections
        on targets.scope_code = sections.river_code
    inner join regions as section_county
        on sections.region_code = section_county.region_code and section_county.parent_code is not null
    where targets.scope_type = 'river'
),

direct_series as (
    select * from own_region
    union all
    select * from peer_cities
    union all
    select * from counties
    union all
    select * from section_regions
),

ratio_components as (
    select
        direct_series.target_id,
        component.indicator_code,
        direct_series.region_code,
        'ratio component of ' || direct_series.indicator_code as read_as
    from direct_series
    inner join indicators
        on
            direct_series.indicator_code = indicators.indicator_code
            and indicators.measure_kind = 'ratio'
    inner join indicators as component
        on component.indicator_code in (indicators.numerator_code, indicators.denominator_code)
),

series as (
    select * from direct_series
    where indicator_code is not null
    union
    select * from ratio_components
)

select
    target_id,
    'series' as input_kind,
    indicator_code,
    region_code,
    cast(null as {{ dbt.type_string() }}) as subject_code,
    read_as
from series

union all

select
    target_id,
    'subject' as input_kind,
    cast(null as {{ dbt.type_string() }}) as indicator_code,
    cast(null as {{ dbt.type_string() }}) as region_code,
    scope_code as subject_code,
    'listed project' as read_as
from targets
where scope_type = 'project'
