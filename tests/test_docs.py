"""Documentation for analysts and BI tools: every mart column is documented in dbt, `pmw dbt-docs`
builds the docs site, every SQL example of docs/analysts.md runs against the published copy, and the
connection paths the guide describes (SQLAlchemy / duckdb-engine, Parquet) work read-only."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.publish import PUBLISHED_MARTS
from dagster_project.resources import ensure_dbt_manifest
from dagster_project.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "analysts.md"
SQL_BLOCKS = re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def published(sample_pipeline_run) -> Path:
    return sample_pipeline_run.published


def columns_of(published: Path, table: str) -> list[str]:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select column_name from duckdb_columns() where table_name = ? order by column_index", [table]
        ).fetchall()
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def manifest() -> dict:
    # the same refresh the code location does: `dbt parse` whenever a model, macro or seed is newer
    path = ensure_dbt_manifest(load_settings())
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_model_and_mart_column_is_documented(manifest, published):
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    undocumented_models = sorted(name for name, node in models.items() if not node["description"].strip())
    assert not undocumented_models
    for mart in PUBLISHED_MARTS:
        documented = {c: v["description"].strip() for c, v in models[mart]["columns"].items()}
        # the published table's real columns, so a column added in SQL but not in the .yml is caught
        actual = columns_of(published, mart)
        assert actual, mart
        missing = [c for c in actual if not documented.get(c)]
        assert not missing, f"{mart}: columns without a description: {missing}"


def test_dbt_docs_site_is_generated(sample_pipeline_run, tmp_path):
    # dbt reads the catalog from the warehouse: give it a copy so the session's files stay untouched
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(sample_pipeline_run.warehouse, warehouse)
    target = tmp_path / "docs"
    env = dict(
        os.environ,
        PMW_HOME=str(tmp_path / "home"),
        PMW_WAREHOUSE_PATH=str(warehouse),
        DAGSTER_HOME=str(tmp_path / "home" / "dagster_home"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "dbt-docs", "--target-path", str(target)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (target / "index.html").exists()
    static = (target / "static_index.html").read_text(encoding="utf-8")
    assert "fct_target_scorecard" in static  # manifest and catalog are embedded: opens from disk
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    docs = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    for mart in PUBLISHED_MARTS:
        key = next(k for k in catalog["nodes"] if k.endswith(f".{mart}"))
        assert catalog["nodes"][key]["columns"], mart  # the catalog saw the table in the warehouse
        described = docs["nodes"][key]["columns"]
        for column in catalog["nodes"][key]["columns"]:
            assert described.get(column, {}).get("description"), f"{mart}.{column}"


def test_the_guide_has_the_promised_examples():
    text = GUIDE.read_text(encoding="utf-8")
    assert len(SQL_BLOCKS) >= 8
    for topic in ("off track", "changed since last month", "As of a date", "observation_vintages"):
        assert topic in text
    for how in ("DuckDB CLI", "SQLAlchemy", "Parquet", "Evidence", "Metabase", "read_only"):
        assert how in text


@pytest.mark.parametrize("sql", SQL_BLOCKS, ids=[f"sql{i + 1}" for i in range(len(SQL_BLOCKS))])
def test_every_sql_example_runs_on_the_published_copy(published, sql):
    with duckdb.connect(str(published), read_only=True) as con:
        frame = con.execute(sql).df()
    assert len(frame) > 0, "an example that answers nothing on the sample teaches nothing"


def test_sql_examples_answer_their_questions(published):
    with duckdb.connect(str(published), read_only=True) as con:
        off = con.execute(SQL_BLOCKS[0]).df()
        assert set(off["status_en"]) <= {"Off track", "Deteriorating"}
        changed = con.execute(next(b for b in SQL_BLOCKS if "interval 1 month" in b)).df()
        assert set(changed["change"]) <= {"new", "revised", "confirmed"}
        latest = con.execute("select max(release_date) from observation_vintages").fetchone()[0]
        assert (changed["release_date"] > pd.Timestamp(latest) - pd.DateOffset(months=1)).all()
        as_of = con.execute(next(b for b in SQL_BLOCKS if "date '2024-06-30'" in b)).df()
    # one vintage per period and measure, none released after the as-of date
    assert (as_of["release_date"] <= pd.Timestamp("2024-06-30")).all()
    assert not as_of.duplicated(["period_code", "measure"]).any()


def test_schema_section_names_real_columns(published):
    """Every `column` the guide lists under a table heading exists in that published table."""
    text = GUIDE.read_text(encoding="utf-8")
    schema = text[text.index("## Schema of the published marts") : text.index("## Questions answered in SQL")]
    for heading, body in re.findall(r"### ([\w, ]+)\n(.*?)(?=\n### |\Z)", schema, re.S):
        tables = [t.strip() for t in heading.split(",")]
        known = {c for t in tables for c in columns_of(published, t)}
        assert known, heading
        named = set(re.findall(r"`([a-z_]+)`", body)) - set(tables)
        assert named, heading
        assert not named - known, f"{heading}: not in the published tables: {sorted(named - known)}"


# What a BI tool such as Superset does, in its own process (as it would be): SQLAlchemy + duckdb-engine.
SQLALCHEMY_CLIENT = """
import json, sys
import pandas as pd
import sqlalchemy as sa

path, style = sys.argv[1], sys.argv[2]
if style == "connect_args":
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
else:
    engine = sa.create_engine(f"duckdb:///{path}?access_mode=read_only")
out = {}
with engine.connect() as connection:
    frame = pd.read_sql(sa.text("select target_id, status_code from fct_target_scorecard"), connection)
    out["rows"], out["unique"] = len(frame), bool(frame["target_id"].is_unique)
    out["tables"] = sorted(sa.inspect(connection).get_table_names())
    try:
        connection.execute(sa.text("create table scratch (a integer)"))
        out["write"] = "accepted"
    except sa.exc.DBAPIError as exc:
        out["write"] = str(exc.orig)
print(json.dumps(out))
"""


@pytest.mark.parametrize("style", ["connect_args", "url"])
def test_sqlalchemy_reads_the_published_copy_read_only(published, style):
    result = subprocess.run(
        [sys.executable, "-c", SQLALCHEMY_CLIENT, str(published), style],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout)
    with duckdb.connect(str(published), read_only=True) as con:
        assert seen["rows"] == con.execute("select count(*) from fct_target_scorecard").fetchone()[0]
    assert seen["unique"] and set(PUBLISHED_MARTS) <= set(seen["tables"])
    assert "read-only" in seen["write"]


def test_parquet_copies_match_the_published_tables(published):
    parquet_dir = published.parent / "current" / "parquet"
    with duckdb.connect(str(published), read_only=True) as con:
        for mart in PUBLISHED_MARTS:
            path = parquet_dir / f"{mart}.parquet"
            assert path.read_bytes()[:4] == b"PAR1", mart  # a real Parquet file, readable by any Parquet tool
            # the same rows as the table: nothing in one that is not in the other
            diff = con.execute(
                f"select count(*) from ((select * from read_parquet('{path}') except all select * from {mart}) "
                f"union all (select * from {mart} except all select * from read_parquet('{path}')))"
            ).fetchone()[0]
            assert diff == 0, mart
            names = [d[0] for d in con.execute(f"select * from read_parquet('{path}') limit 0").description]
            assert names == columns_of(published, mart), mart
