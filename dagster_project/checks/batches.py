"""Where each suite's batches come from, and the catalogue values the suites are parameterised with.

Batches are read by DuckDB into pandas one at a time, so memory stays bounded as the data grows:
- raw:    whole releases (all rows of a set of release_id), packed up to a row budget
- staged: whole indicators of the latest-vintage model (int_observations__latest, the numbers targets
          read, less what int_indicator_values supersedes), with check columns computed in SQL, packed
          the same way
- marts:  one mart
Check columns (``chk_*``) are the few facts a row-level expectation cannot see on its own (the
previous month of a series, last year's level); they are computed here so the rule itself stays
in the JSON suite.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import jinja2
import pandas as pd

from dagster_project.ingest.catalog import load_catalog
from dagster_project.ingest.store import OBSERVATION_TABLES
from dagster_project.settings import DBT_PROJECT_DIR

# Rows per raw batch. A release is never split; a single release larger than this is one batch.
# Packing many small releases together keeps a backfill of hundreds of files to a few GX runs
# (GX spends ~0.2 s per batch whatever its size).
RAW_BATCH_MAX_ROWS = 20_000

CHECKED_MARTS = (
    "fct_target_progress",
    "fct_target_progress_by_region",
    "fct_target_scorecard",
    "fct_task_progress",
    "fct_task_returns",
    "fct_unit_scorecard",
)
# every dbt relation the checks read (the SQL below and mart_batch)
WAREHOUSE_READS = (
    "seeds.indicators",
    "intermediate.int_observations__latest",
    "intermediate.int_indicator_values",
    "intermediate.int_target_inputs",
    *(f"marts.{mart}" for mart in CHECKED_MARTS),
)


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | dict | None = None) -> pd.DataFrame:
    """The rows of ``sql`` as the DataFrame DuckDB's ``.df()`` makes (dates and timestamps as datetime64[us],
    integers with NULLs as nullable integers, decimals as float64), through Arrow: ``.df()`` makes a
    Python object of every string (3.5 s of a national batch, against 0.9 s this way)."""
    import pyarrow as pa

    # Strings as Arrow large_string, the type pandas 3 keeps them in: from `string` it copies every string
    # column (0.3-0.5 s of a national batch). A setting of the connection: set for this query, put back.
    large = con.execute("select current_setting('arrow_large_buffer_size')").fetchone()[0]
    con.execute("set arrow_large_buffer_size = true")
    try:
        table = con.sql(sql, params=params).to_arrow_table()
    finally:
        con.execute(f"set arrow_large_buffer_size = {'true' if large else 'false'}")
    as_df = {
        field.name: pa.timestamp("us") if pa.types.is_date(field.type) else pa.float64()
        for field in table.schema
        if pa.types.is_date(field.type) or pa.types.is_decimal(field.type)
    }
    if as_df:
        table = table.cast(pa.schema([pa.field(f.name, as_df.get(f.name, f.type)) for f in table.schema]))
    frame = table.to_pandas()
    for field in table.schema:  # with NULLs Arrow gives float64 (integers) or objects (booleans); .df() nullable types
        if not table.column(field.name).null_count:
            continue
        if pa.types.is_integer(field.type):
            unsigned = "U" if pa.types.is_unsigned_integer(field.type) else ""
            frame[field.name] = frame[field.name].astype(f"{unsigned}Int{field.type.bit_width}")
        elif pa.types.is_boolean(field.type):
            frame[field.name] = frame[field.name].astype("boolean")
    return frame


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _read_column(path: Path, name: str) -> list[str]:
    """One column of a CSV seed (a national catalogue has 155,000 targets: no dict per row)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        at = next(reader, []).index(name)
        return [row[at] if len(row) > at else "" for row in reader if row]


