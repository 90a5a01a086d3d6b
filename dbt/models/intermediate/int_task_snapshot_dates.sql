{#- 任务月末评估日 / The dates the task ledger is assessed as of: one per month end, from the first month
    of a qualitative target or its tasks to the as-of month. A month that has ended is assessed as of its
    last day; the month still running as of the as-of date itself, so its row is today's assessment
    (is_current) and the month-end scorecard's last month equals the current scorecard. -#}

with tasks as (
    select * from {{ ref('stg_seeds__tasks') }}
),

targets as (
    select * from {{ ref('stg_seeds__targets') }}
),

first_month as (
    select date_trunc('month', least(min(tasks.start_date), min(targets.start_date), {{ as_of_date() }})) as month_start
    from tasks
    inner join targets
        on tasks.target_id = targets.target_id
),

months as (
    select cast(grid.month_start as date) as month_start
    from (
        select {{ cross_engine_month_starts("first_month.month_start", "date_trunc('month', " ~ as_of_date() ~ ")") }} as month_start
        from first_month
    ) as grid
)

select
    {{ cross_engine_format_date("month_start", '%Y-%m') }} as snapshot_month,
    cast(last_day(month_start) as date) as month_end,
    least(cast(last_day(month_start) as date), {{ as_of_date() }}) as snapshot_as_of
from months
