"""DuckDB writer for raw.releases, raw.observations and raw.quarantine: the only place raw rows are written.

A release is first *staged* (:class:`ReleaseStage`, a temporary table of this connection; nothing in
raw changes), then judged and written in one transaction (:meth:`ReleaseStage.commit`): the
``screen`` (the raw expectation suite) runs on the staged rows inside the transaction, and each
release is either committed to raw.<table> or recorded as quarantined with its errors. No later step
deletes or updates raw rows; a failure rolls back and leaves every earlier release untouched.
Committing a release replaces that release's previous rows, so re-running never duplicates. A new release
with no screen to judge it (:func:`load_release_query`) is inserted into raw at once, with the same key
check and record in its one transaction, instead of being written twice.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.ingest.models import OBSERVATION_COLUMNS, IngestError, Observation
from dagster_project.ingest.text import safe_filename

__all__ = [
    "ReleaseMeta",
    "observation_table",
    "upsert_release",
    "ensure_schema",
    "upgrade_schema",
    "sha256_bytes",
    "make_release_id",
    "load_release",
    "load_release_query",
    "ReleaseStage",
    "Screen",
    "record_quarantine",
    "loaded_with_sha",
    "withdraw_release",
    "restore_release",
    "withdrawn_releases",
    "WithdrawalError",
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
    error_count  INTEGER NOT NULL,
    -- release_date is the day the file landed: the file states none (_upgrade adds it to an older warehouse)
    release_date_imputed BOOLEAN NOT NULL DEFAULT false
);

-- releases an operator took back (pmw withdraw): their rows wait in raw.withdrawn_<table>, out of every model
CREATE TABLE IF NOT EXISTS raw.withdrawals (
    release_id   VARCHAR NOT NULL,
    source_file  VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,
    row_count    INTEGER NOT NULL,
    withdrawn_at TIMESTAMP NOT NULL,
    restored_at  TIMESTAMP
);

-- a release read again (the same bytes, a newer version of the code) that no longer gives some figures it
-- gave: those left raw, below the incremental models' marks (dbt_build.full_refresh_due counts these)
CREATE TABLE IF NOT EXISTS raw.rereads (
    release_id   VARCHAR NOT NULL,
    rows_dropped INTEGER NOT NULL,
    reread_at    TIMESTAMP NOT NULL
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
CREATE {temp}TABLE {exists}{name} (
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
    ingested_at    TIMESTAMP NOT NULL,
    release_date_imputed BOOLEAN NOT NULL DEFAULT false
);
"""
# Columns added after warehouses were built, last in their table (where ALTER TABLE puts them, so a built table
# and a new one keep one column order: the stage's rows and raw's are unioned and moved by position), with what
# an older row holds: (table, column, its type and default). :func:`_upgrade` adds the ones a warehouse lacks.
_ADDED_COLUMNS = (
    # release_date is the landing day, the file stating none: every row written before the flag was a published
    # date or one said only in a note, which the flag cannot tell apart now; false, as they were shown
    ("releases", "release_date_imputed", "BOOLEAN NOT NULL DEFAULT false"),
    *((t, "release_date_imputed", "BOOLEAN NOT NULL DEFAULT false") for t in ("observations", "api_observations")),
)
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
    release_date_imputed: bool = False  # release_date is the landing day: the file states none


def _obs_ddl(name: str, *, temp: bool = False) -> str:
    if temp:
        return _OBS_DDL.format(temp="OR REPLACE TEMP ", exists="", name=name)
    return _OBS_DDL.format(temp="", exists="IF NOT EXISTS ", name=name)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create schema raw and its tables if missing (idempotent); drop the old primary key."""
    con.execute(_DDL_BASE)
    for table in OBSERVATION_TABLES:
        con.execute(_obs_ddl(f"raw.{table}"))
        _drop_primary_key(con, table)
    upgrade_schema(con)
    from dagster_project.ingest.task_returns import ensure_schema as ensure_task_returns  # lazy: it imports store

    ensure_task_returns(con)  # raw.task_returns: the units' monthly returns (工作台账)
    for table in WITHDRAWABLE_TABLES:  # where a withdrawn release's rows wait, as they were
        con.execute(f"CREATE TABLE IF NOT EXISTS raw.withdrawn_{table} AS SELECT * FROM raw.{table} WHERE false")


def upgrade_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Bring raw's tables a warehouse built before some columns to today's (:data:`_ADDED_COLUMNS`), every row
    kept; the tables of withdrawn rows too (they come back with the column's default). Creates no table: the dbt
    build runs it on whatever warehouse it is given."""
    _upgrade(con, "raw")
    _upgrade(con, "raw", "withdrawn_")


