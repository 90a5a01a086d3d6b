"""The Dagster code location: ingest -> stage -> compute -> check -> publish."""

from __future__ import annotations

import dagster as dg

from dagster_project.alerts.sensor import alert_outbox_sensor
from dagster_project.assets.checks import marts_meet_expectations, staged_observations_meet_expectations
from dagster_project.assets.ingestion import raw_api_observations, raw_observations
from dagster_project.assets.publish import publish_status_sensor, published_marts
from dagster_project.assets.report import progress_report
from dagster_project.assets.transform import warehouse_dbt_models
from dagster_project.resources import build_resources
from dagster_project.schedules import (
    build_and_publish_job,
    monthly_stats_api_schedule,
    nightly_build_schedule,
    pull_stats_api_job,
)
from dagster_project.sensors import ingest_release_files_job, landing_folder_sensor
from dagster_project.settings import Settings, load_settings


def build_definitions(settings: Settings) -> dg.Definitions:
    """The code location with its resources built from ``settings`` (the runner and the CLI pass
    theirs; the Dagster UI loads :data:`defs`, built from the environment once)."""
    return dg.Definitions(
        assets=[
            raw_observations,
            raw_api_observations,
            warehouse_dbt_models(settings),
            published_marts,
            progress_report,
        ],
        asset_checks=[staged_observations_meet_expectations, marts_meet_expectations],
        jobs=[ingest_release_files_job, pull_stats_api_job, build_and_publish_job],
        sensors=[landing_folder_sensor, publish_status_sensor, alert_outbox_sensor],
        schedules=[monthly_stats_api_schedule(settings), nightly_build_schedule],
        resources=build_resources(settings),
    )


defs = build_definitions(load_settings())
