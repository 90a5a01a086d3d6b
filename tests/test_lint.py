"""The code passes the project's linters: ruff for Python, sqlfluff (dbt templater) for the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

BIN = Path(sys.executable).parent


def test_python_passes_ruff():
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "dagster_project", "tests", "scripts"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sql_models_pass_sqlfluff(tmp_path):
    env = dict(os.environ, PMW_WAREHOUSE_PATH=str(tmp_path / "lint.duckdb"))
    result = subprocess.run(
        [str(BIN / "sqlfluff"), "lint", "models", "--disable-progress-bar"],
        cwd=REPO / "dbt",
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
