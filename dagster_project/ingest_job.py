"""The ingestion job on its own, for `pmw ingest`: the same asset, job name, partitions and Dagster
instance as the full code location (`definitions.py`), so the run shows in the UI like any other,
without loading dbt's project and dagster-dbt (seconds of imports and a manifest a file load never
needs)."""

from __future__ import annotations

import dagster as dg

from dagster_project.assets.ingestion import raw_observations
from dagster_project.resources import SettingsResource, duckdb_resource
from dagster_project.sensors import ingest_release_files_job
from dagster_project.settings import Settings


def ingest_job(settings: Settings) -> dg.JobDefinition:
    defs = dg.Definitions(
        assets=[raw_observations],
        jobs=[ingest_release_files_job],
        resources={"settings": SettingsResource.from_settings(settings), "duckdb": duckdb_resource(settings)},
    )
    return defs.resolve_job_def(ingest_release_files_job.name)
