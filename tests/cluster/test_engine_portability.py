"""Portability (issue 17): the same dbt project builds the same rows on DuckDB (the sample pipeline) and on a
local standalone Spark cluster (master, worker, Thrift server from the pyspark wheel; Delta tables where
the jars are there). The cluster is started for this module on 127.0.0.1 and stopped by PID at its end.

What is built on Spark is SLICE: the seeds and everything fct_target_scorecard is built from (staging, the
intermediate models of every target kind and the task roll-up, fct_target_progress), end to end. The whole
project builds on Spark too (docs/cluster.md: 52 models, measured by hand), but takes about 10 minutes
here, too long for `make test`; the slice proves the same thing for every target kind in about half.

Numbers are compared with a relative tolerance of 1e-9 (REL_TOL): the engines add doubles in a different
order (sums, averages over a shuffle); everything else (texts, dates, booleans, integers) must be equal."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import psutil
import pytest

from dagster_project.engine import (
    dbt_target_args,
    export_raw_to_parquet,
    register_raw_on_spark,
    spark_cursor,
)
from dagster_project.resources import dbt_executable
from scripts import cluster

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt"
SLICE = ["+fct_target_scorecard"]
REL_TOL = 1e-9
ABS_TOL = 1e-12
# the doubles whose text the explanation columns carry: DuckDB's plain / scientific switch points and
# Java's (1e-3, 1e7), shortest digits, negatives, zero (-0.04 rounds to -0.0; a -0.0 literal reaches Spark as 0.0)
NUMBERS_AS_TEXT = [
    0.1, 1 / 3, 35.0, 100.0, 0.001, 0.0001, 0.00012345, 1e-5, 1e-7, 1e7, 12345678.5, 123456789012.25,
    1e15, 1e16, 1.5e17, 1e20, -2.5e8, -0.5, 0.0, -0.04, 63.04, 12.34567,
]  # fmt: skip


def _manifest_nodes(target_path: Path, built: set[str]) -> list[dict]:
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    return [n for n in manifest["nodes"].values() if n["unique_id"] in built]


def _built(target_path: Path) -> set[str]:
    """The seeds and models the last dbt command built (run_results.json)."""
    results = json.loads((target_path / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {r["unique_id"] for r in results if r["status"] == "success"}


def _dbt(args: list[str], env: dict, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [dbt_executable(), *args, *dbt_target_args("spark", "thrift"), "--profiles-dir", str(DBT_DIR)]
        + ["--target-path", str(home / "dbt_target"), "--log-path", str(home / "dbt_logs")],
        cwd=DBT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def spark_build(sample_pipeline_run, tmp_path_factory: pytest.TempPathFactory):
    """Start a cluster, hand it the sample's raw tables, build the seeds and SLICE on it with dbt."""
    home = tmp_path_factory.mktemp("cluster_spark")
    timings: dict[str, float] = {}
    started = time.monotonic()
    state = cluster.up(home, spark=True, postgres=False)
    timings["cluster up"] = time.monotonic() - started
    try:
        env = {**os.environ, **state.env()}
        folders = export_raw_to_parquet(sample_pipeline_run.warehouse, home / "raw")
        with spark_cursor(state.thrift_host, state.thrift_port) as cursor:
            register_raw_on_spark(cursor, folders)
        built: set[str] = set()
        for command in (["seed"], ["run", "--select", *SLICE]):
            started = time.monotonic()
            done = _dbt(command, env, home)
            timings[f"dbt {command[0]}"] = time.monotonic() - started
            assert done.returncode == 0, f"dbt {command[0]} on Spark failed:\n{done.stdout[-6000:]}"
            built |= _built(home / "dbt_target")
        yield state, _manifest_nodes(home / "dbt_target", built), env, home
    finally:
        processes = list(state.processes)
        cluster.down(home)
        assert not any(psutil.pid_exists(p.pid) for p in processes), "a cluster process outlived down()"
        print("portability timings (s): " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))


def _normal(value):
    """One comparable form for a value read from either engine."""
    if isinstance(value, float | Decimal):
        value = float(value)
        return None if math.isnan(value) else value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sort_key(row: tuple) -> tuple:
    # floats to 6 significant digits so that rows a last-bit difference apart sort alike
    return tuple(
        (0, "") if v is None else (1, f"{v:.6g}") if isinstance(v, float) else (2, str(type(v)), str(v)) for v in row
    )


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float | int) or isinstance(b, float) and isinstance(a, int):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def _differences(relation: str, columns: list[str], on_duckdb: list[tuple], on_spark: list[tuple]) -> list[str]:
    """Row-for-row differences of two multisets of rows (numbers within REL_TOL), as readable lines."""
    if len(on_duckdb) != len(on_spark):
        return [f"{relation}: {len(on_duckdb)} rows on DuckDB, {len(on_spark)} on Spark"]
    problems = []
    for left, right in zip(sorted(on_duckdb, key=_sort_key), sorted(on_spark, key=_sort_key), strict=True):
        for column, a, b in zip(columns, left, right, strict=True):
            if not _same(a, b):
                problems.append(f"{relation}.{column}: DuckDB {a!r} / Spark {b!r} (row {left[:3]})")
    return problems


