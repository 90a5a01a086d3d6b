"""Shared fixtures: an isolated runtime folder per test session, and prepared homes that the end-to-end
tests share instead of running the pipeline again.

Which fixture to use for a new end-to-end test (keep `make test` fast):

- ``sample_pipeline_run`` (session): `pmw run --sample` once, into a temporary home. Read its
  ``warehouse``, ``published`` copy, ``home`` (reports, logs, dagster_home), ``summary`` and ``output``;
  never write them.
- A test that must write (corrupt a mart, publish again, run `pmw run` / `pmw ingest` / dbt on it):
  ``tests.test_publish.copy_home(sample_pipeline_run, tmp_path)`` gives a private copy of that home
  (warehouse and published versions), a fraction of a second instead of a pipeline run;
  ``warehouse_copy`` (tests/checks) copies the warehouse file alone.
- ``real_pipeline_run`` (session): `pmw run` on published figures only (issue 12), read-only likewise.

Both pipeline runs are started in background processes as soon as collection shows a test needs them,
and the tests that need no pipeline run are ordered first, so on two cores the runs overlap with them;
the fixtures wait for the result. Under pytest-xdist (`make test`: `-n 2 --dist loadscope`, a module's
tests on one worker so its module-scoped fixtures, the benchmark's, are set up once) the first worker
starts each build and every worker reads the same home (it is read-only to them). Not `--dist
loadgroup`: with pytest 9 xdist 3.8 cannot tag the node ids, so its groups are silently ignored.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Tests never touch the developer's var/: every runtime path goes under a temporary PMW_HOME.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


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


# ---------------------------------------------------------------------------- prepared homes (background)
# fixture name -> kind of tests/prepared_homes.py that builds its home
PREPARED = {"sample_pipeline_run": "sample", "real_pipeline_run": "real"}
BUILD_TIMEOUT = 40 * 60  # seconds; a build on a loaded shared machine has taken 6 minutes
_started: dict[str, subprocess.Popen] = {}


@pytest.hookimpl(trylast=True)  # after pytest's temp folder is configured
def pytest_configure(config: pytest.Config) -> None:
    # Until a test points them elsewhere, runtime paths go to a home of this session, not to var/ (the
    # tests that need no pipeline run first now, before the session fixture points them at its home).
    default_home = _prepared_root(config) / ("default_home_" + os.environ.get("PYTEST_XDIST_WORKER", "main"))
    for key, value in {
        "PMW_HOME": default_home,
        "DAGSTER_HOME": default_home / "dagster_home",
        "PMW_WAREHOUSE_PATH": default_home / "warehouse.duckdb",
    }.items():
        os.environ.setdefault(key, str(value))
    if not hasattr(config, "workerinput") and not config.option.collectonly:
        # `dbt parse` once, here, if the manifest is stale: otherwise each xdist worker's import of the
        # code location would run it at the same time, both writing dbt/target
        from dagster_project.resources import ensure_dbt_manifest
        from dagster_project.settings import load_settings

        ensure_dbt_manifest(load_settings())


def _prepared_root(config: pytest.Config) -> Path:
    """One folder for the whole session, the same in every xdist worker (the controller's basetemp)."""
    base = config._tmp_path_factory.getbasetemp()  # noqa: SLF001 (pytest's own session temp folder)
    root = (base.parent if hasattr(config, "workerinput") else base) / "prepared"
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _start_build(config: pytest.Config, kind: str) -> None:
    root = _prepared_root(config)
    with _locked(root / f"{kind}.lock"):
        marker = root / f"{kind}.started"
        if marker.exists():
            return  # another worker started it
        home = root / f"{kind}_home"
        log = open(root / f"{kind}.log", "wb")  # noqa: SIM115 (the child writes it until it ends)
        _started[kind] = subprocess.Popen(
            [sys.executable, "-m", "tests.prepared_homes", kind, str(home), str(root / f"{kind}.pickle")],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stopped whole if the session is interrupted
        )
        log.close()
        marker.write_text(str(_started[kind].pid))


def _wait_for_build(config: pytest.Config, kind: str) -> PipelineRun:
    root = _prepared_root(config)
    if not (root / f"{kind}.started").exists():
        _start_build(config, kind)  # e.g. requested through getfixturevalue: not seen at collection
    result, error = root / f"{kind}.pickle", root / f"{kind}.pickle.error"
    deadline = time.monotonic() + BUILD_TIMEOUT
    while not result.exists():
        if error.exists():
            pytest.fail(f"the {kind} pipeline run failed:\n{error.read_text()[-6000:]}")
        proc = _started.get(kind)
        if proc is not None and proc.poll() is not None and not result.exists():
            log = (root / f"{kind}.log").read_text(errors="replace")[-6000:]
            pytest.fail(f"the {kind} pipeline run exited with {proc.returncode} and no result:\n{log}")
        if time.monotonic() > deadline:
            pytest.fail(f"the {kind} pipeline run did not finish within {BUILD_TIMEOUT} s")
        time.sleep(0.2)
    built = pickle.loads(result.read_bytes())
    return PipelineRun(home=root / f"{kind}_home", summary=built["summary"], output=built["output"])


def _needed_kinds(items: list[pytest.Item]) -> dict[pytest.Item, set[str]]:
    return {item: {kind for name, kind in PREPARED.items() if name in item.fixturenames} for item in items}


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")  # after -k / -m deselection
def pytest_collection_modifyitems_prepared_homes(config: pytest.Config, items: list[pytest.Item]) -> None:
    needs = _needed_kinds(items)
    kinds = set().union(*needs.values()) if needs else set()
    for kind in sorted(kinds) if not config.option.collectonly else ():
        _start_build(config, kind)
    # The tests that need no prepared home first, so they run while the homes build; stable, so each
    # module's tests stay together in each group (its module-scoped fixtures are cheap path lookups).
    items.sort(key=lambda item: bool(needs[item]))


def pytest_sessionfinish(session: pytest.Session) -> None:
    for proc in _started.values():
        if proc.poll() is None:
            if hasattr(session.config, "workerinput") and not session.shouldfail and not session.shouldstop:
                # another worker may still be waiting for it
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=BUILD_TIMEOUT)
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


@pytest.fixture(scope="session")
def sample_pipeline_run(request: pytest.FixtureRequest) -> Iterator[PipelineRun]:
    """`pmw run --sample` once, into a temporary home; tests read (never write) its outputs."""
    run = _wait_for_build(request.config, "sample")
    with settings_at(run.home):
        yield run


@pytest.fixture(scope="session")
def real_pipeline_run(request: pytest.FixtureRequest) -> PipelineRun:
    """`pmw run` (no --sample, no API) on a landing folder of real published figures only."""
    return _wait_for_build(request.config, "real")
