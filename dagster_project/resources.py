"""Resources shared by every asset: the settings, the warehouse connection and the dbt CLI.

All three are built once from one :class:`Settings` (:func:`build_resources`); nothing here reads or
writes the environment.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import dagster as dg
import yaml
from dagster_duckdb import DuckDBResource

from dagster_project.settings import DUCKDB_MEMORY_LIMIT, Settings, child_environment

# Every asset that writes the warehouse runs in this pool; dagster.yaml limits it to 1 because
# DuckDB allows a single writing process per database file.
WAREHOUSE_POOL = "warehouse"
WRITER_LOCK_FILE = ".warehouse.writer.lock"


@contextlib.contextmanager
def warehouse_writer(settings: Settings, log: Callable[[str], None]) -> Iterator[None]:
    """Held by every step of the warehouse pool for the whole step: one writer across runs and processes.

    The pool queues the steps, but on Dagster's default SQLite storage its one slot can be claimed twice:
    the claim reads a free slot and then updates it, two statements with nothing locking between them
    (`SqlEventLogStorage._claim_concurrency_slot`; `with_for_update` is a no-op on SQLite). Two runs
    starting at the same instant both got it (ci87: two materialisations overlapped). This flock makes
    the second step wait for the first; the kernel lets it go when a killed step's process dies. It is
    not the command line's lock (`runner.warehouse_lock`, held by `pmw run` around the steps it runs)."""
    path = settings.home / WRITER_LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for another step writing the warehouse to finish ({path})")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def dbt_executable() -> str:
    """The venv's dbt, not whatever `dbt` is first on PATH (dagster-dbt 0.29 needs it explicit)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def tethered_dbt(settings: Settings) -> str:
    """The dbt the build runs: the venv's, started through ``tether.py`` so it dies with the process that
    started it (a SIGKILLed `pmw run` left dbt finishing its model, holding the warehouse's write lock).
    A two-line script under the Dagster home (dagster-dbt wants one executable); the venv's dbt itself
    where there is no /proc nor prctl (not Linux)."""
    real = dbt_executable()
    if not sys.platform.startswith("linux"):
        return real
    tether = Path(__file__).with_name("tether.py")
    script = settings.dagster_home / "dbt_tether" / "dbt"
    # $PPID: the process starting dbt (the shell execs Python in its place, keeping the parent)
    text = (
        "#!/bin/sh\n# Written by dagster_project.resources: dbt, ended when the process that started it dies\n"
        f'exec {shlex.quote(sys.executable)} -I -S {shlex.quote(str(tether))} "$PPID" {shlex.quote(real)} "$@"\n'
    )
    script.parent.mkdir(parents=True, exist_ok=True)
    if not script.exists() or script.read_text(encoding="utf-8") != text:
        partial = script.with_name(f".dbt.{os.getpid()}")  # whole or not at all: a parallel run may start it
        partial.write_text(text, encoding="utf-8")
        partial.chmod(0o755)
        partial.replace(script)
    return str(script)


def dbt_env(settings: Settings) -> dict[str, str]:
    """The environment of a dbt subprocess (a copy: the process's own environment is not changed)."""
    env = child_environment(
        {"PMW_WAREHOUSE_PATH": str(settings.warehouse_path), "PMW_DUCKDB_MEMORY_LIMIT": settings.memory_limit}
    )
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def dbt_seeds_dir(project_dir: Path) -> Path:
    """The folder dbt loads the seeds from: the one path of dbt_project.yml's seed-paths, from the project."""
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    (path,) = config.get("seed-paths", ["seeds"])
    return (project_dir / path).resolve()


def catalogue_dbt_would_not_build(settings: Settings) -> str | None:
    """Why a build must not start when the settings' catalogue (PMW_SEEDS_DIR) is not the one dbt loads: ingestion
    and the checks would read one catalogue and the marts be built from another, without a word. dbt's seed-paths
    stays the checkout's: an absolute path there makes dbt write its copies of the seeds over the files themselves."""
    dbt_seeds = dbt_seeds_dir(settings.dbt_project_dir)
    if settings.seeds_dir.resolve() == dbt_seeds:
        return None
    return (
        f"the catalogue is {settings.seeds_dir} (PMW_SEEDS_DIR), but dbt builds the seeds of {dbt_seeds} "
        "(dbt/dbt_project.yml seed-paths): nothing was built. Put the catalogue's files in that folder (a checkout "
        "of the project per catalogue), or unset PMW_SEEDS_DIR"
    )


def ensure_dbt_manifest(settings: Settings) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the dbt sources or seeds.

    dagster-dbt's prepare_if_dev() only runs under `dagster dev`; the CLI, tests and a deployed code
    location load definitions without it, so the manifest is refreshed here instead.
    """
    project_dir = settings.dbt_project_dir
    manifest = project_dir / "target" / "manifest.json"
    watched = [*project_dir.glob("models/**/*"), *project_dir.glob("macros/**/*"), *project_dir.glob("*.yml")]
    watched += [*settings.seeds_dir.glob("*")]
    newest = max((p.stat().st_mtime for p in watched if p.is_file()), default=0.0)
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(project_dir)],
            cwd=project_dir,
            env=dbt_env(settings),
            check=True,
        )
    return manifest


class SettingsResource(dg.ConfigurableResource):
    """The run's settings as a Dagster resource (``settings``): paths, engine, memory limit.

    Built once from a :class:`Settings` (:meth:`from_settings`) and given to every asset, check and
    sensor that needs a path; :meth:`get` gives the :class:`Settings` back.
    """

    home: str
    warehouse_path: str
    landing_dir: str
    quarantine_dir: str
    archive_dir: str
    published_dir: str
    validation_dir: str
    reports_dir: str
    dagster_home: str
    seeds_dir: str
    sample_dir: str
    dbt_project_dir: str
    stats_api_url: str | None = None
    engine: Literal["duckdb", "spark"] = "duckdb"
    memory_limit: str = DUCKDB_MEMORY_LIMIT
    max_file_bytes: int
    max_field_chars: int
    max_sheet_rows: int
    max_sheet_cols: int
    source_defaults_path: str | None = None
    publish_grace_seconds: float
    lock_timeout_seconds: float
    alert_config_path: str | None = None
    alerts_path: str | None = None
    expectations_dir: str
    chromium_path: str
    plotly_js_path: str | None = None
    engine_exchange_dir: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SettingsResource:
        values = {}
        for f in dataclasses.fields(settings):
            value = getattr(settings, f.name)
            values[f.name] = str(value) if isinstance(value, Path) else value
        return cls(**values)

    def get(self) -> Settings:
        values = {}
        for f in dataclasses.fields(Settings):
            value = getattr(self, f.name)
            is_path = f.type in ("Path", "Path | None") or f.type is Path
            values[f.name] = Path(value) if is_path and value is not None else value
        return Settings(**values)


def duckdb_resource(settings: Settings) -> DuckDBResource:
    return DuckDBResource(
        database=str(settings.warehouse_path),
        # the same cap as dbt's profile: DuckDB's default is 80% of the machine's RAM
        connection_config={"memory_limit": settings.memory_limit},
    )


def dbt_profiles_dir(settings: Settings) -> Path:
    """A profiles.yml for this run's warehouse: dbt/profiles.yml with the path and memory limit of
    ``settings`` written in (dbt reads its profile from the environment otherwise, and nothing sets
    the environment)."""
    source = settings.dbt_project_dir / "profiles.yml"
    profiles = yaml.safe_load(source.read_text(encoding="utf-8"))
    for profile in profiles.values():
        for output in profile.get("outputs", {}).values():
            if output.get("type") == "duckdb":
                output["path"] = str(settings.warehouse_path)
                output.setdefault("settings", {})["memory_limit"] = settings.memory_limit
    folder = settings.dagster_home / "dbt_profile"
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(profiles, allow_unicode=True, sort_keys=False)
    target = folder / "profiles.yml"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return folder


def build_resources(settings: Settings) -> dict[str, object]:
    from dagster_dbt import DbtCliResource  # only the build needs dbt; `pmw ingest` never imports it

    from dagster_project.engine import dbt_target

    return {
        "settings": SettingsResource.from_settings(settings),
        "duckdb": duckdb_resource(settings),
        "dbt": DbtCliResource(
            project_dir=str(settings.dbt_project_dir),
            profiles_dir=str(dbt_profiles_dir(settings)),
            dbt_executable=tethered_dbt(settings),  # dies with this process (a SIGKILLed `pmw run`)
            # dbt would write manifest.json twice and run_results.json in every command, which nothing reads
            # (Dagster reads dbt's event stream; the build's test selection the manifest `dbt parse` writes):
            # 0.8 s of a one-model build here, 1.8 s of a new month's tests (BENCHMARKS.md, analysis)
            global_config_flags=["--no-write-json"],
            # PMW_ENGINE=duckdb|spark (the settings' engine): which dbt target builds the project
            target=dbt_target(settings.engine),
        ),
    }
