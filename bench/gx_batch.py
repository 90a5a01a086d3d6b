"""Step 4: validate one national monthly release with the expectation suites, and its SQL floor.

The pipeline side uses the project's runner (``dagster_project.checks.raw.validate_releases``: the
``raw_observations`` suite on the release's rows as one pandas batch, GX 1.x ephemeral context).
If that runner is missing or its signature changed, a direct GX validation with a handful of the
same expectations runs instead, and the result says so.

The floor evaluates the suite's own expectations as DuckDB SQL over the stored rows: the same rules,
no pandas, no GX. Expectation types it cannot translate are listed as skipped.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.checks.batches import raw_check_columns_sql
from dagster_project.settings import REPO_ROOT

SUITE = "raw_observations"


def _suite_path() -> Path:
    base = os.environ.get("PMW_EXPECTATIONS_DIR")
    return (Path(base) if base else REPO_ROOT / "expectations") / f"{SUITE}.json"


def _parameters(seeds_dir: Path) -> dict:
    """The catalogue parameters the suite uses (those alone, like the pipeline's runner)."""
    try:
        from dagster_project.checks.batches import catalogue_parameters
        from dagster_project.checks.suites import load_suite

        suite = load_suite(SUITE, _suite_path().parent)
        names = getattr(suite, "parameter_names", None)  # an older checkout computes them all
        return catalogue_parameters(seeds_dir) if names is None else catalogue_parameters(seeds_dir, names=names)
    except ImportError:
        from dagster_project.ingest.catalog import load_catalog

        catalog = load_catalog(seeds_dir)
        return {
            "known_indicator_codes": sorted(catalog.indicators),
            "known_region_codes": sorted(catalog.regions),
            "known_subject_codes": ["", *sorted(catalog.sections), *sorted(catalog.projects)],
        }


def validate_release(args: dict) -> dict:
    seeds_dir = Path(args["seeds_dir"])
    con = duckdb.connect(args["warehouse"], read_only=True)
    started = time.perf_counter()
    try:
        from dagster_project.checks.raw import validate_releases

        outcome = validate_releases(
            con,
            "observations",
            [args["release_id"]],
            seeds_dir=seeds_dir,
            validation_dir=Path(args["validation_dir"]),
            run_id="bench",
            asset="raw/observations",
        )
        seconds = time.perf_counter() - started
        batches = outcome.run.batches
        return {
            "runner": "dagster_project.checks.raw.validate_releases",
            "rows": sum(b.rows for b in batches),
            "batches": len(batches),
            "expectations": sum(b.evaluated for b in batches),
            "failed": sorted({f"{f.expectation}({f.column})" for b in batches for f in b.failures}),
            "seconds": seconds,
        }
    except (ImportError, TypeError, AttributeError) as exc:
        return _validate_direct(con, args, seeds_dir, f"direct GX fallback ({type(exc).__name__}: {exc})")


def _validate_direct(con: duckdb.DuckDBPyConnection, args: dict, seeds_dir: Path, why: str) -> dict:
    """GX 1.x on a pandas batch with a few of the suite's expectations (no project runner)."""
    import great_expectations as gx

    started = time.perf_counter()
    frame = con.execute("SELECT * FROM raw.observations WHERE release_id = ?", [args["release_id"]]).df()
    params = _parameters(seeds_dir)
    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("bench")
        .add_dataframe_asset("release")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(
        name="bench_raw",
        expectations=[
            gx.expectations.ExpectColumnValuesToNotBeNull(column="value"),
            gx.expectations.ExpectColumnValuesToBeInSet(
                column="indicator_code", value_set=params["known_indicator_codes"]
            ),
            gx.expectations.ExpectColumnValuesToBeInSet(column="region_code", value_set=params["known_region_codes"]),
            gx.expectations.ExpectColumnValuesToBeInSet(
                column="bound", value_set=["eq", "gt", "ge", "lt", "le", "approx"]
            ),
            gx.expectations.ExpectCompoundColumnsToBeUnique(
                column_list=["release_id", "indicator_code", "region_code", "subject_code", "period_code", "measure"]
            ),
        ],
    )
    result = batch.validate(suite)
    return {
        "runner": why,
        "rows": len(frame),
        "batches": 1,
        "expectations": len(result.results),
        "failed": sorted(r.expectation_config.type for r in result.results if not r.success),
        "seconds": time.perf_counter() - started,
    }


# ------------------------------------------------------------------------------------------ SQL floor
def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[\d:]+)?", value):
        return f"TIMESTAMP '{value.replace('T', ' ')}'"
    return "'" + str(value).replace("'", "''") + "'"


