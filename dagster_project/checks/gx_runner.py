"""Validate pandas batches against the JSON suites with Great Expectations 1.x.

GX 1.x's SQL datasource gives wrong results on DuckDB, so every batch is read by DuckDB into a
pandas DataFrame and validated in memory, one batch at a time (memory is bounded by the batch).
One ephemeral context per validator: nothing is written to a GX project folder; the reports this
project keeps are written by :mod:`dagster_project.checks.report`.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import time
import types
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dagster_project.checks.suites import Suite
from dagster_project.processes import collections_paused

# Optional engines GX imports when they are installed, for datasources this project never uses
# (batches are pandas DataFrames): pyspark (installed for dbt-spark; 0.3 s, and pandas-3 warnings in
# every log) and SQLAlchemy (installed for Dagster's storage; 0.2 s where Dagster is not loaded).
_UNUSED_GX_ENGINES = ("pyspark", "sqlalchemy")
# GX's import runs these for one expectation this project does not use (KL divergence: scipy.stats for
# its entropy, altair for its charts), which reads them only inside its methods: they are imported at
# their first use instead, saving 0.8-1.1 s of every process that validates (`pmw ingest` included).
_IMPORTED_AT_FIRST_USE = ("scipy.stats", "altair")


class _ImportedAtFirstUse(types.ModuleType):
    """Stands in ``sys.modules`` for a module until an attribute of it is read; the read imports the
    real module (which then replaces the stand-in there) and is answered from it. importlib's LazyLoader
    cannot do this on Python 3.11: an `import` statement reads the module's spec, which loads it."""

    def __init__(self, name: str, spec: Any):
        super().__init__(name)
        self.__spec__ = spec  # what the import system reads of a module it finds in sys.modules

    def __getattr__(self, attribute: str) -> Any:  # called only for what the stand-in does not have
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


def _import_at_first_use(name: str) -> None:
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)  # imports the parent package of a submodule
    except ModuleNotFoundError:
        return  # its package is not installed: GX's own import says what is missing
    if spec is not None:
        sys.modules[name] = _ImportedAtFirstUse(name, spec)


def _import_gx():
    """Great Expectations, imported on first use: it takes 1.5-3 s, and loading the Dagster definitions
    (UI, sensors, CLI) must not pay for it. GX meets the unused engines as not installed (its own
    fallback for a missing engine) unless something in this process imported them already, and the
    modules of an unused expectation are imported when first used."""
    for name in _IMPORTED_AT_FIRST_USE:
        _import_at_first_use(name)
    blocked = [name for name in _UNUSED_GX_ENGINES if name not in sys.modules]
    sys.modules.update(dict.fromkeys(blocked))  # None: `import name` raises ImportError
    try:
        with collections_paused():
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig
            from great_expectations.execution_engine import pandas_execution_engine
    finally:
        for name in blocked:  # a later `import pyspark` (the Spark engine) finds the real package
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]
    # GX fingerprints every frame under HASH_THRESHOLD bytes (an md5 of pandas' hash of every row) for a
    # batch marker nothing reads: 0.2 s of each part of a national batch. The reports name each batch.
    pandas_execution_engine.HASH_THRESHOLD = 0
    return gx, ProgressBarsConfig


_INDEX_KEY = "pmw_index"  # position of an expectation in its JSON file, carried through GX's meta
MAX_ROWS_KEPT = 1000  # unexpected rows kept per failed expectation (attribution + samples)


@dataclass
class Failure:
    """One expectation that did not hold on one batch."""

    check_id: str  # stable id from the suite's meta
    expectation: str  # GX type, e.g. expect_column_values_to_be_between
    description: str  # 中文 / English, from the suite
    notes: str  # why the expectation exists
    severity: str  # critical | warning
    column: str
    rule: str  # the kwargs that define it, compact
    unexpected_count: int | None = None
    element_count: int | None = None
    observed: str = ""
    error: str | None = None  # GX could not evaluate it (e.g. a missing column): counts as failed
    rows: list[dict] = field(default_factory=list)  # unexpected rows: id columns + checked column(s)
    groups: set[str] = field(default_factory=set)  # values of the attribution column over ALL unexpected rows


@dataclass
class BatchResult:
    suite: str
    batch: str
    rows: int
    evaluated: int
    failures: list[Failure]
    seconds: float

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def critical(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "critical"]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if f.severity != "critical"]


