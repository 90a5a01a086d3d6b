"""Time-based runs: the monthly API pull and the nightly rebuild of the marts."""

import dagster as dg

from dagster_project.assets.ingestion import raw_api_observations

pull_stats_api_job = dg.define_asset_job(
    "pull_stats_api",
    selection=dg.AssetSelection.assets(raw_api_observations),
    description="拉取统计接口 / Pull one month from the statistics office API.",
)

# Offices publish the previous month's figures around the 20th; pulling on the 25th at 09:00
# (Asia/Shanghai) picks up the month just released, and a 404 before then is not an error.
monthly_stats_api_schedule = dg.build_schedule_from_partitioned_job(
    pull_stats_api_job, day_of_month=25, hour_of_day=9, minute_of_hour=0
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
    description="每日凌晨重建并发布 / Rebuild and publish every night at 02:30 Beijing time.",
)
