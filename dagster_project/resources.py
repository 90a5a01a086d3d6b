"""Resources shared by every asset: the warehouse connection and the dbt CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster import EnvVar
from dagster_duckdb import DuckDBResource

from dagster_project.settings import Settings, load_settings

# Every asset that writes the warehouse runs in this pool; dagster.yaml limits it to 1 because
# DuckDB allows a single writing process per database file.
WAREHOUSE_POOL = "warehouse"


def dbt_executable() -> str:
    """The venv's dbt, not whatever `dbt` is first on PATH (dagster-dbt 0.29 needs it explicit)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["PMW_WAREHOUSE_PATH"] = str(settings.warehouse_path)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def ensure_dbt_manifest(settings: Settings | None = None) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the dbt sources or seeds.

    dagster-dbt's prepare_if_dev() only runs under `dagster dev`; the CLI, tests and a deployed code
    location load definitions without it, so the manifest is refreshed here instead.
    """
    settings = settings or load_settings()
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


def duckdb_resource(settings: Settings) -> DuckDBResource:
    # Resolved when a run starts, not when the code location loads, so a test or a deployment can
    # point the same definitions at another warehouse file.
    os.environ.setdefault("PMW_WAREHOUSE_PATH", str(settings.warehouse_path))
    return DuckDBResource(
        database=EnvVar("PMW_WAREHOUSE_PATH"),
        # the same cap as dbt/profiles.yml: DuckDB's default is 80% of the machine's RAM
        connection_config={"memory_limit": os.environ.get("PMW_DUCKDB_MEMORY_LIMIT", "3GB")},
    )


def build_resources(settings: Settings) -> dict[str, object]:
    from dagster_dbt import DbtCliResource  # only the build needs dbt; `pmw ingest` never imports it

    return {
        "duckdb": duckdb_resource(settings),
        "dbt": DbtCliResource(
            project_dir=str(settings.dbt_project_dir),
            profiles_dir=str(settings.dbt_project_dir),
            dbt_executable=dbt_executable(),
        ),
    }
