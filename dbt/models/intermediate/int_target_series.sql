{#- 目标可比实际值序列 / Every target brought to one comparable actual per period (target x period),
    whatever its kind, with the target level it is compared to (target_level), the baseline
    (base_value), and where the actual came from. Each kind is computed by its own model:
      int_target_series__levels        level, multiple, additions, improvement (one region's series)
      int_target_series__growth_index  multiples measured by the chained real growth index
      int_target_series__ranks         places gained among the province's cities
      int_target_series__regional      every county (coverage, improvement) and river sections (class)
      int_target_series__projects      the listed projects' stages (milestone)
    This model only puts them together, and takes a flow multiple's growth-index rows instead of its
    level rows when the growth index measured it (its levels had no actual; with no growth published
    either, the level rows stay: periods with no actual, status no data). Qualitative targets have no
    series. -#}
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
)

select * from levels
where
    actual_value is not null
    or target_id not in (select measured_by_growth.target_id from growth_index as measured_by_growth)
union all
select * from growth_index
union all
select * from ranks
union all
select * from regional
union all
select * from projects
