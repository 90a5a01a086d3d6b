{#- 期别维度 / One row per period code the marts use (month, year-to-date, quarter, year, several
    years) and every month from the first plan's start to the assessment month (the months of
    fct_scorecard_monthly): its kind, dates, year, quarter and month, and a label in Chinese and English,
    so a BI tool can pick one grain of fct_target_progress (period_kind) and order periods. -#}

with observed as (
    select distinct
        period_code,
        period_kind,
        period_start,
        period_end
    from {{ ref('int_observations__latest') }}
),

plans as (
    select min(plan_start_date) as first_start from {{ ref('stg_seeds__plans') }}
),

spine as (
    select
        {{ cross_engine_month_starts(
            "cast(date_trunc('month', plans.first_start) as timestamp)",
            "cast(date_trunc('month', " ~ as_of_date() ~ ") as timestamp)"
        ) }} as month_start
    from plans
),

month_spine as (
    select
        {{ cross_engine_format_date("spine.month_start", '%Y-%m') }} as period_code,
        'month' as period_kind,
        cast(spine.month_start as date) as period_start,
        cast(last_day(spine.month_start) as date) as period_end
    from spine
),

periods as (
    select * from observed
    union
    select * from month_spine
)

select
    period_code,
    period_kind,
    period_start,
    period_end,
    cast(extract(year from period_end) as integer) as period_year,
    cast(extract(quarter from period_end) as integer) as end_quarter,
    cast(extract(month from period_end) as integer) as end_month,
    case period_kind
        when 'month' then 1
        when 'quarter' then 2
        when 'ytd' then 3
        when 'year' then 4
        when 'multi_year' then 5
    end as grain_order,
    case period_kind
        when 'month' then {{ cross_engine_format_date("period_end", '%Y年') }} || extract(month from period_end) || '月'
        when 'ytd' then {{ cross_engine_format_date("period_end", '%Y年') }} || '1-' || extract(month from period_end) || '月'
        when 'quarter' then {{ cross_engine_format_date("period_end", '%Y年') }} || '第' || extract(quarter from period_end) || '季度'
        when 'year' then {{ cross_engine_format_date("period_end", '%Y年') }}
        else extract(year from period_start) || '-' || extract(year from period_end) || '年'
    end as period_label_zh,
    case period_kind
        when 'month' then {{ cross_engine_format_date("period_end", '%b %Y') }}
        when 'ytd' then 'Jan-' || {{ cross_engine_format_date("period_end", '%b %Y') }}
        when 'quarter' then 'Q' || extract(quarter from period_end) || ' ' || extract(year from period_end)
        when 'year' then {{ cross_engine_format_date("period_end", '%Y') }}
        else extract(year from period_start) || '-' || extract(year from period_end)
    end as period_label_en,
    period_end <= {{ as_of_date() }} as is_complete
from periods
