"""Portability (issue 17): the same dbt project builds the same rows on DuckDB (the sample pipeline) and on a
local standalone Spark cluster (master, worker, Thrift server from the pyspark wheel; Delta tables where
the jars are there), and what Spark built is checked, published and read as DuckDB's is. The cluster is
started for this module on 127.0.0.1 and stopped by PID at its end.

The build goes through what Dagster runs around dbt on Spark (dagster_project.engine.SparkBuild): the
sample's raw tables go to Spark, dbt seeds and runs the whole project there, and the relations the checks
and the publish read come back into a DuckDB warehouse that held only the raw tables. Then the same GX
suites, the same publish (write-audit-publish) and the same `pmw status` run on it.

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

from dagster_project.assets.transform import READ_AFTER_BUILD
from dagster_project.engine import SparkBuild, copy_back_from_spark, dbt_target_args, spark_cursor
from dagster_project.resources import dbt_executable
from scripts import cluster

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt"
REL_TOL = 1e-9
ABS_TOL = 1e-12
# the doubles whose text the explanation columns carry: DuckDB's plain / scientific switch points and
# Java's (1e-3, 1e7), shortest digits, negatives, zero (-0.04 rounds to -0.0; a -0.0 literal reaches Spark as 0.0)
NUMBERS_AS_TEXT = [
    0.1, 1 / 3, 35.0, 100.0, 0.001, 0.0001, 0.00012345, 1e-5, 1e-7, 1e7, 12345678.5, 123456789012.25,
    1e15, 1e16, 1.5e17, 1e20, -2.5e8, -0.5, 0.0, -0.04, 63.04, 12.34567,
]  # fmt: skip
# when the build that wrote a row ran (fct_scorecard_monthly): two builds, two times, by design
BUILD_TIME_COLUMNS = {"recorded_at"}


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


def _raw_only_warehouse(sample_warehouse: Path, path: Path) -> Path:
    """A DuckDB warehouse holding only the sample's raw tables (what ingestion wrote): everything else in it
    must come back from Spark."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"attach '{sample_warehouse}' as sample (read_only)")
        tables = con.execute(
            "select table_name from duckdb_tables() where database_name = 'sample' and schema_name = 'raw'"
        ).fetchall()
        con.execute("create schema raw")
        for (table,) in tables:
            con.execute(f"create table raw.{table} as select * from sample.raw.{table}")
        con.execute("detach sample")
    return path


@pytest.fixture(scope="module")
def spark_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Start a cluster; seed the dbt project on it, hand it the sample's raw tables, run the whole project
    and copy back what the checks and the publish read, as Dagster's dbt asset does on Spark. The cluster
    starts and the seeds load while the sample pipeline (conftest, in the background) is still running:
    only the raw tables wait for it."""
    home = tmp_path_factory.mktemp("cluster_spark")
    timings: dict[str, float] = {}
    started = time.monotonic()
    state = cluster.up(home, spark=True, postgres=False)
    timings["cluster up"] = time.monotonic() - started
    try:
        env = {**os.environ, **state.env()}
        built: set[str] = set()

        def dbt_step(command: str) -> None:
            started = time.monotonic()
            done = _dbt([command], env, home)
            timings[f"dbt {command}"] = time.monotonic() - started
            assert done.returncode == 0, f"dbt {command} on Spark failed:\n{done.stdout[-6000:]}"
            built.update(_built(home / "dbt_target"))

        dbt_step("seed")
        started = time.monotonic()
        sample_pipeline_run = request.getfixturevalue("sample_pipeline_run")
        timings["waiting for the sample pipeline"] = time.monotonic() - started
        warehouse = _raw_only_warehouse(sample_pipeline_run.warehouse, home / "warehouse.duckdb")
        build = SparkBuild(
            warehouse,
            home / "exchange",
            READ_AFTER_BUILD,
            home / "dbt_target" / "manifest.json",
            thrift=(state.thrift_host, state.thrift_port),
        )
        build.before()
        dbt_step("run")
        started = time.monotonic()
        copied = build.after()
        timings["copy back"] = time.monotonic() - started
        yield state, _manifest_nodes(home / "dbt_target", built), env, home, warehouse, copied
    finally:
        processes = list(state.processes)
        started = time.monotonic()
        cluster.down(home)
        timings["cluster down"] = time.monotonic() - started
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
    state, nodes, *_ = spark_build
    layers = {n["fqn"][1] if n["resource_type"] == "model" else "seeds" for n in nodes}
    assert {"seeds", "staging", "intermediate", "marts"} <= layers
    kinds = {n["name"] for n in nodes if n["name"].startswith("int_target_series__")}
    assert kinds >= {f"int_target_series__{k}" for k in ("levels", "growth_index", "projects", "ranks", "regional")}
    manifest = json.loads((DBT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    every = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")}
    assert every - {n["name"] for n in nodes} == set(), "not built on Spark"
    problems: list[str] = []
    with (
        duckdb.connect(str(sample_pipeline_run.warehouse), read_only=True) as local,
        spark_cursor(state.thrift_host, state.thrift_port) as spark,
    ):
        for node in nodes:
            relation = f"{node['schema']}.{node['alias']}"
            columns = [c[0] for c in local.execute(f"describe {relation}").fetchall() if c[0] not in BUILD_TIME_COLUMNS]
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
    state, _, env, home, *_ = spark_build
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


def test_the_growth_index_builds_on_spark_without_codegen_or_adaptive_execution(spark_build):
    """Spark's plan depends on settings a cluster may have: without whole-stage code generation (also its
    fallback for plans past its method-size limits) and adaptive execution, the growth index computed a
    span's per-year remainder before the filter that keeps only spans with unknown years, and divided by
    zero (ANSI mode raises). Its divisor is guarded; the rows are those of the module's build."""
    state, _, _, home, *_ = spark_build
    compiled = home / "dbt_target" / "compiled" / "zhuzhou_progress" / "models" / "intermediate"
    query = (compiled / "int_target_series__growth_index.sql").read_text(encoding="utf-8")
    with spark_cursor(state.thrift_host, state.thrift_port) as spark:
        spark.execute("set spark.sql.codegen.wholeStage=false")
        spark.execute("set spark.sql.adaptive.enabled=false")
        spark.execute(f"select count(*) from ({query}\n) as built")
        without = spark.fetchone()[0]
        spark.execute("select count(*) from intermediate.int_target_series__growth_index")
        assert without == spark.fetchone()[0] > 0


