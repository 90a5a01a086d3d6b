"""计算引擎 / The engine the dbt project runs on, as configuration: ``PMW_ENGINE=duckdb|spark``.

Everything that differs between the engines on the Python side lives here, each function taking the
engine's name as a parameter (the settings resource carries the name; nothing else branches on it):

- which dbt target builds the project (``dbt/profiles.yml``: ``dev`` = DuckDB, ``spark`` = Thrift to a
  Spark cluster, ``spark_session`` = Spark inside dbt's process when no cluster is at hand);
- how the raw layer that ingestion writes (DuckDB tables ``raw.*``) reaches Spark: Parquet files that
  Spark registers as tables ``raw.*``, so the dbt sources read the same rows on both engines;
- how to open a SQL connection to the engine (for tests, checks and the portability comparison).

The SQL side of the difference is in ``dbt/macros/cross_engine/`` (adapter.dispatch); docs/cluster.md
says how to run on a real cluster.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"
SPARK_METHODS = ("thrift", "session")
# The raw tables ingestion writes and the dbt sources read (dbt/models/staging/_sources.yml).
RAW_TABLES = ("observations", "api_observations", "task_returns", "releases")


class EngineError(ValueError):
    """An engine name or engine setting that this project does not know, with what it accepts."""


def engine_name(value: str | None = None) -> str:
    """The engine asked for (``value``, else ``PMW_ENGINE``, else duckdb), checked against ENGINES."""
    name = (value if value is not None else os.environ.get("PMW_ENGINE", "")).strip().lower() or DEFAULT_ENGINE
    if name not in ENGINES:
        raise EngineError(f"PMW_ENGINE={name!r} is not an engine of this project; use one of: {', '.join(ENGINES)}")
    return name


def dbt_target(engine: str, spark_method: str | None = None) -> str:
    """The dbt target (dbt/profiles.yml) that builds the project on ``engine``.

    On Spark, ``thrift`` (a cluster's Thrift server, the default) or ``session`` (``PMW_SPARK_METHOD``).
    """
    engine = engine_name(engine)
    if engine == "duckdb":
        return "dev"
    method = (spark_method or os.environ.get("PMW_SPARK_METHOD") or "thrift").strip().lower()
    if method not in SPARK_METHODS:
        raise EngineError(f"PMW_SPARK_METHOD={method!r}: use one of {', '.join(SPARK_METHODS)}")
    return "spark" if method == "thrift" else "spark_session"


def dbt_target_args(engine: str, spark_method: str | None = None) -> list[str]:
    """The ``--target`` arguments of a dbt command for ``engine``."""
    return ["--target", dbt_target(engine, spark_method)]


def export_raw_to_parquet(warehouse_path: Path, folder: Path, tables: Sequence[str] = RAW_TABLES) -> dict[str, Path]:
    """Write the raw tables of a DuckDB warehouse as Parquet files (one folder per table) for Spark.

    Read-only on the warehouse. Each table's folder is replaced whole, so Spark never sees a mix of an
    old and a new export. Returns table name -> folder.
    """
    import shutil

    import duckdb

    written: dict[str, Path] = {}
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        present = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        missing = [t for t in tables if t not in present]
        if missing:
            raise EngineError(
                f"{warehouse_path}: no raw table {', '.join(missing)} to hand to Spark (run the ingestion first)"
            )
        for table in tables:
            target = folder / table
            staging = folder / f".{table}.writing"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            con.execute(f"copy raw.{table} to '{staging / 'part-0.parquet'}' (format parquet)")
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
            written[table] = target
    return written


def register_raw_on_spark(cursor: Any, parquet_folders: dict[str, Path]) -> None:
    """Make the exported raw tables the Spark tables ``raw.<name>`` that the dbt sources read."""
    cursor.execute("create database if not exists raw")
    for table, folder in parquet_folders.items():
        cursor.execute(f"drop table if exists raw.{table}")
        cursor.execute(f"create table raw.{table} using parquet location '{folder}'")


@contextmanager
def spark_cursor(host: str | None = None, port: int | None = None) -> Iterator[Any]:
    """A DB-API cursor on a Spark Thrift server (the ``spark`` target's: ``PMW_SPARK_THRIFT_HOST/PORT``)."""
    from pyhive import hive

    connection = hive.connect(
        host=host or os.environ.get("PMW_SPARK_THRIFT_HOST", "127.0.0.1"),
        port=int(port or os.environ.get("PMW_SPARK_THRIFT_PORT", "10000")),
        username="pmw",
    )
    try:
        cursor = connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
    finally:
        connection.close()
