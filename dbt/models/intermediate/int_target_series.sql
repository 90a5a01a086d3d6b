{#- 目标可比实际值序列 / Every target brought to one comparable actual per period (target x period),
    whatever its kind, with the target level it is compared to (target_level), the baseline
    (base_value), and where the actual came from. Each kind is computed by its own model:
      int_target_series__levels        level, multiple, additions, improvement (one region's series)
      int_target_series__growth_index  multiples measured by the chained real growth index
      int_target_series__ranks         places gained among the province's cities
      int_target_series__regional      every county (coverage, improvement) and river sections (class)
      int_target_series__projects      the listed projects' stages (milestone)
    This model only puts them together, and takes a flow multiple's growth-index rows instead of its
    level rows when the growth index measured it (its levels had no actual). A multiple's level with no
    baseline to divide it by stays for every period the growth index did not measure, with no actual and
    the status_note and no_actual_reason int_target_series__levels gives it (status not_assessable): 290.5 in 2025 with no 2021
    level and no growth chain reaching 2025 is shown, not dropped. Qualitative targets have no series. -#}
{{ incremental_by_target() }}

with levels as (
    select * from {{ ref('int_target_series__levels') }}
    where {{ only_targets_to_rebuild_upstream() }}
),

growth_index as (
    select * from {{ ref('int_target_series__growth_index') }}
    where {{ only_targets_to_rebuild_upstream() }}
),

ranks as (
    select * from {{ ref('int_target_series__ranks') }}
    where {{ only_targets_to_rebuild_upstream() }}
),

regional as (
    select * from {{ ref('int_target_series__regional') }}
    where {{ only_targets_to_rebuild_upstream() }}
),

projects as (
    select * from {{ ref('int_target_series__projects') }}
    where {{ only_targets_to_rebuild_upstream() }}
),

unioned as (
    select levels.*
    from levels
    where
        levels.actual_value is not null
        or not exists (
            select 1 from growth_index as measured_by_growth
            where
                measured_by_growth.target_id = levels.target_id
                and (measured_by_growth.period_code = levels.period_code or levels.underlying_value is null)
        )
    union all
    select * from growth_index
    union all
    select * from ranks
    union all
    select * from regional
    union all
    select * from projects
)

-- 无实际值即无界值 / a row with no actual has no bound on it (null, as bound_reading): a rank 前三 with
-- no baseline rank, a multiple's level with no baseline, a broken growth chain. The bound of the figure
-- behind it stays in underlying_bound. One rule here, so every mart reads the same. A baseline level
-- neither the catalogue's quote nor a release revising it (int_target_series__levels) is the data's.
select
    {{ cross_engine_star(ref('int_target_series__levels'), 'unioned', replace={
        'actual_bound': 'case when unioned.actual_value is not null then unioned.actual_bound end',
        'baseline_origin': "coalesce(unioned.baseline_origin, case when unioned.baseline_level is not null then 'data' end)"
    }) }}
from unioned
