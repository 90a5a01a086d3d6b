"""Data expectations (Great Expectations 1.x suites in ``expectations/``) as Dagster asset checks.

- ``staged_observations_meet_expectations`` on staging/stg_raw__observations, one batch per indicator
- ``<mart>_meets_expectations`` on each fact mart, one batch per mart

Every check is blocking, with a severity that follows the worst failed expectation: a ``critical``
expectation fails the check with ERROR, which stops ``published/marts`` (the last good copy stays
served); ``warning`` expectations alone fail it with WARN, so a human looks while the publish goes on.
The failing expectations and sample rows are in the check's metadata; the full GX results are
written as Markdown under settings.validation_dir. (The raw-release suite runs inside ingestion:
``dagster_project.checks.raw``.)
"""

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.assets.publish import served_copy
from dagster_project.checks.batches import (
    CHECKED_MARTS,
    catalogue_parameters,
    mart_batch,
    staged_batches,
)
from dagster_project.checks.gx_runner import GXValidator, SuiteRun
from dagster_project.checks.report import check_metadata, summary, write_markdown
from dagster_project.checks.suites import load_suite
from dagster_project.resources import WAREHOUSE_POOL, SettingsResource, warehouse_writer
from dagster_project.settings import Settings

STAGED_KEY = dg.AssetKey(["staging", "stg_raw__observations"])
STAGED_CHECK = "staged_observations_meet_expectations"
MART_KEYS = {mart: dg.AssetKey(["marts", mart]) for mart in CHECKED_MARTS}
_MART_TITLES = {
    "fct_target_progress": "目标进度（每个目标每期一行）/ target progress",
    "fct_target_progress_by_region": "分地区目标进度 / regional progress",
    "fct_target_scorecard": "目标计分卡 / the scorecard",
    "fct_task_progress": "任务进度（每个任务每月一行）/ task progress",
    "fct_task_returns": "单位月度台账 / the units' monthly returns",
    "fct_unit_scorecard": "单位计分卡 / the unit scorecard",
}


def mart_check_name(mart: str) -> str:
    return f"{mart}_meets_expectations"


def _check_result(run: SuiteRun, asset_key: dg.AssetKey, check_name: str, settings: Settings) -> dg.AssetCheckResult:
    metadata = check_metadata(run)
    if run.critical_failed:
        served = served_copy(settings.published_dir)
        metadata["publish"] = dg.MetadataValue.text(
            f"未发布：继续提供 {served['served_version']} / not published: readers keep version "
            f"{served['served_version']} ({served.get('served_published_at', '-')})"
        )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=run.passed,
        severity=dg.AssetCheckSeverity.WARN
        if run.warning_failed and not run.critical_failed
        else dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=summary(run),
    )


@dg.asset_check(
    asset=STAGED_KEY,
    name=STAGED_CHECK,
    blocking=True,
    pool=WAREHOUSE_POOL,
    description=(
        "暂存观测满足期望 / Staged observations (latest vintage, whole indicators per batch): year-to-date "
        "totals never fall (critical); no missing month in series targets need, reported growth agrees with levels "
        "(warnings). Suite: expectations/stg_raw__observations.json."
    ),
)
def staged_observations_meet_expectations(
    context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource, settings: SettingsResource
) -> dg.AssetCheckResult:
    settings = settings.get()
    suite = load_suite("stg_raw__observations", settings.expectations_dir)
    validator = GXValidator([suite])
    parameters = catalogue_parameters(settings.seeds_dir, names=suite.parameter_names)
    run = SuiteRun(suite)
    # the file is opened in write mode (DuckDBResource): one step of the pool at a time
    with warehouse_writer(settings, context.log.info), duckdb.get_connection() as con:  # closed before the publish
        for batch in staged_batches(con):  # whole indicators, one batch in memory at a time
            run.batches.append(validator.validate(suite.name, batch.frame, batch.label, parameters))
    write_markdown(run, settings.validation_dir, asset=STAGED_KEY.to_user_string(), run_id=context.run.run_id)
    context.log.info(f"{suite.name}: {summary(run)} in {run.seconds:.2f} s; report {run.report_path}")
    return _check_result(run, STAGED_KEY, STAGED_CHECK, settings)


@dg.multi_asset_check(
    name="marts_meet_expectations",
    specs=[
        dg.AssetCheckSpec(
            mart_check_name(mart),
            asset=key,
            blocking=True,
            description=(
                f"{_MART_TITLES[mart]} 满足期望 / meets its expectation suite (expectations/{mart}.json); "
                "a critical failure stops the publish."
            ),
        )
        for mart, key in MART_KEYS.items()
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def marts_meet_expectations(
    context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource, settings: SettingsResource
) -> Iterator[dg.AssetCheckResult]:
    settings = settings.get()
    selected = context.selected_asset_check_keys
    marts = [m for m in CHECKED_MARTS if dg.AssetCheckKey(MART_KEYS[m], mart_check_name(m)) in selected]
    results = []
    with warehouse_writer(settings, context.log.info), duckdb.get_connection() as con:
        for mart, run in validate_marts(con, marts, settings.expectations_dir, settings.seeds_dir):
            write_markdown(
                run, settings.validation_dir, asset=MART_KEYS[mart].to_user_string(), run_id=context.run.run_id
            )
            context.log.info(f"{mart}: {summary(run)} in {run.seconds:.2f} s")
            results.append(_check_result(run, MART_KEYS[mart], mart_check_name(mart), settings))
    yield from results


def validate_marts(
    con: Any, marts: Sequence[str], expectations_dir: Path, seeds_dir: Path
) -> Iterator[tuple[str, SuiteRun]]:
    """Each mart's suite on the mart as the warehouse ``con`` holds it, one mart in memory at a time."""
    suites = [load_suite(mart, expectations_dir) for mart in marts]
    validator = GXValidator(suites)
    names = [name for suite in suites for name in suite.parameter_names]
    parameters = catalogue_parameters(seeds_dir, names=names)
    for mart, suite in zip(marts, suites, strict=True):
        run = SuiteRun(suite)
        run.batches.append(validator.validate(suite.name, mart_batch(con, mart), mart, parameters))
        yield mart, run
