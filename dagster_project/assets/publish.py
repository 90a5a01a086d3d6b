"""Publish: copy the checked marts to the read-only copy analysts and BI tools open.

``published/marts`` depends on the marts and on the staged observations (it copies them as
``observation_vintages``), so every blocking check on those assets gates it: one failing with ERROR
severity stops the publish and the previous version stays served. Whether the served copy is the
current build is the ``publish_is_current`` check: passed when the asset publishes; when a run ends
without publishing, :func:`report_not_published` records it as failed with the version still served
(the runner calls it for command-line runs, ``publish_status_sensor`` for runs the daemon launched).
"""

import time
from pathlib import Path

import dagster as dg

from dagster_project.checks.batches import CHECKED_MARTS
from dagster_project.checks.suites import load_suite, suite_names
from dagster_project.publish import PUBLISHED_MARTS, publish_marts, read_manifest
from dagster_project.resources import WAREHOUSE_POOL, SettingsResource, warehouse_writer
from dagster_project.schedules import build_and_publish_job

PUBLISHED_KEY = dg.AssetKey(["published", "marts"])
STAGED_KEY = dg.AssetKey(["staging", "stg_raw__observations"])
PUBLISH_IS_CURRENT = "publish_is_current"
PUBLISH_TAG = "pmw/publish"  # run tag: "published" or "not_published"
SERVED_VERSION_TAG = "pmw/served_version"

assert set(CHECKED_MARTS) <= set(PUBLISHED_MARTS)  # a checked mart that is not published is a typo


def _suite_versions(directory: Path) -> dict[str, str]:
    return {name: load_suite(name, directory).version for name in suite_names(directory)}


def served_copy(published_dir) -> dict:
    """Which version readers get now (in ``published_dir``), as metadata-friendly values."""
    manifest = read_manifest(published_dir)
    if manifest is None:
        return {"served_version": "none (nothing published yet)"}
    return {
        "served_version": manifest["version"],
        "served_published_at": manifest["published_at"],
        "served_run_id": manifest["run_id"],
    }


@dg.asset(
    key=PUBLISHED_KEY,
    deps=[*(dg.AssetKey(["marts", mart]) for mart in PUBLISHED_MARTS), STAGED_KEY],
    pool=WAREHOUSE_POOL,
    group_name="publish",
    kinds={"duckdb", "parquet"},
    check_specs=[
        dg.AssetCheckSpec(
            PUBLISH_IS_CURRENT,
            asset=PUBLISHED_KEY,
            blocking=False,
            description=(
                "发布副本为最新 / The published copy is this build. Fails (warning) when a run ends without "
                "publishing; its metadata names the version still served."
            ),
        )
    ],
    description=(
        "发布的只读指标库 / The published, read-only copy of the marts (DuckDB + Parquet + manifest). "
        "Runs only after every blocking check on the marts and staged observations passed; a failed "
        "check keeps the last good copy."
    ),
)
def published_marts(context: dg.AssetExecutionContext, settings: SettingsResource) -> dg.MaterializeResult:
    settings = settings.get()
    previous = served_copy(settings.published_dir)
    started = time.perf_counter()
    with warehouse_writer(settings, context.log.info):
        result = publish_marts(
            settings.warehouse_path,
            settings.published_dir,
            context.run.run_id,
            _suite_versions(settings.expectations_dir),
            grace_seconds=settings.publish_grace_seconds,
        )
    seconds = round(time.perf_counter() - started, 3)
    context.log.info(f"published version {result.version} to {result.db_path} in {seconds} s")
    served = {
        "served_version": result.version,
        "served_published_at": result.manifest["published_at"],
        "served_run_id": context.run.run_id,
    }
    return dg.MaterializeResult(
        metadata={
            "version": result.version,
            "path": dg.MetadataValue.path(str(result.db_path)),
            "parquet": dg.MetadataValue.path(str(result.version_dir / "parquet")),
            "row_counts": dg.MetadataValue.json(result.manifest["row_counts"]),
            "source_vintages": len(result.manifest["source_vintages"]),
            "expectation_suites": dg.MetadataValue.json(result.manifest["expectation_suites"]),
            "publish_seconds": seconds,
            "previous_version": previous["served_version"],
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=PUBLISH_IS_CURRENT,
                passed=True,
                metadata=served,
                description="已发布本次构建 / This build is published.",
            )
        ],
    )


def report_not_published(instance: dg.DagsterInstance, run_id: str, reason: str, published_dir) -> dict:
    """Record that ``run_id`` ended without publishing: ``publish_is_current`` fails (warning) on
    published/marts with the version still served (in ``published_dir``), and the run is tagged with
    it. Returns served_copy()."""
    served = served_copy(published_dir)
    metadata = {**served, "run_without_publish": run_id, "reason": reason[:2000]}
    instance.report_runless_asset_event(
        dg.AssetCheckEvaluation(
            asset_key=PUBLISHED_KEY,
            check_name=PUBLISH_IS_CURRENT,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            metadata=metadata,
            description=(
                f"未发布新版本，继续提供 {served['served_version']} / Not republished: readers still get "
                f"{served['served_version']}."
            ),
        )
    )
    instance.add_run_tags(run_id, {PUBLISH_TAG: "not_published", SERVED_VERSION_TAG: served["served_version"]})
    return served


@dg.run_failure_sensor(
    monitored_jobs=[build_and_publish_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="发布状态 / When a build run fails, records which published version readers still get.",
)
def publish_status_sensor(context: dg.RunFailureSensorContext, settings: SettingsResource):
    if context.dagster_run.tags.get(PUBLISH_TAG):  # the command-line runner already recorded it
        return
    reason = context.failure_event.message or "run failed"
    report_not_published(context.instance, context.dagster_run.run_id, reason, settings.get().published_dir)
