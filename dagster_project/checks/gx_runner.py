"""Validate pandas batches against the JSON suites with Great Expectations 1.x.

GX 1.x's SQL datasource gives wrong results on DuckDB, so every batch is read by DuckDB into a
pandas DataFrame and validated in memory, one batch at a time (memory is bounded by the batch).
One ephemeral context per validator: nothing is written to a GX project folder; the reports this
project keeps are written by :mod:`dagster_project.checks.report`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dagster_project.checks.suites import Suite


def _import_gx():
    """Great Expectations, imported on first use: it takes ~6 s, and loading the Dagster definitions
    (UI, sensors, CLI) must not pay for it."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

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


class GXValidator:
    """An ephemeral GX context with one pandas DataFrame asset per suite."""

    def __init__(self, suites: list[Suite]):
        gx, ProgressBarsConfig = _import_gx()
        self._suites = {s.name: s for s in suites}
        self.context = gx.get_context(mode="ephemeral")
        # no usage statistics leave the machine: said to the context, not through the environment
        self.context.enable_analytics(False)
        # No tqdm bars in Dagster logs or the CLI.
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = self.context.data_sources.add_pandas("pmw_batches")
        self._batch_definitions = {}
        self._gx_suites = {}
        for suite in suites:
            spec = suite.to_gx_dict()
            for i, exp in enumerate(spec["expectations"]):
                exp.setdefault("meta", {})[_INDEX_KEY] = i
                # description / severity / notes stay in our Suite; GX keeps its own copy of the rest
                exp.pop("description", None)
            self._gx_suites[suite.name] = self.context.suites.add(gx.ExpectationSuite(**spec))
            asset = source.add_dataframe_asset(suite.name)
            self._batch_definitions[suite.name] = asset.add_batch_definition_whole_dataframe("batch")

    def suite(self, name: str) -> Suite:
        return self._suites[name]

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
        gx_batch = self._batch_definitions[suite_name].get_batch(batch_parameters={"dataframe": frame})
        outcome = gx_batch.validate(
            self._gx_suites[suite_name], result_format=result_format, expectation_parameters=parameters or {}
        )
        failures = [self._failure(suite, r, attribute_by) for r in outcome.results if not r.success]
        failures.sort(key=lambda f: (f.severity != "critical", f.expectation, f.column))
        return BatchResult(
            suite=suite_name,
            batch=batch,
            rows=len(frame),
            evaluated=len(outcome.results),
            failures=failures,
            seconds=time.perf_counter() - started,
        )

    @staticmethod
    def _failure(suite: Suite, result: Any, attribute_by: str | None) -> Failure:
        config = result.expectation_config
        index = (config.meta or {}).get(_INDEX_KEY)
        source = suite.expectations[index] if index is not None else {}
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
            column=_column(config.kwargs),
            rule=_rule(config.kwargs),
            unexpected_count=details.get("unexpected_count"),
            element_count=details.get("element_count"),
            observed=_observed(details),
            error=_exception_message(result.exception_info),
            rows=rows,
            groups=groups,
        )