def _upgrade(con: duckdb.DuckDBPyConnection, schema: str, prefix: str = "") -> None:
    """Add the columns of :data:`_ADDED_COLUMNS` a warehouse built before them lacks (every row kept, given the
    column's default). One catalogue read when there is nothing to add."""
    have = set(
        con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = ? AND starts_with(table_name, ?)",
            [schema, prefix],
        ).fetchall()
    )
    tables = {t for t, _ in have}
    for table, column, kind in _ADDED_COLUMNS:
        name = prefix + table
        if name in tables and (name, column) not in have:
            con.execute(f"ALTER TABLE {schema}.{name} ADD COLUMN {column} {kind}")


# the raw tables whose rows a release owns (release_id): what a withdrawal takes out and a restore puts back
WITHDRAWABLE_TABLES = (*OBSERVATION_TABLES, "task_returns")


class WithdrawalError(ValueError):
    """A withdrawal or restore that cannot be done (unknown release, not loaded, already withdrawn …)."""


@dataclass(frozen=True)
class Withdrawal:
    release_id: str
    source_file: str
    row_count: int


def _release_named(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, str, str]:
    """(release_id, source_file, status) of the release ``name`` is the id of, else the newest release of the
    file ``name`` (its landing path or file name)."""
    rows = con.execute(
        """SELECT release_id, source_file, status FROM raw.releases
           WHERE release_id = ? OR source_file = ? OR suffix(source_file, '/' || ?)
           ORDER BY release_id = ? DESC, ingested_at DESC""",
        [name, name, name, name],
    ).fetchall()
    if not rows:
        raise WithdrawalError(
            f"no release {name!r}: give a release id or a file name as `pmw status` and the runs show"
        )
    return rows[0]


