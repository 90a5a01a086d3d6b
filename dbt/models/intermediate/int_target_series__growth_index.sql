{#- 增长指数类目标序列 / Growth-only multiples: a flow multiple of its baseline year (倍增) whose
    levels do not compare is measured by the chained real growth index, a derived figure; so is a
    period of one whose other levels compare when that period's level has no like-for-like base (a
    half year with its baseline months neither published nor estimable: the published H1 growth).
    One row per target x period; unioned into int_target_series. -#}
{{ incremental_by_target() }}

with targets as (
    {{ series_targets() }}
),

values_ as {{ not_materialized() }} (
    select * from {{ ref('int_indicator_values') }}
),

levels as (
    select * from {{ ref('int_target_series__levels') }}
    where {{ only_targets_to_rebuild_upstream() }}
),

-- 规模工业增加值 is published almost only as real growth: its multiple of the baseline year is
-- the chained growth index, a derived figure (and in comparable prices, as the office measures it).
-- Each year after the baseline is a link: its published annual growth, else its share of a published
-- multi-year rate covering it (年均 avg_yoy_pct, 累计 cum_pct: what the span's other published years
-- leave, spread evenly over its unpublished years). A year with neither is unknown, never 0%: the
-- chain stops there and the status says which year is missing.
growth_targets as (
    select
        targets.*,
        -- no level compares with its baseline (none published, or no baseline level): growth decides
        not exists (
            select 1 from levels as s
            where s.target_id = targets.target_id and s.actual_value is not null
        ) as is_measured_by_growth
    from targets
    where
        targets.target_kind = 'multiple'
        and targets.measure_kind = 'flow'
),

-- A target whose levels compare keeps them; growth measures only its periods whose level has nothing
-- like for like to compare with (a half year whose baseline months are neither published nor estimable
-- from a seasonal profile: 2022 H1 against the published H1 growth).
level_without_actual as (
    select
        s.target_id,
        s.period_code
    from levels as s
    where s.actual_value is null
),

growth_rows as (
    select
        growth_targets.target_id,
        growth_targets.baseline_year,
        growth_targets.start_date,
        growth_targets.deadline,
        growth_targets.is_measured_by_growth,
        values_.*
    from growth_targets
    inner join values_
        on
            growth_targets.indicator_code = values_.indicator_code
            and growth_targets.scope_code = values_.region_code
            and values_.subject_code = ''
            and values_.measure in ('yoy_pct', 'avg_yoy_pct', 'cum_pct')
),

calendar_years as (
    select cast(years.link_year as integer) as link_year
    from (select {{ cross_engine_integer_range(1949, 2100) }} as link_year) as years
),

published_links as (
    select
        target_id,
        cast(extract(year from period_end) as integer) as link_year,
        ln(1 + value / 100.0) as link_ln,
        is_illustrative,
        period_code || ' ' || {{ cross_engine_number_text("value") }} || '%' as link_label
    from growth_rows
    where measure = 'yoy_pct' and period_kind = 'year'
),

span_years as (
    select
        spans.target_id,
        spans.period_code as span_code,
        spans.is_illustrative,
        spans.measure,
        spans.value,
        calendar_years.link_year,
        extract(year from spans.period_end) - extract(year from spans.period_start) + 1 as span_length,
        case
            when spans.measure = 'avg_yoy_pct'
                then (extract(year from spans.period_end) - extract(year from spans.period_start) + 1) * ln(1 + spans.value / 100.0)
            else ln(1 + spans.value / 100.0)
        end as span_ln
    from growth_rows as spans
    inner join calendar_years
        on calendar_years.link_year between extract(year from spans.period_start) and extract(year from spans.period_end)
    where spans.measure in ('avg_yoy_pct', 'cum_pct') and spans.period_kind = 'multi_year'
),

span_remainders as (
    select
        span_years.target_id,
        span_years.span_code,
        -- null where every year of the span is known (span_links keeps only spans with unknown years; the
        -- divisor is guarded because Spark may compute this before that filter, and 0 raises there)
        (max(span_years.span_ln) - coalesce({{ cross_engine_ordered_sum('known.link_ln') }}, 0))
        / nullif(max(span_years.span_length) - count(known.link_year), 0) as unknown_year_ln,
        {{ dbt.bool_or('span_years.is_illustrative') }} or coalesce({{ dbt.bool_or('known.is_illustrative') }}, false)
            as is_illustrative,
        max(span_years.span_length) - count(known.link_year) as unknown_years,
        case when max(span_years.measure) = 'avg_yoy_pct' then '年均 ' else '累计 ' end
        || {{ cross_engine_number_text("max(span_years.value)") }} || '%' as span_label,
        -- the span's published years taken out of it, named with the rate each year then takes (规模工业增加值
        -- 2022 8.83% (from 2021-2025 年均 9.4% less 2021 11.7%): "from 年均 9.4%" alone could not be recomputed)
        {{ dbt.listagg('known.link_label', "', '", 'order by known.link_year') }} as known_labels
    from span_years
    left join published_links as known
        on span_years.target_id = known.target_id and span_years.link_year = known.link_year
    group by span_years.target_id, span_years.span_code
),

