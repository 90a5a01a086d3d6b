"""Ingest: release files and API pulls become rows of the raw layer.

Two assets, one raw table each:
- ``raw/observations``: one dynamic partition per release file that landed (the landing sensor adds
  partitions); a backfill of many files runs as a single run.
- ``raw/api_observations``: one monthly partition per statistics month, pulled from the office's API
  on a schedule.
A file that fails the contract is quarantined with an error report; the asset's blocking check then
fails, so downstream models are not rebuilt from a run that lost data, and every earlier row stays.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project import landing
from dagster_project.ingest import http_api, pipeline, store
from dagster_project.resources import WAREHOUSE_POOL
from dagster_project.settings import load_settings

release_files = dg.DynamicPartitionsDefinition(name="release_files")
stats_months = dg.MonthlyPartitionsDefinition(start_date="2021-01-01", end_offset=0)

# Transient failures (a locked warehouse file, a flaky network share) are retried with backoff;
# bad content is not retried: it is quarantined.
TRANSIENT_RETRY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)

RELEASE_CONTRACT_CHECK = "release_files_pass_contract"
API_CONTRACT_CHECK = "api_release_passes_contract"


def _error_table(errors: list) -> dg.MetadataValue:
    lines = ["| file | row | column | reason |", "|---|---|---|---|"]
    for err in errors[:50]:
        lines.append(f"| {err.file} | {err.row or ''} | {err.column or ''} | {err.reason} |")
    if len(errors) > 50:
        lines.append(f"| … | | | {len(errors) - 50} more errors in the quarantine report |")
    return dg.MetadataValue.md("\n".join(lines))


@dg.asset(
    key=["raw", "observations"],
    partitions_def=release_files,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
    retry_policy=TRANSIENT_RETRY,
    group_name="ingest",
    kinds={"python", "duckdb"},
    description="原始观测值（文件）/ Raw observations from release files dropped in the landing folder.",
    check_specs=[
        dg.AssetCheckSpec(
            RELEASE_CONTRACT_CHECK,
            asset=["raw", "observations"],
            blocking=True,
            description="每个发布文件都能解析并通过契约检查 / Every release file in the run parsed and passed "
            "the contract and its expectation suite; failing files were quarantined.",
        )
    ],
)
def raw_observations(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    settings = load_settings()
    settings.ensure_dirs()
    loaded, quarantined, rows = [], [], 0
    all_errors: list = []
    with duckdb.get_connection() as con:
        store.ensure_schema(con)
        for key in context.partition_keys:
            path = landing.locate(key, settings.landing_dir, settings.archive_dir)
            result = pipeline.ingest_file(path, con, settings.quarantine_dir, release_key=key)
            if result.status == "loaded":
                landing.archive(path, key, settings.landing_dir, settings.archive_dir)
                loaded.append(key)
                rows += result.row_count
                context.log.info(f"{key}: {result.row_count} rows ({result.release_id})")
            else:
                quarantined.append(key)
                all_errors.extend(result.errors)
                context.log.error(
                    f"{key}: quarantined to {result.quarantine_path} ({len(result.errors)} errors)"
                )
    yield dg.MaterializeResult(
        metadata={
            "files_loaded": len(loaded),
            "files_quarantined": len(quarantined),
            "rows_loaded": rows,
            "quarantined": dg.MetadataValue.json(quarantined),
        }
    )
    yield dg.AssetCheckResult(
        check_name=RELEASE_CONTRACT_CHECK,
        passed=not quarantined,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "files_quarantined": len(quarantined),
            "quarantine_dir": str(settings.quarantine_dir),
            "errors": _error_table(all_errors),
        },
    )


@dg.asset(
    key=["raw", "api_observations"],
    partitions_def=stats_months,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WAREHOUSE_POOL,
    retry_policy=TRANSIENT_RETRY,
    group_name="ingest",
    kinds={"python", "duckdb"},
    description="原始观测值（统计接口）/ Raw observations pulled from the statistics office's HTTP API, per month.",
    check_specs=[
        dg.AssetCheckSpec(
            API_CONTRACT_CHECK,
            asset=["raw", "api_observations"],
            blocking=True,
            description="接口返回的数据通过契约检查 / The month's API payload passed the contract checks.",
        )
    ],
)
def raw_api_observations(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    settings = load_settings()
    settings.ensure_dirs()
    if not settings.stats_api_url:
        raise dg.Failure("PMW_STATS_API_URL is not set: no statistics API to pull from")
    months = sorted({key[:7] for key in context.partition_keys})
    loaded, not_released, failed, rows = [], [], [], 0
    all_errors: list = []
    with duckdb.get_connection() as con:
        store.ensure_schema(con)
        for month in months:
            payload = http_api.fetch_release(month, settings.stats_api_url)
            if payload is None:
                # Not released yet is normal before the publication day: say so, do not fail.
                not_released.append(month)
                continue
            result = pipeline.ingest_payload(
                payload,
                con,
                settings.quarantine_dir,
                source_url=f"{http_api.release_url(settings.stats_api_url)}?month={month}",
                table="api_observations",
            )
            if result.status == "loaded":
                loaded.append(month)
                rows += result.row_count
            else:
                failed.append(month)
                all_errors.extend(result.errors)
    yield dg.MaterializeResult(
        metadata={
            "months_loaded": len(loaded),
            "months_not_released": dg.MetadataValue.json(not_released),
            "months_quarantined": dg.MetadataValue.json(failed),
            "rows_loaded": rows,
        }
    )
    yield dg.AssetCheckResult(
        check_name=API_CONTRACT_CHECK,
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"errors": _error_table(all_errors)},
    )
