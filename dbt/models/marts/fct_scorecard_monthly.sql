{#- 月末计分卡快照 / The scorecard as it stood at each month end: one row per target and month, from
    the first plan's start to the assessment month. At a month end a target shows its latest period
    whose figure had been released by then (release_date <= month end) and that can be assessed, with
    that period's status, so a figure released later is not seen in earlier months; a newer period known
    by then that cannot be assessed is named beside it (unassessed_period_code), as on the current
    scorecard (methodology §4). With no period that can be assessed, the newest known is shown. A qualitative target shows its tasks rolled
    up as they stood then (int_task_target_rollup__as_of: the units' returns filed by the month end, by
    the same rule as the current scorecard); the month still running is assessed as of the as-of date,
    so it equals fct_target_scorecard.

    History is kept, not recomputed: the model is incremental and a month that has ended is written
    once (by the first build after it ended, or reconstructed by the first build of all) and never
    again; a later revision of a figure changes the months from its release on, not the months before.
    Only the months not yet closed when last built are computed again. full_refresh is off so that
    `dbt build --full-refresh` keeps the recorded history. One exception, once: a closed month recorded
    before the snapshots held the task roll-up shows its qualitative targets not_assessable although their
    tasks roll up; those rows only are reconstructed (snapshot_basis 'reconstructed'), from the returns
    filed by that month end, and the statistics targets' rows of that month are left as recorded. -#}
{{ cross_engine_incremental(['snapshot_month', 'target_id'], unique_per_row=true) }}
{{ config(full_refresh=false) }}

with first_plan as (
    select min(plans.plan_start_date) as first_start
    from {{ ref('stg_seeds__plans') }} as plans
),

recorded as (
    -- closed months already recorded are history: only the open ones (and new ones) again
    {% if is_incremental() -%}
        select distinct history.snapshot_month
        from {{ this }} as history
        where history.is_month_closed
    {%- else -%}
        select cast(null as {{ dbt.type_string() }}) as snapshot_month
        where false
    {%- endif %}
),

months as (
    select
        periods.period_code as snapshot_month,
        periods.period_end as month_end
    from {{ ref('dim_period') }} as periods
    cross join first_plan
    where
        periods.period_kind = 'month'
        and periods.period_start <= {{ as_of_date() }}
        and periods.period_start >= first_plan.first_start
        and periods.period_code not in (select recorded.snapshot_month from recorded)
),

targets as (
    select * from {{ ref('dim_targets') }}
),

task_rollup as (
    select * from {{ ref('int_task_target_rollup__as_of') }}
),

unrolled as (
    -- closed months recorded before the snapshots held the task roll-up (see the header)
    {% if is_incremental() -%}
        select
            history.snapshot_month,
            history.target_id
        from {{ this }} as history
        inner join task_rollup
            on
                history.snapshot_month = task_rollup.snapshot_month
                and history.target_id = task_rollup.target_id
        -- a target with no figure series (qualitative: seeds/target_kinds.csv has_series) rolls up its tasks
        inner join targets
            on history.target_id = targets.target_id
        where
            history.is_month_closed
            and not targets.has_series
            and history.status_code = 'not_assessable'
    {%- else -%}
        select
            cast(null as {{ dbt.type_string() }}) as snapshot_month,
            cast(null as {{ dbt.type_string() }}) as target_id
        where false
    {%- endif %}
),

progress as (
    select * from {{ ref('fct_target_progress') }}
),

statuses as (
    select * from {{ ref('statuses') }}
),

first_month as (
    select min(months.month_end) as month_end
    from months
),

read_from as (
    -- each target's newest period that can be assessed known at the first month computed: the periods
    -- before it had been superseded by then, so neither they nor the window over them are read (a new month on ten years
    -- reads a period or two per target, not every one). This and progress_known read the relation, not
    -- the CTE progress, so that DuckDB does not materialise the wide rows for three readers.
    select
        known.target_id,
        max(known.period_end) as period_end
    from {{ ref('fct_target_progress') }} as known
    cross join first_month
    where {{ scorecard_known_from('known') }} <= first_month.month_end and known.is_assessable
    group by known.target_id
),

progress_known as (
    -- a period's row is known from the month end by which its figure was released and the period had
    -- ended. Keeping every period from read_from's on keeps all the later periods each row's window reads.
    -- Only the keys: the wide rows are joined once each row's interval is known.
    select
        progress.target_id,
        progress.period_code,
        progress.period_end,
        progress.period_kind,
        progress.is_assessable,
        progress.status_reason,
        {{ scorecard_known_from('progress') }} as known_from
    from {{ ref('fct_target_progress') }} as progress
    left join read_from
        on progress.target_id = read_from.target_id
    where read_from.target_id is null or progress.period_end >= read_from.period_end
),

progress_validity as (
    -- each row is the target's latest known one from known_from until a later period becomes known
    -- (superseded_from; 9999-12-31 while none has), and the latest known that can be assessed until a
    -- later one that can becomes known (assessable_superseded_from). Joining every month with every row
    -- known by then and ranking would cost months x rows; these intervals give each month at most one
    -- row per target.
    select
        progress_known.*,
        coalesce(
            min(progress_known.known_from) over (
                partition by progress_known.target_id
                order by {{ latest_period_first('progress_known') }}
                rows between unbounded preceding and 1 preceding
            ),
            cast('9999-12-31' as date)
        ) as superseded_from,
        coalesce(
            min(case when progress_known.is_assessable then progress_known.known_from end) over (
                partition by progress_known.target_id
                order by {{ latest_period_first('progress_known') }}
                rows between unbounded preceding and 1 preceding
            ),
            cast('9999-12-31' as date)
        ) as assessable_superseded_from,
        -- from when the target has a period that can be assessed: a period that cannot is shown only before
        coalesce(
            min(case when progress_known.is_assessable then progress_known.known_from end) over (
                partition by progress_known.target_id
            ),
            cast('9999-12-31' as date)
        ) as first_assessable_known
    from progress_known
),

shown_validity as (
    -- when each row is the one shown: a period that can be assessed until a later one that can is known;
    -- one that cannot while it is the newest known and none that can is known yet
    select
        progress_validity.*,
        case
            when progress_validity.is_assessable then progress_validity.assessable_superseded_from
            when progress_validity.first_assessable_known < progress_validity.superseded_from
                then progress_validity.first_assessable_known
            else progress_validity.superseded_from
        end as shown_until
    from progress_validity
),

unassessed_intervals as (
    -- a newer period that cannot be assessed, named beside the one shown: while it is the newest known
    -- and some period that can be assessed is known
    select
        progress_validity.target_id,
        progress_validity.period_code,
        progress_validity.status_reason,
        case
            when progress_validity.first_assessable_known > progress_validity.known_from
                then progress_validity.first_assessable_known
            else progress_validity.known_from
        end as valid_from,
        progress_validity.superseded_from as valid_until
    from progress_validity
    where
        not progress_validity.is_assessable
        and progress_validity.first_assessable_known < progress_validity.superseded_from
),

first_known as (
    select
        progress_known.target_id,
        min(progress_known.known_from) as known_from
    from progress_known
    group by progress_known.target_id
),

intervals as (
    -- each target's time line cut into intervals that do not overlap: from its start until its first
    -- period is known (no period_code: no_data), then each period's row while it is the latest known.
    -- Every month end falls in one interval per target, so the months join the intervals alone, with no
    -- join of months x targets against the rows known by then.
    select
        shown_validity.target_id,
        shown_validity.period_code,
        shown_validity.known_from as valid_from,
        shown_validity.shown_until as valid_until
    from shown_validity
    where shown_validity.known_from < shown_validity.shown_until
    union all
    select
        targets.target_id,
        cast(null as {{ dbt.type_string() }}) as period_code,
        targets.start_date as valid_from,
        coalesce(first_known.known_from, cast('9999-12-31' as date)) as valid_until
    from targets
    left join first_known
        on targets.target_id = first_known.target_id
),

interval_rows as (
    -- each interval with its period's row (none for the interval before the first period is known):
    -- the wide rows are joined here, once per interval, rather than once per month
    select
        intervals.target_id as interval_target_id,
        intervals.valid_from,
        intervals.valid_until,
        progress.*
    from intervals
    left join progress
        on
            intervals.target_id = progress.target_id
            and intervals.period_code = progress.period_code
),

latest as (
    -- the rows to write: every target in the months computed again, with the row its month end shows;
    -- and the unrolled rows, with no row (they show their tasks' roll-up)
    select
        months.snapshot_month,
        months.month_end,
        false as is_unrolled,
        interval_rows.*
    from months
    inner join interval_rows
        on
            months.month_end >= interval_rows.valid_from
            and months.month_end < interval_rows.valid_until
    union all
    select
        periods.period_code as snapshot_month,
        periods.period_end as month_end,
        true as is_unrolled,
        interval_rows.*
    from unrolled
    inner join {{ ref('dim_period') }} as periods
        on
            periods.period_kind = 'month'
            and unrolled.snapshot_month = periods.period_code
    inner join interval_rows
        on
            unrolled.target_id = interval_rows.interval_target_id
            and interval_rows.target_id is null
),

snapshot as (
    select
        latest.snapshot_month,
        latest.month_end,
        latest.is_unrolled,
        targets.target_id,
        targets.plan_id,
        targets.section_zh,
        targets.section_en,
        targets.title_zh,
        targets.title_en,
        targets.target_kind,
        targets.indicator_code,
        targets.target_unit,
        targets.deadline,
        targets.scope_type,
        targets.scope_code,
        coalesce(latest.period_code, task_rollup.latest_period_code) as latest_period_code,
        latest.period_kind as latest_period_kind,
        coalesce(latest.period_end, task_rollup.latest_period_end) as latest_period_end,
        latest.actual_value,
        latest.actual_quality,
        latest.actual_bound,
        latest.target_level,
        latest.gap,
        latest.share_achieved,
        latest.expected_share,
        latest.progress_ratio,
        latest.projected_value,
        coalesce(latest.release_date, task_rollup.latest_release_date) as latest_release_date,
        -- the figure's date is the day its file arrived (fct_target_progress); a report date of tasks' returns is not
        coalesce(latest.release_date is not null and latest.release_date_imputed, false) as latest_release_date_imputed,
        latest.source_file,
        latest.source_row,
        unassessed.period_code as unassessed_period_code,
        unassessed.status_reason as unassessed_status_reason,
        -- a qualitative target's status rolls up from its tasks as they stood at the month end; a deadline
        -- passed by the month end (the as-of date for the month still running) with no figure for the
        -- deadline period shows no pace status, as on the current scorecard
        {{ scorecard_status_code(
            'targets', 'latest', 'task_rollup', 'least(latest.month_end, ' ~ as_of_date() ~ ')'
        ) }} as status_code
    from latest
    inner join targets
        on latest.interval_target_id = targets.target_id
    left join task_rollup
        on
            latest.snapshot_month = task_rollup.snapshot_month
            and latest.interval_target_id = task_rollup.target_id
    left join unassessed_intervals as unassessed
        on
            latest.interval_target_id = unassessed.target_id
            and latest.month_end >= unassessed.valid_from
            and latest.month_end < unassessed.valid_until
    where targets.start_date <= latest.month_end
)

select
    -- every column of snapshot but is_unrolled (Spark has no `* exclude`)
    snapshot.snapshot_month,
    snapshot.month_end,
    snapshot.target_id,
    snapshot.plan_id,
    snapshot.section_zh,
    snapshot.section_en,
    snapshot.title_zh,
    snapshot.title_en,
    snapshot.target_kind,
    snapshot.indicator_code,
    snapshot.target_unit,
    snapshot.deadline,
    snapshot.scope_type,
    snapshot.scope_code,
    snapshot.latest_period_code,
    snapshot.latest_period_kind,
    snapshot.latest_period_end,
    snapshot.actual_value,
    snapshot.actual_quality,
    snapshot.actual_bound,
    snapshot.target_level,
    snapshot.gap,
    snapshot.share_achieved,
    snapshot.expected_share,
    snapshot.progress_ratio,
    snapshot.projected_value,
    snapshot.latest_release_date,
    snapshot.source_file,
    snapshot.source_row,
    snapshot.unassessed_period_code,
    snapshot.unassessed_status_reason,
    snapshot.status_code,
    statuses.status_zh,
    statuses.status_en,
    statuses.sort_order as status_sort_order,
    snapshot.month_end < {{ as_of_date() }} as is_month_closed,
    {{ as_of_date() }} as recorded_as_of,
    cast({{ dbt.current_timestamp() }} as timestamp) as recorded_at,
    {% if is_incremental() -%}
        case when snapshot.is_unrolled then 'reconstructed' else 'recorded' end
    {%- else -%}
        case when snapshot.month_end < {{ as_of_date() }} then 'reconstructed' else 'recorded' end
    {%- endif %} as snapshot_basis,
    -- last: a table recorded before it gets it appended (on_schema_change), null on the months recorded then
    snapshot.latest_release_date_imputed
from snapshot
left join statuses
    on snapshot.status_code = statuses.status_code
