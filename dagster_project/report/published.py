"""Open the published copy of the marts, read-only: every reading command and the report use it.

The working warehouse is never opened here: readers must not hold its single write lock, and they
should see only marts that passed every blocking check.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class NoPublishedCopy(RuntimeError):
    """Nothing has been published yet (or the path is wrong)."""


class PublishedCopyOutdated(NoPublishedCopy):
    """The published copy lacks a table or column this code reads: older code published it, and the
    copy stays as it was until the next publish (readers never write it). Readers say so and how to
    publish again, instead of a DuckDB binder error."""


def open_published(db_path: Path) -> duckdb.DuckDBPyConnection:
    if not Path(db_path).is_file():
        raise NoPublishedCopy(
            f"no published marts at {db_path}: run `pmw run` (or `pmw run --sample`) to build and publish them"
        )
    return duckdb.connect(str(db_path), read_only=True)


@contextmanager
def reading_published(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The published copy, read-only, for the duration; a query naming what the copy does not have
    raises PublishedCopyOutdated with the copy's version and publication time."""
    con = open_published(db_path)
    try:
        yield con
    except (duckdb.BinderException, duckdb.CatalogException) as exc:
        raise PublishedCopyOutdated(_outdated_message(con, db_path, exc)) from exc
    finally:
        con.close()


def _outdated_message(con: duckdb.DuckDBPyConnection, db_path: Path, exc: Exception) -> str:
    try:
        version, published_at = con.execute(
            "select version, cast(published_at as varchar) from publish_manifest"
        ).fetchone()
        which = f"version {version}, published {published_at}"
    except duckdb.Error:
        which = "no publish manifest"
    missing = str(exc).splitlines()[0]
    return (
        f"the published copy at {db_path} ({which}) lacks what this code reads ({missing}): older code published "
        "it. Run `pmw run` to build and publish it again; the copy stays readable with `pmw sql` meanwhile"
    )
