"""Ingest: release files and API pulls become rows of the raw layer.

Two assets, one raw table each:
- ``raw/observations``: one dynamic partition per release file that landed (the landing sensor adds
  partitions); a backfill of many files runs as a single run.
- ``raw/api_observations``: one monthly partition per statistics month, pulled from the office's API
  on a schedule.
Both run the same loop (:class:`_IngestRun`): each partition's release is parsed and checked against
the contract, then staged; the store commits the staged releases in one transaction each pack, the
raw expectation suite (expectations/raw_observations.json) judging them inside it
(``store.ReleaseStage.commit``). A release failing the contract or a critical expectation is
quarantined with an error report and never written to raw; every earlier row stays.

Each partition's outcome is its own: the good partitions are materialized one by one, and a run with
a quarantined partition fails (``dg.Failure``, not retried) after its checks, so the quarantined
partitions show as failed in Dagster while the good ones of the same run show as materialized. The
blocking contract check fails too, so downstream models are not rebuilt from a run that lost data.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project import landing
from dagster_project.ingest import http_api, pipeline, store
from dagster_project.ingest.catalog import load_catalog
from dagster_project.ingest.document import Limits
from dagster_project.ingest.models import IngestError
from dagster_project.ingest.quarantine import error_line, mark_clean_ingest, quarantine_bytes, quarantine_file
from dagster_project.processes import collections_paused
from dagster_project.resources import WAREHOUSE_POOL, SettingsResource, warehouse_writer

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
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return error_line(e.row, e.column, e.reason) + more


def _error_table(errors: list) -> dg.MetadataValue:
    lines = ["| file | row | column | reason |", "|---|---|---|---|"]
    for err in errors[:50]:
        lines.append(f"| {err.file} | {err.row or ''} | {err.column or ''} | {err.reason} |")
    if len(errors) > 50:
        lines.append(f"| … | | | {len(errors) - 50} more errors in the quarantine report |")
    return dg.MetadataValue.md("\n".join(lines))


@dataclass
class _Staged:
    key: str
    rows: int
    quarantine: Callable[[list[IngestError]], object]  # moves the file/payload aside, returns where
    accept: Callable[[], None]  # archives the file


@dataclass
class _IngestRun:
    """One run of a raw asset over its partitions: what each partition became, and the Dagster events.

    Partitions are staged in a :class:`store.ReleaseStage`; the stage is committed (judged by the
    raw suite and written, in one transaction) whenever it holds a batch's worth of rows, and at
    the end.
    """

    context: dg.AssetExecutionContext
    con: object
    table: str
    seeds_dir: object
    quarantine_dir: object
    expectations_dir: object
    stage: store.ReleaseStage = field(init=False)
    screen: object = field(init=False)
    loaded: dict[str, dict] = field(default_factory=dict)  # key -> materialization metadata
    quarantined: dict[str, str] = field(default_factory=dict)  # key -> why (first reason, and how many more)
    by_expectations: list[str] = field(default_factory=list)
    errors: list = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    staged: dict[str, _Staged] = field(default_factory=dict)  # release_id -> what to do once judged
    max_rows: int = field(init=False)  # staged rows that make a pack: committed (and judged) together

    def __post_init__(self) -> None:
        # pandas and GX cost seconds: imported when a run ingests, not when `pmw ingest` loads the job
        with collections_paused():
            from dagster_project.checks.batches import RAW_BATCH_MAX_ROWS
            from dagster_project.checks.raw import RawScreen

        self.max_rows = RAW_BATCH_MAX_ROWS
        store.ensure_schema(self.con)
        self.stage = store.ReleaseStage(self.con, self.table)
        self.screen = RawScreen(self.seeds_dir, expectations_dir=self.expectations_dir)

    def refuse(self, key: str, errors: list[IngestError], where: object = None) -> None:
        self.quarantined[key] = _reason(errors)
        self.errors.extend(errors)
        self.context.log.error(f"{key}: quarantined to {where} ({len(errors)} errors)")

    def take(self, key: str, result: pipeline.IngestResult, quarantine, accept) -> None:
        """What ingest_file/ingest_payload returned for ``key``."""
        if result.notes:
            self.notes[key] = pipeline.notes_to_show(result.notes)
        if result.status == "duplicate":
            accept()
            self.loaded[key] = {"release_id": result.release_id, "rows_loaded": 0, "note": result.notes[0]}
            self.context.log.info(f"{key}: {result.notes[0]}")
        elif result.status == "staged":
            self.staged[result.release_id] = _Staged(key, result.row_count, quarantine, accept)
            if self.stage.rows >= self.max_rows:
                self.commit()
        elif result.status == "loaded":  # written at once (a unit's monthly return, not statistics)
            accept()
            self.loaded[key] = {"release_id": result.release_id, "rows_loaded": result.row_count}
        else:
            self.refuse(key, result.errors, result.quarantine_path)

    def commit(self) -> None:
        rejected = self.stage.commit(self.screen)
        for release_id, item in self.staged.items():
            errors = rejected.get(release_id)
            if errors:
                self.by_expectations.append(item.key)
                self.refuse(item.key, errors, item.quarantine(errors))
                continue
            item.accept()
            self.loaded[item.key] = {"release_id": release_id, "rows_loaded": item.rows}
            self.context.log.info(f"{item.key}: {item.rows} rows ({release_id})")
        self.staged.clear()

    def finish(self, contract_check: str, expectations_check: str, validation_dir, extra: dict | None = None):
        """Commit what is staged; materialize the good partitions; the two checks; fail the bad ones."""
        from dagster_project.checks import raw as raw_checks
        from dagster_project.checks.report import write_markdown

        self.commit()
        self.stage.close()
        if self.screen.outcome.run.batches:
            write_markdown(
                self.screen.outcome.run,
                validation_dir,
                asset=f"raw/{self.table}",
                run_id=self.context.run.run_id,
            )
        for key, metadata in self.loaded.items():
            self.context.log_event(
                dg.AssetMaterialization(
                    asset_key=self.context.asset_key,
                    partition=key,
                    metadata={**metadata, "ingest_notes": dg.MetadataValue.json({key: self.notes.get(key, [])})},
                )
            )
        yield dg.AssetCheckResult(
            check_name=contract_check,
            passed=not self.quarantined,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "loaded": len(self.loaded),
                "quarantined": dg.MetadataValue.json(sorted(self.quarantined)),
                "quarantine_reasons": dg.MetadataValue.json(self.quarantined),
                "ingest_notes": dg.MetadataValue.json(self.notes),
                "quarantine_dir": str(self.quarantine_dir),
                "errors": _error_table(self.errors),
                **(extra or {}),
            },
        )
        yield raw_checks.check_result(self.screen.outcome, expectations_check, self.by_expectations)

    def fail_if_quarantined(self) -> None:
        """Fail the step when a partition was quarantined: its planned partition is then recorded as
        failed (the good ones were materialized). Called once the warehouse connection is closed."""
        if self.quarantined:
            listed = "; ".join(f"{k}: {r}" for k, r in sorted(self.quarantined.items())[:10])
            raise dg.Failure(
                f"{len(self.quarantined)} of {len(self.quarantined) + len(self.loaded)} partitions quarantined "
                f"({listed}); the others were loaded",
                metadata={"quarantined": dg.MetadataValue.json(sorted(self.quarantined))},
                allow_retries=False,  # bad content is not retried: it is quarantined
            )


def _raw_asset(
    table: str,
    partitions_def: dg.PartitionsDefinition,
    description: str,
    checks: tuple[tuple[str, str], tuple[str, str]],
):
    """A raw table's asset: one partition per release (file or month), written in the warehouse pool,
    each good partition materialized as it is committed, with its two checks: the contract, which
    blocks (failing releases were quarantined), and the raw expectation suite on the run's releases."""
    (contract, contract_description), (expectations, expectations_description) = checks
    key = ["raw", table]
    return dg.asset(
        key=key,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=WAREHOUSE_POOL,
        retry_policy=TRANSIENT_RETRY,
        output_required=False,  # each good partition is materialized by _IngestRun.finish, one by one
        group_name="ingest",
        kinds={"python", "duckdb"},
        description=description,
        check_specs=[
            dg.AssetCheckSpec(contract, asset=key, blocking=True, description=contract_description),
            dg.AssetCheckSpec(expectations, asset=key, blocking=False, description=expectations_description),
        ],
    )


