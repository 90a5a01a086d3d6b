"""DuckDB writer for raw.releases, raw.observations and raw.quarantine.

Every write is one transaction: a failure rolls back and leaves earlier releases untouched.
Loading a release deletes that release's previous rows first, so re-running never duplicates.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any

import duckdb

from dagster_project.ingest.models import OBSERVATION_COLUMNS, IngestError, Observation
from dagster_project.ingest.text import safe_filename

__all__ = [
    "ReleaseMeta",
    "ensure_schema",
    "sha256_bytes",
    "make_release_id",
    "load_release",
    "load_release_query",
    "record_quarantine",
    "loaded_with_sha",
]

_DDL_BASE = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.releases (
    release_id   VARCHAR PRIMARY KEY,
    source_file  VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    adapter      VARCHAR,
    release_date DATE,
    provenance   VARCHAR,
    row_count    INTEGER NOT NULL,
    status       VARCHAR NOT NULL CHECK (status IN ('loaded', 'quarantined')),
    ingested_at  TIMESTAMP NOT NULL,
    error_count  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.quarantine (
    release_id     VARCHAR NOT NULL,
    source_file    VARCHAR NOT NULL,
    "row"          INTEGER,
    "column"       VARCHAR,
    reason         VARCHAR NOT NULL,
    quarantined_at TIMESTAMP NOT NULL
);
"""

# raw.observations holds release files, raw.api_observations API pulls; same columns (dbt sources).
OBSERVATION_TABLES = ("observations", "api_observations")
_OBS_DDL = """
CREATE TABLE IF NOT EXISTS raw.{table} (
    release_id     VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    region_code    VARCHAR NOT NULL,
    subject_code   VARCHAR NOT NULL,
    period_code    VARCHAR NOT NULL,
    period_kind    VARCHAR NOT NULL,
    period_start   DATE NOT NULL,
    period_end     DATE NOT NULL,
    measure        VARCHAR NOT NULL,
    value          DOUBLE NOT NULL,
    bound          VARCHAR NOT NULL,
    unit           VARCHAR NOT NULL,
    source_value   VARCHAR,
    source_unit    VARCHAR,
    provenance     VARCHAR NOT NULL,
    derived_from   VARCHAR,
    source_ref     VARCHAR,
    source_file    VARCHAR,
    source_row     INTEGER,
    release_date   DATE,
    ingested_at    TIMESTAMP NOT NULL
);
"""
# One row per key within a release. Checked on the release's own rows when it is loaded
# (_check_release_keys), not by a PRIMARY KEY: DuckDB's index over every vintage of every number
# made loading a national release cost 1.4 s of index upkeep at ten years (BENCHMARKS.md), and it
# grows with history. Warehouses made with the key are rebuilt without it by ensure_schema.
_KEY = ("release_id", "indicator_code", "region_code", "subject_code", "period_code", "measure")

_OBS_COLUMNS = ("release_id", *OBSERVATION_COLUMNS, "ingested_at")
_observation_fields = attrgetter(*OBSERVATION_COLUMNS)


@dataclass(frozen=True)
class ReleaseMeta:
    source_file: str
    sha256: str
    adapter: str
    release_date: date | None
    provenance: str


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema raw and its tables if missing (idempotent); drop the old primary key."""
    con.execute(_DDL_BASE)
    for table in OBSERVATION_TABLES:
        con.execute(_OBS_DDL.format(table=table))
        _drop_primary_key(con, table)


def _drop_primary_key(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """A table made by an earlier version has a PRIMARY KEY, which DuckDB cannot drop: copy its rows
    into a table without it, in one transaction (a failure leaves the old table as it was)."""
    [(keyed,)] = con.execute(
        """SELECT count(*) FROM duckdb_constraints()
           WHERE schema_name = 'raw' AND table_name = ? AND constraint_type = 'PRIMARY KEY'""",
        [table],
    ).fetchall()
    if not keyed:
        return
    con.begin()
    try:
        con.execute(_OBS_DDL.format(table=f"{table}__unkeyed"))
        con.execute(f"INSERT INTO raw.{table}__unkeyed SELECT * FROM raw.{table}")
        con.execute(f"DROP TABLE raw.{table}")
        con.execute(f"ALTER TABLE raw.{table}__unkeyed RENAME TO {table}")
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _check_release_keys(con: duckdb.DuckDBPyConnection, target: str, release_id: str) -> None:
    """Inside the load's transaction: one row per key in the release, else roll back (the caller does)."""
    dup = con.execute(
        f"""SELECT {", ".join(_KEY[1:])}, count(*) FROM {target} WHERE release_id = ?
            GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT 1""",
        [release_id],
    ).fetchall()
    if dup:
        *key, n = dup[0]
        raise duckdb.ConstraintException(
            f"duplicate key in release {release_id}: {'/'.join(str(k) for k in key)} appears {n} times"
        )


def _table(table: str) -> str:
    if table not in OBSERVATION_TABLES:  # whitelisted: the name is interpolated into SQL
        raise ValueError(f"unknown observation table {table!r}; expected one of {OBSERVATION_TABLES}")
    return f"raw.{table}"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_release_id(source_file: str, sha256: str) -> str:
    """Deterministic id: same name + same bytes = same release; corrected bytes = a new vintage.

    Sub-folders are kept (as '__') so one file name in two landing sub-folders stays two releases.
    """
    stem = safe_filename(source_file.replace("\\", "/").strip("/").replace("/", "__")).rsplit(".", 1)[0]
    stem = re.sub(r"[\s()（）\[\]]+", "_", stem).strip("_") or "release"
    return f"{stem}-{sha256[:12]}"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC


