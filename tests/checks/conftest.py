"""Fixtures for the expectation suites: a GX validator with every suite, the catalogue parameters,
a raw release loaded from a CSV fixture, and private copies of the session pipeline's warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.models import OBSERVATION_COLUMNS
from tests.conftest import REPO

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = REPO / "seeds"
GOOD_RELEASE = "fixture-2024-04"


def load_raw_fixture(
    con: duckdb.DuckDBPyConnection,
    path: Path = FIXTURES / "raw_release_good.csv",
    table: str = "observations",
    release_id: str | None = None,
) -> None:
    """Insert a CSV of raw rows (contract columns) into raw.<table>, optionally under another release id."""
    rid = "release_id" if release_id is None else "?"
    params = [] if release_id is None else [release_id]
    con.execute(
        f"""
        insert into raw.{table} (release_id, {", ".join(OBSERVATION_COLUMNS[:-1])}, ingested_at)
        select {rid}, indicator_code, region_code, coalesce(subject_code, ''), period_code, period_kind,
            cast(period_start as date), cast(period_end as date), measure, cast(value as double), bound, unit,
            source_value, source_unit, provenance, coalesce(derived_from, ''), coalesce(source_ref, ''),
            source_file, cast(source_row as integer), cast(release_date as date), cast(ingested_at as timestamp)
        from read_csv('{path}', all_varchar = true, header = true)
        """,
        params,
    )


def failing(result) -> dict[str, str]:
    """check_id -> severity of every expectation that failed in a BatchResult."""
    return {f.check_id: f.severity for f in result.failures}


@pytest.fixture(scope="session")
def validator():
    from dagster_project.checks.gx_runner import GXValidator
    from dagster_project.checks.suites import load_suite, suite_names

    return GXValidator([load_suite(name) for name in suite_names()])


@pytest.fixture(scope="session")
def parameters() -> dict:
    from dagster_project.checks.batches import catalogue_parameters

    return catalogue_parameters(SEEDS)


@pytest.fixture
def warehouse_copy(sample_pipeline_run, tmp_path: Path) -> Path:
    """A private copy of the sample run's warehouse, free to corrupt."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_pipeline_run.warehouse, target)
    return target
