"""Prepared homes for the end-to-end tests, built once per test session in a background process.

``python -m tests.prepared_homes KIND HOME RESULT`` runs the pipeline into ``HOME`` and pickles what the
tests read (the runner's summary and the console output) to ``RESULT``; on failure it writes
``RESULT.error`` with the traceback instead. KIND is

- ``sample``: what `pmw run --sample` (make run) does, its console output kept;
- ``real``: `pmw run` without --sample on a landing folder of real published figures only (the customer's
  ledger data/published_facts.csv, as handed over, and tests/fixtures/real_figures/), with no statistics API.

tests/conftest.py starts these builds when the session starts, so they run on the second core while the
tests that need no pipeline run on the first; the fixtures wait for them (see the conftest docstring).
"""

from __future__ import annotations

import io
import os
import pickle
import shutil
import sys
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REAL_FIXTURES = REPO / "tests" / "fixtures" / "real_figures"
LEDGER = REPO / "data" / "published_facts.csv"  # the customer's real figures: their one home


def point_env_at(home: Path) -> None:
    os.environ["PMW_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(home / "dagster_home")
    os.environ["PMW_WAREHOUSE_PATH"] = str(home / "warehouse.duckdb")


def build_sample(home: Path) -> dict:
    from dagster_project.console import run_with_console
    from dagster_project.settings import load_settings

    point_env_at(home)
    output = io.StringIO()
    summary = run_with_console(sample=True, stream=output, settings=load_settings())
    return {"summary": summary, "output": output.getvalue()}


def build_real(home: Path) -> dict:
    """One home loaded through the landing folder with published figures only: the ledger itself (each row
    dated by its source, else by the day it landed: the file's time, kept by the copy) and the fixtures."""
    landing = home / "landing" / "real"
    landing.mkdir(parents=True)
    for path in [LEDGER, *sorted(REAL_FIXTURES.glob("*.csv"))]:
        shutil.copy2(path, landing / path.name)
    point_env_at(home)
    os.environ.pop("PMW_STATS_API_URL", None)  # no API: published files only
    from dagster_project.runner import run_pipeline
    from dagster_project.settings import load_settings

    return {"summary": run_pipeline(load_settings(), sample=False, log=lambda _msg: None), "output": ""}


BUILDERS = {"sample": build_sample, "real": build_real}


def main(argv: list[str]) -> int:
    kind, home, result = argv[0], Path(argv[1]), Path(argv[2])
    home.mkdir(parents=True, exist_ok=True)
    try:
        built = BUILDERS[kind](home)
    except BaseException:
        Path(str(result) + ".error").write_text(traceback.format_exc(), encoding="utf-8")
        return 1
    partial = result.with_suffix(".partial")
    partial.write_bytes(pickle.dumps(built))
    partial.rename(result)  # the waiting fixtures see the whole result or nothing
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
