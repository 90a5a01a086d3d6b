{#- 台账最新版本 / One row per task and month reported: the latest vintage filed by the as-of date, with
    its lateness and backwards flag. The rule is int_task_returns__as_of's; these are its rows for the
    as-of date itself. -#}

with as_of as (
    select * from {{ ref('int_task_returns__as_of') }}
)

select {{ cross_engine_star(ref('int_task_returns__as_of'), 'as_of', exclude=['snapshot_month', 'snapshot_as_of']) }}
from as_of
where as_of.snapshot_as_of = {{ as_of_date() }}
