{#- 比较方式须属于目标类型 / Every target's comparator is one its kind may use (seeds/target_kinds.csv
    comparators): the one list of which comparator goes with which kind. Returns the targets that break it. -#}

with targets as (
    select * from {{ ref('stg_seeds__targets') }}
),

kinds as (
    select * from {{ ref('stg_seeds__target_kinds') }}
)

select
    targets.target_id,
    targets.target_kind,
    targets.comparator,
    kinds.comparators as comparators_of_the_kind
from targets
left join kinds
    on targets.target_kind = kinds.target_kind
where
    kinds.target_kind is null
    or ' ' || kinds.comparators || ' ' not like '% ' || targets.comparator || ' %'
