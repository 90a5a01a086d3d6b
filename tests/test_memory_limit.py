"""One memory cap for DuckDB wherever it runs: Dagster's connections, dbt run by Dagster and dbt run by
hand. With it a full build of the national benchmark stays under 3 GB per process, dbt's Python included
(BENCHMARKS.md, issue 14); DuckDB's own default would be 80% of the machine's memory."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, point_settings_at

GIB = 1024**3


def _bytes(text: str) -> float:
    number, unit = text.strip().replace(" ", "")[:-3], text.strip().replace(" ", "")[-3:].upper()
    return float(number) * {"KIB": 1024, "MIB": 1024**2, "GIB": GIB}[unit]


def test_dagster_and_dbt_cap_duckdb_at_the_same_limit_below_the_3_gb_aim(tmp_path: Path, monkeypatch):
    from dagster_project.resources import dbt_profiles_dir, duckdb_resource
    from dagster_project.settings import DUCKDB_MEMORY_LIMIT, load_settings

    point_settings_at(tmp_path, monkeypatch)
    monkeypatch.delenv("PMW_DUCKDB_MEMORY_LIMIT", raising=False)
    settings = load_settings()
    assert settings.memory_limit == DUCKDB_MEMORY_LIMIT

    with duckdb_resource(settings).get_connection() as con:
        cap = _bytes(con.execute("select current_setting('memory_limit')").fetchone()[0])
    # the buffer pool plus dbt's Python process (~0.5 GB at national scale) must stay under 3 GB
    assert 0.5 * GIB < cap <= 2.5 * GIB

    written = yaml.safe_load((dbt_profiles_dir(settings) / "profiles.yml").read_text(encoding="utf-8"))
    by_hand = (REPO / "dbt" / "profiles.yml").read_text(encoding="utf-8")
    for profile in written.values():
        duckdb_outputs = [o for o in profile["outputs"].values() if o["type"] == "duckdb"]
        assert duckdb_outputs
        for output in duckdb_outputs:
            assert output["settings"]["memory_limit"] == DUCKDB_MEMORY_LIMIT
    # dbt run by hand (no environment set) gets the same cap
    assert f"env_var('PMW_DUCKDB_MEMORY_LIMIT', '{DUCKDB_MEMORY_LIMIT}')" in by_hand


@pytest.mark.parametrize("value", ["1GB", "6GB"])
def test_the_cap_is_a_setting(tmp_path: Path, monkeypatch, value: str):
    from dagster_project.resources import duckdb_resource
    from dagster_project.settings import load_settings

    point_settings_at(tmp_path, monkeypatch)
    monkeypatch.setenv("PMW_DUCKDB_MEMORY_LIMIT", value)
    with duckdb_resource(load_settings()).get_connection() as con:
        cap = _bytes(con.execute("select current_setting('memory_limit')").fetchone()[0])
    assert abs(cap - float(value[:-2]) * 1000**3) < 0.05 * cap  # DuckDB shows it rounded, in GiB