span_links as (
    select
        span_years.target_id,
        span_years.link_year,
        remainders.unknown_year_ln as link_ln,
        remainders.is_illustrative,
        cast(span_years.link_year as {{ dbt.type_string() }}) || ' '
        || {{ cross_engine_number_text("(exp(remainders.unknown_year_ln) - 1) * 100", 2) }} || '% (from '
        || span_years.span_code || ' ' || remainders.span_label
        || coalesce(' less ' || remainders.known_labels, '') || ')' as link_label,
        row_number() over (partition by span_years.target_id, span_years.link_year order by span_years.span_code) as span_choice
    from span_years
    inner join span_remainders as remainders
        on span_years.target_id = remainders.target_id and span_years.span_code = remainders.span_code
    where
        remainders.unknown_years > 0
        and not exists (
            select 1 from published_links as known
            where known.target_id = span_years.target_id and known.link_year = span_years.link_year
        )
),

growth_links as (
    select
        target_id,
        link_year,
        link_ln,
        is_illustrative,
        link_label
    from published_links
    union all
    select
        target_id,
        link_year,
        link_ln,
        is_illustrative,
        link_label
    from span_links
    where span_choice = 1
),

-- A year to date is a multiple of the same months of the baseline year (methodology.md): its links
-- for the years in between are the growth of those same months (2022-01~02 for 2023-01~02) when
-- published; the full year's growth stands in otherwise, an estimate that assumes the months' share of
-- the year did not change (flagged baseline_is_estimated, named in derived_from).
same_months_links as (
    select
        target_id,
        period_code,
        ln(1 + value / 100.0) as link_ln,
        is_illustrative,
        period_code || ' ' || {{ cross_engine_number_text("value") }} || '%' as link_label
    from growth_rows
    where measure = 'yoy_pct' and period_kind = 'ytd'
),

-- The points measured: each published growth figure (year or year to date) after the baseline year,
-- and the end of a multi-year span where that year's own growth is not published.
growth_points as (
    select
        target_id,
        baseline_year,
        period_code,
        period_kind,
        period_start,
        period_end,
        1 + value / 100.0 as own_factor,
        cast(extract(year from period_end) as integer) - 1 as last_link_year,
        -- which rate underlying_value is (its unit: underlying_unit, macros/target_series.sql)
        measure,
        value,
        bound,
        is_illustrative,
        period_code || ' ' || {{ cross_engine_number_text("value") }} || '%' as own_label,
        source_file,
        source_row,
        source_ref,
        release_id,
        release_date,
        is_revised,
        release_date_imputed
    from growth_rows
    where
        measure = 'yoy_pct'
        and period_end between start_date and deadline
        and period_kind in ('ytd', 'year')
        and extract(year from period_end) > baseline_year
        and (
            is_measured_by_growth
            or exists (
                select 1 from level_without_actual as no_level
                where no_level.target_id = growth_rows.target_id and no_level.period_code = growth_rows.period_code
            )
        )
    union all
    select
        spans.target_id,
        spans.baseline_year,
        cast(extract(year from spans.period_end) as {{ dbt.type_string() }}) as period_code,
        'year' as period_kind,
        cast(cast(extract(year from spans.period_end) as {{ dbt.type_string() }}) || '-01-01' as date) as period_start,
        spans.period_end,
        1.0 as own_factor,
        cast(extract(year from spans.period_end) as integer) as last_link_year,
        spans.measure,
        spans.value,
        spans.bound,
        spans.is_illustrative,
        cast(null as {{ dbt.type_string() }}) as own_label,
        spans.source_file,
        spans.source_row,
        spans.source_ref,
        spans.release_id,
        spans.release_date,
        spans.is_revised,
        spans.release_date_imputed
    from growth_rows as spans
    where
        spans.measure in ('avg_yoy_pct', 'cum_pct')
        and spans.period_kind = 'multi_year'
        and spans.period_end between spans.start_date and spans.deadline
        and extract(year from spans.period_end) > spans.baseline_year
        and not exists (
            select 1 from published_links as own
            where own.target_id = spans.target_id and own.link_year = extract(year from spans.period_end)
        )
        and (
            spans.is_measured_by_growth
            or exists (
                select 1 from level_without_actual as no_level
                where
                    no_level.target_id = spans.target_id
                    and no_level.period_code = cast(extract(year from spans.period_end) as {{ dbt.type_string() }})
            )
        )
),

