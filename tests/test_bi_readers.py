"""What a BI tool sees in the published copy: every table and column carries its documentation
(zh + en) as a comment in the DuckDB file and in the Parquet files' metadata, and SQLAlchemy
reflection through duckdb-engine (Superset's dataset sync) works on every mart."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.publish import PUBLISHED_MARTS, VINTAGES_TABLE

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")
TABLES = [*PUBLISHED_MARTS, VINTAGES_TABLE, "publish_manifest"]


@pytest.fixture(scope="module")
def published(sample_pipeline_run) -> Path:
    return sample_pipeline_run.published


def test_every_published_table_and_column_has_a_comment_in_chinese_and_english(published):
    with duckdb.connect(str(published), read_only=True) as con:
        tables = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
        columns = con.execute(
            "select table_name, column_name, comment from duckdb_columns() where not internal"
        ).fetchall()
    assert set(tables) == set(TABLES)
    for table, comment in tables.items():
        assert comment and CJK.search(comment) and LATIN.search(comment), table
    assert len(columns) > 250
    for table, column, comment in columns:
        assert comment and CJK.search(comment) and LATIN.search(comment), f"{table}.{column}: {comment!r}"


def test_parquet_files_carry_the_descriptions(published):
    parquet_dir = published.parent / "current" / "parquet"
    with duckdb.connect(str(published), read_only=True) as con:
        for mart in PUBLISHED_MARTS:
            path = parquet_dir / f"{mart}.parquet"
            kv = {
                k.decode(): v.decode()
                for k, v in con.execute("select key, value from parquet_kv_metadata(?)", [str(path)]).fetchall()
            }
            table_comment = con.execute("select comment from duckdb_tables() where table_name = ?", [mart]).fetchone()[
                0
            ]
            assert kv["table_comment"] == table_comment.strip(), mart
            described = json.loads(kv["column_comments"])
            names = [d[0] for d in con.execute(f"select * from {mart} limit 0").description]
            assert list(described) == names, mart
            assert all(CJK.search(text) for text in described.values()), mart


# Superset's dataset sync, in its own process: SQLAlchemy + duckdb-engine reflection of every table.
REFLECT = """
import json, sys
import sqlalchemy as sa

engine = sa.create_engine(f"duckdb:///{sys.argv[1]}", connect_args={"read_only": True})
inspector = sa.inspect(engine)
out = {"version": sa.__version__, "tables": {}}
for table in inspector.get_table_names():
    columns = inspector.get_columns(table)
    out["tables"][table] = {
        "columns": [[c["name"], str(c["type"]), c.get("comment")] for c in columns],
        "comment": inspector.get_table_comment(table).get("text"),
    }
print(json.dumps(out))
"""


def test_sqlalchemy_reflects_every_mart_with_its_comments(published):
    result = subprocess.run(
        [sys.executable, "-c", REFLECT, str(published)], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]  # e.g. pg_catalog.pg_collation with SQLAlchemy 2.1
    seen = json.loads(result.stdout)["tables"]
    assert set(TABLES) <= set(seen)
    with duckdb.connect(str(published), read_only=True) as con:
        for table in TABLES:
            expected = con.execute(
                "select column_name, comment from duckdb_columns() where table_name = ? order by column_index",
                [table],
            ).fetchall()
            assert [(c[0], c[2]) for c in seen[table]["columns"]] == expected, table
            assert seen[table]["comment"], table


GUIDE = Path(__file__).resolve().parents[1] / "docs" / "analysts.md"


def test_the_guide_says_which_table_for_which_chart_with_real_columns(published):
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("### Which table for which chart") :].split("\n### ")[0]
    rows = [r for r in re.findall(r"^\| (.+?) \| `(\w+)` \| (.+?) \|$", section, re.M)]
    assert len(rows) >= 6
    with duckdb.connect(str(published), read_only=True) as con:
        for chart, table, columns in rows:
            known = {d[0] for d in con.execute(f"select * from {table} limit 0").description}
            named = set(re.findall(r"`(\w+)`", columns))
            assert named and named <= known, (chart, table, named - known)
    # the Superset URI of the guide, as written (with the path filled in), opens the file read-only
    uri = re.search(r"`(duckdb:////abs/path/var/published/marts\.duckdb\?access_mode=read_only)`", text).group(1)
    uri = uri.replace("/abs/path/var/published/marts.duckdb", str(published))
    script = "import sqlalchemy as sa, sys; e = sa.create_engine(sys.argv[1]); "
    script += "print(len(sa.inspect(e).get_columns('fct_target_month_wide')))"
    result = subprocess.run([sys.executable, "-c", script, uri], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) == len(con_columns(published, "fct_target_month_wide"))
    for tool in ("Superset", "Metabase", "Evidence"):
        assert f"### {tool}" in text or f"In **{tool}**" in text, tool


def con_columns(published: Path, table: str) -> list[str]:
    with duckdb.connect(str(published), read_only=True) as con:
        return [d[0] for d in con.execute(f"select * from {table} limit 0").description]