def catalogue_parameters(seeds_dir: Path, today: date | None = None, names: Iterable[str] | None = None) -> dict:
    """Suite parameters ({"$PARAMETER": name} in the JSON) from the catalogue seeds.

    The suites name the rule, the seeds hold the lists: a new indicator or target needs no suite edit.
    ``names`` (a suite's :attr:`Suite.parameter_names`) computes only those: the raw suite needs no
    target list, which at national scale is 155,000 ids read for nothing. An unknown name is an error
    naming it (a suite's typo would otherwise reach GX as a missing parameter).
    """
    today = today or date.today()

    @functools.cache  # several parameters come from one read
    def catalog():
        return load_catalog(seeds_dir)

    @functools.cache
    def target_ids():
        return _read_column(seeds_dir / "targets.csv", "target_id")

    def column(seed: str, name: str):
        return lambda: [r[name] for r in _read_csv(seeds_dir / seed)]

    makers = {
        "known_indicator_codes": lambda: sorted(catalog().indicators),
        "known_region_codes": lambda: sorted(catalog().regions),
        "known_subject_codes": lambda: ["", *sorted((c := catalog()).sections), *sorted(c.projects)],
        "peer_city_count": lambda: sum(
            1 for r in _read_csv(seeds_dir / "regions.csv") if r.get("is_peer_city", "").strip().lower() == "true"
        ),
        "today": lambda: f"{today.isoformat()}T00:00:00",  # a datetime string: GX compares it with timestamps
        "catalogue_target_ids": lambda: sorted(target_ids()),
        "catalogue_target_count": lambda: len(target_ids()),
        # the task ledger (seeds/tasks.csv, seeds/units.csv)
        "catalogue_task_ids": lambda: sorted(column("tasks.csv", "task_id")()),
        "catalogue_unit_codes": lambda: sorted(column("units.csv", "unit_code")()),
        # the status vocabularies: seeds/statuses.csv, task_statuses.csv, pace_statuses.csv
        "status_codes": column("statuses.csv", "status_code"),
        "task_status_codes": column("task_statuses.csv", "task_status_code"),
        "pace_codes": column("pace_statuses.csv", "pace_code"),
    }
    wanted = list(makers) if names is None else list(dict.fromkeys(names))
    unknown = [name for name in wanted if name not in makers]
    if unknown:
        raise KeyError(f"suite parameter(s) {unknown} are not catalogue parameters (known: {sorted(makers)})")
    return {name: makers[name]() for name in wanted}


# ---------------------------------------------------------------------------------------------- raw


@dataclass(frozen=True)
class RawBatch:
    label: str
    release_ids: tuple[str, ...]
    frame: pd.DataFrame


def _raw_relation(relation: str) -> str:
    """raw.<table> for a raw table's name; a staged relation (``store.ReleaseStage.relation``) as is."""
    if relation in OBSERVATION_TABLES:
        return f"raw.{relation}"
    if relation.startswith("_pmw_stage_") and relation.replace("_", "").isalnum():  # interpolated: whitelist
        return relation
    raise ValueError(f"unknown raw table {relation!r}")


def pack_releases(counts: Sequence[tuple[str, int]], max_rows: int) -> list[list[str]]:
    """Group units (releases, indicators), in order, into packs of at most ``max_rows`` rows; a unit is
    never split (a big one stands alone)."""
    packs: list[list[str]] = []
    current: list[str] = []
    size = 0
    for release_id, rows in counts:
        if current and size + rows > max_rows:
            packs.append(current)
            current, size = [], 0
        current.append(release_id)
        size += rows
    if current:
        packs.append(current)
    return packs


def _label(release_ids: Sequence[str]) -> str:
    if len(release_ids) == 1:
        return release_ids[0]
    return f"{release_ids[0]} … {release_ids[-1]} ({len(release_ids)} releases)"


# Within one release, the sums of a flow (seeds/indicators.csv measure_kind 'flow': investment, retail
# sales, exports …) must agree with each other: the month (当月), or a 统计季报's quarter (本季度: 2022-Q3) or
# second half, cannot exceed the year to date ending with it (1-N月累计), and the year to date cannot fall
# from one month to the next of a year (January's month is its year to date, the full year its 1-12月).
# Exact figures only (a bound or a 左右 can be either side).
# Judged per release, never across releases: a month from one file and its year to date from another
# are the warning data test month_not_above_year_to_date (dbt/tests/generic/), and the latest vintages
# the staged suite's ytd_not_decreasing. ``{batch}`` is a relation with the raw columns and
# indicator_measure_kind; the check columns are null on every other row.
RAW_CHECK_COLUMNS_SQL = """
select
    {batch}.*,
    case
        when {flow_level} and {batch}.period_kind in ('month', 'quarter', 'half')
            then max(case when {cumulative} and {batch}.period_kind <> 'month' then {batch}.value end) over (
                partition by {batch}.release_id, {batch}.indicator_code, {batch}.region_code, {batch}.subject_code,
                    {batch}.period_end
            ) - {batch}.value
    end as chk_ytd_minus_month,
    case
        when {cumulative}
            then {batch}.value - lag({batch}.value) over (
                partition by {batch}.release_id, {batch}.indicator_code, {batch}.region_code, {batch}.subject_code,
                    year({batch}.period_end), {cumulative}
                order by {batch}.period_end, {batch}.period_kind
            )
    end as chk_ytd_change_in_release
from {batch}
"""


