{#- 排位类目标序列 / Rank targets: places gained among the province's cities (seeds/regions.csv
    is_peer_city) since the same period of the baseline year. A city's rank for a period is its
    published rank (measure `rank`, 居全省第五位) when there is one, else computed from the levels,
    only when every peer city reported; derived_from says which. A period with a rank but no baseline
    rank (or a top group on both sides) keeps its row with no actual (int_target_series then drops its
    actual_bound; the rank's own is underlying_bound), a status_note saying why and its reason
    (no_actual_reason: baseline_rank_missing or rank_top_groups_both_sides, status not_assessable), not
    dropped (no_data). One row per target x period; unioned into int_target_series. -#}
{{ incremental_by_target() }}

with targets as (
    {{ series_targets() }}
),

values_ as {{ not_materialized() }} (
    select * from {{ ref('int_indicator_values') }}
),

regions as (
    select * from {{ ref('stg_seeds__regions') }}
),

rank_targets as (
    select
        targets.*,
        -- the city ranked: the target's scope when it is a peer city, else its plan's city (seeds/plans.csv)
        coalesce(scope_region.region_code, targets.plan_region_code) as ranked_region_code
    from targets
    left join regions as scope_region
        on targets.scope_code = scope_region.region_code and scope_region.is_peer_city
    where targets.target_kind = 'rank'
),

peer_values as (
    select
        values_.*,
        count(*) over (partition by values_.indicator_code, values_.period_code) as peers_reporting,
        rank() over (partition by values_.indicator_code, values_.period_code order by values_.value desc)
            as rank_high_first,
        rank() over (partition by values_.indicator_code, values_.period_code order by values_.value asc)
            as rank_low_first
    from values_
    inner join regions
        on values_.region_code = regions.region_code and regions.is_peer_city
    where values_.measure = 'value' and values_.subject_code = ''
),

peer_count as (
    select count(*) as peer_cities from regions
    where is_peer_city
),

computed_ranks as (
    select
        rank_targets.target_id,
        rank_targets.baseline_year,
        rank_targets.start_date,
        rank_targets.deadline,
        peer_values.*,
        case
            when rank_targets.direction_sign < 0 then peer_values.rank_low_first else peer_values.rank_high_first
        end as city_rank,
        'computed' as rank_source,
        'eq' as rank_bound
    from rank_targets
    inner join peer_values
        on
            rank_targets.indicator_code = peer_values.indicator_code
            and rank_targets.ranked_region_code = peer_values.region_code
    cross join peer_count
    -- a rank is only a rank when every peer city reported for that period
    where peer_values.peers_reporting = peer_count.peer_cities
),

-- a rank the statistics bureau published (居全省第五位: measure `rank`, 1 = best) is the city's rank
-- for its period, whether or not every city's level is at hand; a published top group (居全省前三: bound
-- le 3) is a bound on it, never that place
published_ranks as (
    select
        rank_targets.target_id,
        rank_targets.baseline_year,
        rank_targets.start_date,
        rank_targets.deadline,
        values_.*,
        peer_count.peer_cities as peers_reporting,
        cast(null as bigint) as rank_high_first,
        cast(null as bigint) as rank_low_first,
        cast(values_.value as bigint) as city_rank,
        -- stated in a release: as its figure is (published, illustrative or derived), named in derived_from
        values_.provenance as rank_source,
        values_.bound as rank_bound
    from rank_targets
    inner join values_
        on
            rank_targets.indicator_code = values_.indicator_code
            and rank_targets.ranked_region_code = values_.region_code
            and values_.measure = 'rank'
            and values_.subject_code = ''
            and values_.bound in ('eq', 'le', 'lt')
    cross join peer_count
),

-- an exact published rank beats the computed one for the same period, which beats a published top group
ranks_both as (
    select * from published_ranks
    union all
    select * from computed_ranks
),

ranks as (
    select * from (
        select
            ranks_both.*,
            row_number() over (
                partition by ranks_both.target_id, ranks_both.period_code
                order by
                    case
                        when ranks_both.rank_bound <> 'eq' then 2
                        when ranks_both.rank_source <> 'computed' then 0
                        else 1
                    end
            ) as source_choice
        from ranks_both
    ) as chosen
    where source_choice = 1
),