def test_spark_tables_are_delta_with_history_when_the_jars_are_there(spark_build):
    state, *_ = spark_build
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


def test_the_jvms_that_plan_nothing_compile_with_c1_and_collect_with_the_serial_gc(spark_build):
    """The executor, master and worker run with scripts/cluster.py's SMALL_JVM_OPTIONS (C2's compiling was
    most of the executor's CPU in this build); the Thrift server, which plans the queries, keeps C2 and takes
    the serial collector only."""
    state, *_ = spark_build
    options = cluster.SMALL_JVM_OPTIONS.split()
    jvms: dict[str, list[str]] = {}
    for recorded in state.processes:
        top = psutil.Process(recorded.pid)
        for proc in [top, *top.children(recursive=True)]:
            try:
                command = proc.cmdline()
            except psutil.NoSuchProcess:  # also a zombie: a launcher that has handed over to its JVM
                continue
            role = next((r for r in ("Master", "Worker", "CoarseGrainedExecutorBackend", "HiveThriftServer2")
                         if any(arg.endswith(r) for arg in command)), None)  # fmt: skip
            if role and command[0].endswith("java"):
                jvms[role] = command
    assert set(jvms) == {"Master", "Worker", "CoarseGrainedExecutorBackend", "HiveThriftServer2"}, sorted(jvms)
    for role in ("Master", "Worker", "CoarseGrainedExecutorBackend"):
        assert all(option in jvms[role] for option in options), (role, jvms[role])
    assert "-XX:TieredStopAtLevel=1" not in jvms["HiveThriftServer2"]
    assert cluster.DRIVER_GC_OPTION in jvms["HiveThriftServer2"]


def test_incremental_runs_on_spark_replace_rows_without_losing_any(spark_build):
    """A second, incremental run: merge (one row per key) and partition overwrite (every row of a target)
    run on Spark and leave the tables as the full build wrote them."""
    state, _, env, home, *_ = spark_build
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