def raw_check_columns_sql(batch: str) -> str:
    """RAW_CHECK_COLUMNS_SQL over the relation ``batch`` (the runner's batch, or the benchmark's SQL floor)."""
    flow_level = f"({batch}.indicator_measure_kind = 'flow' and {batch}.measure = 'value' and {batch}.bound = 'eq')"
    cumulative = (
        f"({flow_level} and ({batch}.period_kind in ('ytd', 'year')"
        f" or ({batch}.period_kind = 'month' and month({batch}.period_end) = 1)))"
    )
    return RAW_CHECK_COLUMNS_SQL.format(batch=batch, flow_level=flow_level, cumulative=cumulative)


# The batch with three columns from the indicator catalogue (the seed), joined by DuckDB: pandas'
# map of 632,000 codes three times cost 0.4 s of a national batch.
RAW_BATCH_SQL = (
    """
with catalogue as (
    select
        unnest($codes::varchar[]) as indicator_code,
        unnest($units::varchar[]) as indicator_unit,
        unnest($measure_kinds::varchar[]) as indicator_measure_kind,
        unnest($natural_limits::double[]) as indicator_natural_limit
),

batch as (
    select
        stored.*,
        catalogue.indicator_unit,
        catalogue.indicator_measure_kind,
        catalogue.indicator_natural_limit
    from {source} as stored
    left join catalogue on stored.indicator_code = catalogue.indicator_code
    where list_contains($release_ids, stored.release_id)
),

checked as ("""
    + raw_check_columns_sql("batch").replace("{", "{{").replace("}", "}}")
    + """)

select * from checked
order by checked.release_id, checked.source_row
"""
)


def _indicator_columns(seeds_dir: Path) -> dict[str, list]:
    """RAW_BATCH_SQL's query parameters: the catalogue's indicators, a list per column (not the
    suites' parameters, which :func:`catalogue_parameters` makes)."""
    indicators = load_catalog(seeds_dir).indicators.values()
    return {
        "codes": [i.code for i in indicators],
        "units": [i.unit for i in indicators],
        "measure_kinds": [i.measure_kind for i in indicators],
        "natural_limits": [i.natural_limit for i in indicators],
    }


def raw_release_batches(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    release_ids: Sequence[str],
    seeds_dir: Path,
    max_rows: int = RAW_BATCH_MAX_ROWS,
) -> Iterator[RawBatch]:
    """The rows of ``release_ids`` in ``raw.<relation>`` (a raw table's name) or in a store stage,
    whole releases per batch, with indicator_unit, indicator_measure_kind and indicator_natural_limit
    from the catalogue."""
    if not release_ids:
        return
    source = _raw_relation(relation)
    order = {rid: i for i, rid in enumerate(release_ids)}
    counts = con.execute(
        f"SELECT release_id, count(*) FROM {source} WHERE list_contains(?, release_id) GROUP BY 1",
        [list(release_ids)],
    ).fetchall()
    counts.sort(key=lambda rc: order[rc[0]])
    indicators = _indicator_columns(seeds_dir)
    for pack in pack_releases(counts, max_rows):
        frame = query_frame(con, RAW_BATCH_SQL.format(source=source), {**indicators, "release_ids": pack})
        if "source_row" in frame:  # int32 breaks GX's JSON rendering of unexpected rows; Int64 keeps nulls
            frame["source_row"] = frame["source_row"].astype("Int64")
        yield RawBatch(_label(pack), tuple(pack), frame)


# ------------------------------------------------------------------------------------------- staged