def withdrawn_releases(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The releases withdrawn now (not restored)."""
    return {r[0] for r in con.execute("SELECT release_id FROM raw.withdrawals WHERE restored_at IS NULL").fetchall()}


def withdraw_release(con: duckdb.DuckDBPyConnection, name: str, reason: str) -> Withdrawal:
    """Take a loaded release out of the warehouse, in one transaction: its rows move to raw.withdrawn_<table>
    (kept as they were, for :func:`restore_release`) and raw.withdrawals records why and when. The next build
    is a full refresh (``dagster_project.dbt_build.full_refresh_due``): every model is rebuilt without them.
    For a figure that is wrong, not one that should not be there, load the corrected file instead (a new
    vintage supersedes it)."""
    if not reason.strip():
        raise WithdrawalError("say why the release is withdrawn (--reason): it is kept with the withdrawal")
    ensure_schema(con)
    release_id, source_file, status = _release_named(con, name)
    if release_id in withdrawn_releases(con):
        raise WithdrawalError(f"release {release_id} ({source_file}) is already withdrawn")
    if status != "loaded":
        raise WithdrawalError(f"release {release_id} ({source_file}) was {status}, not loaded: nothing to withdraw")
    return _move(con, release_id, source_file, reason, withdraw=True)


def restore_release(con: duckdb.DuckDBPyConnection, name: str) -> Withdrawal:
    """Put a withdrawn release's rows back (the withdrawal stays recorded, with when it was restored)."""
    ensure_schema(con)
    release_id, source_file, _ = _release_named(con, name)
    if release_id not in withdrawn_releases(con):
        raise WithdrawalError(f"release {release_id} ({source_file}) is not withdrawn: nothing to restore")
    return _move(con, release_id, source_file, "", withdraw=False)


def _move(
    con: duckdb.DuckDBPyConnection, release_id: str, source_file: str, reason: str, *, withdraw: bool
) -> Withdrawal:
    now = stamp_time()
    con.begin()
    try:
        moved = 0
        for table in WITHDRAWABLE_TABLES:
            held, kept = (f"raw.{table}", f"raw.withdrawn_{table}")[:: 1 if withdraw else -1]
            [(n,)] = con.execute(f"SELECT count(*) FROM {held} WHERE release_id = ?", [release_id]).fetchall()
            con.execute(f"INSERT INTO {kept} BY NAME SELECT * FROM {held} WHERE release_id = ?", [release_id])
            con.execute(f"DELETE FROM {held} WHERE release_id = ?", [release_id])
            moved += n
        if withdraw:
            con.execute(
                "INSERT INTO raw.withdrawals VALUES (?, ?, ?, ?, ?, NULL)",
                [release_id, source_file, reason, moved, now],
            )
        else:
            con.execute(
                "UPDATE raw.withdrawals SET restored_at = ? WHERE release_id = ? AND restored_at IS NULL",
                [now, release_id],
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return Withdrawal(release_id, source_file, moved)


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
        con.execute(_obs_ddl(f"raw.{table}__unkeyed"))
        con.execute(f"INSERT INTO raw.{table}__unkeyed BY NAME SELECT * FROM raw.{table}")  # by name: older columns
        con.execute(f"DROP TABLE raw.{table}")
        con.execute(f"ALTER TABLE raw.{table}__unkeyed RENAME TO {table}")
        con.commit()
    except BaseException:
        con.rollback()
        raise


def _check_release_keys(
    con: duckdb.DuckDBPyConnection, target: str, release_id: str, ingested_at: datetime | None = None
) -> None:
    """Inside the load's transaction: one row per key in the release, else roll back (the caller does).

    ``ingested_at``: every row of the release was written with it (one INSERT), which lets the scan of raw skip
    the row groups of history by their min/max (the release id's cannot: ids share their first 8 bytes)."""
    key = ", ".join(_KEY[1:])
    where = "release_id = ?" + (" AND ingested_at = ?" if ingested_at is not None else "")
    params = [release_id] + ([ingested_at] if ingested_at is not None else [])
    # As many distinct key hashes as rows proves every key distinct: one integer per row to count, where the
    # grouping below hashes and keeps every key (0.4 s for a national release). Equal hashes (a duplicate, or
    # rarely two keys hashing alike) go on to the exact grouping, which names the duplicate or finds none.
    [(rows, hashes)] = con.execute(
        f"SELECT count(*), count(DISTINCT hash({key})) FROM {target} WHERE {where}", params
    ).fetchall()
    if rows == hashes:
        return
    dup = con.execute(
        f"""SELECT {key}, count(*) FROM {target} WHERE {where}
            GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL LIMIT 1""",
        params,
    ).fetchall()
    if dup:
        *key, n = dup[0]
        raise duckdb.ConstraintException(
            f"duplicate key in release {release_id}: {'/'.join(str(k) for k in key)} appears {n} times"
        )


def observation_table(table: str) -> str:
    """``raw.<table>`` for one of the observation tables (observations, api_observations); any other name is
    refused, as it is written into SQL."""
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


def sql_string(value: str | Path) -> str:
    """A DuckDB string literal (paths and comments in DDL, values a filter must see as constants: where
    parameters cannot go, or would keep DuckDB from skipping row groups)."""
    return "'" + str(value).replace("'", "''") + "'"


def stamp_time() -> datetime:
    """The time raw's ingested_at is stamped with (naive UTC, as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def vintage_recency(alias: str = "") -> str:
    """How recent a vintage of a figure is, as a DuckDB struct that sorts latest last (arg_max picks the latest):
    a published or derived figure outranks an illustrative one (a sample's made-up figure never displaces a real
    one), a date its release states outranks a date imputed from the day its file landed (release_date_imputed:
    that day only bounds when the figure was published), then the later date, the later load, the release id.
    int_observations__latest ranks vintages by the same order (dbt cannot import this)."""
    a = f"{alias}." if alias else ""
    return (
        f"{{'real': {a}provenance IS DISTINCT FROM 'illustrative', 'stated': NOT {a}release_date_imputed, "
        f"'released': {a}release_date, 'loaded': {a}ingested_at, 'release': {a}release_id}}"
    )


def upsert_release(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    meta: ReleaseMeta,
    rows: int,
    status: str,
    errors: int,
    now: datetime,
) -> None:
    """Record (or replace) a release's row in raw.releases: its file, bytes, reader, status and counts."""
    con.execute("DELETE FROM raw.releases WHERE release_id = ?", [release_id])
    con.execute(
        """INSERT INTO raw.releases (release_id, source_file, sha256, adapter, release_date, provenance, row_count,
                                      status, ingested_at, error_count, release_date_imputed)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
            meta.release_date_imputed,
        ],
    )


# A screen judges staged releases inside the commit's transaction: (connection, relation holding the
# staged rows, {release_id: source_file}) -> {release_id: errors}; a release with errors is quarantined.
Screen = Callable[[duckdb.DuckDBPyConnection, str, dict[str, str]], dict[str, list[IngestError]]]

_stage_ids = itertools.count(1)


class ReleaseStage:
    """Releases staged in a temporary table of ``con`` (nothing in raw changes) until :meth:`commit`.

    An ingestion run stages its files one by one (each checked for duplicate keys as it is staged),
    then commits them together: one expectation-suite pass over the staged rows and one transaction
    that writes the good releases to raw.<table> and records the rejected ones as quarantined.
    The staged rows count as history for the files staged after them (:meth:`relation_with_raw`),
    as committed ones do.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str = "observations") -> None:
        self.con = con
        self.table = table
        self.target = observation_table(table)
        self.relation = f"_pmw_stage_{table}_{next(_stage_ids)}"
        ensure_schema(con)
        con.execute(_obs_ddl(self.relation, temp=True))
        self.pending: dict[str, tuple[ReleaseMeta, int]] = {}

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.pending.values())

    def relation_with_raw(self) -> str:
        """SQL for raw.<table> plus the rows staged so far (history for the next file's checks)."""
        return f"(SELECT * FROM {self.target} UNION ALL SELECT * FROM {self.relation})"

    def staged_with_sha(self, sha256: str) -> tuple[str, str] | None:
        for release_id, (meta, _) in self.pending.items():
            if meta.sha256 == sha256:
                return release_id, meta.source_file
        return None

    def add(self, release_id: str, observations: Sequence[Observation], meta: ReleaseMeta) -> int:
        """Stage ``observations`` as the release's rows; a duplicate key refuses it (nothing staged)."""
        import pandas as pd  # local import: the vectorised long-format path never needs pandas

        now = stamp_time()
        # Plain tuples, not dataclasses.asdict: asdict deep-copies every field of every row and was the
        # single largest cost of loading a national release (see BENCHMARKS.md). Fields are immutable.
        frame = pd.DataFrame.from_records(
            [(release_id, *_observation_fields(o), now) for o in observations],
            columns=list(_OBS_COLUMNS),
        )
        frame["source_row"] = frame["source_row"].astype("Int64")  # nullable: HTML prose rows may lack one
        cols = ", ".join(_OBS_COLUMNS)
        self.con.register("_pmw_obs_in", frame)
        try:
            return self._stage(release_id, meta, f"INSERT INTO {self.relation} ({cols}) SELECT {cols} FROM _pmw_obs_in")
        finally:
            self.con.unregister("_pmw_obs_in")

    def add_query(self, release_id: str, query: str, params: Sequence[Any], meta: ReleaseMeta) -> int:
        """As :meth:`add`, for rows already in DuckDB: ``query`` selects the observation columns in
        field order (:class:`Observation`); the release id and staging time are added here. Any error
        the query raises (on purpose, too) stages nothing and propagates."""
        cols = ", ".join(_OBS_COLUMNS)
        # parameters in text order: release_id, ingested_at, then the query's own
        sql = f"INSERT INTO {self.relation} ({cols}) SELECT ?, *, ? FROM ({query})"
        return self._stage(release_id, meta, sql, [release_id, stamp_time(), *params])

    def _stage(self, release_id: str, meta: ReleaseMeta, sql: str, params: Sequence[Any] = ()) -> int:
        self.con.execute(f"DELETE FROM {self.relation} WHERE release_id = ?", [release_id])
        self.pending.pop(release_id, None)
        try:
            self.con.execute(sql, list(params))
            _check_release_keys(self.con, self.relation, release_id)
        except BaseException:
            self.con.execute(f"DELETE FROM {self.relation} WHERE release_id = ?", [release_id])
            raise
        [(rows,)] = self.con.execute(
            f"SELECT count(*) FROM {self.relation} WHERE release_id = ?", [release_id]
        ).fetchall()
        self.pending[release_id] = (meta, rows)
        return rows

    def commit(self, screen: Screen | None = None) -> dict[str, list[IngestError]]:
        """Judge the staged releases with ``screen`` and write them, in one transaction.

        Each release is either written to raw.<table> (replacing its earlier rows, its quarantine
        records cleared) or, when the screen gives it errors, recorded as quarantined with them (a
        release of the same bytes loaded before keeps its rows). If the screen cannot run, nothing
        is written and the error propagates. Returns the rejected releases and their errors.
        """
        if not self.pending:
            return {}
        con, cols = self.con, ", ".join(_OBS_COLUMNS)
        sources = {release_id: meta.source_file for release_id, (meta, _) in self.pending.items()}
        con.begin()
        try:
            rejected = {k: v for k, v in (screen(con, self.relation, sources) if screen else {}).items() if v}
            good = [release_id for release_id in self.pending if release_id not in rejected]
            now = stamp_time()
            if good:
                # Only a release recorded before can have rows to replace (every write records its release, in
                # this transaction): a new one skips the two scans of raw, each a pass over all of its history.
                known = [
                    release_id
                    for (release_id,) in con.execute(
                        "SELECT release_id FROM raw.releases WHERE list_contains(?, release_id)", [good]
                    ).fetchall()
                ]
                if known:
                    self._record_dropped_keys(known, now)
                    con.execute(f"DELETE FROM {self.target} WHERE list_contains(?, release_id)", [known])
                con.execute("DELETE FROM raw.quarantine WHERE list_contains(?, release_id)", [good])
                con.execute(
                    f"INSERT INTO {self.target} ({cols}) SELECT {cols} FROM {self.relation} "
                    "WHERE list_contains(?, release_id)",
                    [good],
                )
                for release_id in good:
                    meta, rows = self.pending[release_id]
                    upsert_release(con, release_id, meta, rows, "loaded", 0, now)
            for release_id, errors in rejected.items():
                _record_quarantine(con, release_id, self.pending[release_id][0], errors, now)
            con.execute(f"DELETE FROM {self.relation}")
            con.commit()
        except BaseException:
            con.rollback()
            raise
        self.pending.clear()
        return rejected

    def _record_dropped_keys(self, good: list[str], now: datetime) -> None:
        """A release loaded before and read again: the keys its earlier reading had and this one has not
        leave raw with the delete below, which the incremental models cannot see; recorded in raw.rereads."""
        on = " AND ".join(f"staged.{c} = stored.{c}" for c in _KEY)
        dropped = self.con.execute(
            f"""SELECT stored.release_id, count(*) FROM {self.target} AS stored
                WHERE list_contains(?, stored.release_id)
                  AND NOT EXISTS (SELECT 1 FROM {self.relation} AS staged WHERE {on})
                GROUP BY 1""",
            [good],
        ).fetchall()
        for release_id, rows in dropped:
            self.con.execute("INSERT INTO raw.rereads VALUES (?, ?, ?)", [release_id, rows, now])

    def close(self) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {self.relation}")


def load_release(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    observations: Sequence[Observation],
    meta: ReleaseMeta,
    table: str = "observations",
    screen: Screen | None = None,
) -> int:
    """Stage and commit one release (:class:`ReleaseStage`); return the row count.

    ``table`` is ``observations`` (release files) or ``api_observations`` (API pulls). A duplicate key
    raises with nothing written; a release the ``screen`` rejects is quarantined (0 rows returned).
    """
    stage = ReleaseStage(con, table)
    try:
        rows = stage.add(release_id, observations, meta)
        return 0 if stage.commit(screen) else rows
    finally:
        stage.close()


def load_release_query(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    query: str,
    params: Sequence[Any],
    meta: ReleaseMeta,
    table: str = "observations",
    screen: Screen | None = None,
) -> int:
    """As :func:`load_release`, for rows already in DuckDB (:meth:`ReleaseStage.add_query`).

    A release never recorded before, with no ``screen`` to judge it, goes straight into raw.<table> in one
    transaction (:func:`_load_new_release_query`): staging it first wrote every row twice."""
    if screen is None:
        rows = _load_new_release_query(con, release_id, query, params, meta, table)
        if rows is not None:
            return rows
    stage = ReleaseStage(con, table)
    try:
        rows = stage.add_query(release_id, query, params, meta)
        return 0 if stage.commit(screen) else rows
    finally:
        stage.close()


def _load_new_release_query(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    query: str,
    params: Sequence[Any],
    meta: ReleaseMeta,
    table: str,
) -> int | None:
    """One ``INSERT ... SELECT`` of ``query``'s rows into raw.<table>, then the same key check as staging
    (:func:`_check_release_keys`, on the release's rows) and the release's record, in one transaction: a
    duplicate key or any error of the query rolls everything back and propagates. None (nothing done) when
    the release was recorded before: replacing its rows is :meth:`ReleaseStage.commit`'s (raw.rereads).

    Staging a national release into a temporary table before copying it into raw cost a second write of
    632,000 rows (0.6 s of the 1.6 s of its ingestion, BENCHMARKS.md)."""
    target, cols = observation_table(table), ", ".join(_OBS_COLUMNS)
    con.begin()
    try:
        [(known,)] = con.execute("SELECT count(*) FROM raw.releases WHERE release_id = ?", [release_id]).fetchall()
        if known:
            con.rollback()
            return None
        now = stamp_time()
        # parameters in text order: release_id, ingested_at, then the query's own (as ReleaseStage.add_query)
        [(rows,)] = con.execute(
            f"INSERT INTO {target} ({cols}) SELECT ?, *, ? FROM ({query})", [release_id, now, *params]
        ).fetchall()
        _check_release_keys(con, target, release_id, now)  # raw holds no row of a release never recorded
        con.execute("DELETE FROM raw.quarantine WHERE release_id = ?", [release_id])
        upsert_release(con, release_id, meta, rows, "loaded", 0, now)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return rows


def loaded_with_sha(
    con: duckdb.DuckDBPyConnection, sha256: str, table: str = "observations", stage: ReleaseStage | None = None
) -> tuple[str, str] | None:
    """(release_id, source_file) of a loaded (or, this run, staged) release with these bytes, or None:
    idempotency by content. One not withdrawn first (the same bytes withdrawn, then loaded again with the date
    their sender gave: `pmw ingest --release-date`)."""
    observation_table(table)
    rows = con.execute(
        """SELECT release_id, source_file FROM raw.releases WHERE sha256 = ? AND status = 'loaded'
           ORDER BY release_id IN (SELECT release_id FROM raw.withdrawals WHERE restored_at IS NULL), ingested_at
           LIMIT 1""",
        [sha256],
    ).fetchall()
    if rows:
        return rows[0][0], rows[0][1]
    return stage.staged_with_sha(sha256) if stage is not None else None


def _record_quarantine(
    con: duckdb.DuckDBPyConnection, release_id: str, meta: ReleaseMeta, errors: Sequence[IngestError], now: datetime
) -> None:
    """Inside the caller's transaction: the release as quarantined (unless the same bytes are loaded)
    and its errors."""
    # fetchall, not fetchone: duckdb 2 refuses further work while a result is unfinished.
    loaded = con.execute(
        "SELECT count(*) FROM raw.releases WHERE release_id = ? AND status = 'loaded'", [release_id]
    ).fetchall()
    if not loaded[0][0]:
        upsert_release(con, release_id, meta, 0, "quarantined", len(errors), now)
    con.execute("DELETE FROM raw.quarantine WHERE release_id = ?", [release_id])
    # one statement over lists (a bad file can have thousands of errors; executemany is row by row)
    con.execute(
        'INSERT INTO raw.quarantine (release_id, source_file, "row", "column", reason, quarantined_at) '
        "SELECT ?, unnest(?::VARCHAR[]), unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), ?",
        [
            release_id,
            [e.file for e in errors],
            [e.row for e in errors],
            [e.column for e in errors],
            [e.reason for e in errors],
            now,
        ],
    )


def record_quarantine(
    con: duckdb.DuckDBPyConnection,
    release_id: str,
    meta: ReleaseMeta,
    errors: Sequence[IngestError],
) -> None:
    """Record a rejected release and its errors, in one transaction. Never touches any stored
    observations: if the same release was loaded before (same bytes), its 'loaded' status and rows are
    kept."""
    con.begin()
    try:
        _record_quarantine(con, release_id, meta, errors, stamp_time())
        con.commit()
    except BaseException:
        con.rollback()
        raise
