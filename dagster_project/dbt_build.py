"""The dbt build as the orchestrator runs it, and when it must be a full refresh.

The incremental models of the dbt project keep a high-water mark of the figures they have seen and
recompute only the targets whose inputs arrived since (dbt/macros/incremental_by_target.sql). That
holds only while the code and catalogue their rows were built with are the ones running now. So the
orchestrator, not a dbt model, keeps a fingerprint of everything that shapes the rows (every model and
macro file, `dbt_project.yml` with its vars, every seed file and its properties) in the warehouse,
written after a build that succeeded, and passes ``--full-refresh`` when it differs:

- a seed whose columns changed is dropped and reloaded (dbt-duckdb loads a seed into the existing
  table's columns, so a seed that gained columns failed: the defect of 2026-12-03);
- an edited model or macro, a changed var, a target added to or removed from the catalogue recompute
  every target;
- a build that failed (or never finished) records nothing, so the next one is a full refresh too.

A full refresh drops only dbt's relations: the raw figures (schema ``raw``, written by ingestion) and
the history dbt keeps with ``full_refresh=false`` (``fct_scorecard_monthly``) stay.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from dagster_project.run_files import is_stamped, keep_newest, stamped_name

BUILDS_TABLE = "orchestration.dbt_builds"
# what shapes the rows dbt writes; singular data tests (tests/) and the profile do not
_PROJECT_PARTS = ("models", "macros")


def seed_dirs(project_dir: Path) -> list[Path]:
    """The project's seed folders, as dbt_project.yml names them (../seeds for this project)."""
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    return [(project_dir / p).resolve() for p in config.get("seed-paths", ["seeds"])]


def project_fingerprint(project_dir: Path, dbt_vars: Mapping[str, Any] | None = None, engine: str = "duckdb") -> str:
    """A hash of every model, macro and seed file, dbt_project.yml, the vars passed on the command line
    and, when it is not DuckDB, the engine (a switch of engine rebuilds everything)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode() + b"\0" + hashlib.sha256(data).digest())

    if engine != "duckdb":  # DuckDB's fingerprints stay those recorded before engines were configurable
        add("engine", engine.encode())
    add("dbt_project.yml", (project_dir / "dbt_project.yml").read_bytes())
    add("vars", json.dumps(dict(dbt_vars or {}), sort_keys=True).encode())
    for part in _PROJECT_PARTS:
        for path in sorted((project_dir / part).rglob("*")):
            if path.is_file():
                add(f"{part}/{path.relative_to(project_dir / part).as_posix()}", path.read_bytes())
    for folder in seed_dirs(project_dir):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                add(f"seeds/{path.relative_to(folder).as_posix()}", path.read_bytes())
    return digest.hexdigest()[:32]


def last_fingerprint(con: Any) -> str | None:
    """The fingerprint of the last build that succeeded, None when there was none."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        BUILDS_TABLE.split("."),
    ).fetchone()[0]
    if not found:
        return None
    row = con.execute(f"select fingerprint from {BUILDS_TABLE} order by finished_at desc limit 1").fetchone()
    return row[0] if row else None


def full_refresh_due(con: Any, fingerprint: str) -> bool:
    return last_fingerprint(con) != fingerprint


def record_build(con: Any, fingerprint: str, full_refresh: bool) -> None:
    """Written only after dbt and its tests succeeded: the incremental rows now stand on this
    fingerprint, and the raw rows loaded so far have been tested (``raw_loaded_through``: the next
    build's tests of the staged releases read only what was loaded after it,
    dbt/macros/where_rows_of_this_run.sql)."""
    schema = BUILDS_TABLE.split(".")[0]
    con.execute(f"create schema if not exists {schema}")
    con.execute(
        f"""create table if not exists {BUILDS_TABLE} (
                fingerprint varchar not null, full_refresh boolean not null, finished_at timestamp not null
            )"""
    )
    con.execute(f"alter table {BUILDS_TABLE} add column if not exists raw_loaded_through timestamp")
    con.execute(
        f"insert into {BUILDS_TABLE} (fingerprint, full_refresh, finished_at, raw_loaded_through)"
        " values (?, ?, current_timestamp, ?)",
        [fingerprint, full_refresh, raw_loaded_through(con)],
    )
    con.execute(f"comment on table {BUILDS_TABLE} is '{_BUILDS_COMMENT}'")


