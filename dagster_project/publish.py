"""Publish: a read-only copy of the marts for analysts and BI tools (write-audit-publish).

Readers never open the working warehouse. After the marts are built and every blocking check has
passed, the marts are written into a new version folder (write), re-read and counted against the
manifest (audit), and made current by swapping one symlink (publish)::

    published/versions/<version>/marts.duckdb          the marts (+ observation_vintages, publish_manifest)
                                 parquet/<mart>.parquet one file per mart
                                 manifest.json          published at, run id, row counts, source vintages,
                                                        expectation suites, sha256 of every file
    published/versions/.incoming-<version>/             a version being written (never read)
    published/current -> versions/<version>             swapped with one os.replace: the only switch
    published/marts.duckdb  -> current/marts.duckdb     fixed symlinks: they follow `current`
    published/manifest.json -> current/manifest.json
    published/.publish.lock                             one publisher at a time (flock)

How to read it (docs for analysts):
- DuckDB: ``duckdb.connect("published/marts.duckdb", read_only=True)``. A published file is never
  written again: a publish points the name at a new file, and a reader that has the old one open keeps
  a complete, consistent version (POSIX). Table ``publish_manifest`` says which version it is.
- Parquet: resolve ``published/current`` once (``os.path.realpath``, or :func:`current_version`) and
  read every file from that folder: they are one version, with their row counts in its ``manifest.json``.

A version is complete before it becomes current, so a crash (or SIGKILL) mid-publish leaves at most
an ``.incoming-*`` folder, removed by the next publish; readers keep the previous version. Readers
are never blocked: the pipeline never opens a published file for writing, so it holds no lock on it.
Version files are read-only (0444); the last KEEP_VERSIONS versions stay on disk for slow readers, and
so does any version that was current less than the grace period ago (PMW_PUBLISH_GRACE_SECONDS, 1 h).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.ingest.store import sql_string
from dagster_project.landing import file_sha256

PUBLISHED_MARTS = (
    "dim_targets",
    "dim_indicators",
    "dim_regions",
    "fct_target_progress",
    "fct_target_progress_by_region",
    "fct_target_scorecard",
    # the task ledger: units, tasks, returns, unit scorecard, alert events
    "dim_units",
    "fct_task_progress",
    "fct_task_returns",
    "fct_unit_scorecard",
    "fct_alert_events",
    "fct_scorecard_monthly",
    "dim_period",
    "fct_target_month_wide",
)
MARTS_SCHEMA = "marts"
STAGING_SCHEMA = "staging"
# every dbt relation the publish step reads (raw.releases is ingestion's, in the warehouse on any engine)
WAREHOUSE_READS = (*(f"{MARTS_SCHEMA}.{mart}" for mart in PUBLISHED_MARTS), f"{STAGING_SCHEMA}.stg_raw__observations")
VINTAGES_TABLE = "observation_vintages"  # every vintage of every number, for "as known on" questions
KEEP_VERSIONS = 3
INCOMING_PREFIX = ".incoming-"
_READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


class PublishAuditError(RuntimeError):
    """The copy does not match what was meant to be published; nothing was made current."""


@dataclass(frozen=True)
class PublishResult:
    version: str
    db_path: Path
    version_dir: Path
    manifest: dict


# Tables the publish step makes itself: their documentation lives here (the marts' is in dbt's yml files).
PUBLISH_MANIFEST_COMMENTS = {
    "": "发布清单 / Which version this file is: version, run, publish time and the manifest (JSON).",
    "version": "发布版本 / Published version.",
    "run_id": "运行编号 / Dagster run that published it.",
    "published_at": "发布时间 / When it was published (UTC).",
    "manifest_json": "发布清单 / manifest.json: row counts, source vintages, expectation suites, checksums.",
}


def _comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[str | None, dict[str, str]]:
    """The table's comment and its columns' comments in the warehouse (dbt persist_docs wrote them)."""
    row = con.execute(
        "select comment from duckdb_tables() where schema_name = ? and table_name = ? "
        "union all select comment from duckdb_views() where schema_name = ? and view_name = ?",
        [schema, table, schema, table],
    ).fetchone()
    columns = con.execute(
        "select column_name, comment from duckdb_columns() where schema_name = ? and table_name = ? "
        "and comment is not null order by column_index",
        [schema, table],
    ).fetchall()
    return (row[0] if row else None), dict(columns)


def _copy_comments(con: duckdb.DuckDBPyConnection, table: str, comment: str | None, columns: dict[str, str]) -> None:
    if comment:
        con.execute(f"COMMENT ON TABLE published.main.{table} IS {sql_string(comment.strip())}")
    for column, text in columns.items():
        con.execute(f'COMMENT ON COLUMN published.main.{table}."{column}" IS {sql_string(text.strip())}')


def _parquet_metadata(comment: str | None, columns: dict[str, str]) -> str:
    """KV_METADATA for COPY: the table's and every column's description, readable with parquet_kv_metadata()."""
    table_text = sql_string((comment or "").strip())
    columns_json = sql_string(json.dumps({k: v.strip() for k, v in columns.items()}, ensure_ascii=False))
    return f"KV_METADATA {{table_comment: {table_text}, column_comments: {columns_json}}}"


def _vintages(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every loaded release with its date and, where its rows carry dates of their own (a ledger of figures
    copied from several releases), the earliest of them: the release's date alone is the latest row's.
    ``release_date_imputed``: the release's date is the day its file arrived (it states none); ``arrival_date``:
    that day, when some of its rows are dated by it (a long-format file leaving some release dates blank)."""
    rows = con.execute(
        """
        with rows_dated as (
            select
                release_id, min(release_date) as first_release_date,
                max(release_date) filter (where release_date_imputed) as arrival_date
            from raw.observations group by release_id
            union all
            select release_id, min(release_date), max(release_date) filter (where release_date_imputed)
            from raw.api_observations group by release_id
        )
        select
            releases.release_id, releases.source_file, releases.release_date, releases.provenance,
            releases.row_count, min(rows_dated.first_release_date), releases.release_date_imputed,
            max(rows_dated.arrival_date)
        from raw.releases as releases
        left join rows_dated on releases.release_id = rows_dated.release_id
        where releases.status = 'loaded'
        group by all
        order by releases.release_date, releases.release_id
        """
    ).fetchall()
    return [
        {
            "release_id": r[0],
            "source_file": r[1],
            "release_date": str(r[2]),
            "first_release_date": str(r[5] or r[2]),
            "provenance": r[3],
            "rows": r[4],
            "release_date_imputed": bool(r[6]),
            "arrival_date": None if r[7] is None else str(r[7]),
        }
        for r in rows
    ]


