"""Shared fixtures: an isolated runtime folder per test session, and one full pipeline run on the
bundled sample data that the end-to-end tests share (it takes about a minute)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Tests never touch the developer's var/: every runtime path goes under a temporary PMW_HOME.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


@dataclass(frozen=True)
class PipelineRun:
    home: Path
    summary: object
    output: str = ""  # what `pmw run --sample` printed (stage lines and the closing summary)

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.home / "published" / "marts.duckdb"


def point_settings_at(home: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> None:
    """Send every runtime path (warehouse, landing, Dagster home …) under ``home``."""
    values = {
        "PMW_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster_home"),
        "PMW_WAREHOUSE_PATH": str(home / "warehouse.duckdb"),
    }
    for key, value in values.items():
        if monkeypatch is not None:
            monkeypatch.setenv(key, value)
        else:
            os.environ[key] = value


@contextmanager
def settings_at(home: Path) -> Iterator[None]:
    """Point every runtime path at ``home`` for the duration, then restore the environment."""
    saved = {k: os.environ.get(k) for k in ("PMW_HOME", "DAGSTER_HOME", "PMW_WAREHOUSE_PATH", "PMW_STATS_API_URL")}
    point_settings_at(home)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def sample_pipeline_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineRun]:
    """`pmw run --sample` once, into a temporary home; tests read (never write) its outputs."""
    from dagster_project.console import run_with_console

    home = tmp_path_factory.mktemp("pipeline_home")
    with settings_at(home):
        # what `pmw run --sample` (make run) does, its console output kept for the tests
        output = io.StringIO()
        summary = run_with_console(sample=True, stream=output)
        yield PipelineRun(home=home, summary=summary, output=output.getvalue())
