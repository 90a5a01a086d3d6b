"""Ingest: release files and API pulls become rows of the raw layer.

Two assets, one raw table each:
- ``raw/observations``: one dynamic partition per release file that landed (the landing sensor adds
  partitions); a backfill of many files runs as a single run.
- ``raw/api_observations``: one monthly partition per statistics month, pulled from the office's API
  on a schedule.
A file that fails the contract is quarantined with an error report; the asset's blocking check then
fails, so downstream models are not rebuilt from a run that lost data, and every earlier row stays.
What was stored is then judged by the raw expectation suite (expectations/raw_observations.json,
batch by batch) before the file is archived: a release failing a critical expectation is taken out
again and quarantined the same way; the sibling check shows the GX results.
"""

import json

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project import landing
from dagster_project.ingest import http_api, pipeline, store
from dagster_project.ingest.document import Limits
from dagster_project.ingest.models import IngestError
from dagster_project.ingest.quarantine import mark_clean_ingest, quarantine_bytes, quarantine_file
from dagster_project.resources import WAREHOUSE_POOL
from dagster_project.settings import load_settings

release_files = dg.DynamicPartitionsDefinition(name="release_files")
stats_months = dg.MonthlyPartitionsDefinition(start_date="2021-01-01", end_offset=0)

# Transient failures (a locked warehouse file, a flaky network share) are retried with backoff;
# bad content is not retried: it is quarantined.
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)

RELEASE_CONTRACT_CHECK = "release_files_pass_contract"
API_CONTRACT_CHECK = "api_release_passes_contract"
RELEASE_EXPECTATIONS_CHECK = "release_batches_meet_expectations"
API_EXPECTATIONS_CHECK = "api_batches_meet_expectations"