class Untranslatable(ValueError):
    """An expectation (or row condition) the SQL floor does not know how to express."""


_SQL_OPERATORS = {"==": "=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _condition_sql(cond: Any) -> str:
    """GX 1.x row condition -> SQL, with pandas' NULL semantics (NaN != 'x' is true, NaN == 'x' false)."""
    if isinstance(cond, str):  # the older pandas-query string
        return "(" + cond.replace("==", "=").replace('"', "'").replace("True", "true").replace("False", "false") + ")"
    kind = cond.get("type")
    if kind in ("and", "or"):
        return "(" + f" {kind.upper()} ".join(_condition_sql(c) for c in cond["conditions"]) + ")"
    if kind == "not":
        return f"(NOT coalesce({_condition_sql(cond['condition'])}, false))"
    if kind == "comparison":
        column, op, value = cond["column"]["name"], cond["operator"], _literal(cond["parameter"])
        if op == "!=":
            return f"({column} IS DISTINCT FROM {value})"
        if op in _SQL_OPERATORS:
            return f"({column} {_SQL_OPERATORS[op]} {value})"
    if "pass_through_filter" in cond:
        return _condition_sql(cond["pass_through_filter"])
    raise Untranslatable(f"row condition {cond!r}")


def _condition(kwargs: dict) -> str:
    cond = kwargs.get("row_condition")
    return _condition_sql(cond) if cond else "true"


def _resolve(value: Any, params: dict) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return params[value["$PARAMETER"]]
    return value


def _column_expr(column: str, value: Any) -> str:
    # dates are compared as timestamps when the bound is a date/time string
    return f"CAST({column} AS TIMESTAMP)" if isinstance(value, str) else column


def expectation_sql(exp: dict, params: dict) -> str | None:
    """``SELECT count(*)`` of the rows of ``batch`` that break ``exp`` (None: not translatable)."""
    kind, kw = exp["type"], exp["kwargs"]
    try:
        where = _condition(kw)
    except Untranslatable:
        return None
    col = kw.get("column")
    if kind in ("expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique"):
        cols = ", ".join(kw["column_list"]) if "column_list" in kw else col
        groups = f"SELECT count(*) AS n FROM batch WHERE {where} GROUP BY {cols}"
        return f"SELECT coalesce(sum(n), 0) FROM ({groups}) WHERE n > 1"
    if kind == "expect_column_values_to_not_be_null":
        nan = f" OR isnan(TRY_CAST({col} AS DOUBLE))" if col == "value" else ""
        return f"SELECT count(*) FROM batch WHERE {where} AND ({col} IS NULL{nan})"
    if kind == "expect_column_values_to_be_in_set":
        values = _resolve(kw["value_set"], params)
        listed = ", ".join(_literal(v) for v in values) or "NULL"
        return f"SELECT count(*) FROM batch WHERE {where} AND {col} IS NOT NULL AND {col} NOT IN ({listed})"
    if kind == "expect_column_values_to_match_regex":
        regex = kw["regex"].replace("'", "''")
        return (
            f"SELECT count(*) FROM batch WHERE {where} AND {col} IS NOT NULL AND NOT regexp_matches({col}, '{regex}')"
        )
    if kind == "expect_column_values_to_be_between":
        lo, hi = _resolve(kw.get("min_value"), params), _resolve(kw.get("max_value"), params)
        tests = []
        if lo is not None:
            op = ">" if kw.get("strict_min") else ">="
            tests.append(f"{_column_expr(col, lo)} {op} {_literal(lo)}")
        if hi is not None:
            op = "<" if kw.get("strict_max") else "<="
            tests.append(f"{_column_expr(col, hi)} {op} {_literal(hi)}")
        ok = " AND ".join(tests) or "true"
        return f"SELECT count(*) FROM batch WHERE {where} AND {col} IS NOT NULL AND NOT ({ok})"
    if kind == "expect_column_value_lengths_to_be_between":
        lo, hi = kw.get("min_value"), kw.get("max_value")
        ok = " AND ".join(
            t
            for t in (
                f"length({col}) >= {lo}" if lo is not None else "",
                f"length({col}) <= {hi}" if hi is not None else "",
            )
            if t
        )
        return f"SELECT count(*) FROM batch WHERE {where} AND {col} IS NOT NULL AND NOT ({ok or 'true'})"
    if kind == "expect_column_pair_values_to_be_equal":
        a, b = kw["column_A"], kw["column_B"]
        both_missing = f"({a} IS NULL AND {b} IS NULL)"
        return f"SELECT count(*) FROM batch WHERE {where} AND NOT {both_missing} AND {a} IS DISTINCT FROM {b}"
    if kind == "expect_column_pair_values_in_set" or kind == "expect_column_pair_values_to_be_in_set":
        a, b = kw["column_A"], kw["column_B"]
        pairs = (
            " OR ".join(f"({a} = {_literal(x)} AND {b} = {_literal(y)})" for x, y in kw["value_pairs_set"]) or "false"
        )
        return f"SELECT count(*) FROM batch WHERE {where} AND NOT ({pairs})"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = kw["column_A"], kw["column_B"]
        op = ">=" if kw.get("or_equal") else ">"
        return (
            f"SELECT count(*) FROM batch WHERE {where} AND {a} IS NOT NULL AND {b} IS NOT NULL AND NOT ({a} {op} {b})"
        )
    return None


def validate_release_sql(args: dict) -> dict:
    seeds_dir = Path(args["seeds_dir"])
    suite = json.loads(_suite_path().read_text(encoding="utf-8"))
    params = _parameters(seeds_dir)
    con = duckdb.connect(args["warehouse"], read_only=True)
    started = time.perf_counter()
    # the runner's check columns (within the release) by the runner's own SQL
    con.execute(
        f"""
        CREATE TEMP TABLE batch AS
        WITH joined AS (
            SELECT o.*, i.unit AS indicator_unit, i.measure_kind AS indicator_measure_kind,
                   TRY_CAST(i.natural_limit AS DOUBLE) AS indicator_natural_limit
            FROM raw.observations AS o
            LEFT JOIN read_csv('{seeds_dir / "indicators.csv"}', header = true, all_varchar = true) AS i
                USING (indicator_code)
            WHERE o.release_id = ?
        )
        {raw_check_columns_sql("joined")}
        """,
        [args["release_id"]],
    )
    failed, skipped, evaluated = [], [], 0
    columns = [r[0] for r in con.execute("DESCRIBE batch").fetchall()]
    for exp in suite["expectations"]:
        kind, kw = exp["type"], exp["kwargs"]
        if kind == "expect_table_columns_to_match_ordered_list":
            evaluated += 1
            if columns != list(kw["column_list"]):
                failed.append(f"{kind}(table)")
            continue
        sql = expectation_sql(exp, params)
        if sql is None:
            skipped.append(kind)
            continue
        evaluated += 1
        if con.execute(sql).fetchone()[0]:
            failed.append(f"{kind}({kw.get('column') or kw.get('column_A') or ','.join(kw.get('column_list', []))})")
    seconds = time.perf_counter() - started
    rows = con.execute("SELECT count(*) FROM batch").fetchone()[0]
    return {"rows": rows, "expectations": evaluated, "failed": sorted(failed), "skipped": skipped, "seconds": seconds}
