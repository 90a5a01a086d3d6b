"""The benchmark's steps, each run in its own process so its peak memory (ru_maxrss) is its own.

``python -m bench.steps STEP JSON-ARGS`` prints one JSON line with what the step
measured (rows, the time spent inside the step proper). The harness times the whole process and
reads its peak RSS with ``os.wait4``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

FLOOR_SQL = Path(__file__).with_name("floor.sql")


def _connect(path: str, memory_limit: str | None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path, read_only=read_only)
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    return con


def setup(args: dict) -> dict:
    """Seeds, the new month's release file, and the raw history of each warehouse."""
    from bench import synth
    from bench.scale import Scale

    scale = Scale(**args["scale"])
    seeds = Path(args["seeds_dir"])
    started = time.perf_counter()
    counts = synth.write_seeds(scale, seeds)
    con = duckdb.connect()
    synth.install_macros(con, seeds, scale)
    release_rows = synth.export_month_csv(con, scale.new_month, Path(args["release_csv"]))
    con.close()
    history = {}
    for name, first in (("wh10", scale.first_month), ("wh1", scale.short_first_month)):
        if name not in args:
            continue
        wh = _connect(args[name], args.get("memory_limit"))
        synth.install_macros(wh, seeds, scale)
        history[name] = synth.load_history(wh, first, scale.new_month - 1)
        wh.close()
    return {
        "seeds": counts,
        "release_rows": release_rows,
        "history_rows": history,
        "seconds": time.perf_counter() - started,
    }


def ingest(args: dict) -> dict:
    """The real ingestion path: detect -> parse -> validate -> store, into the warehouse."""
    from dagster_project.ingest.catalog import load_catalog
    from dagster_project.ingest.pipeline import ingest_file

    con = _connect(args["warehouse"], args.get("memory_limit"))
    catalog = load_catalog(Path(args["seeds_dir"]))
    started = time.perf_counter()
    result = ingest_file(
        args["path"], con, args["quarantine_dir"], today=date.fromisoformat(args["today"]), catalog=catalog
    )
    seconds = time.perf_counter() - started
    con.close()
    if result.status != "loaded":
        raise SystemExit(f"release quarantined: {result.errors[:5]}")
    return {"rows": result.row_count, "release_id": result.release_id, "seconds": seconds}


def read_csv(args: dict) -> dict:
    """The ingestion floor: DuckDB reads the same file into a table, nothing else.

    With ``out``, the table is in a new database file, committed and closed: the storing that ingestion
    has to do as well (reported beside the aim's in-memory floor, to show what the writing costs).
    """
    out = args.get("out")
    if out:
        Path(out).unlink(missing_ok=True)
    con = _connect(out or ":memory:", args.get("memory_limit"))
    started = time.perf_counter()
    [(rows,)] = con.execute(
        f"CREATE TABLE release AS SELECT * FROM read_csv('{args['path']}', header = true, all_varchar = true)"
    ).fetchall()  # the rows created
    if out:
        con.close()  # committed and on disk: part of the storing
    seconds = time.perf_counter() - started
    if out:
        Path(out).unlink()
    return {"rows": rows, "seconds": seconds}


SNAPSHOT_HEADING = "-- " + "-" * 78 + " month-end snapshots"


def floor(args: dict) -> dict:
    """The hand-written SQL floor (floor.sql) over the warehouse, written to its own database file.

    The month-end snapshots (the script's last section) are timed apart too, so that a reader can set
    them beside the pipeline's fct_scorecard_monthly."""
    sql = FLOOR_SQL.read_text(encoding="utf-8")
    sql = sql.replace("${seeds}", args["seeds_dir"]).replace("${as_of}", args["as_of"])
    marts, snapshots = sql.split(SNAPSHOT_HEADING)
    out = Path(args["out"])
    out.unlink(missing_ok=True)
    con = _connect(str(out), args.get("memory_limit"))
    started = time.perf_counter()
    con.execute(f"ATTACH '{args['warehouse']}' AS w (READ_ONLY)")
    con.execute(marts)
    snapshots_started = time.perf_counter()
    con.execute(snapshots)
    done = time.perf_counter()
    rows = con.execute("SELECT count(*) FROM fct_target_progress").fetchone()[0]
    con.close()
    return {"rows": rows, "seconds": done - started, "snapshot_seconds": done - snapshots_started}


def validate(args: dict) -> dict:
    """One national monthly batch through the raw expectation suite (GX on a pandas batch)."""
    from bench import gx_batch

    return gx_batch.validate_release(args)


def validate_floor(args: dict) -> dict:
    """The same expectations as SQL over the stored release in DuckDB."""
    from bench import gx_batch

    return gx_batch.validate_release_sql(args)


