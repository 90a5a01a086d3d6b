"""Tests that corrupt a mart on purpose need rows they can change. ``fct_target_progress`` and
``fct_target_progress_by_region`` are views over incremental models in the warehouse (the published
copy holds them as tables), so a test first turns the view into a table of the same rows, as a
broken build would have written them."""

from __future__ import annotations

import duckdb


def make_mart_writable(con: duckdb.DuckDBPyConnection, mart: str, schema: str = "marts") -> None:
    """Replace ``schema.mart`` by a table with the same rows if it is a view; leave a table alone."""
    is_view = con.execute(
        "select count(*) from duckdb_views() where schema_name = ? and view_name = ?", [schema, mart]
    ).fetchone()[0]
    if not is_view:
        return
    con.execute(f'create table {schema}."{mart}__rows" as select * from {schema}."{mart}"')
    con.execute(f'drop view {schema}."{mart}"')
    con.execute(f'alter table {schema}."{mart}__rows" rename to "{mart}"')