def _reason(errors: list) -> str:
    """One line for a quarantined file: its first problem (with row and column), and how many more."""
    if not errors:
        return "quarantined"
    e = errors[0]
    where = ", ".join(x for x in (f"row {e.row}" if e.row else "", e.column or "") if x)
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where + ': ' if where else ''}{e.reason}{more}"


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
        ),
        dg.AssetCheckSpec(
            RELEASE_EXPECTATIONS_CHECK,
            asset=["raw", "observations"],
            blocking=False,
            description="发布批次满足期望 / The GX suite expectations/raw_observations.json on this run's releases: "
            "failing expectations and sample rows (critical ones quarantined the release).",
        ),
    ],
)
def raw_observations(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    settings = load_settings()
    settings.ensure_dirs()
    limits = Limits(settings.max_field_chars, settings.max_sheet_rows, settings.max_sheet_cols)
    defaults = settings.source_defaults()
    loaded, quarantined, rows = [], [], 0
    reasons: dict[str, str] = {}  # key -> why it was quarantined (first reason, and how many more)
    notes: dict[str, list[str]] = {}  # key -> sheets skipped, duplicates: what the summary names
    all_errors: list = []
    stored: dict = {}  # key -> (path, result): stored, judged by the suite before archiving
    with duckdb.get_connection() as con:
        store.ensure_schema(con)
        for key in context.partition_keys:
            # One file at a time, each contained: whatever is wrong with one file (size, encoding,
            # memory, a parser error) quarantines that file with the reason and the next file goes on.
            try:
                path = landing.locate(key, settings.landing_dir, settings.archive_dir)
            except FileNotFoundError as exc:
                quarantined.append(key)
                reasons[key] = str(exc)
                context.log.error(f"{key}: {exc}")
                continue
            try:
                result = pipeline.ingest_file(
                    path,
                    con,
                    settings.quarantine_dir,
                    release_key=key,
                    source=landing.source_for(key, path, defaults),
                    confirm_outlier=landing.read_note(path, "confirm"),
                    limits=limits,
                    max_file_bytes=settings.max_file_bytes,
                )
            except Exception as exc:  # a bug or a resource limit: this file's problem, not the run's
                error = IngestError(key, None, "", f"ingestion failed: {type(exc).__name__}: {exc}")
                qpath = quarantine_file(path, [error], settings.quarantine_dir) if path.exists() else None
                quarantined.append(key)
                reasons[key] = error.reason
                all_errors.append(error)
                context.log.error(f"{key}: {error.reason}; quarantined to {qpath}")
                continue
            if result.notes:
                shown = [n for n in result.notes if n.startswith(("sheet ", "read ", "already loaded"))]
                shown += [n for n in result.notes if "confirmed outlier" in n]
                notes[key] = shown
            if result.status == "duplicate":
                landing.archive(path, key, settings.landing_dir, settings.archive_dir)
                context.log.info(f"{key}: {result.notes[0]}")
            elif result.status == "loaded":
                stored[key] = (path, result)
            else:
                quarantined.append(key)
                reasons[key] = _reason(result.errors)
                all_errors.extend(result.errors)
                context.log.error(f"{key}: quarantined to {result.quarantine_path} ({len(result.errors)} errors)")
        screened, failures = _judge_stored(context, con, settings, "observations", stored)
        by_expectations = []
        for key, (path, result) in stored.items():
            errors = failures.get(key)
            if errors:
                qpath = quarantine_file(path, errors, settings.quarantine_dir)
                quarantined.append(key)
                reasons[key] = _reason(errors)
                by_expectations.append(key)
                all_errors.extend(errors)
                context.log.error(f"{key}: failed the expectation suite, quarantined to {qpath}")
                continue
            landing.archive(path, key, settings.landing_dir, settings.archive_dir)
            loaded.append(key)
            rows += result.row_count
            context.log.info(f"{key}: {result.row_count} rows ({result.release_id})")
    if not quarantined:
        mark_clean_ingest(settings.quarantine_dir)
    yield dg.MaterializeResult(
        metadata={
            "files_loaded": len(loaded),
            "files_quarantined": len(quarantined),
            "rows_loaded": rows,
            "quarantined": dg.MetadataValue.json(quarantined),
            "quarantine_reasons": dg.MetadataValue.json(reasons),
            "ingest_notes": dg.MetadataValue.json(notes),
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
    from dagster_project.checks import raw as raw_checks

    yield raw_checks.check_result(screened, RELEASE_EXPECTATIONS_CHECK, by_expectations)


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
        ),
        dg.AssetCheckSpec(
            API_EXPECTATIONS_CHECK,
            asset=["raw", "api_observations"],
            blocking=False,
            description="接口批次满足期望 / The GX suite expectations/raw_observations.json on this run's API "
            "releases (critical failures quarantined the month).",
        ),
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
    stored: dict = {}  # month -> (payload, result): stored, judged by the suite next
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
                stored[month] = (payload, result)
            else:
                failed.append(month)
                all_errors.extend(result.errors)
        screened, failures = _judge_stored(context, con, settings, "api_observations", stored)
        by_expectations = []
        for month, (payload, result) in stored.items():
            errors = failures.get(month)
            if errors:
                data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
                quarantine_bytes(data, f"api-{month}.json", errors, settings.quarantine_dir)
                failed.append(month)
                by_expectations.append(month)
                all_errors.extend(errors)
                continue
            loaded.append(month)
            rows += result.row_count
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
    from dagster_project.checks import raw as raw_checks

    yield raw_checks.check_result(screened, API_EXPECTATIONS_CHECK, by_expectations)


def _judge_stored(context: dg.AssetExecutionContext, con, settings, table: str, stored: dict):
    """The raw suite on the releases this run stored; the ones it fails are withdrawn from raw.

    Fails closed: if the suite cannot run, every release of the run is withdrawn and the error raised.
    Returns the suite's result and, per key of ``stored``, the errors of the releases that failed.
    """
    # imported here: pandas and Great Expectations cost seconds, and only stored releases need them
    from dagster_project.checks import raw as raw_checks

    judged = [result.release_id for _, result in stored.values()]
    try:
        screened = raw_checks.validate_releases(
            con,
            table,
            judged,
            seeds_dir=settings.seeds_dir,
            validation_dir=settings.validation_dir,
            run_id=context.run.run_id,
            asset=f"raw/{table}",
        )
    except Exception as exc:
        raw_checks.withdraw_releases(con, table, judged, f"expectation suite could not run: {exc}")
        raise
    failures = {}
    for key, (_, result) in stored.items():
        errors = raw_checks.errors_for(screened, result.release_id, result.source_file)
        if errors:
            raw_checks.quarantine_release(con, table, result.release_id, errors)
            failures[key] = errors
    return screened, failures
