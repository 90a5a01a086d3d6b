"""Where the warehouse keeps its files, and how it runs.

Every runtime file lives under one git-ignored folder (``var/`` in the checkout by default) so a
run never writes outside the checkout. Each path can be overridden with an environment variable.

:func:`load_settings` is the one place the environment is read. It is called once per process entry
point (the `pmw` command group, the Dagster code location in ``definitions.py``); everything else
receives the :class:`Settings` (or, inside Dagster, the ``settings`` resource,
:class:`dagster_project.resources.SettingsResource`, built from it). Nothing writes the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dagster_project.engine import engine_name

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
# DuckDB's memory_limit for every connection (dbt's profile too): with 2 GB a full build of the national
# benchmark peaks at 2.5 GB per process, dbt's Python included (BENCHMARKS.md); what does not fit spills.
DUCKDB_MEMORY_LIMIT = "2GB"


def _path_from_env(name: str, default: Path | None) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    home: Path
    warehouse_path: Path
    landing_dir: Path
    quarantine_dir: Path
    archive_dir: Path
    published_dir: Path
    validation_dir: Path
    reports_dir: Path
    dagster_home: Path
    seeds_dir: Path
    sample_dir: Path
    dbt_project_dir: Path
    stats_api_url: str | None
    engine: str = "duckdb"
    # DuckDB would take 80% of RAM; the same cap for dbt (its profile) and Dagster's connections
    memory_limit: str = DUCKDB_MEMORY_LIMIT
    # Limits on what one landing file may be (docs/release_formats.md, "Limits"): a file beyond them is
    # quarantined with that reason instead of exhausting memory or time.
    max_file_bytes: int = 100 * 1024 * 1024
    max_field_chars: int = 10_000
    max_sheet_rows: int = 100_000
    max_sheet_cols: int = 200
    # folder of the landing folder -> the source (出处) of the releases dropped there, for files that
    # name no 发布单位/来源 themselves (a JSON object; see docs/release_formats.md)
    source_defaults_path: Path | None = None
    # published versions younger than this stay on disk for slow readers, whatever their number
    publish_grace_seconds: float = 3600.0
    # how long `pmw run` / `pmw ingest` wait for another one writing the warehouse before giving up
    lock_timeout_seconds: float = 900.0
    # the alert channels (JSON, docs/task_ledger.md) and the alert outbox (DuckDB)
    alert_config_path: Path | None = None
    alerts_path: Path | None = None
    # the expectation suites (a trial copy elsewhere: PMW_EXPECTATIONS_DIR)
    expectations_dir: Path = REPO_ROOT / "expectations"
    # the headless browser that prints the PDF brief (PMW_CHROMIUM)
    chromium_path: Path = Path("/usr/bin/chromium")
    # another copy of the partial plotly.js bundle the HTML report inlines (PMW_PLOTLY_JS); None: the venv's
    plotly_js_path: Path | None = None
    # where raw tables go to, and built relations come back from, an engine other than DuckDB: storage
    # the cluster and this process both reach (PMW_ENGINE_EXCHANGE_DIR; dagster_project/engine.py)
    engine_exchange_dir: Path | None = None

    def source_defaults(self) -> dict[str, str]:
        """The per-folder default sources (folder relative to the landing folder -> source text)."""
        import json

        path = self.source_defaults_path
        if path is None or not path.is_file():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError(f"{path}: expected a JSON object of folder -> source text")
        return {str(k).strip("/"): v.strip() for k, v in data.items() if v.strip()}

    @property
    def published_db_path(self) -> Path:
        return self.published_dir / "marts.duckdb"

    def ensure_dirs(self) -> None:
        for folder in (
            self.home,
            self.landing_dir,
            self.quarantine_dir,
            self.archive_dir,
            self.published_dir,
            self.validation_dir,
            self.reports_dir,
            self.dagster_home,
        ):
            folder.mkdir(parents=True, exist_ok=True)


def default_seeds_dir() -> Path:
    """The catalogue folder (PMW_SEEDS_DIR, else the checkout's seeds/): the one place it is worked out.
    Library code with no settings at hand (the catalogue, exchange rates) falls back to it."""
    return _path_from_env("PMW_SEEDS_DIR", REPO_ROOT / "seeds")


def _number_from_env(name: str, default: float) -> float:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number") from None


def child_environment(overrides: dict[str, str]) -> dict[str, str]:
    """The environment of a child process (dbt): this process's, with ``overrides``. A copy: the
    process's own environment is never written."""
    return {**os.environ, **overrides}


def secret(name: str) -> str:
    """The secret in the environment variable ``name`` (e.g. an SMTP password named by the alert
    config's ``password_env``), read when it is used and never kept in the settings; "" if unset."""
    return os.environ.get(name, "") if name else ""


def load_settings() -> Settings:
    """The settings from the environment: the one construction point (see the module's docstring)."""
    home = _path_from_env("PMW_HOME", REPO_ROOT / "var")
    engine = engine_name()  # PMW_ENGINE, checked in dagster_project/engine.py
    return Settings(
        home=home,
        warehouse_path=_path_from_env("PMW_WAREHOUSE_PATH", home / "warehouse.duckdb"),
        landing_dir=_path_from_env("PMW_LANDING_DIR", home / "landing"),
        quarantine_dir=_path_from_env("PMW_QUARANTINE_DIR", home / "quarantine"),
        archive_dir=_path_from_env("PMW_ARCHIVE_DIR", home / "archive"),
        published_dir=_path_from_env("PMW_PUBLISHED_DIR", home / "published"),
        validation_dir=_path_from_env("PMW_VALIDATION_DIR", home / "validation"),
        reports_dir=_path_from_env("PMW_REPORTS_DIR", home / "reports"),
        dagster_home=_path_from_env("DAGSTER_HOME", home / "dagster_home"),
        seeds_dir=default_seeds_dir(),
        sample_dir=_path_from_env("PMW_SAMPLE_DIR", REPO_ROOT / "data" / "sample"),
        dbt_project_dir=DBT_PROJECT_DIR,
        stats_api_url=os.environ.get("PMW_STATS_API_URL") or None,
        engine=engine,
        memory_limit=os.environ.get("PMW_DUCKDB_MEMORY_LIMIT") or DUCKDB_MEMORY_LIMIT,
        max_file_bytes=int(_number_from_env("PMW_MAX_FILE_MB", 100) * 1024 * 1024),
        max_field_chars=int(_number_from_env("PMW_MAX_FIELD_CHARS", 10_000)),
        max_sheet_rows=int(_number_from_env("PMW_MAX_SHEET_ROWS", 100_000)),
        max_sheet_cols=int(_number_from_env("PMW_MAX_SHEET_COLS", 200)),
        source_defaults_path=_path_from_env("PMW_SOURCE_DEFAULTS", home / "source_defaults.json"),
        publish_grace_seconds=_number_from_env("PMW_PUBLISH_GRACE_SECONDS", 3600),
        lock_timeout_seconds=_number_from_env("PMW_LOCK_TIMEOUT_SECONDS", 900),
        alert_config_path=_path_from_env("PMW_ALERT_CONFIG", home / "alert_channels.json"),
        alerts_path=_path_from_env("PMW_ALERTS_PATH", home / "alerts.duckdb"),
        expectations_dir=_path_from_env("PMW_EXPECTATIONS_DIR", REPO_ROOT / "expectations"),
        chromium_path=Path(os.environ.get("PMW_CHROMIUM") or "/usr/bin/chromium"),
        plotly_js_path=_path_from_env("PMW_PLOTLY_JS", None),
        engine_exchange_dir=_path_from_env("PMW_ENGINE_EXCHANGE_DIR", home / "engine_exchange"),
    )
