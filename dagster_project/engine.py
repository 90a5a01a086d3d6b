"""计算引擎 / The engine the dbt project runs on, as configuration: ``PMW_ENGINE=duckdb|spark``.

Everything that differs between the engines on the Python side lives here, each function taking the
engine's name as a parameter (the settings resource carries the name; nothing else branches on it):

- which dbt target builds the project (``dbt/profiles.yml``: ``dev`` = DuckDB, ``spark`` = Thrift to a
  Spark cluster, ``spark_session`` = Spark inside dbt's process when no cluster is at hand);
- how the raw layer that ingestion writes (DuckDB tables ``raw.*``) reaches Spark: Parquet files that
  Spark registers as tables ``raw.*``, so the dbt sources read the same rows on both engines;
- how what dbt built on Spark comes back into the DuckDB warehouse for the GX checks and the publish
  (:func:`copy_back_from_spark`), so checks, write-audit-publish and every reader are one code path;
- :class:`SparkBuild`, the two steps Dagster's dbt asset runs around the build on Spark;
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

from dagster_project.ingest.store import sql_string

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


def _spark_path(path: Path) -> str:
    return "'" + str(path).replace("\\", "\\\\").replace("'", "\\'") + "'"


def copy_back_from_spark(
    cursor: Any,
    warehouse_path: Path,
    folder: Path,
    relations: Sequence[str],
    descriptions: dict[str, tuple[str | None, dict[str, str]]] | None = None,
) -> dict[str, int]:
    """Copy ``schema.name`` relations that dbt built on Spark into the DuckDB warehouse, as tables of the
    same name: Spark writes each as Parquet into ``folder`` (``INSERT OVERWRITE DIRECTORY``), DuckDB
    loads them. Returns relation -> rows.

    This is the audit copy the GX checks validate and the publish step copies, so both run unchanged on
    either engine. All relations are replaced in one DuckDB transaction, and only after Spark wrote every
    one of them with the row count Spark counts: a failure leaves the warehouse as it was. ``folder`` must
    be storage that Spark's executors write and this process reads (local on a one-machine cluster,
    NFS/HDFS-mounted on a real one: docs/cluster.md). ``descriptions`` (relation -> table description,
    column descriptions, from dbt's manifest) become DuckDB comments, as dbt's persist_docs writes them there.
    """
    import shutil

    import duckdb

    descriptions = descriptions or {}
    written: dict[str, tuple[Path, int]] = {}
    folder.mkdir(parents=True, exist_ok=True)
    # DuckDB reads Parquet's TIMESTAMP_MICROS as TIMESTAMP; Spark's default INT96 is a legacy encoding
    cursor.execute("set spark.sql.parquet.outputTimestampType=TIMESTAMP_MICROS")
    # Spark's timestamps are instants (written as UTC); the models' are wall-clock times in Spark's
    # session time zone, which DuckDB's TIMESTAMP columns hold as they are
    cursor.execute("set spark.sql.session.timeZone")
    session_zone = sql_string(cursor.fetchone()[1])
    for relation in relations:
        target = folder / relation
        shutil.rmtree(target, ignore_errors=True)
        cursor.execute(f"insert overwrite directory {_spark_path(target)} using parquet select * from {relation}")
        cursor.execute(f"select count(*) from {relation}")
        written[relation] = (target, int(cursor.fetchone()[0]))
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute("begin transaction")
        try:
            for relation, (target, expected) in written.items():
                schema, name = relation.split(".")
                parquet = sql_string(f"{target}/*.parquet")
                con.execute(f"create schema if not exists {schema}")
                kind = con.execute(
                    "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchone()
                if kind and kind[0] == "VIEW":
                    con.execute(f"drop view {relation}")
                described = con.execute(f"describe select * from read_parquet({parquet})").fetchall()
                instants = [name for name, column_type, *_ in described if column_type == "TIMESTAMP WITH TIME ZONE"]
                as_wall_clock = ", ".join(f'timezone({session_zone}, "{c}") as "{c}"' for c in instants)
                select = f"select * replace ({as_wall_clock})" if instants else "select *"
                con.execute(f"create or replace table {relation} as {select} from read_parquet({parquet})")
                loaded = con.execute(f"select count(*) from {relation}").fetchone()[0]
                if loaded != expected:
                    raise EngineError(f"{relation}: {loaded} rows copied back from Spark, {expected} on Spark")
                counts[relation] = loaded
                table_text, columns = descriptions.get(relation, (None, {}))
                if table_text:
                    con.execute(f"comment on table {relation} is {sql_string(table_text.strip())}")
                present = {r[0] for r in con.execute(f"describe {relation}").fetchall()}
                for column, text in columns.items():
                    if column in present and text:
                        con.execute(f'comment on column {relation}."{column}" is {sql_string(text.strip())}')
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return counts


def manifest_descriptions(manifest_path: Path) -> dict[str, tuple[str | None, dict[str, str]]]:
    """``schema.name`` -> (table description, column descriptions) of every seed and model in dbt's
    manifest: what persist_docs writes as DuckDB comments, for the relations copied back from Spark."""
    import json

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    found: dict[str, tuple[str | None, dict[str, str]]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed"):
            columns = {name: c.get("description") or "" for name, c in node.get("columns", {}).items()}
            found[f"{node['schema']}.{node['alias']}"] = (node.get("description") or None, columns)
    return found


class SparkBuild:
    """What runs around a dbt build on Spark, so that Dagster's assets are the same on both engines:

    - :meth:`before`: the raw tables ingestion wrote into DuckDB go to Spark (Parquet, tables ``raw.*``);
    - :meth:`after`: the relations the Python side reads (``relations``: the checks' and the publish
      step's) come back into the DuckDB warehouse (:func:`copy_back_from_spark`).
    On DuckDB there is nothing to do (:func:`build_hooks` gives None).
    """

    def __init__(
        self,
        warehouse_path: Path,
        work_dir: Path,
        relations: Sequence[str],
        manifest_path: Path,
        thrift: tuple[str, int] | None = None,
    ):
        self.warehouse_path = warehouse_path
        self.work_dir = work_dir
        self.relations = tuple(relations)
        self.manifest_path = manifest_path
        self.thrift = thrift or (None, None)  # None: PMW_SPARK_THRIFT_HOST / PORT, as dbt's profile

    def before(self) -> dict[str, Path]:
        folders = export_raw_to_parquet(self.warehouse_path, self.work_dir / "raw")
        with spark_cursor(*self.thrift) as cursor:
            register_raw_on_spark(cursor, folders)
        return folders

    def after(self) -> dict[str, int]:
        with spark_cursor(*self.thrift) as cursor:
            return copy_back_from_spark(
                cursor,
                self.warehouse_path,
                self.work_dir / "copied_back",
                self.relations,
                manifest_descriptions(self.manifest_path),
            )


def build_hooks(
    engine: str, warehouse_path: Path, work_dir: Path, relations: Sequence[str], manifest_path: Path
) -> SparkBuild | None:
    """The steps around a dbt build that ``engine`` needs: None on DuckDB (dbt writes the warehouse)."""
    if engine_name(engine) == "duckdb":
        return None
    return SparkBuild(warehouse_path, work_dir, relations, manifest_path)
