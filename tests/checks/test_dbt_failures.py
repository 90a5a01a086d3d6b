"""A failed dbt data test in the run's summary carries its failing rows (checks/dbt_failures.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.checks.dbt_failures import failing_examples, run_folder
from dagster_project.runner import _with_failing_rows
from dagster_project.settings import load_settings

TEST = "values_between_int_seasonal_profiles_share_of_year__1_5__0"
QUERY = """
    select *
    from "warehouse"."intermediate"."int_seasonal_profiles"
    where share_of_year is not null and (false or share_of_year < 0 or share_of_year > 1.5)
"""


def _build_folder(runs: Path, run_id: str) -> Path:
    """A build's dbt folder as dbt_build.new_run_folder names it, with the test's compiled query."""
    folder = runs / f"20261206T204526903741Z-{run_id[:8]}"
    compiled = folder / "compiled" / "zhuzhou_progress" / "models" / "intermediate" / "int_seasonal_profiles.yml"
    compiled.mkdir(parents=True)
    (compiled / f"{TEST}.sql").write_text(QUERY, encoding="utf-8")
    return folder


def _warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_seasonal_profiles as select * from (values "
            "('trade_total', '430200', 2022, 9, 4.787307), ('gdp', '430200', 2022, 6, 0.45), "
            "('exports', '430200', 2022, 9, 2.0)) as t(indicator_code, region_code, profile_year, month_number, "
            "share_of_year)"
        )
    return path


def test_the_failing_rows_of_a_failed_test_are_counted_and_shown(tmp_path: Path) -> None:
    # a failing test was reported by its name alone: which indicator, place and year broke the rule had to
    # be found by compiling and running the test by hand
    folder = _build_folder(tmp_path / "dbt_runs", "02e1ab64-1111")
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    assert run_folder(tmp_path / "dbt_runs", "02e1ab64-1111-2222") == folder
    assert run_folder(tmp_path / "dbt_runs", "ffffffff-0000") is None
    examples = failing_examples(folder, warehouse, [TEST, "release_files_pass_contract"], limit=1)
    assert examples == {
        TEST: "2 failing rows, e.g. indicator_code=trade_total, region_code=430200, profile_year=2022, "
        "month_number=9, share_of_year=4.78731"
    }
    # read-only: the warehouse is as it was
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from intermediate.int_seasonal_profiles").fetchone() == (3,)


def test_the_summary_names_each_failed_check_with_its_rows_when_it_has_a_query(tmp_path: Path, monkeypatch) -> None:
    from tests.conftest import point_settings_at

    point_settings_at(tmp_path / "home", monkeypatch)
    settings = load_settings()
    _build_folder(settings.dagster_home / "dbt_runs", "02e1ab64-1111")
    _warehouse(settings.warehouse_path)
    failed = ["raw/observations:release_files_pass_contract", f"intermediate/int_seasonal_profiles:{TEST}"]
    assert _with_failing_rows(failed, settings, "02e1ab64-1111") == [
        "raw/observations:release_files_pass_contract",  # a GX check: no compiled query, named as before
        f"intermediate/int_seasonal_profiles:{TEST} (2 failing rows, e.g. indicator_code=trade_total, "
        "region_code=430200, profile_year=2022, month_number=9, share_of_year=4.78731; indicator_code=exports, "
        "region_code=430200, profile_year=2022, month_number=9, share_of_year=2)",
    ]
    # a warehouse a writer still holds, or no folder for the run: the names alone, never an error
    assert _with_failing_rows(failed, settings, "99999999-0000") == failed