@dataclass
class SuiteRun:
    """Every batch of one suite in one check run."""

    suite: Suite
    batches: list[BatchResult] = field(default_factory=list)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    report_path: Path | None = None

    @property
    def rows(self) -> int:
        return sum(b.rows for b in self.batches)

    @property
    def seconds(self) -> float:
        return sum(b.seconds for b in self.batches)

    @property
    def critical_failed(self) -> bool:
        return any(b.critical for b in self.batches)

    @property
    def warning_failed(self) -> bool:
        return any(b.warnings for b in self.batches)

    @property
    def passed(self) -> bool:
        return all(b.passed for b in self.batches)


def _plain(value: Any) -> Any:
    """numpy / pandas scalars -> plain Python, for metadata and Markdown."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return str(value)
    return value


def _column(kwargs: dict) -> str:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return "(table)"


def _rule(kwargs: dict) -> str:
    skip = {"column", "column_list", "column_A", "column_B", "condition_parser", "batch_id"}
    parts = []
    for key, value in kwargs.items():
        if key in skip or value is None:
            continue
        if key == "row_condition":
            value = _condition_text(value)
        text = value if isinstance(value, str) else repr(value)
        if len(text) > 80:
            text = text[:77] + "…"
        parts.append(f"{key}={text}")
    return "; ".join(parts)


def _condition_text(condition: Any) -> str:
    """A GX row condition (JSON form) as readable text: measure == 'value' and unit == '%'."""
    if hasattr(condition, "to_dict"):
        condition = condition.to_dict()
    if not isinstance(condition, dict):
        return str(condition)
    kind = condition.get("type")
    if kind in ("and", "or"):
        parts = [_condition_text(c) for c in condition.get("conditions", [])]
        return f" {kind} ".join(f"({p})" if " or " in p else p for p in parts)
    column = (condition.get("column") or {}).get("name", "?")
    if kind == "nullity":
        return f"{column} is {'null' if condition.get('is_null') else 'not null'}"
    if kind == "comparison":
        return f"{column} {condition.get('operator')} {condition.get('parameter')!r}"
    return str(condition.get("pass_through_filter", condition))


def _exception_message(info: Any) -> str | None:
    if not info:
        return None
    if isinstance(info, dict) and info.get("raised_exception"):
        return str(info.get("exception_message"))
    if isinstance(info, dict):  # GX keys exceptions by the metric that raised them
        for value in info.values():
            if isinstance(value, dict) and value.get("raised_exception"):
                return str(value.get("exception_message"))
    return None


def _observed(result: dict) -> str:
    if result.get("partial_missing_list"):
        return f"missing: {[_plain(v) for v in result['partial_missing_list']][:20]}"
    observed = result.get("observed_value")
    return "" if observed is None else str(_plain(observed))[:200]


_CONDITION_KEYS = ("row_condition", "condition_parser")


@dataclass
class _Part:
    """The expectations of a suite that share one row condition (None: no condition), as one GX suite
    whose expectations carry no condition: the batch is filtered once for all of them."""

    condition: dict | None  # row_condition (and condition_parser) as the suite's JSON gives them
    gx_suite: Any
    columns: frozenset[str] | None  # the columns its expectations and condition read; None: every column


_COLUMN_KWARGS = ("column", "column_A", "column_B")


def _columns_read(expectations: list[dict], condition: dict | None) -> frozenset[str] | None:
    """The columns a part reads: those its expectations name and its condition compares. None when
    that cannot be told: a table expectation (it reads every column) or a condition given as a
    pandas query string."""
    names: set[str] = set()
    for exp in expectations:
        kwargs = exp.get("kwargs") or {}
        named = [kwargs[k] for k in _COLUMN_KWARGS if k in kwargs] + list(kwargs.get("column_list") or [])
        if not named:
            return None
        names.update(named)

    def walk(node: Any) -> bool:
        if not isinstance(node, dict):
            return False
        column = node.get("column")
        if isinstance(column, dict) and isinstance(column.get("name"), str):
            names.add(column["name"])
        elif column is not None:
            return False
        return all(walk(c) for c in node.get("conditions") or [])

    if condition is not None and not walk(condition.get("row_condition")):
        return None
    return frozenset(names)


def _datetimes_in_nanoseconds(frame: pd.DataFrame) -> pd.DataFrame:
    """GX 1.x compares a datetime column with its bounds vectorised only at nanosecond resolution,
    elsewhere row by row in Python (half of a national batch's time); DuckDB and pandas 3 give
    microseconds. A column with a date outside nanoseconds' range (before 1677, after 2262) stays as
    it is: GX judges it row by row."""
    converted = {}
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_datetime64_dtype(dtype) and not pd.api.types.is_datetime64_ns_dtype(dtype):
            try:
                converted[name] = frame[name].astype("datetime64[ns]")
            except (OverflowError, pd.errors.OutOfBoundsDatetime):
                continue
    return frame.assign(**converted) if converted else frame


@dataclass
class _Unevaluated:
    """In place of GX's result for an expectation whose row condition could not be applied."""

    expectation_config: Any
    exception_info: dict
    success: bool = False
    result: dict = field(default_factory=dict)


def _not_evaluated(expectation: Any, exc: Exception) -> _Unevaluated:
    message = f"row condition could not be applied: {type(exc).__name__}: {exc}"
    return _Unevaluated(expectation.configuration, {"raised_exception": True, "exception_message": message})


class GXValidator:
    """An ephemeral GX context with one pandas DataFrame asset per suite.

    GX's pandas engine filters the whole batch for every metric of an expectation with a row
    condition (a copy of every column, several times per expectation: most of a national batch's
    time). The expectations sharing a condition are validated on the batch filtered once, with GX's
    own filter, so the rows each one judges and its results are the same.
    """

    def __init__(self, suites: list[Suite]):
        gx, ProgressBarsConfig = _import_gx()
        from great_expectations.execution_engine import PandasExecutionEngine
        from great_expectations.validator.v1_validator import Validator

        self._Validator = Validator
        self._ExpectationSuite = gx.ExpectationSuite

        self._suites = {s.name: s for s in suites}
        self.context = gx.get_context(mode="ephemeral")
        # no usage statistics leave the machine: said to the context, not through the environment
        self.context.enable_analytics(False)
        # No tqdm bars in Dagster logs or the CLI.
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self._filter_engine = PandasExecutionEngine()
        source = self.context.data_sources.add_pandas("pmw_batches")
        self._batch_definitions = {}
        self._parts: dict[str, list[_Part]] = {}
        for suite in suites:
            spec = suite.to_gx_dict()
            by_condition: dict[str, tuple[dict | None, list[dict]]] = {}
            for i, exp in enumerate(spec["expectations"]):
                exp.setdefault("meta", {})[_INDEX_KEY] = i
                # description / severity / notes stay in our Suite; GX keeps its own copy of the rest
                exp.pop("description", None)
                kwargs = exp.setdefault("kwargs", {})
                condition = {k: kwargs.pop(k) for k in _CONDITION_KEYS if kwargs.get(k) is not None} or None
                for key in _CONDITION_KEYS:
                    kwargs.pop(key, None)
                by_condition.setdefault(json.dumps(condition, sort_keys=True), (condition, []))[1].append(exp)
            self._parts[suite.name] = [
                _Part(
                    condition,
                    self.context.suites.add(
                        gx.ExpectationSuite(**{**spec, "name": f"{suite.name}#{n}", "expectations": exps})
                    ),
                    _columns_read(exps, condition),
                )
                for n, (condition, exps) in enumerate(by_condition.values())
            ]
            asset = source.add_dataframe_asset(suite.name)
            self._batch_definitions[suite.name] = asset.add_batch_definition_whole_dataframe("batch")

    def suite(self, name: str) -> Suite:
        return self._suites[name]

    def _rows_of(self, frame: pd.DataFrame, part: _Part, keep: list[str]) -> pd.DataFrame:
        """The batch a part is validated on: its rows (the condition applied once), and of a national
        batch's 24 columns only those it reads and the row ids. Filtering copies every column kept, and
        GX fingerprints every batch it is given (hashing each column): both cost by the column."""
        if part.columns is not None:
            wanted = part.columns.union(keep)
            frame = frame[[c for c in frame.columns if c in wanted]]
        if part.condition is None:
            return frame
        return self._filter_engine._apply_row_condition_filter(frame, part.condition["row_condition"], part.condition)

    def validate(
        self,
        suite_name: str,
        frame: pd.DataFrame,
        batch: str,
        parameters: dict | None = None,
        attribute_by: str | None = None,
    ) -> BatchResult:
        """Validate one batch. ``attribute_by`` (a row id column, e.g. release_id) collects, for each
        failed expectation, the values of that column over every unexpected row (Failure.groups)."""
        suite = self._suites[suite_name]
        id_columns = [c for c in suite.row_id_columns if c in frame.columns]
        result_format: dict[str, Any] = {"result_format": "COMPLETE", "partial_unexpected_count": 20}
        if id_columns:
            result_format["unexpected_index_column_names"] = id_columns
        started = time.perf_counter()
        frame = _datetimes_in_nanoseconds(frame)
        results = []
        for part in self._parts[suite_name]:
            try:
                rows = self._rows_of(frame, part, [*id_columns, *([attribute_by] if attribute_by else [])])
            except Exception as exc:  # noqa: BLE001 - GX words it per expectation too: a missing column, say
                results += [_not_evaluated(exp, exc) for exp in part.gx_suite.expectations]
                continue
            # Verdicts first: the unexpected rows, values and counts GX gathers for a COMPLETE result
            # cost 0.7-1.2 s of a national batch that passes. Only the expectations that failed are
            # validated again, on the same rows, for them.
            verdicts = self._results(suite_name, rows, part.gx_suite, parameters, {"result_format": "BOOLEAN_ONLY"})
            failed = {(r.expectation_config.meta or {}).get(_INDEX_KEY) for r in verdicts if not r.success}
            if not failed:
                results += verdicts
                continue
            again = self._ExpectationSuite(
                name=f"{part.gx_suite.name} failed",
                expectations=[
                    e.configuration.to_json_dict() for e in part.gx_suite.expectations if e.meta[_INDEX_KEY] in failed
                ],
            )
            results += [r for r in verdicts if r.success]
            results += self._results(suite_name, rows, again, parameters, result_format)
        failures = [self._failure(suite, r, attribute_by) for r in results if not r.success]
        failures.sort(key=lambda f: (f.severity != "critical", f.expectation, f.column))
        return BatchResult(
            suite=suite_name,
            batch=batch,
            rows=len(frame),
            evaluated=len(results),
            failures=failures,
            seconds=time.perf_counter() - started,
        )

    def _results(
        self, suite_name: str, rows: pd.DataFrame, gx_suite: Any, parameters: dict | None, result_format: dict
    ):
        # What Batch.validate runs, without getting the batch a second time (a copy of the frame)
        validator = self._Validator(
            batch_definition=self._batch_definitions[suite_name],
            batch_parameters={"dataframe": rows},
            result_format=result_format,
        )
        return validator.validate_expectation_suite(gx_suite, parameters or {}).results

    @staticmethod
    def _failure(suite: Suite, result: Any, attribute_by: str | None) -> Failure:
        config = result.expectation_config
        index = (config.meta or {}).get(_INDEX_KEY)
        source = suite.expectations[index] if index is not None else {}
        # the row condition was applied before GX saw the batch (:class:`GXValidator`): it is part of the rule
        condition = {k: v for k, v in (source.get("kwargs") or {}).items() if k in _CONDITION_KEYS}
        kwargs = {**config.kwargs, **condition}
        details = result.result or {}
        raw_rows = details.get("unexpected_index_list") or []
        rows = [{k: _plain(v) for k, v in row.items()} for row in raw_rows[:MAX_ROWS_KEPT] if isinstance(row, dict)]
        groups = {str(row[attribute_by]) for row in raw_rows if isinstance(row, dict) and attribute_by in row}
        if not rows and details.get("partial_unexpected_list"):
            rows = [{"value": _plain(v)} for v in details["partial_unexpected_list"]]
        return Failure(
            check_id=(source.get("meta") or {}).get("check_id", config.type),
            expectation=config.type,
            description=source.get("description", config.type),
            notes=source.get("notes", ""),
            severity=source.get("severity", "critical"),
            column=_column(kwargs),
            rule=_rule(kwargs),
            unexpected_count=details.get("unexpected_count"),
            element_count=details.get("element_count"),
            observed=_observed(details),
            error=_exception_message(result.exception_info),
            rows=rows,
            groups=groups,
        )
