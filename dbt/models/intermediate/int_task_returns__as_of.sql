{#- 台账最新版本（按评估日）/ For each date the ledger is assessed as of (int_task_snapshot_dates), one row
    per task and month reported by then: the latest vintage filed by that date (greatest report date,
    then load time), how many vintages there were by then, whether the first one came after the due day
    (late), and whether the stage went backwards against the latest return of an earlier month without a
    note (flagged, naming file, row and column). A return filed later is not seen, so a month end shows
    what the units had reported by then. int_task_returns__latest is the current date's rows. -#}

with returns as (
    select * from {{ ref('stg_raw__task_returns') }}
),

snapshot_dates as (
    select * from {{ ref('int_task_snapshot_dates') }}
),

known as (
    -- every vintage filed by each assessment date
    select
        snapshot_dates.snapshot_month,
        snapshot_dates.snapshot_as_of,
        returns.*
    from snapshot_dates
    inner join returns
        on snapshot_dates.snapshot_as_of >= returns.report_date
),

ranked as (
    select
        *,
        row_number() over (
            partition by snapshot_as_of, task_id, month_code
            order by report_date desc, ingested_at desc, release_id desc
        ) as recency,
        count(*) over (partition by snapshot_as_of, task_id, month_code) as vintages,
        min(report_date) over (partition by snapshot_as_of, task_id, month_code) as first_report_date
    from known
),

latest as (
    select * from ranked
    where recency = 1
),

with_previous as (
    select
        latest.*,
        lag(latest.stage_rank) over previous_month as previous_stage_rank,
        lag(latest.stage_zh) over previous_month as previous_stage_zh,
        lag(latest.month_code) over previous_month as previous_month_code,
        lag(latest.source_file) over previous_month as previous_source_file,
        lag(latest.source_row) over previous_month as previous_source_row
    from latest
    window previous_month as (partition by latest.snapshot_as_of, latest.task_id order by latest.month_start)
)

select
    with_previous.snapshot_month,
    with_previous.snapshot_as_of,
    with_previous.task_id,
    with_previous.month_code,
    with_previous.month_start,
    with_previous.month_end,
    with_previous.release_id,
    with_previous.stage_code,
    with_previous.stage_zh,
    with_previous.stage_rank,
    with_previous.percent_done,
    with_previous.progress_pct,
    with_previous.progress_text,
    with_previous.evidence_ref,
    with_previous.problems,
    with_previous.note,
    with_previous.reporting_unit,
    with_previous.report_date,
    with_previous.first_report_date,
    with_previous.provenance,
    with_previous.source_file,
    with_previous.source_row,
    with_previous.vintages,
    with_previous.vintages > 1 as is_resubmitted,
    {{ task_return_due_date('with_previous.month_end') }} as due_date,
    with_previous.first_report_date > {{ task_return_due_date('with_previous.month_end') }} as is_late,
    coalesce(
        with_previous.stage_rank < with_previous.previous_stage_rank
        and coalesce(with_previous.note, '') = '',
        false
    ) as is_backwards_unexplained,
    case
        when with_previous.stage_rank < with_previous.previous_stage_rank
            then
                with_previous.source_file || ' row ' || with_previous.source_row || ' column stage: '
                || with_previous.stage_zh || ' is below ' || with_previous.previous_stage_zh || ' reported for '
                || with_previous.previous_month_code || ' (' || with_previous.previous_source_file || ' row '
                || with_previous.previous_source_row || ')'
                || case
                    when coalesce(with_previous.note, '') = '' then '; no note explains it (阶段倒退未说明)'
                    else '; explained: ' || with_previous.note
                end
    end as backwards_flag
from with_previous