def raw_loaded_through(con: Any) -> Any:
    """When the newest raw row was loaded (``ingested_at``, naive UTC, of every raw table that has it);
    None when nothing was loaded."""
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.columns"
            " where table_schema = 'raw' and column_name = 'ingested_at' order by table_name"
        ).fetchall()
    ]
    if not tables:
        return None
    union = " union all ".join(f'select max(ingested_at) as loaded from raw."{name}"' for name in tables)
    return con.execute(f"select max(loaded) from ({union})").fetchone()[0]


_BUILDS_COMMENT = (
    "dbt 构建记录 / Every dbt build that succeeded (its tests included): the fingerprint of the models, macros, "
    "seeds and vars it ran with (a different one makes the next build a full refresh), whether it was one, and "
    "when the newest raw row it tested was loaded (the next build tests the raw rows loaded after it)."
)


# dbt's unit tests test the code, not the data: they run with every build whose code, seeds or vars differ
# from the last build that passed (a full refresh then), not again with every new month of data.
WITHOUT_UNIT_TESTS = ("--exclude-resource-type", "unit_test")

# Words in a model's code that read something the fingerprint does not see (the clock, the environment,
# vars): such a model is never counted as catalogue, whatever its inputs.
_OUTSIDE_THE_FINGERPRINT = ("current_date", "current_timestamp", "now()", "today()", "env_var(", "var(")


def catalogue_tests(manifest: Mapping[str, Any]) -> list[str]:
    """The data tests that read only the catalogue: seeds, and models whose every input is catalogue.

    Their rows are a function of the seed and model files, all in the fingerprint, so while it is
    unchanged they give the result the last build that passed gave. A test that also reads loaded data
    (a relationship from the staged releases to the regions, say) is not among them.
    """
    nodes, macros = manifest.get("nodes", {}), manifest.get("macros", {})
    known: dict[str, bool] = {}

    def code_of(node: Mapping[str, Any]) -> str:
        """The node's code and that of every macro it calls, however deep."""
        seen, todo, parts = set(), list(node.get("depends_on", {}).get("macros", [])), [node.get("raw_code") or ""]
        while todo:
            macro = macros.get(todo.pop())
            if macro is None or macro["unique_id"] in seen:
                continue
            seen.add(macro["unique_id"])
            parts.append(macro.get("macro_sql") or "")
            todo.extend(macro.get("depends_on", {}).get("macros", []))
        return "\n".join(parts).lower()

    def is_catalogue(unique_id: str) -> bool:
        if unique_id not in known:
            node = nodes.get(unique_id)  # a source (raw data) is not in nodes: not catalogue
            if node is None:
                known[unique_id] = False
            elif node["resource_type"] == "seed":
                known[unique_id] = True
            else:
                parents = node.get("depends_on", {}).get("nodes", [])
                code = code_of(node)
                known[unique_id] = (
                    node["resource_type"] == "model"
                    and bool(parents)
                    and not any(word in code for word in _OUTSIDE_THE_FINGERPRINT)
                    and all(is_catalogue(parent) for parent in parents)
                )
        return known[unique_id]

    return sorted(
        node["name"]
        for node in nodes.values()
        if node["resource_type"] == "test"
        and node.get("depends_on", {}).get("nodes")
        and all(is_catalogue(parent) for parent in node["depends_on"]["nodes"])
    )


