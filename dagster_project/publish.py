"""Publish: a read-only copy of the marts for analysts and BI tools (write-audit-publish).

Readers never open the working warehouse. After the marts are built and every blocking check has
passed, the marts are copied into a new DuckDB file and Parquet files inside a fresh version folder,
then made current with atomic renames:

    var/published/versions/<version>/marts.duckdb, parquet/<mart>.parquet, manifest.json
    var/published/marts.duckdb     <- os.replace of a hard link / copy of the version's file
    var/published/manifest.json    <- os.replace
    var/published/current          <- symlink swapped atomically (the Parquet files)

A reader holding the previous file keeps reading it (POSIX rename semantics), and a crash mid-publish
leaves only an unfinished version folder, never a half-written current copy.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_MARTS = (
    "dim_targets",
    "dim_indicators",
    "dim_regions",
    "fct_target_progress",
    "fct_target_progress_by_region",
    "fct_target_scorecard",
)
MARTS_SCHEMA = "marts"
KEEP_VERSIONS = 3


@dataclass(frozen=True)
class PublishResult:
    version: str
    db_path: Path
    manifest: dict


def _vintages(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = con.execute(
        """
        select release_id, source_file, release_date, provenance, row_count
        from raw.releases where status = 'loaded' order by release_date, release_id
        """
    ).fetchall()
    return [
        {"release_id": r[0], "source_file": r[1], "release_date": str(r[2]), "provenance": r[3], "rows": r[4]}
        for r in rows
    ]


def publish_marts(warehouse_path: Path, published_dir: Path, run_id: str) -> PublishResult:
    """Copy the marts out of the warehouse into a new published version and make it current."""
    published_dir.mkdir(parents=True, exist_ok=True)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + run_id[:8]
    version_dir = published_dir / "versions" / version
    parquet_dir = version_dir / "parquet"
    parquet_dir.mkdir(parents=True)
    version_db = version_dir / "marts.duckdb"

    con = duckdb.connect(str(warehouse_path))
    try:
        con.execute("CHECKPOINT")
        con.execute(f"ATTACH '{version_db}' AS published")
        row_counts = {}
        for mart in PUBLISHED_MARTS:
            con.execute(f"CREATE TABLE published.main.{mart} AS SELECT * FROM {MARTS_SCHEMA}.{mart}")
            con.execute(f"COPY (SELECT * FROM {MARTS_SCHEMA}.{mart}) TO '{parquet_dir / (mart + '.parquet')}' (FORMAT parquet)")
            row_counts[mart] = con.execute(f"SELECT count(*) FROM {MARTS_SCHEMA}.{mart}").fetchone()[0]
        # Every vintage of every number, so analysts can ask "what was known as of a date".
        con.execute(
            "CREATE TABLE published.main.observation_vintages AS SELECT * FROM staging.stg_raw__observations"
        )
        row_counts["observation_vintages"] = con.execute(
            "SELECT count(*) FROM published.main.observation_vintages"
        ).fetchone()[0]
        manifest = {
            "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "version": version,
            "run_id": run_id,
            "warehouse": str(warehouse_path),
            "row_counts": row_counts,
            "source_vintages": _vintages(con),
        }
        con.execute(
            "CREATE TABLE published.main.publish_manifest AS SELECT ? AS version, ? AS run_id, "
            "CAST(? AS TIMESTAMP) AS published_at, ? AS manifest_json",
            [version, run_id, manifest["published_at"][:19], json.dumps(manifest, ensure_ascii=False)],
        )
        con.execute("DETACH published")
    finally:
        con.close()

    (version_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    _make_current(published_dir, version_dir)
    _prune(published_dir, keep=KEEP_VERSIONS)
    return PublishResult(version=version, db_path=published_dir / "marts.duckdb", manifest=manifest)


def _atomic_replace(source: Path, target: Path) -> None:
    staging = target.with_name(f".{target.name}.incoming")
    if staging.exists() or staging.is_symlink():
        staging.unlink()
    try:
        os.link(source, staging)  # same filesystem: no copy, and the version keeps its own name
    except OSError:
        shutil.copy2(source, staging)
    os.replace(staging, target)


def _make_current(published_dir: Path, version_dir: Path) -> None:
    _atomic_replace(version_dir / "marts.duckdb", published_dir / "marts.duckdb")
    _atomic_replace(version_dir / "manifest.json", published_dir / "manifest.json")
    link_tmp = published_dir / ".current.incoming"
    if link_tmp.exists() or link_tmp.is_symlink():
        link_tmp.unlink()
    link_tmp.symlink_to(version_dir.relative_to(published_dir))
    os.replace(link_tmp, published_dir / "current")


def _prune(published_dir: Path, keep: int) -> None:
    versions = sorted((published_dir / "versions").iterdir())
    current = (published_dir / "current").resolve()
    for old in versions[:-keep]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)


def read_manifest(published_dir: Path) -> dict | None:
    path = published_dir / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None