rank_series as (
    select
        r.target_id,
        r.period_code,
        r.period_kind,
        r.period_start,
        r.period_end,
        -- places gained: only with an exact rank on at least one side (none when the baseline is missing)
        case
            when r.rank_bound = 'eq' or base.rank_bound = 'eq' then cast(base.city_rank - r.city_rank as double)
        end as actual_value,
        cast(r.city_rank as double) as underlying_value,
        -- a top group now (at best 3rd) against an exact baseline (5th): at least 2 places gained; an exact
        -- rank now against a top group then: at most so many. Without places gained there is no actual, and
        -- int_target_series drops the bound of every row with no actual (one rule for every kind): the
        -- rank's own bound is underlying_bound
        case
            when r.rank_bound = 'eq' and base.rank_bound = 'eq' then 'eq'
            when base.rank_bound = 'eq' then case when r.rank_bound = 'le' then 'ge' else 'gt' end
            when base.rank_bound = 'le' then 'le'
            else 'lt'
        end as actual_bound,
        -- 前三 is at best 3rd: the bound of the rank behind the row, with or without places gained
        r.rank_bound as underlying_bound,
        0.0 as base_value,
        cast(base.city_rank as double) as baseline_level,
        {{ period_code_in_year('r.period_code', 'r.baseline_year') }} as baseline_period_code,
        'derived' as provenance,
        r.is_illustrative or coalesce(base.is_illustrative, false) as is_illustrative,
        'rank ' || {{ rank_text('r') }} || ' of ' || cast(r.peers_reporting as {{ dbt.type_string() }})
        || ' cities by ' || r.indicator_code || ' (' || r.period_code || ', ' || r.rank_source || ') vs '
        || coalesce(
            'rank ' || {{ rank_text('base') }} || ' in ' || base.period_code
            || ' (' || base.rank_source || ')',
            'no rank in ' || {{ period_code_in_year('r.period_code', 'r.baseline_year') }}
        ) as derived_from,
        r.source_file,
        r.source_row,
        r.source_ref,
        r.release_id,
        r.release_date,
        r.is_revised,
        -- cities reporting: only a computed rank counts them (a published rank comes alone)
        case when r.rank_source = 'computed' then cast(r.peers_reporting as integer) end as units_total,
        case when r.rank_source = 'computed' then cast(r.peers_reporting as integer) end as units_reporting,
        cast(null as double) as annual_base_level,
        false as baseline_is_estimated,
        -- 基期位次缺失 / a rank with nothing to gain places against is shown, not dropped: no actual, and
        -- a note naming what is missing (not_assessable, for the reason in no_actual_reason)
        case
            when base.city_rank is null
                then
                    'the baseline (' || {{ period_code_in_year('r.period_code', 'r.baseline_year') }}
                    || ') rank is neither published nor computable (not every peer city reported): rank '
                    || {{ rank_text('r') }} || ' (' || r.period_code || ') cannot be made places gained'
            when r.rank_bound <> 'eq' and base.rank_bound <> 'eq'
                then
                    'both ranks are top groups, not places (rank ' || {{ rank_text('r') }} || ' in ' || r.period_code
                    || ', rank ' || {{ rank_text('base') }} || ' in ' || base.period_code
                    || '): bounds on both sides prove no place gained or lost'
        end as status_note,
        -- why there are no places gained (seeds/status_reasons.csv): known here, where the ranks are read,
        -- and given as the row's status_reason by int_target_assessment
        case
            when base.city_rank is null then 'baseline_rank_missing'
            when r.rank_bound <> 'eq' and base.rank_bound <> 'eq' then 'rank_top_groups_both_sides'
        end as no_actual_reason,
        cast(null as double) as year_before_value,
        -- no catalogue baseline here: int_target_series says 'data' where the row has a baseline level
        cast(null as {{ dbt.type_string() }}) as baseline_origin,
        -- the rank's own figure's (its release and date are shown), not the peers' or the baseline's
        r.release_date_imputed
    from ranks as r
    left join ranks as base
        on
            r.target_id = base.target_id
            and base.period_code = {{ period_code_in_year('r.period_code', 'r.baseline_year') }}
    where r.period_end between r.start_date and r.deadline
)

{{ series_with_comparison('rank_series', underlying='rank') }}