def build_args(
    con: Any, fingerprint: str, manifest: Mapping[str, Any] | None = None, *, engine: str = "duckdb"
) -> list[str]:
    """``build --full-refresh`` (seeds, unit tests, every data test) when the fingerprint differs from the
    last successful build's. Otherwise only data can have changed: an incremental ``build`` without the
    unit tests, without reloading the seeds (their files are the ones loaded last time) and, given the
    project's ``manifest``, without the data tests that read only the catalogue (:func:`catalogue_tests`).
    On another engine than DuckDB the seeds are loaded and tested every time: the record of the last build
    is kept in the DuckDB warehouse, not where that engine keeps its tables (a cluster built anew has none)."""
    if full_refresh_due(con, fingerprint):
        return ["build", "--full-refresh"]
    if engine != "duckdb":
        return ["build", *WITHOUT_UNIT_TESTS]
    args = ["build", *WITHOUT_UNIT_TESTS, "--exclude-resource-type", "seed"]
    unchanged = catalogue_tests(manifest) if manifest else []
    return [*args, "--exclude", " ".join(unchanged)] if unchanged else args


def read_manifest(path: Path | None) -> dict[str, Any] | None:
    """The parsed project's manifest.json, None when there is none (then every data test runs)."""
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


# Each build's dbt folder (compiled SQL, dbt.log: about 20 MB) goes under the home, not into the code's
# dbt/target, and only the newest are kept (dagster_project/run_files.py).
KEEP_DBT_RUNS = 20


def new_run_folder(runs_dir: Path, run_id: str | None = None) -> Path:
    """A new folder for one dbt invocation under ``runs_dir``, named by its start and the Dagster run's id."""
    folder = runs_dir / stamped_name(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prune_run_folders(runs_dir: Path, keep: int = KEEP_DBT_RUNS) -> list[Path]:
    """Delete all but the newest ``keep`` folders :func:`new_run_folder` made; the deleted ones are returned.
    Nothing else under ``runs_dir`` is touched."""
    return keep_newest((p for p in runs_dir.iterdir() if p.is_dir() and is_stamped(p)), keep)


def dbt_build(
    dbt: Any,
    duckdb: Any,
    project_dir: Path,
    context: Any = None,
    *,
    record: bool = True,
    engine: str = "duckdb",
    hooks: Any = None,
    manifest: Path | None = None,
    runs_dir: Path,
) -> Iterator[Any]:
    """`dbt build`, a full refresh when the fingerprint differs from the last successful build's.

    ``dbt`` is a DbtCliResource and ``duckdb`` a DuckDBResource on the same warehouse. The connection
    is closed while dbt runs (DuckDB allows one writing process per file). With a Dagster context the
    events are Dagster's (outputs and asset checks); without one, dbt's raw events (tests, the bench).
    ``record=False`` for a run of part of the project, which must not vouch for the rest.
    ``hooks`` (dagster_project.engine.build_hooks) run before and after dbt when the engine is not
    DuckDB: the raw tables go to the engine, the relations the checks and the publish read come back.
    ``manifest`` is the parsed project's manifest.json (default: ``target/manifest.json`` of the project).
    ``runs_dir``: where dbt's folder for this build goes (:func:`new_run_folder`; when it starts, the older
    ones beyond :data:`KEEP_DBT_RUNS` are deleted).
    """
    fingerprint = project_fingerprint(project_dir, engine=engine)
    with duckdb.get_connection() as con:
        args = build_args(
            con, fingerprint, read_manifest(manifest or project_dir / "target" / "manifest.json"), engine=engine
        )
    if hooks is not None:
        hooks.before()
    folder = new_run_folder(runs_dir, context.run.run_id if context is not None else None)
    prune_run_folders(runs_dir)  # this build's folder is the newest: kept, to read if the build fails
    invocation = dbt.cli(args, context=context, target_path=folder)
    yield from invocation.stream() if context is not None else invocation.stream_raw_events()
    if hooks is not None:
        hooks.after()
    if record:
        with duckdb.get_connection() as con:
            record_build(con, fingerprint, "--full-refresh" in args)
