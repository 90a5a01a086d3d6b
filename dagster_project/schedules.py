"""Time-based runs: the monthly API pull and the nightly rebuild of the marts."""

import dagster as dg

from dagster_project.assets.ingestion import raw_api_observations
from dagster_project.settings import Settings

pull_stats_api_job = dg.define_asset_job(
    "pull_stats_api",
    selection=dg.AssetSelection.assets(raw_api_observations),
    description="拉取统计接口 / Pull one month from the statistics office API.",
)

# Offices publish the previous month's figures around the 20th; pulling on the 25th at 09:00
# (Asia/Shanghai) picks up the month just released, and a 404 before then is not an error.


def api_schedule_status(stats_api_url: str | None) -> dg.DefaultScheduleStatus:
    """The monthly pull is on from the start wherever there is an API to pull (the settings'
    stats_api_url, PMW_STATS_API_URL), as the README says; without one it would only fail every month."""
    return dg.DefaultScheduleStatus.RUNNING if stats_api_url else dg.DefaultScheduleStatus.STOPPED


def monthly_stats_api_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """The monthly API pull, on by default where ``settings`` name an API."""
    return dg.build_schedule_from_partitioned_job(
        pull_stats_api_job,
        day_of_month=25,
        hour_of_day=9,
        minute_of_hour=0,
        default_status=api_schedule_status(settings.stats_api_url),
    )


build_and_publish_job = dg.define_asset_job(
    "build_and_publish",
    selection=dg.AssetSelection.groups("catalogue", "staging", "intermediate", "marts", "publish", "report"),
    description="重建指标与发布 / Rebuild the models, run the checks and publish the marts.",
)

nightly_build_schedule = dg.ScheduleDefinition(
    job=build_and_publish_job,
    cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai",
    # on from the start: the README says the nightly build runs while the UI (its daemon) is up
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="每日凌晨重建并发布 / Rebuild and publish every night at 02:30 Beijing time.",
)
