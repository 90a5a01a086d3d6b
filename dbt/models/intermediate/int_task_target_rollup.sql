{#- 定性目标汇总 / One row per qualitative target: its status rolled up from its tasks as assessed on the
    as-of date. The rule is int_task_target_rollup__as_of's (see its header and docs/task_ledger.md);
    these are its rows for the as-of date itself. -#}

with as_of as (
    select * from {{ ref('int_task_target_rollup__as_of') }}
)

select {{ cross_engine_star(ref('int_task_target_rollup__as_of'), 'as_of', exclude=['snapshot_month', 'snapshot_as_of']) }}
from as_of
where as_of.snapshot_as_of = {{ as_of_date() }}