@contextmanager
def _publish_lock(published_dir: Path) -> Iterator[None]:
    """Serialise publishers (two runs finishing together); released by the OS if the process dies."""
    with open(published_dir / ".publish.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_version(warehouse_path: Path, incoming: Path, version: str, run_id: str, suites: dict) -> dict:
    """Write: copy the marts into ``incoming`` (DuckDB file + Parquet); return the manifest."""
    parquet_dir = incoming / "parquet"
    parquet_dir.mkdir(parents=True)
    db_path = incoming / "marts.duckdb"
    con = duckdb.connect(str(warehouse_path))
    try:
        con.execute("CHECKPOINT")
        con.execute(f"ATTACH {sql_string(db_path)} AS published")
        source_counts: dict[str, int] = {}
        for mart in PUBLISHED_MARTS:
            con.execute(f"CREATE TABLE published.main.{mart} AS SELECT * FROM {MARTS_SCHEMA}.{mart}")
            comment, columns = _comments(con, MARTS_SCHEMA, mart)
            _copy_comments(con, mart, comment, columns)
            target = sql_string(parquet_dir / f"{mart}.parquet")
            con.execute(
                f"COPY published.main.{mart} TO {target} (FORMAT parquet, {_parquet_metadata(comment, columns)})"
            )
            source_counts[mart] = con.execute(f"SELECT count(*) FROM {MARTS_SCHEMA}.{mart}").fetchall()[0][0]
        con.execute(f"CREATE TABLE published.main.{VINTAGES_TABLE} AS SELECT * FROM staging.stg_raw__observations")
        _copy_comments(con, VINTAGES_TABLE, *_comments(con, STAGING_SCHEMA, "stg_raw__observations"))
        source_counts[VINTAGES_TABLE] = con.execute("SELECT count(*) FROM staging.stg_raw__observations").fetchall()[0][
            0
        ]
        manifest = {
            "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "version": version,
            "run_id": run_id,
            "warehouse": str(warehouse_path),
            "marts": list(PUBLISHED_MARTS),
            "row_counts": source_counts,
            "expectation_suites": suites,
            "source_vintages": _vintages(con),
        }
        con.execute(
            "CREATE TABLE published.main.publish_manifest AS SELECT ? AS version, ? AS run_id, "
            "CAST(? AS TIMESTAMP) AS published_at, ? AS manifest_json",
            [version, run_id, manifest["published_at"][:19], json.dumps(manifest, ensure_ascii=False)],
        )
        manifest_comments = dict(PUBLISH_MANIFEST_COMMENTS)
        _copy_comments(con, "publish_manifest", manifest_comments.pop(""), manifest_comments)
        con.execute("DETACH published")  # checkpoints: the file is complete, no WAL beside it
    finally:
        con.close()
    return manifest


def _audit(incoming: Path, manifest: dict) -> None:
    """Audit: re-open the copy read-only; every table and Parquet file must hold the source's rows."""
    problems = []
    con = duckdb.connect(str(incoming / "marts.duckdb"), read_only=True)
    try:
        for table, expected in manifest["row_counts"].items():
            copied = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            if copied != expected:
                problems.append(f"{table}: {copied} rows in the copy, {expected} in the warehouse")
            parquet = incoming / "parquet" / f"{table}.parquet"
            if table in PUBLISHED_MARTS:
                in_parquet = con.execute(f"SELECT count(*) FROM read_parquet({sql_string(parquet)})").fetchall()[0][0]
                if in_parquet != expected:
                    problems.append(f"{parquet.name}: {in_parquet} rows, {expected} expected")
    finally:
        con.close()
    if (incoming / "marts.duckdb.wal").exists():
        problems.append("a WAL file was left beside the copy")
    if problems:
        raise PublishAuditError("; ".join(problems))


def _seal(incoming: Path, manifest: dict) -> None:
    """Checksums into the manifest, manifest last, files read-only and on disk before the swap."""
    files = sorted(p for p in incoming.rglob("*") if p.is_file())
    manifest["files"] = {
        p.relative_to(incoming).as_posix(): {"bytes": p.stat().st_size, "sha256": file_sha256(p)} for p in files
    }
    (incoming / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    for path in [*files, incoming / "manifest.json"]:
        os.chmod(path, _READ_ONLY)
        _fsync(path)
    _fsync(incoming / "parquet")
    _fsync(incoming)


def _swap_symlink(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` atomically (a temporary symlink renamed over it)."""
    tmp = link.with_name(f".{link.name}.incoming-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, link)


def _make_current(published_dir: Path, version_dir: Path) -> None:
    # One switch: `current`. The entry points are fixed symlinks through it, so the DuckDB file, the
    # manifest and the Parquet folder always name the same version.
    _swap_symlink(published_dir / "current", version_dir.relative_to(published_dir).as_posix())
    for name in ("marts.duckdb", "manifest.json"):
        entry = published_dir / name
        if not (entry.is_symlink() and os.readlink(entry) == f"current/{name}"):
            _swap_symlink(entry, f"current/{name}")  # first publish, or a copy from the old layout
    _fsync(published_dir)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _version_time(name: str) -> datetime | None:
    """When a version was written, from its name (``20261203T071024200917Z-<run>``)."""
    try:
        return datetime.strptime(name.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _prune(published_dir: Path, keep: int, grace_seconds: float = 0.0, now: datetime | None = None) -> None:
    """Remove unfinished versions (a killed publisher's) and old versions: one is kept while it is among
    the newest ``keep``, or was current less than ``grace_seconds`` ago (a slow reader that resolved
    ``current`` before the swap still has its files)."""
    versions_dir = published_dir / "versions"
    current = (published_dir / "current").resolve()
    now = now or datetime.now(UTC)
    for entry in versions_dir.iterdir():
        if entry.name.startswith(INCOMING_PREFIX):
            _remove_tree(entry)
    complete = sorted(p for p in versions_dir.iterdir() if not p.name.startswith("."))
    for i, old in enumerate(complete[:-keep] if keep else complete):
        superseded = _version_time(complete[i + 1].name) if i + 1 < len(complete) else None
        if superseded is not None and (now - superseded).total_seconds() < grace_seconds:
            continue  # current until recently: a reader may still be in it
        if old.resolve() != current:
            _remove_tree(old)
    for stray in published_dir.glob(".*.incoming-*"):
        stray.unlink(missing_ok=True)


def publish_marts(
    warehouse_path: Path,
    published_dir: Path,
    run_id: str,
    suites: dict[str, str] | None = None,
    grace_seconds: float = 3600.0,
) -> PublishResult:
    """Write, audit and publish a new version of the marts; return it. ``suites``: name -> version of
    the expectation suites that gated it (recorded in the manifest)."""
    published_dir.mkdir(parents=True, exist_ok=True)
    versions_dir = published_dir / "versions"
    versions_dir.mkdir(exist_ok=True)
    with _publish_lock(published_dir):
        # clears a killed publisher's .incoming-* first
        _prune(published_dir, keep=KEEP_VERSIONS, grace_seconds=grace_seconds)
        version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + (run_id or "adhoc")[:8]
        incoming = versions_dir / f"{INCOMING_PREFIX}{version}"
        try:
            manifest = _write_version(warehouse_path, incoming, version, run_id, suites or {})
            _audit(incoming, manifest)
            _seal(incoming, manifest)
        except BaseException:
            _remove_tree(incoming)
            raise
        version_dir = versions_dir / version
        os.rename(incoming, version_dir)  # complete folder appears under its final name at once
        _fsync(versions_dir)
        _make_current(published_dir, version_dir)
        _prune(published_dir, keep=KEEP_VERSIONS, grace_seconds=grace_seconds)
    return PublishResult(
        version=version, db_path=published_dir / "marts.duckdb", version_dir=version_dir, manifest=manifest
    )


def current_version(published_dir: Path) -> tuple[Path, dict]:
    """The version being served, resolved once: its folder and its manifest. Read every file of one
    read from this folder (``folder / "parquet" / f"{mart}.parquet"``), never through ``current/``
    again, and a concurrent publish cannot mix two versions into the read; the folder stays on disk
    while the grace period (PMW_PUBLISH_GRACE_SECONDS) runs after it stops being current."""
    folder = Path(os.path.realpath(published_dir / "current"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return folder, manifest


def read_manifest(published_dir: Path) -> dict | None:
    """The manifest of the version being served, or None before the first publish."""
    path = published_dir / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
