"""Open the published copy of the marts, read-only: every reading command and the report use it.

The working warehouse is never opened here: readers must not hold its single write lock, and they
should see only marts that passed every blocking check.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


class NoPublishedCopy(RuntimeError):
    """Nothing has been published yet (or the path is wrong)."""


def open_published(db_path: Path) -> duckdb.DuckDBPyConnection:
    if not Path(db_path).is_file():
        raise NoPublishedCopy(
            f"no published marts at {db_path}: run `pmw run` (or `pmw run --sample`) to build and publish them"
        )
    return duckdb.connect(str(db_path), read_only=True)
