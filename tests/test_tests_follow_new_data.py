"""dbt's data tests follow new data (dbt/macros/where_rows_of_this_run.sql): after a build that
succeeded, the next build's tests of the staged releases read only the raw rows loaded since, those of
the marts over int_target_assessment only the targets recomputed; a full refresh tests everything."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from dagster_project.dbt_build import BUILDS_TABLE, raw_loaded_through, record_build
from dagster_project.resources import dbt_executable
from tests.conftest import REPO

_BAD_MEASURE = "not_a_measure"


def _dbt(warehouse: Path, target_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PMW_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    argv = [dbt_executable(), *args, "--profiles-dir", ".", "--target-path", str(target_path)]
    return subprocess.run(argv, cwd=REPO / "dbt", env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def warehouse(sample_pipeline_run, tmp_path_factory) -> Path:
    """A copy of the sample's warehouse with one bad raw row (a measure no release may carry), loaded
    before the last recorded build; each test sets when it was loaded."""
    copy = tmp_path_factory.mktemp("follow") / "warehouse.duckdb"
    shutil.copy(sample_pipeline_run.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "insert into raw.observations select * replace ('R-BAD' as release_id, ? as measure) "
            "from raw.observations limit 1",
            [_BAD_MEASURE],
        )
    return copy


def _loaded_at(warehouse: Path, when) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update raw.observations set ingested_at = ? where release_id = 'R-BAD'", [when])


def _mark(warehouse: Path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select max(raw_loaded_through) from {BUILDS_TABLE}").fetchone()[0]


def _assert_tests_read_only_new_rows(
    warehouse: Path, tmp_path: Path, select: list[str], plant: str, cases: dict[str, list], failure: str
) -> None:
    """A bad row planted (``plant``, with each case's parameters) among rows an earlier build wrote ("kept")
    is not read by the tests of ``select``; one among the rows of this run ("new") is; a full refresh of the
    "kept" copy reads it too."""
    results = {}
    for name, values in cases.items():
        case = tmp_path / f"{name}.duckdb"
        shutil.copy(warehouse, case)
        with duckdb.connect(str(case)) as con:
            con.execute(plant, values)
        results[name] = _dbt(case, tmp_path / f"t-{name}", "test", *select)
    assert results["new"].returncode == 1 and failure in results["new"].stdout
    assert results["kept"].returncode == 0, results["kept"].stdout[-2000:]
    full = _dbt(tmp_path / "kept.duckdb", tmp_path / "t-full", "build", "--full-refresh", *select)
    assert full.returncode == 1 and failure in full.stdout


def test_the_pipeline_records_when_the_raw_rows_it_tested_were_loaded(sample_pipeline_run):
    with duckdb.connect(str(sample_pipeline_run.warehouse), read_only=True) as con:
        newest = con.execute("select max(ingested_at) from raw.observations").fetchone()[0]
        recorded = con.execute(f"select raw_loaded_through from {BUILDS_TABLE} order by finished_at desc limit 1")
        assert recorded.fetchone()[0] >= newest


def test_staged_release_tests_read_only_rows_loaded_since_the_last_build(warehouse, tmp_path):
    mark = _mark(warehouse)
    assert mark is not None
    select = ["-s", "stg_raw__observations", "--exclude-resource-type", "unit_test"]

    _loaded_at(warehouse, mark - timedelta(days=1))  # tested by the last build: not read again
    before = _dbt(warehouse, tmp_path / "t1", "test", *select)
    assert before.returncode == 0, before.stdout[-3000:]

    _loaded_at(warehouse, mark + timedelta(seconds=1))  # loaded since: tested
    after = _dbt(warehouse, tmp_path / "t2", "test", *select)
    assert after.returncode == 1 and "Failure in test accepted_values_stg_raw__observations_measure" in after.stdout

    _loaded_at(warehouse, mark - timedelta(days=1))  # a full refresh tests every row
    full = _dbt(warehouse, tmp_path / "t3", "build", "--full-refresh", *select)
    assert full.returncode == 1 and "Failure in test accepted_values_stg_raw__observations_measure" in full.stdout


def test_without_a_recorded_mark_every_row_is_tested(warehouse, tmp_path):
    """A warehouse whose builds were recorded before the mark existed (or on an engine without the
    record) tests everything."""
    copy = tmp_path / "old.duckdb"
    shutil.copy(warehouse, copy)
    _loaded_at(copy, _mark(copy) - timedelta(days=1))
    with duckdb.connect(str(copy)) as con:
        con.execute(f"alter table {BUILDS_TABLE} drop column raw_loaded_through")
    done = _dbt(copy, tmp_path / "t", "test", "-s", "stg_raw__observations", "--exclude-resource-type", "unit_test")
    assert done.returncode == 1 and "Failure in test accepted_values_stg_raw__observations_measure" in done.stdout
    # the next record adds the column back, with the newest load
    with duckdb.connect(str(copy)) as con:
        record_build(con, "f" * 32, False)
        assert con.execute(f"select max(raw_loaded_through) from {BUILDS_TABLE}").fetchone()[0] == raw_loaded_through(
            con
        )


def test_mart_view_tests_read_only_the_targets_recomputed_in_this_run(warehouse, tmp_path):
    """fct_target_progress (a view over int_target_assessment): a bad row of a target an earlier run
    computed is not read again, one of a target recomputed in this run is; a full refresh reads both."""
    copy = tmp_path / "marts.duckdb"
    shutil.copy(warehouse, copy)
    _loaded_at(copy, _mark(copy) - timedelta(days=1))
    with duckdb.connect(str(copy)) as con:
        mark, kept, recomputed = con.execute(
            "select max(inputs_loaded_through), min(target_id), max(target_id) from intermediate.int_target_assessment"
        ).fetchone()
        # the kept target's rows as an earlier build wrote them (its inputs got nothing since)
        con.execute(
            "update intermediate.int_target_assessment set inputs_loaded_through = ? where target_id = ?",
            [mark - timedelta(days=30), kept],
        )
    _assert_tests_read_only_new_rows(
        copy,
        tmp_path,
        ["-s", "fct_target_progress", "--exclude-resource-type", "unit_test"],
        # a status no status seed knows, on one row of that target
        "update intermediate.int_target_assessment set status_code = 'bogus' where rowid = "
        "(select min(rowid) from intermediate.int_target_assessment where target_id = ?)",
        {"kept": [kept], "new": [recomputed]},
        "Failure in test accepted_values_fct_target_progress_status_code",
    )


def test_monthly_snapshot_tests_read_only_the_months_written_since_the_last_build(warehouse, tmp_path):
    """fct_scorecard_monthly keeps every closed month as first written: a bad row a build that passed
    recorded is not read again by a new month's tests, on the same assessment date too (builds on one day);
    one written after it finished is; a full refresh reads both."""
    copy = tmp_path / "monthly.duckdb"
    shutil.copy(warehouse, copy)
    _loaded_at(copy, _mark(copy) - timedelta(days=1))
    with duckdb.connect(str(copy)) as con:
        built_as_of, first_closed, last_closed = con.execute(
            "select max(recorded_as_of), min(snapshot_month) filter (where is_month_closed), "
            "max(snapshot_month) filter (where is_month_closed) from marts.fct_scorecard_monthly"
        ).fetchone()
        assert first_closed < last_closed
        finished = con.execute(f"select max(finished_at) from {BUILDS_TABLE}").fetchone()[0]
        # every row was written by the sample's build, before it was recorded; this run wrote the last month
        assert con.execute("select max(recorded_at) < ? from marts.fct_scorecard_monthly", [finished]).fetchone()[0]
        con.execute(
            "update marts.fct_scorecard_monthly set recorded_at = ? + interval 1 second where snapshot_month = ?",
            [finished, last_closed],
        )
    _assert_tests_read_only_new_rows(
        copy,
        tmp_path,
        ["-s", "fct_scorecard_monthly", "--exclude-resource-type", "unit_test", "--vars", f"as_of_date: {built_as_of}"],
        "update marts.fct_scorecard_monthly set status_code = null where rowid = "
        "(select min(rowid) from marts.fct_scorecard_monthly where snapshot_month = ?)",
        {"kept": [first_closed], "new": [last_closed]},
        "Failure in test not_null_fct_scorecard_monthly (",
    )
