"""The code passes the project's linters: ruff for Python, sqlfluff (dbt templater) for the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

BIN = Path(sys.executable).parent


def test_python_passes_ruff_check_and_format():
    """Every Python file of the repo, as `make lint` runs it: no path list here (the benchmark's package was
    once left out of this test's list), pyproject.toml says what ruff leaves out."""
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run([str(BIN / "ruff"), *command], cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 0, f"ruff {' '.join(command)}:\n{result.stdout}{result.stderr}"


def test_ruff_reads_every_python_file_the_repo_tracks():
    listed = subprocess.run(
        [str(BIN / "ruff"), "check", "--show-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    linted = {Path(line.strip()).resolve() for line in listed.splitlines() if line.strip()}
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True, check=True)
    python_files = {(REPO / name).resolve() for name in tracked.stdout.split()}
    assert python_files, "git lists no Python file"
    assert python_files <= linted, f"not linted: {sorted(str(p.relative_to(REPO)) for p in python_files - linted)}"


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