growth_chain as (
    select
        points.target_id,
        points.period_code,
        count(*) filter (where calendar_years.link_year is not null) as links_needed,
        count(coalesce(same_months.link_ln, links.link_ln)) as links_found,
        count(links.link_year) filter (where points.period_kind = 'ytd' and same_months.link_ln is null)
            as full_year_stand_ins,
        min(case when coalesce(same_months.link_ln, links.link_ln) is null then calendar_years.link_year end)
            as first_missing_year,
        {{ cross_engine_ordered_sum('coalesce(same_months.link_ln, links.link_ln)') }} as links_ln,
        coalesce(
            {{ dbt.bool_or('case when same_months.link_ln is not null then same_months.is_illustrative else links.is_illustrative end') }},
            false
        ) as links_illustrative,
        {{ dbt.listagg(
            "case
                when same_months.link_ln is not null then same_months.link_label
                when points.period_kind = 'ytd' and links.link_ln is not null
                    then links.link_label || ' (full year, standing in for ' || "
                    ~ period_code_in_year('points.period_code', 'calendar_years.link_year') ~ " || ' not published)'
                else links.link_label
            end",
            "', '", 'order by calendar_years.link_year'
        ) }} as link_labels
    from growth_points as points
    left join calendar_years
        on calendar_years.link_year between points.baseline_year + 1 and points.last_link_year
    left join growth_links as links
        on points.target_id = links.target_id and calendar_years.link_year = links.link_year
    left join same_months_links as same_months
        on
            points.period_kind = 'ytd'
            and points.target_id = same_months.target_id
            and same_months.period_code = {{ period_code_in_year('points.period_code', 'calendar_years.link_year') }}
    group by points.target_id, points.period_code
),

growth_series as (
    select
        g.target_id,
        g.period_code,
        g.period_kind,
        g.period_start,
        g.period_end,
        case
            when chain.links_found = chain.links_needed then exp(coalesce(chain.links_ln, 0)) * g.own_factor
        end as actual_value,
        g.value as underlying_value,
        g.bound as actual_bound,
        g.bound as underlying_bound,
        1.0 as base_value,
        cast(null as double) as baseline_level,
        cast(g.baseline_year as {{ dbt.type_string() }}) as baseline_period_code,
        'derived' as provenance,
        -- the lowest quality of every link used, not only the latest rate's
        g.is_illustrative or chain.links_illustrative as is_illustrative,
        'chained real growth since ' || cast(g.baseline_year as {{ dbt.type_string() }})
        || case
            when g.period_kind = 'ytd'
                then ' (' || {{ period_code_in_year('g.period_code', 'g.baseline_year') }} || ' = 1)'
            else ''
        end
        || ': ' || concat_ws(', ', chain.link_labels, g.own_label) as derived_from,
        g.source_file,
        g.source_row,
        g.source_ref,
        g.release_id,
        g.release_date,
        g.is_revised,
        cast(null as integer) as units_total,
        cast(null as integer) as units_reporting,
        cast(null as double) as annual_base_level,
        -- a year to date chained through a full year's growth in place of the same months' (an estimate)
        coalesce(chain.full_year_stand_ins, 0) > 0 as baseline_is_estimated,
        case
            when chain.links_found < chain.links_needed
                then
                    'growth for ' || cast(chain.first_missing_year as {{ dbt.type_string() }})
                    || ' is not published: the chained index stops there (a missing year is unknown, not 0%)'
        end as status_note,
        -- a missing link leaves no actual, for this reason (seeds/status_reasons.csv)
        case when chain.links_found < chain.links_needed then 'growth_chain_broken' end as no_actual_reason,
        cast(null as double) as year_before_value,
        -- no catalogue baseline here: int_target_series says 'data' where the row has a baseline level
        cast(null as {{ dbt.type_string() }}) as baseline_origin,
        -- the latest rate's, whose release and date the row shows (not the earlier links')
        g.release_date_imputed
    from growth_points as g
    inner join growth_chain as chain
        on g.target_id = chain.target_id and g.period_code = chain.period_code
)

-- underlying_value is the period's own growth rate (or a multi-year rate's), in % of the kind its measure says
{{ series_with_comparison('growth_series', underlying='growth_rate', growth_measure='rate.measure', join="
left join growth_points as rate
    on series.target_id = rate.target_id and series.period_code = rate.period_code
") }}
