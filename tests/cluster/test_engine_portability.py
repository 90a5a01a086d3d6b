"""Portability (issue 17): the seeds and the staging layer, built on DuckDB by the sample pipeline and on a
local standalone Spark cluster (master, worker, Thrift server from the pyspark wheel; Delta tables where
the jars are there) by the same dbt project, hold the same rows. The cluster is started for this module
on 127.0.0.1 and stopped by PID at its end."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
from collections import Counter
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


def _manifest_nodes(target_path: Path) -> list[dict]:
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    return [n for n in manifest["nodes"].values() if n["resource_type"] in ("seed", "model")]


@pytest.fixture(scope="module")
def spark_slice(sample_pipeline_run, tmp_path_factory: pytest.TempPathFactory):
    """Start a cluster, hand it the sample's raw tables, build seeds + staging on it with dbt."""
    home = tmp_path_factory.mktemp("cluster_spark")
    state = cluster.up(home, spark=True, postgres=False)
    try:
        env = {**os.environ, **state.env()}
        folders = export_raw_to_parquet(sample_pipeline_run.warehouse, home / "raw")
        with spark_cursor(state.thrift_host, state.thrift_port) as cursor:
            register_raw_on_spark(cursor, folders)
        target_path = home / "dbt_target"
        for command in (["seed"], ["run", "--select", "staging"]):
            done = subprocess.run(
                [dbt_executable(), *command, *dbt_target_args("spark", "thrift"), "--profiles-dir", str(DBT_DIR)]
                + ["--target-path", str(target_path), "--log-path", str(home / "dbt_logs")],
                cwd=DBT_DIR,
                env=env,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, f"dbt {command[0]} on Spark failed:\n{done.stdout[-4000:]}"
        yield state, _manifest_nodes(target_path)
    finally:
        processes = list(state.processes)
        cluster.down(home)
        assert not any(psutil.pid_exists(p.pid) for p in processes), "a cluster process outlived down()"


def _normal(value):
    """One comparable form for a value read from either engine (floats to 9 significant digits)."""
    if isinstance(value, float | Decimal):
        value = float(value)
        return None if math.isnan(value) else float(f"{value:.9g}")
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rows(cursor, sql: str) -> Counter:
    cursor.execute(sql)
    return Counter(tuple(_normal(v) for v in row) for row in cursor.fetchall())


def test_seeds_and_staging_hold_the_same_rows_on_duckdb_and_spark(sample_pipeline_run, spark_slice):
    state, nodes = spark_slice
    built = [n for n in nodes if n["resource_type"] == "seed" or n["fqn"][1] == "staging"]
    assert len([n for n in built if n["resource_type"] == "seed"]) >= 15
    assert len([n for n in built if n["resource_type"] == "model"]) >= 13
    compared = 0
    with (
        duckdb.connect(str(sample_pipeline_run.warehouse), read_only=True) as local,
        spark_cursor(state.thrift_host, state.thrift_port) as spark,
    ):
        for node in built:
            relation = f"{node['schema']}.{node['alias']}"
            columns = [c[0] for c in local.execute(f"describe {relation}").fetchall()]
            select = f"select {', '.join(f'`{c}`' for c in columns)} from {relation}"
            on_duckdb = Counter(
                tuple(_normal(v) for v in row) for row in local.execute(select.replace("`", '"')).fetchall()
            )
            on_spark = _rows(spark, select)
            assert on_spark == on_duckdb, (
                f"{relation}: only on DuckDB {list((on_duckdb - on_spark).elements())[:3]}, "
                f"only on Spark {list((on_spark - on_duckdb).elements())[:3]}"
            )
            assert on_duckdb, f"{relation} is empty on both engines: nothing was compared"
            compared += 1
    assert compared == len(built)


def test_spark_tables_are_delta_with_history_when_the_jars_are_there(spark_slice):
    state, _ = spark_slice
    assert state.table_format == ("delta" if cluster.delta_jars() else "parquet")
    with spark_cursor(state.thrift_host, state.thrift_port) as spark:
        spark.execute("describe table extended seeds.targets")
        provider = {row[0]: row[1] for row in spark.fetchall()}["Provider"]
        assert provider == state.table_format
        if state.table_format == "delta":
            # a version to read "as of": the seed's create, then its insert
            spark.execute("describe history seeds.targets")
            assert len(spark.fetchall()) >= 2
            spark.execute("select count(*) from seeds.targets version as of 0")
            assert spark.fetchone()[0] == 0