def _published_tables(db: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        found = {}
        for name in names:
            if name == "publish_manifest":
                continue  # version, run and time: different by design
            columns = [c[0] for c in con.execute(f'describe "{name}"').fetchall() if c[0] not in BUILD_TIME_COLUMNS]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from "{name}"').fetchall()
            found[name] = (columns, [tuple(map(_normal, r)) for r in rows])
    return found


def test_what_spark_built_is_checked_published_and_read_by_pmw_status_as_duckdb_s(
    sample_pipeline_run, spark_build, tmp_path
):
    """Write-audit-publish on Spark: the copied-back marts pass the same GX suites, the same publish step
    makes a version of them, and the published copy equals DuckDB's table for table, row for row, with
    the marts' documentation; `pmw status` reads it and says what it says on DuckDB's."""
    from click.testing import CliRunner

    from dagster_project.assets.checks import validate_marts
    from dagster_project.checks.batches import CHECKED_MARTS
    from dagster_project.cli import main
    from dagster_project.publish import publish_marts
    from dagster_project.settings import REPO_ROOT

    *_, home, warehouse, copied = spark_build
    assert set(copied) == set(READ_AFTER_BUILD)

    def outcomes(path: Path) -> dict[str, tuple[bool, list[str]]]:
        """mart -> (a critical expectation failed, the failed expectations' ids)"""
        with duckdb.connect(str(path), read_only=True) as con:
            runs = validate_marts(con, CHECKED_MARTS, REPO_ROOT / "expectations", REPO_ROOT / "seeds")
            return {
                mart: (run.critical_failed, sorted(f.check_id for b in run.batches for f in b.failures))
                for mart, run in runs
            }

    # the sample fails warnings on purpose (a task stage going back without a note): the same on both
    on_spark_checks = outcomes(warehouse)
    assert set(on_spark_checks) == set(CHECKED_MARTS)
    assert not any(critical for critical, _ in on_spark_checks.values()), on_spark_checks
    assert on_spark_checks == outcomes(sample_pipeline_run.warehouse)

    published = publish_marts(warehouse, home / "published", run_id="spark-portability")
    on_duckdb = _published_tables(sample_pipeline_run.published)
    on_spark = _published_tables(published.db_path)
    assert sorted(on_spark) == sorted(on_duckdb)
    with duckdb.connect() as con:
        con.execute(f"attach '{published.db_path}' as s (read_only)")
        con.execute(f"attach '{sample_pipeline_run.published}' as d (read_only)")
        types = con.execute(
            "select d.table_name, d.column_name, d.data_type, s.data_type from information_schema.columns as d "
            "join information_schema.columns as s using (table_name, column_name) "
            "where d.table_catalog = 'd' and s.table_catalog = 's' and d.data_type <> s.data_type"
        ).fetchall()
    # integers may be narrower (Spark's count() is BIGINT, DuckDB's sum of integers HUGEINT); never another kind
    assert [t for t in types if {t[2], t[3]} - {"INTEGER", "BIGINT", "HUGEINT"}] == []
    problems: list[str] = []
    for table, (columns, rows) in on_duckdb.items():
        assert on_spark[table][0] == columns, f"{table}: columns differ"
        problems += _differences(table, columns, rows, on_spark[table][1])
    assert not problems, f"{len(problems)} differences, the first:\n" + "\n".join(problems[:20])
    with duckdb.connect(str(published.db_path), read_only=True) as con:
        undocumented = con.execute(
            "select table_name, column_name from duckdb_columns() where table_name like 'fct_%' and comment is null"
        ).fetchall()
    assert not undocumented, f"published columns without their dbt description: {undocumented[:5]}"

    def status(published_dir: Path) -> list[dict]:
        env = {"PMW_HOME": str(tmp_path), "PMW_PUBLISHED_DIR": str(published_dir)}
        result = CliRunner().invoke(main, ["status", "--all", "--format", "json"], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    from_spark, from_duckdb = status(home / "published"), status(sample_pipeline_run.home / "published")
    assert len(from_spark) == 130 and from_spark == from_duckdb


def test_a_failed_copy_back_leaves_the_warehouse_as_it_was(spark_build, tmp_path):
    """The copy back replaces every relation in one transaction, after Spark wrote them all: a relation
    that fails half-way (here, one Spark does not have) changes nothing in DuckDB, not even the relations
    before it."""
    import shutil

    state, *_, home, warehouse, _ = spark_build
    mine = shutil.copy(warehouse, tmp_path / "warehouse.duckdb")
    probe = (
        "select count(*), md5(string_agg(target_id || status_code, ',' order by target_id)) "
        "from marts.fct_target_scorecard"
    )
    with duckdb.connect(str(mine)) as con:
        con.execute("delete from marts.fct_target_scorecard where status_code = 'on_track'")  # differs from Spark's
        before = con.execute(probe).fetchone()
    with spark_cursor(state.thrift_host, state.thrift_port) as cursor:
        with pytest.raises(Exception, match="no_such_mart"):
            copy_back_from_spark(
                cursor, Path(mine), tmp_path / "exchange", ["marts.fct_target_scorecard", "marts.no_such_mart"]
            )
        with duckdb.connect(str(mine), read_only=True) as con:
            assert con.execute(probe).fetchone() == before
        copy_back_from_spark(cursor, Path(mine), tmp_path / "exchange", ["marts.fct_target_scorecard"])
    with duckdb.connect(str(mine), read_only=True) as con, duckdb.connect(str(warehouse), read_only=True) as built:
        assert con.execute(probe).fetchone() == built.execute(probe).fetchone() != before


def test_every_dbt_unit_test_passes_on_spark(spark_build):
    """The unit tests run on Spark too, as `dbt build` runs them in a Dagster run on Spark: their SQL
    fixtures, the star macro on a fixture CTE and Spark's optimizer (dbt/profiles.yml excludes a rule that
    fails on inline rows) were three ways a Spark run failed before its models were built."""
    _, _, env, home, *_ = spark_build
    done = _dbt(["test", "--select", "test_type:unit"], env, home)
    results = json.loads((home / "dbt_target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    failed = [f"{r['unique_id']}: {r['status']} {(r.get('message') or '')[:300]}" for r in results]
    failed = [line for line, r in zip(failed, results, strict=True) if r["status"] != "pass"]
    assert done.returncode == 0 and not failed and len(results) >= 30, "\n".join(failed) or done.stdout[-3000:]