def test_every_seed_and_model_built_holds_the_same_rows_on_duckdb_and_spark(sample_pipeline_run, spark_build):
    state, nodes, _, _ = spark_build
    layers = {n["fqn"][1] if n["resource_type"] == "model" else "seeds" for n in nodes}
    assert {"seeds", "staging", "intermediate", "marts"} <= layers
    kinds = {n["name"] for n in nodes if n["name"].startswith("int_target_series__")}
    assert kinds >= {f"int_target_series__{k}" for k in ("levels", "growth_index", "projects", "ranks", "regional")}
    for mart in ("fct_target_progress", "fct_target_scorecard", "int_task_target_rollup"):
        assert any(n["name"] == mart for n in nodes), f"{mart} was not built on Spark"
    problems: list[str] = []
    with (
        duckdb.connect(str(sample_pipeline_run.warehouse), read_only=True) as local,
        spark_cursor(state.thrift_host, state.thrift_port) as spark,
    ):
        for node in nodes:
            relation = f"{node['schema']}.{node['alias']}"
            columns = [c[0] for c in local.execute(f"describe {relation}").fetchall()]
            select = f"select {', '.join(f'`{c}`' for c in columns)} from {relation}"
            on_duckdb = [tuple(map(_normal, r)) for r in local.execute(select.replace("`", '"')).fetchall()]
            spark.execute(select)
            on_spark = [tuple(map(_normal, r)) for r in spark.fetchall()]
            if not on_duckdb and node["resource_type"] == "seed":
                problems.append(f"{relation} is empty on both engines: nothing was compared")
            problems += _differences(relation, columns, on_duckdb, on_spark)
    assert not problems, f"{len(problems)} differences, the first:\n" + "\n".join(problems[:20])


def test_numbers_are_written_as_text_as_duckdb_writes_them(spark_build, tmp_path):
    """cross_engine_number_text (dbt/macros/cross_engine/sql_functions.sql) on Spark gives DuckDB's text."""
    state, _, env, home = spark_build
    values = ", ".join(f"({v!r})" for v in NUMBERS_AS_TEXT)
    inline = (
        f"select x, {{{{ cross_engine_number_text('x') }}}}, {{{{ cross_engine_number_text('x', 1) }}}}"
        f" from (values {values}) as v (x)"
    )
    done = _dbt(["compile", "--quiet", "--output", "json", "--inline", inline], env, home)
    assert done.returncode == 0, done.stdout[-3000:]
    compiled = json.loads(done.stdout[done.stdout.index("{") :])["compiled"]  # {"compiled": "..."}, indented
    with spark_cursor(state.thrift_host, state.thrift_port) as spark:
        spark.execute(compiled)
        on_spark = sorted((repr(float(x)), t, r) for x, t, r in spark.fetchall())
    with duckdb.connect() as local:
        as_text = "select cast(cast(? as double) as varchar), cast(round(cast(? as double), 1) as varchar)"
        expected = sorted((repr(v), *local.execute(as_text, [v, v]).fetchone()) for v in NUMBERS_AS_TEXT)
    assert on_spark == expected


def test_spark_tables_are_delta_with_history_when_the_jars_are_there(spark_build):
    state, _, _, _ = spark_build
    assert state.table_format == ("delta" if cluster.delta_jars() else "parquet")
    with spark_cursor(state.thrift_host, state.thrift_port) as spark:
        for table in ("seeds.targets", "intermediate.int_target_series", "marts.fct_target_scorecard"):
            spark.execute(f"describe table extended {table}")
            provider = {row[0]: row[1] for row in spark.fetchall()}["Provider"]
            assert provider == state.table_format, table
        if state.table_format == "delta":
            # a version to read "as of": the seed's create, then its insert
            spark.execute("describe history seeds.targets")
            assert len(spark.fetchall()) >= 2
            spark.execute("select count(*) from seeds.targets version as of 0")
            assert spark.fetchone()[0] == 0


def test_incremental_runs_on_spark_replace_rows_without_losing_any(spark_build):
    """A second, incremental run: merge (one row per key) and partition overwrite (every row of a target)
    run on Spark and leave the tables as the full build wrote them."""
    state, _, env, home = spark_build
    models = ["int_observations__latest", "int_target_series__projects", "int_target_series"]
    with spark_cursor(state.thrift_host, state.thrift_port) as spark:
        before = {}
        for model in models:
            spark.execute(f"select * from intermediate.{model}")
            before[model] = sorted(map(repr, spark.fetchall()))
        done = _dbt(["run", "--select", *models], env, home)
        assert done.returncode == 0, done.stdout[-4000:]
        for model in models:
            spark.execute(f"select * from intermediate.{model}")
            assert sorted(map(repr, spark.fetchall())) == before[model], model
