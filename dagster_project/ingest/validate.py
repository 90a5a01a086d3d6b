"""Hard contract checks on a file's observations before anything is stored.

These are the checks a file must pass to be loaded at all; softer data-quality expectations
(Great Expectations) run later on top of the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import duckdb

from dagster_project.ingest.catalog import Catalog, Indicator
from dagster_project.ingest.models import MEASURES, PROVENANCES, SPAN_MEASURES, IngestError, Observation, column_key
from dagster_project.ingest.qualifiers import BOUNDS, is_formula_like
from dagster_project.ingest.store import OBSERVATION_TABLES, ReleaseStage
from dagster_project.ingest.units import COUNTING_UNITS, UnitError, measure_unit

__all__ = [
    "validate_observations",
    "value_problem_sql",
    "unit_problem",
    "period_edge",
    "rate_limit",
    "plausibility_problem",
    "history_outliers",
    "days_in_period",
]

# Ordinal measures: whole numbers only.
_INTEGER_MEASURES = ("rank", "yoy_rank", "class", "stage")


def rate_limit(ind: Indicator | None) -> float | None:
    """The upper limit of a ``value`` row of a rate indicator (in %); None when there is none."""
    if ind is None or ind.unit != "%":
        return None
    return ind.natural_limit if ind.natural_limit is not None else 100.0


def value_problem_sql(value: str, measure: str, unit: str, limit: str, days: str = "NULL") -> str:
    """SQL twin of the value rules below: a boolean expression, true when the value breaks one.

    ``value`` (DOUBLE), ``measure``, ``unit`` (the stored unit), ``limit`` (:func:`rate_limit`,
    DOUBLE or NULL) and ``days`` (the period's number of days, or NULL) are column expressions.
    Used by the vectorised long-format loader (fast_long.py) only to decide that a file is clean;
    the messages always come from :func:`validate_observations`. tests/ingest/test_validate.py checks the two agree.
    """
    v, m = value, measure
    return f"""(
        NOT coalesce(isfinite({v}), false)
        OR ({m} IN {_INTEGER_MEASURES} AND {v} <> trunc({v}))
        OR ({m} = 'class' AND NOT {v} BETWEEN 1 AND 6)
        OR ({m} = 'stage' AND NOT {v} BETWEEN 0 AND 4)
        OR ({m} IN ('rank', 'yoy_rank') AND {v} < 1)
        OR ({m} = 'yoy_pct' AND {unit} = '%' AND {v} <= -100)
        OR ({m} = 'plan_share_pct' AND {v} < 0)
        OR ({m} = 'value' AND ({v} < 0 OR ({limit} IS NOT NULL AND {v} > {limit})))
        OR ({m} = 'value' AND {unit} = '天' AND {days} IS NOT NULL AND {v} > {days})
        OR ({m} = 'value' AND {unit} IN {COUNTING_UNITS} AND {v} <> trunc({v}))
    )"""


def unit_problem(measure: str, ind: Indicator, unit: str) -> str | None:
    """Why a row of ``measure`` stored in ``unit`` contradicts indicator ``ind`` (None = it does not)."""
    try:
        expected = measure_unit(measure, ind.unit, unit if unit == "百分点" else "")
    except UnitError as exc:
        return str(exc)
    if unit != expected:
        return f"unit {unit!r} contradicts indicator {ind.code} ({expected})"
    return None


def period_edge(ind: Indicator | None, period_kind: str, start: date, end: date) -> tuple[date, str]:
    """The date a period must have reached by its release: its end, or for a stock's month its start.

    A stock (running total, "截至目前 38家") is stated during its month: it only has to have begun.
    """
    if ind is not None and ind.measure_kind == "stock" and period_kind == "month":
        return start, "starts"
    return end, "ends"


def days_in_period(start: date, end: date) -> int:
    return (end - start).days + 1


def plausibility_problem(obs: Observation, ind: Indicator | None) -> str | None:
    """Why a row's value is implausible for its indicator (seeds/indicators.csv plausible_min/_max);
    None when it is plausible. Overridable for a confirmed outlier (``pmw ingest --confirm-outlier``)."""
    if ind is None or obs.measure != "value":
        return None
    lo, hi = ind.plausible_min, ind.plausible_max
    if (lo is not None and obs.value < lo) or (hi is not None and obs.value > hi):
        span = f"{'' if lo is None else f'{lo:g}'}..{'' if hi is None else f'{hi:g}'}"
        return (
            f"implausible value {obs.value:g} {obs.unit} for {ind.code} (plausible range {span} {ind.unit}); "
            "a unit slip (0.933 for 93.3%)? If the figure is real, confirm it: pmw ingest --confirm-outlier"
        )
    return None


def _check_value(obs: Observation, catalog: Catalog) -> str | None:
    v, m = obs.value, obs.measure
    ind = catalog.indicator(obs.indicator_code)
    if v != v or v in (float("inf"), float("-inf")):  # NaN / inf
        return f"value {v} is not a finite number"
    if m in _INTEGER_MEASURES and not float(v).is_integer():
        return f"{m} must be a whole number, got {v}"
    if m == "class" and not 1 <= v <= 6:
        return f"water class {v:g} outside 1..6"
    if m == "stage" and not 0 <= v <= 4:
        return f"project stage {v:g} outside 0..4"
    if m in ("rank", "yoy_rank") and v < 1:
        return f"rank {v:g} must be 1 or more"
    # a published top group (居全省前三: rank 3 or better, le) is a bound; about or beyond a place is no rank
    if m in ("rank", "yoy_rank", "stage") and obs.bound not in (("eq", "le", "lt") if m != "stage" else ("eq",)):
        return f"a {m} is an exact whole number or a top group (前三), not {obs.source_value!r}"
    if m == "class" and v == 6 and (ind is None or (ind.plausible_max or 5) < 6):
        return f"class 劣Ⅴ (6) is not a class of indicator {obs.indicator_code} (its classes are Ⅰ-Ⅴ)"
    if m == "yoy_pct" and obs.unit == "%" and v <= -100:
        return f"growth of {v:g}% is impossible (a level cannot fall by 100% or more)"
    if m == "plan_share_pct" and v < 0:
        return f"share of plan {v:g}% is negative"
    if m == "value":
        if v < 0:
            return f"negative level {v:g} {obs.unit}"
        if obs.unit in COUNTING_UNITS and not float(v).is_integer():
            return f"a count in {obs.unit} must be a whole number, got {v:g}"
        limit = rate_limit(ind)
        if limit is not None and v > limit:
            return f"rate {v:g}% above its limit {limit:g}%"
        if obs.unit == "天":
            days = days_in_period(obs.period_start, obs.period_end)
            if v > days:
                return f"{v:g} days in {obs.period_code}, which has {days} days"
    return None


def validate_observations(
    observations: Iterable[Observation],
    catalog: Catalog,
    *,
    source_file: str,
    release_date: date | None = None,
    today: date | None = None,
    landed: date | None = None,
    columns: Mapping[tuple[str | int | None, ...], str] | None = None,
) -> list[IngestError]:
    """All contract violations of one file's rows (empty list = loadable); ``landed``: the day the file landed,
    its release date when it states none (never "after today", though a test's fixed today may be earlier);
    ``columns``: the column label each figure was read from (:attr:`ParseResult.columns`), which names a
    refused value (本月), "value" where none is known."""
    today = today or date.today()
    latest = max(today, landed) if landed else today
    errors: list[IngestError] = []
    seen: dict[tuple[str, ...], Observation] = {}  # key -> its first row (source_file names a workbook's sheet)
    # a release dated after today (发布日期：2030-06-18 for 2023年5月): the newest vintage until 2030, shadowing every
    # real revision; said once per date, at its first row
    ahead: set[date] = set()
    # a period ending after the release date or after today: one error for each of the two (a 2030 title dates every
    # figure of the file), at the first row, naming each period once with its rows
    late: dict[str, tuple[int, dict[str, tuple[str, list[int | None]]]]] = {}  # why -> (error index, periods)

    def late_period(obs: Observation, word: str, edge: date, why: str) -> None:
        if why not in late:
            late[why] = (len(errors), {})
            err(obs, "period", "")
        at, periods = late[why]
        periods.setdefault(obs.period_code, (f"period {obs.period_code} {word} {edge}", []))[1].append(obs.source_row)
        several = len(periods) > 1 or any(len(set(rows)) > 1 for _, rows in periods.values())
        listed = "; ".join(
            text + (f" (row {', '.join(str(r) for r in dict.fromkeys(rows))})" if several else "")
            for text, rows in periods.values()
        )
        errors[at] = replace(errors[at], reason=f"{listed}{why}")

    def err(obs: Observation, column: str, reason: str) -> None:
        errors.append(IngestError(source_file, obs.source_row, column, reason))

    for obs in observations:
        ind = catalog.indicator(obs.indicator_code)
        if ind is None:
            err(obs, "indicator", f"unknown indicator {obs.indicator_code!r}")
        if obs.region_code not in catalog.regions:
            err(obs, "region", f"unknown region {obs.region_code!r}")
        if obs.subject_code and not catalog.is_known_subject(obs.subject_code):
            where = "seeds/monitoring_sections.csv or seeds/listed_projects.csv"
            err(obs, "subject", f"unknown subject {obs.subject_code!r} (not in {where})")
        if obs.measure not in MEASURES:
            err(obs, "measure", f"unknown measure {obs.measure!r}")
        if obs.bound not in BOUNDS:
            err(obs, "value", f"unknown bound {obs.bound!r}")
        if obs.provenance not in PROVENANCES:
            err(obs, "provenance", f"unknown provenance {obs.provenance!r}")
        if obs.provenance == "derived" and not obs.derived_from:
            err(obs, "derived_from", "a derived row must say what it was derived from")
        label = (columns or {}).get(column_key(obs)) or "value"
        if is_formula_like(obs.source_value):
            err(obs, label, f"formula-like cell {obs.source_value!r}")
        if ind is not None and obs.measure in MEASURES:
            problem = unit_problem(obs.measure, ind, obs.unit)
            if problem:
                err(obs, "unit", problem)
            if obs.measure == "class" and ind.measure_kind != "class":
                err(obs, "measure", f"measure class on non-class indicator {ind.code}")
            if obs.measure == "stage" and ind.measure_kind != "stage":
                err(obs, "measure", f"measure stage on non-stage indicator {ind.code}")
        if obs.measure in SPAN_MEASURES and obs.period_kind != "multi_year":
            err(
                obs,
                "period",
                f"measure {obs.measure} (growth over several years) needs a multi-year period like 2021-2025",
            )
        problem = _check_value(obs, catalog)
        if problem:
            err(obs, label, problem)
        rd = obs.release_date or release_date
        edge, word = period_edge(ind, obs.period_kind, obs.period_start, obs.period_end)
        if rd is not None and rd > latest and rd not in ahead:
            ahead.add(rd)
            err(obs, "release_date", f"release date {rd} is after today ({today}): a typo of the year?")
        if rd is not None and edge > rd:
            late_period(obs, word, edge, f" after the release date {rd}")
        elif edge > today:
            late_period(obs, word, edge, ", in the future")
        key = obs.key()
        if key in seen:
            first = seen[key]
            # in another sheet of a workbook ("月报.xlsx#5月"): name both
            where = first.source_file
            elsewhere = f" of {where} (this row: {obs.source_file})" if where != obs.source_file else ""
            # a row pasted twice, or two figures disagreeing: the office needs to know which
            if (first.value, first.bound) == (obs.value, obs.bound):
                what = f"the same figure ({obs.source_value}) given twice"
            else:
                what = f"another value: {first.source_value} there, {obs.source_value} here; which is right?"
            err(obs, "key", f"duplicate of row {first.source_row}{elsewhere}: {'/'.join(key)}, {what}")
        else:
            seen[key] = obs
    return errors


def history_outliers(
    con: duckdb.DuckDBPyConnection,
    candidates: str,
    params: Sequence[Any],
    *,
    release_id: str,
    table: str,
    stage: ReleaseStage | None = None,
) -> list[tuple[int | None, str, float, float, float]]:
    """Rows whose level is more than its indicator's ``history_factor`` away from its history.

    ``candidates`` (SQL with ``params``) selects indicator_code, region_code, subject_code, measure,
    period_kind, period_code, value, source_row, factor. History: the median of the figures already
    loaded (other releases) for the same indicator, region, subject, measure and the same span of the
    year (``-05``, ``-01~05``, ``-Q2``) in other years; with ``stage``, the releases staged earlier in the
    run count as loaded. An earlier vintage of the same figure is not its history: the correction of a
    unit slip that got in (no history then) is judged against the other years, not against the slip.
    Returns (source_row, period_code, value, median, factor) of the rows outside
    [median / factor, median x factor].

    Two steps keep a large release cheap: every row against the median of all vintages of its span (one
    aggregate), then only the rows found outside it again, against the other years' figures alone.
    """
    if table not in OBSERVATION_TABLES:  # whitelisted: the name is interpolated into SQL
        raise ValueError(f"unknown observation table {table!r}; expected one of {OBSERVATION_TABLES}")
    source = stage.relation_with_raw() if stage is not None else f"raw.{table}"
    return con.execute(
        f"""
        WITH cand AS ({candidates}),
        hist AS (
            SELECT o.indicator_code, o.region_code, o.subject_code, o.measure, o.period_kind,
                   substr(o.period_code, 5) AS span, median(o.value) AS med
            FROM {source} o
            WHERE o.release_id <> ?
              AND o.indicator_code IN (SELECT DISTINCT indicator_code FROM cand)
            GROUP BY ALL
        ),
        outside_all_vintages AS (
            SELECT c.*
            FROM cand c
            JOIN hist h ON c.indicator_code = h.indicator_code AND c.region_code = h.region_code
                 AND c.subject_code = h.subject_code AND c.measure = h.measure AND c.period_kind = h.period_kind
                 AND substr(c.period_code, 5) = h.span
            WHERE c.factor IS NOT NULL AND h.med > 0 AND (c.value > h.med * c.factor OR c.value < h.med / c.factor)
        ),
        other_years AS (
            SELECT c.source_row, c.period_code, c.value, median(o.value) AS med, c.factor
            FROM outside_all_vintages c
            JOIN {source} o ON c.indicator_code = o.indicator_code AND c.region_code = o.region_code
                 AND c.subject_code = o.subject_code AND c.measure = o.measure AND c.period_kind = o.period_kind
                 AND substr(c.period_code, 5) = substr(o.period_code, 5) AND o.period_code <> c.period_code
            WHERE o.release_id <> ?
            GROUP BY c.indicator_code, c.region_code, c.subject_code, c.measure, c.period_kind,
                     c.source_row, c.period_code, c.value, c.factor
        )
        SELECT source_row, period_code, value, med, factor
        FROM other_years
        WHERE med > 0 AND (value > med * factor OR value < med / factor)
        ORDER BY source_row
        """,
        [*params, release_id, release_id],
    ).fetchall()
