"""The rows behind a failed dbt data test, for the run's summary.

A failing test is reported by its name (``values_between_int_seasonal_profiles_share_of_year__1_5__0``),
which says what rule broke but not where: an operator had to find the compiled test and run it. The
build's dbt folder (``dagster_project.dbt_build.new_run_folder``) keeps each test's compiled query, which
selects exactly the failing rows; it is run here, read-only, for a count and the first few rows.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

EXAMPLE_ROWS = 3
SHOWN_COLUMNS = 10  # of a failing row: the keys come first in the models, wide rows are cut
SHOWN_CHARS = 40  # of a text value


def run_folder(runs_dir: Path, run_id: str) -> Path | None:
    """The dbt folder of the Dagster run ``run_id`` (its name ends with the run id's first 8 characters)."""
    found = sorted(runs_dir.glob(f"*-{run_id[:8]}")) if runs_dir.is_dir() else []
    return found[-1] if found else None


def _value(value: object) -> str:
    text = f"{float(value):.6g}" if isinstance(value, float | Decimal) else str(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def failing_examples(folder: Path, warehouse: Path, tests: list[str], limit: int = EXAMPLE_ROWS) -> dict[str, str]:
    """``test name -> "N failing rows, e.g. col=value, …; …"`` for each of ``tests`` whose compiled query is in
    ``folder``. Best effort: a test whose query cannot run (an engine other than DuckDB, a warehouse still held
    by a writer) is left out, and the summary names it as before."""
    compiled = {path.stem: path for path in folder.glob("compiled/**/*.sql")} if folder.is_dir() else {}
    queries = {test: compiled[test].read_text(encoding="utf-8") for test in tests if test in compiled}
    if not queries or not warehouse.exists():
        return {}
    out: dict[str, str] = {}
    try:
        con = duckdb.connect()
        # the compiled queries name the warehouse by its catalogue name, the file's stem (dbt-duckdb's path)
        con.execute(f"ATTACH '{warehouse}' AS \"{warehouse.stem}\" (READ_ONLY)")
    except duckdb.Error:
        return {}
    try:
        for test, query in queries.items():
            try:
                [(count,)] = con.execute(f"select count(*) from ({query}) as failing").fetchall()
                cursor = con.execute(f"select * from ({query}) as failing limit {int(limit)}")
                columns = [d[0] for d in cursor.description][:SHOWN_COLUMNS]
                rows = [row[:SHOWN_COLUMNS] for row in cursor.fetchall()]
            except duckdb.Error:
                continue
            shown = "; ".join(", ".join(f"{c}={_value(v)}" for c, v in zip(columns, row, strict=True)) for row in rows)
            out[test] = f"{count} failing row{'s' if count != 1 else ''}" + (f", e.g. {shown}" if shown else "")
    finally:
        con.close()
    return out