def _upsert_release(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    meta: ReleaseMeta,
    rows: int,
    status: str,
    errors: int,
    now: datetime,
) -> None:
    con.execute("DELETE FROM raw.releases WHERE release_id = ?", [release_id])
    con.execute(
        "INSERT INTO raw.releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            release_id,
            meta.source_file,
            meta.sha256,
            meta.adapter,
            meta.release_date,
            meta.provenance,
            rows,
            status,
            now,
            errors,
        ],
    )


def load_release(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    observations: Sequence[Observation],
    meta: ReleaseMeta,
    table: str = "observations",
) -> int:
    """Replace the release's rows with ``observations`` in one transaction; return the row count.

    ``table`` is ``observations`` (release files) or ``api_observations`` (API pulls).
    """
    import pandas as pd  # local import: the vectorised long-format path never needs pandas

    target = _table(table)
    now = _now()
    # Plain tuples, not dataclasses.asdict: asdict deep-copies every field of every row and was the
    # single largest cost of loading a national release (see BENCHMARKS.md). Fields are immutable.
    frame = pd.DataFrame.from_records(
        [(release_id, *_observation_fields(o), now) for o in observations],
        columns=list(_OBS_COLUMNS),
    )
    frame["source_row"] = frame["source_row"].astype("Int64")  # nullable: HTML prose rows may lack one
    cols = ", ".join(_OBS_COLUMNS)
    # Register outside the transaction: unregistering inside an aborted one would mask the real error.
    con.register("_pmw_obs_in", frame)
    try:
        con.begin()
        try:
            con.execute(f"DELETE FROM {target} WHERE release_id = ?", [release_id])
            con.execute("DELETE FROM raw.quarantine WHERE release_id = ?", [release_id])
            _upsert_release(con, release_id, meta, len(frame), "loaded", 0, now)
            con.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM _pmw_obs_in")
            _check_release_keys(con, target, release_id)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    finally:
        con.unregister("_pmw_obs_in")
    return len(frame)


def load_release_query(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    query: str,
    params: Sequence[Any],
    meta: ReleaseMeta,
    table: str = "observations",
) -> int:
    """As :func:`load_release`, for rows already in DuckDB: ``query`` selects the observation columns.

    ``query`` (with its ``params``) returns the columns of :class:`Observation` in field order; the
    release id and ingestion time are added here. Same transaction and release bookkeeping as
    :func:`load_release`: the release's previous rows and quarantine records are replaced, so loading
    the same release twice stores it once. Any error (including one the query raises on purpose, or
    a duplicate key) rolls everything back and propagates. Returns the row count.
    """
    target = _table(table)
    now = _now()
    cols = ", ".join(_OBS_COLUMNS)
    con.begin()
    try:
        con.execute(f"DELETE FROM {target} WHERE release_id = ?", [release_id])
        con.execute("DELETE FROM raw.quarantine WHERE release_id = ?", [release_id])
        # parameters in text order: release_id, ingested_at, then the query's own
        [(rows,)] = con.execute(
            f"INSERT INTO {target} ({cols}) SELECT ?, *, ? FROM ({query})", [release_id, now, *params]
        ).fetchall()
        _check_release_keys(con, target, release_id)
        _upsert_release(con, release_id, meta, rows, "loaded", 0, now)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return rows


def loaded_with_sha(con: duckdb.DuckDBPyConnection, sha256: str, table: str = "observations") -> tuple[str, str] | None:
    """(release_id, source_file) of a loaded release with these bytes, or None: idempotency by content."""
    _table(table)
    rows = con.execute(
        """SELECT release_id, source_file FROM raw.releases WHERE sha256 = ? AND status = 'loaded'
           ORDER BY ingested_at LIMIT 1""",
        [sha256],
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def record_quarantine(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    meta: ReleaseMeta,
    errors: Sequence[IngestError],
) -> None:
    """Record a rejected release and its errors. Never touches any stored observations.

    If the same release was loaded before (same bytes), its 'loaded' status and rows are kept.
    """
    import pandas as pd  # local import, as in load_release

    now = _now()
    frame = pd.DataFrame(
        [
            {
                "release_id": release_id,
                "source_file": e.file,
                "row": e.row,
                "column": e.column,
                "reason": e.reason,
                "quarantined_at": now,
            }
            for e in errors
        ],
        columns=["release_id", "source_file", "row", "column", "reason", "quarantined_at"],
    )
    frame["row"] = frame["row"].astype("Int64")
    cols = 'release_id, source_file, "row", "column", reason, quarantined_at'
    con.register("_pmw_q_in", frame)
    try:
        con.begin()
        try:
            # fetchall, not fetchone: duckdb 2 refuses further work while a result is unfinished.
            loaded = con.execute(
                "SELECT count(*) FROM raw.releases WHERE release_id = ? AND status = 'loaded'", [release_id]
            ).fetchall()
            if not loaded[0][0]:
                _upsert_release(con, release_id, meta, 0, "quarantined", len(frame), now)
            con.execute("DELETE FROM raw.quarantine WHERE release_id = ?", [release_id])
            con.execute(f"INSERT INTO raw.quarantine ({cols}) SELECT {cols} FROM _pmw_q_in")
            con.commit()
        except BaseException:
            con.rollback()
            raise
    finally:
        con.unregister("_pmw_q_in")
