"""The engine is configuration (issue 17): PMW_ENGINE picks the dbt target; a wrong name is refused."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from dagster_project.engine import EngineError, dbt_target, engine_name, export_raw_to_parquet

PROFILES = Path(__file__).resolve().parents[2] / "dbt" / "profiles.yml"


def test_engine_name_defaults_to_duckdb_and_refuses_unknown_engines(monkeypatch):
    monkeypatch.delenv("PMW_ENGINE", raising=False)
    assert engine_name() == "duckdb"
    monkeypatch.setenv("PMW_ENGINE", " Spark ")
    assert engine_name() == "spark"
    with pytest.raises(EngineError, match=r"PMW_ENGINE='snowflake'.*duckdb, spark"):
        engine_name("snowflake")


def test_each_engine_has_its_dbt_target_in_the_profile(monkeypatch):
    monkeypatch.delenv("PMW_SPARK_METHOD", raising=False)
    outputs = yaml.safe_load(PROFILES.read_text(encoding="utf-8"))["zhuzhou_progress"]["outputs"]
    assert dbt_target("duckdb") == "dev" and outputs["dev"]["type"] == "duckdb"
    assert dbt_target("spark") == "spark" and outputs["spark"]["method"] == "thrift"
    assert dbt_target("spark", "session") == "spark_session" and outputs["spark_session"]["method"] == "session"
    with pytest.raises(EngineError, match="PMW_SPARK_METHOD='odbc'"):
        dbt_target("spark", "odbc")


def test_the_dagster_dbt_resource_follows_pmw_engine(monkeypatch):
    from dagster_project.resources import build_resources
    from dagster_project.settings import load_settings

    monkeypatch.setenv("PMW_ENGINE", "spark")
    assert build_resources(load_settings())["dbt"].target == "spark"
    monkeypatch.setenv("PMW_ENGINE", "duckdb")
    assert build_resources(load_settings())["dbt"].target == "dev"


def test_raw_export_names_the_warehouse_when_a_raw_table_is_missing(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw; create table raw.observations as select 1 as x")
    with pytest.raises(EngineError, match=r"w\.duckdb: no raw table api_observations, task_returns, releases"):
        export_raw_to_parquet(warehouse, tmp_path / "out")
    written = export_raw_to_parquet(warehouse, tmp_path / "out", tables=["observations"])
    assert duckdb.sql(f"select x from '{written['observations']}/*.parquet'").fetchall() == [(1,)]