# Whole indicators (a list), latest vintage of each number, plus the check columns described in
# the suite's meta. Every window is partitioned by indicator, so packing indicators changes nothing.
STAGED_BATCH_SQL = """
-- the latest vintage, as of the assessment date, of every number a target reads: the dbt model
-- int_observations__latest (which also decides which numbers targets read, from int_target_inputs).
-- A published level supersedes illustrative levels where int_indicator_values says so (the rule is
-- that model's; the rows it keeps are the ones the marts use), so the checks judge those series.
with latest as (
    select latest.*
    from intermediate.int_observations__latest as latest
    where
        list_contains($indicators, latest.indicator_code)
        and exists (
            select 1 from intermediate.int_indicator_values as used
            where used.indicator_code = latest.indicator_code
            and used.region_code = latest.region_code
            and used.subject_code = latest.subject_code
            and used.period_code = latest.period_code
            and used.measure = latest.measure
        )
),

-- the series a target tracks month by month in its own scope, from int_target_inputs (the model
-- every target's series come from): its own region, every county of an every-county target, the
-- region of each monitoring section. Peer cities (a rank), their ratio components and listed
-- projects (stages) are read as released, not month by month.
needed as (
    select distinct indicator_code, region_code
    from intermediate.int_target_inputs
    where input_kind = 'series' and read_as in ('own region', 'county', 'monitoring section')
),

levels as (
    select indicator_code, region_code, subject_code, period_code, value from latest where measure = 'value'
),

tracked as (
    select
        latest.*,
        case
            when indicators.measure_kind = 'flow' and (
                latest.period_kind in ('ytd', 'year')
                or (latest.period_kind = 'month' and month(latest.period_end) = 1)
            ) then 'cumulative'
            when indicators.measure_kind in ('rate', 'ratio', 'class') and latest.period_kind = 'month'
                then 'month'
        end as chk_track,
        coalesce(
            indicators.frequency = 'monthly'
            and indicators.measure_kind in ('flow', 'rate', 'ratio', 'class')
            and exists (
                select 1 from needed
                where needed.indicator_code = latest.indicator_code and needed.region_code = latest.region_code
            ),
            false
        ) as chk_needed_monthly
    from latest
    left join seeds.indicators as indicators
        on latest.indicator_code = indicators.indicator_code
),

checked as (
select
    tracked.*,
    case
        when tracked.chk_track is not null
            then date_diff('month', lag(tracked.period_end) over series, tracked.period_end)
    end as chk_months_since_previous,
    -- sanity (non-blocking): the month's step of a year-to-date total, per month since the previous
    -- figure of the year (January: the figure itself), and the month-on-month move of a level
    case
        when tracked.chk_track = 'cumulative' and tracked.measure = 'value'
            then (tracked.value - coalesce(lag(tracked.value) over series_year, 0)) / greatest(
                date_diff(
                    'month',
                    coalesce(lag(tracked.period_end) over series_year, tracked.period_start - interval 1 day),
                    tracked.period_end
                ),
                1
            )
    end as chk_month_step,
    case
        when tracked.chk_track = 'month' and tracked.measure = 'value'
            then abs(tracked.value - lag(tracked.value) over series)
    end as chk_level_change,
    case
        when tracked.chk_track = 'cumulative' and tracked.measure = 'value'
            then tracked.value - lag(tracked.value) over series_year
    end as chk_ytd_change,
    case
        when tracked.measure = 'yoy_pct' and tracked.unit = '百分点' then abs(tracked.value - (cur.value - prev.value))
        when tracked.measure = 'yoy_pct' and prev.value > 0 then abs(tracked.value - (cur.value / prev.value - 1) * 100)
    end as chk_growth_gap
from tracked
left join levels as cur
    on cur.indicator_code = tracked.indicator_code
    and cur.region_code = tracked.region_code
    and cur.subject_code = tracked.subject_code
    and cur.period_code = tracked.period_code
left join levels as prev
    on prev.indicator_code = tracked.indicator_code
    and prev.region_code = tracked.region_code
    and prev.subject_code = tracked.subject_code
    and tracked.period_kind <> 'multi_year'
    and prev.period_code = {year_before}
window
    series as (
        partition by
            tracked.indicator_code, tracked.region_code, tracked.subject_code, tracked.measure, tracked.chk_track
        order by tracked.period_end
    ),
    -- a year's totals judged within their class: a sample's made-up 1-11月 is no evidence against a real 1-10月
    -- loaded beside it (a real figure supersedes the illustrative ones before it: int_indicator_values)
    series_year as (
        partition by
            tracked.indicator_code, tracked.region_code, tracked.subject_code, tracked.measure, tracked.chk_track,
            year(tracked.period_end), tracked.provenance = 'illustrative'
        order by tracked.period_end
    )
)

-- each step against the series' usual one (median over its history; at least 6 steps known)
select
    checked.*,
    case
        when count(checked.chk_month_step) over whole_series >= 6
            then checked.chk_month_step / nullif(median(checked.chk_month_step) over whole_series, 0)
    end as chk_ytd_jump_ratio,
    case
        when count(checked.chk_level_change) over whole_series >= 6
            then checked.chk_level_change / nullif(median(checked.chk_level_change) over whole_series, 0)
    end as chk_level_jump_ratio
from checked
window whole_series as (
    partition by checked.indicator_code, checked.region_code, checked.subject_code, checked.measure, checked.chk_track
)
order by checked.indicator_code, checked.region_code, checked.subject_code, checked.measure, checked.period_end
"""


