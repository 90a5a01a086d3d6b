"""Where the warehouse keeps its files.

Every runtime file lives under one git-ignored folder (``var/`` in the checkout by default) so a
run never writes outside the checkout. Each path can be overridden with an environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _path_from_env(name: str, default: Path) -> Path:
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


def load_settings() -> Settings:
    home = _path_from_env("PMW_HOME", REPO_ROOT / "var")
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
        seeds_dir=_path_from_env("PMW_SEEDS_DIR", REPO_ROOT / "seeds"),
        sample_dir=_path_from_env("PMW_SAMPLE_DIR", REPO_ROOT / "data" / "sample"),
        dbt_project_dir=REPO_ROOT / "dbt",
        stats_api_url=os.environ.get("PMW_STATS_API_URL") or None,
    )
