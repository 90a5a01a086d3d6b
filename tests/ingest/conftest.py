"""Fixtures for the ingestion tests: a seeds dir with test subjects, a DuckDB, landing and quarantine dirs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.catalog import Catalog, load_catalog
from dagster_project.ingest.store import ensure_schema

from .helpers import FIXTURES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def seeds_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repo seeds plus test-only monitoring sections / listed projects (illustrative)."""
    d = tmp_path_factory.mktemp("seeds")
    for f in (REPO / "seeds").glob("*.csv"):
        shutil.copy(f, d)
    for f in (FIXTURES / "seeds").glob("*.csv"):
        shutil.copy(f, d)
    monkeypatch.setenv("PMW_SEEDS_DIR", str(d))
    return d


@pytest.fixture
def catalog(seeds_dir: Path) -> Catalog:
    return load_catalog(seeds_dir)


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(":memory:")
    ensure_schema(c)
    yield c
    c.close()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    d = tmp_path / "landing"
    d.mkdir()
    return d


@pytest.fixture
def qdir(tmp_path: Path) -> Path:
    return tmp_path / "quarantine"