def _period_code_year_before(period_code: str, period_end: str) -> str:
    """SQL for the code of the same period a year earlier, rendered from the dbt macro that is the one
    home of the shift (dbt/macros/period_codes.sql: plain Jinja; of dbt's context it needs only the
    cross-database text type, which is DuckDB's here: the checks read the DuckDB warehouse)."""
    source = (DBT_PROJECT_DIR / "macros" / "period_codes.sql").read_text(encoding="utf-8")
    environment = jinja2.Environment(autoescape=False)  # SQL, not HTML
    environment.globals["dbt"] = SimpleNamespace(type_string=lambda: "varchar")
    macros = environment.from_string(source).module
    return str(macros.period_code_year_before(period_code, period_end)).strip()


STAGED_BATCH_SQL = STAGED_BATCH_SQL.replace(
    "{year_before}", _period_code_year_before("tracked.period_code", "tracked.period_end")
)

# Rows per staged batch: whole indicators, packed (a big indicator stands alone).
STAGED_BATCH_MAX_ROWS = 20_000


@dataclass(frozen=True)
class StagedBatch:
    label: str
    indicators: tuple[str, ...]
    frame: pd.DataFrame


def staged_batches(con: duckdb.DuckDBPyConnection, max_rows: int = STAGED_BATCH_MAX_ROWS) -> Iterator[StagedBatch]:
    """The latest vintages the marts read (int_observations__latest), whole indicators per batch."""
    counts = con.execute(
        "SELECT indicator_code, count(*) FROM intermediate.int_observations__latest GROUP BY 1 ORDER BY 1"
    ).fetchall()
    for pack in pack_releases(counts, max_rows):
        frame = query_frame(con, STAGED_BATCH_SQL, {"indicators": pack})
        label = pack[0] if len(pack) == 1 else f"{pack[0]} … {pack[-1]} ({len(pack)} indicators)"
        yield StagedBatch(label, tuple(pack), frame)


# -------------------------------------------------------------------------------------------- marts

_MART_CHECK_COLUMNS = {
    # distance from share_achieved to the nearest way of computing it from actual, target and base
    "fct_target_progress": """
        case when share_achieved is not null then least(
            coalesce(abs(share_achieved - (actual_value - base_value) / nullif(target_level - base_value, 0)), 1e9),
            coalesce(abs(share_achieved - actual_value / nullif(target_level, 0)), 1e9),
            coalesce(abs(share_achieved - target_level / nullif(actual_value, 0)), 1e9)
        ) / greatest(1.0, abs(share_achieved)) end as chk_share_residual
    """,
}


def mart_batch(con: duckdb.DuckDBPyConnection, mart: str) -> pd.DataFrame:
    if mart not in CHECKED_MARTS:
        raise ValueError(f"unknown mart {mart!r}")
    extra = _MART_CHECK_COLUMNS.get(mart)
    columns = f"*, {extra}" if extra else "*"
    return query_frame(con, f"SELECT {columns} FROM marts.{mart}")