def compare(args: dict) -> dict:
    """The dbt marts against the floor's (see compare.py)."""
    from dataclasses import asdict

    from bench.compare import compare_marts

    result = compare_marts(Path(args["warehouse"]), Path(args["floor"]))
    return {"comparison": {**asdict(result), "equal": result.equal, "summary": result.summary()}}


def generator_check(args: dict) -> dict:
    from bench.compare import generator_matches_ingestion
    from bench.scale import Scale

    equal = generator_matches_ingestion(
        Path(args["warehouse"]), args["release_id"], Path(args["seeds_dir"]), Scale(**args["scale"])
    )
    return {"equal": equal}


def dbt_build_args(args: dict) -> dict:
    """What the orchestrator would run: `build`, with --full-refresh when the project's fingerprint
    (models, macros, seeds, vars) differs from the last recorded build's (dagster_project/dbt_build.py)."""
    from dagster_project.dbt_build import build_args, project_fingerprint, read_manifest

    con = _connect(args["warehouse"], None, read_only=True)
    project = Path(args["project"])
    fingerprint = project_fingerprint(project, json.loads(args["vars"]))
    manifest = read_manifest(project / "target" / "manifest.json")  # the bench parses each project copy
    return {"args": build_args(con, fingerprint, manifest), "fingerprint": fingerprint}


def record_dbt_build(args: dict) -> dict:
    """After dbt succeeded, as the orchestrator does: the next build compares its fingerprint with this."""
    from dagster_project.dbt_build import record_build

    con = _connect(args["warehouse"], None)
    record_build(con, args["fingerprint"], args["full_refresh"])
    con.close()
    return {}


def spark_handoff(args: dict) -> dict:
    """The raw tables to Spark, as Dagster's dbt asset does first on Spark (dagster_project.engine)."""
    from dagster_project.engine import export_raw_to_parquet, register_raw_on_spark, spark_cursor

    started = time.perf_counter()
    folders = export_raw_to_parquet(Path(args["warehouse"]), Path(args["work"]) / "raw")
    with spark_cursor() as cursor:
        register_raw_on_spark(cursor, folders)
    return {"tables": len(folders), "seconds": time.perf_counter() - started}


def spark_copy_back(args: dict) -> dict:
    """What the checks and the publish read, back from Spark into a DuckDB warehouse (as Dagster does)."""
    from dagster_project.assets.transform import READ_AFTER_BUILD
    from dagster_project.engine import copy_back_from_spark, manifest_descriptions, spark_cursor

    started = time.perf_counter()
    manifest = Path(args["project"]) / "target" / "manifest.json"
    with spark_cursor() as cursor:
        counts = copy_back_from_spark(
            cursor, Path(args["back"]), Path(args["work"]) / "copied_back", READ_AFTER_BUILD,
            manifest_descriptions(manifest),
        )  # fmt: skip
    return {"rows": sum(counts.values()), "seconds": time.perf_counter() - started}


def spark_compare(args: dict) -> dict:
    """The marts Spark built (copied back) against DuckDB's: rows both ways, doubles to 6 decimals."""
    from bench.spark import COMPARED

    con = duckdb.connect()
    con.execute(f"ATTACH '{args['warehouse']}' AS duck (READ_ONLY)")
    con.execute(f"ATTACH '{args['back']}' AS spark (READ_ONLY)")
    parts, equal = [], True
    for relation in COMPARED:
        schema, name = relation.split(".")
        columns = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'duck' "
            "AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, name],
        ).fetchall()
        select = ", ".join(
            f'round("{c}", 6)' if t in ("DOUBLE", "FLOAT") else f'"{c}"'
            for c, t in columns
            if c != "inputs_loaded_through"
        )
        rows = con.execute(f"SELECT count(*) FROM duck.{relation}").fetchone()[0]
        apart = sum(
            con.execute(
                f"SELECT count(*) FROM (SELECT {select} FROM {a}.{relation} "
                f"EXCEPT ALL SELECT {select} FROM {b}.{relation})"
            ).fetchone()[0]
            for a, b in (("duck", "spark"), ("spark", "duck"))
        )
        equal &= apart == 0
        parts.append(f"{name}: {rows:,} rows " + ("equal" if apart == 0 else f"DIFFERENT ({apart} rows apart)"))
    return {"equal": equal, "summary": "; ".join(parts)}


STEPS = {
    "spark_handoff": spark_handoff,
    "spark_copy_back": spark_copy_back,
    "spark_compare": spark_compare,
    "dbt_build_args": dbt_build_args,
    "record_dbt_build": record_dbt_build,
    "setup": setup,
    "ingest": ingest,
    "read_csv": read_csv,
    "floor": floor,
    "validate": validate,
    "validate_floor": validate_floor,
    "compare": compare,
    "generator_check": generator_check,
}


def main(argv: list[str]) -> None:
    name, payload = argv[0], json.loads(argv[1])
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    result = STEPS[name](payload)
    print("BENCH_RESULT " + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