@_raw_asset(
    "observations",
    release_files,
    "原始观测值（文件）/ Raw observations from release files dropped in the landing folder.",
    checks=(
        (
            RELEASE_CONTRACT_CHECK,
            "每个发布文件都能解析并通过契约检查 / Every release file in the run parsed and passed "
            "the contract and its expectation suite; failing files were quarantined.",
        ),
        (
            RELEASE_EXPECTATIONS_CHECK,
            "发布批次满足期望 / The GX suite expectations/raw_observations.json on this run's releases: "
            "failing expectations and sample rows (critical ones quarantined the release).",
        ),
    ),
)
def raw_observations(context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource):
    settings = settings.get()
    settings.ensure_dirs()
    limits = Limits(settings.max_field_chars, settings.max_sheet_rows, settings.max_sheet_cols)
    defaults = settings.source_defaults()
    catalog = load_catalog(settings.seeds_dir)
    with warehouse_writer(settings, context.log.info), duckdb.get_connection() as con:
        run = _IngestRun(
            context, con, "observations", settings.seeds_dir, settings.quarantine_dir, settings.expectations_dir
        )
        landing_only = context.run.tags.get(landing.LANDING_ONLY_TAG) == "true"
        for key in context.partition_keys:
            if landing_only and not landing.is_waiting(key, settings.landing_dir):
                continue  # a release between the waiting ones in the range: loaded (or refused) before
            # One file at a time, each contained: whatever is wrong with one file (size, encoding,
            # memory, a parser error) quarantines that file with the reason and the next file goes on.
            try:
                path = landing.locate(key, settings.landing_dir, settings.archive_dir)
            except FileNotFoundError as exc:
                run.quarantined[key] = str(exc)
                context.log.error(f"{key}: {exc}")
                continue

            def quarantine(errors, path=path):
                return quarantine_file(path, errors, settings.quarantine_dir, run_id=context.run.run_id)

            def accept(path=path, key=key):
                landing.archive(path, key, settings.landing_dir, settings.archive_dir)

            try:
                result = pipeline.ingest_file(
                    path,
                    con,
                    settings.quarantine_dir,
                    release_key=key,
                    source=landing.source_for(key, path, defaults),
                    confirm_outlier=landing.read_note(path, "confirm"),
                    release_date=landing.released_on(path),
                    limits=limits,
                    max_file_bytes=settings.max_file_bytes,
                    catalog=catalog,
                    stage=run.stage,
                    run_id=context.run.run_id,  # the report names this run: a dead run is credited its own files
                )
            except Exception as exc:  # a bug or a resource limit: this file's problem, not the run's
                error = IngestError(key, None, "", f"ingestion failed: {type(exc).__name__}: {exc}")
                run.refuse(key, [error], quarantine([error]) if path.exists() else None)
                continue
            run.take(key, result, quarantine, accept)
        yield from run.finish(RELEASE_CONTRACT_CHECK, RELEASE_EXPECTATIONS_CHECK, settings.validation_dir)
    run.fail_if_quarantined()
    mark_clean_ingest(settings.quarantine_dir)


@_raw_asset(
    "api_observations",
    stats_months,
    "原始观测值（统计接口）/ Raw observations pulled from the statistics office's HTTP API, per month.",
    checks=(
        (API_CONTRACT_CHECK, "接口返回的数据通过契约检查 / The month's API payload passed the contract checks."),
        (
            API_EXPECTATIONS_CHECK,
            "接口批次满足期望 / The GX suite expectations/raw_observations.json on this run's API "
            "releases (critical failures quarantined the month).",
        ),
    ),
)
def raw_api_observations(context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: SettingsResource):
    settings = settings.get()
    settings.ensure_dirs()
    if not settings.stats_api_url:
        raise dg.Failure("PMW_STATS_API_URL is not set: no statistics API to pull from")
    not_released = []
    catalog = load_catalog(settings.seeds_dir)
    with warehouse_writer(settings, context.log.info), duckdb.get_connection() as con:
        run = _IngestRun(
            context, con, "api_observations", settings.seeds_dir, settings.quarantine_dir, settings.expectations_dir
        )
        for key in context.partition_keys:
            month = key[:7]
            payload = http_api.fetch_release(month, settings.stats_api_url)
            if payload is None:
                # Not released yet is normal before the publication day: say so, do not fail.
                not_released.append(month)
                continue

            def quarantine(errors, payload=payload, month=month):
                data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
                return quarantine_bytes(
                    data, f"api-{month}.json", errors, settings.quarantine_dir, run_id=context.run.run_id
                )

            result = pipeline.ingest_payload(
                payload,
                con,
                settings.quarantine_dir,
                source_url=f"{http_api.release_url(settings.stats_api_url)}?month={month}",
                table="api_observations",
                catalog=catalog,
                stage=run.stage,
                run_id=context.run.run_id,
            )
            run.take(key, result, quarantine, lambda: None)
        yield from run.finish(
            API_CONTRACT_CHECK,
            API_EXPECTATIONS_CHECK,
            settings.validation_dir,
            {"months_not_released": dg.MetadataValue.json(not_released)},
        )
    run.fail_if_quarantined()
