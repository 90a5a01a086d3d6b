"""The Dagster code location: it loads, its assets are wired ingest -> stage -> compute -> publish,
every warehouse writer is in the single-writer pool, and the seed assets materialize into a
temporary DuckDB file."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from dagster_project.settings import load_settings
from tests.conftest import point_settings_at


@pytest.fixture(scope="module")
def defs():
    from dagster_project.definitions import defs as definitions

    return definitions


def test_code_location_loads_with_jobs_sensor_and_schedules(defs):
    assert {"ingest_release_files", "pull_stats_api", "build_and_publish"} <= {
        job.name for job in defs.resolve_all_job_defs()
    }
    assert defs.resolve_sensor_def("landing_folder_sensor").job_name == "ingest_release_files"
    monthly = defs.resolve_schedule_def("pull_stats_api_schedule")
    assert monthly.cron_schedule.split()[2] == "25"  # the 25th, after offices publish around the 20th
    assert defs.resolve_schedule_def("build_and_publish_schedule").execution_timezone == "Asia/Shanghai"


def test_asset_graph_flows_from_ingest_to_publish(defs):
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {
        "raw/observations",
        "raw/api_observations",
        "staging/stg_raw__observations",
        "marts/fct_target_progress",
        "marts/fct_target_scorecard",
        "published/marts",
    } <= keys
    upstream_of_staging = graph.get(dg.AssetKey(["staging", "stg_raw__observations"])).parent_keys
    assert {
        dg.AssetKey(["raw", "observations"]),
        dg.AssetKey(["raw", "api_observations"]),
    } <= upstream_of_staging
    publish_parents = graph.get(dg.AssetKey(["published", "marts"])).parent_keys
    assert dg.AssetKey(["marts", "fct_target_progress"]) in publish_parents


def test_every_warehouse_writer_is_in_the_single_writer_pool(defs):
    from dagster_project.resources import WAREHOUSE_POOL
    from dagster_project.runner import INSTANCE_YAML

    graph = defs.resolve_asset_graph()
    writers = [
        dg.AssetKey(["raw", "observations"]),
        dg.AssetKey(["raw", "api_observations"]),
        dg.AssetKey(["marts", "fct_target_progress"]),
        dg.AssetKey(["published", "marts"]),
    ]
    for key in writers:
        assert graph.get(key).pools == {WAREHOUSE_POOL}, key
    assert "default_limit: 1" in INSTANCE_YAML


def test_ingestion_assets_retry_transient_failures(defs):
    graph = defs.resolve_asset_graph()
    for key in (dg.AssetKey(["raw", "observations"]), dg.AssetKey(["raw", "api_observations"])):
        policy = graph.assets_def_for_key(key).node_def.retry_policy
        assert policy is not None and policy.max_retries >= 2 and policy.backoff == dg.Backoff.EXPONENTIAL


def test_seed_assets_materialize_into_a_temporary_duckdb(defs, tmp_path, monkeypatch):
    from dagster_project.definitions import build_definitions
    from dagster_project.runner import prepare_environment
    from dagster_project.settings import load_settings

    point_settings_at(tmp_path, monkeypatch)
    settings = prepare_environment(load_settings())
    defs = build_definitions(settings)  # resources for this home, not the one the module loaded with
    seeds = dg.AssetSelection.groups("catalogue")
    job = dg.define_asset_job("seeds_only", selection=seeds)
    result = (
        dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
        .resolve_job_def("seeds_only")
        .execute_in_process(instance=dg.DagsterInstance.ephemeral())
    )
    assert result.success
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        targets = con.execute("select count(*) from seeds.targets").fetchall()[0][0]
        quoted = con.execute("select count(*) from seeds.targets where quote is null or quote = ''").fetchall()[0][0]
        regions = con.execute("select count(*) from seeds.regions where region_type = 'county'").fetchall()[0][0]
    finally:
        con.close()
    assert targets >= 100 and quoted == 0
    assert regions == 9


def test_schedules_are_on_by_default_where_the_readme_says_they_run(defs, monkeypatch):
    from dagster_project.schedules import api_schedule_status

    nightly = defs.resolve_schedule_def("build_and_publish_schedule")
    assert nightly.default_status == dg.DefaultScheduleStatus.RUNNING
    monkeypatch.setenv("PMW_STATS_API_URL", "http://127.0.0.1:9/stats")
    assert api_schedule_status(load_settings().stats_api_url) == dg.DefaultScheduleStatus.RUNNING
    monkeypatch.delenv("PMW_STATS_API_URL")
    # nothing to pull: it would only fail
    assert api_schedule_status(load_settings().stats_api_url) == dg.DefaultScheduleStatus.STOPPED


def test_pmw_ingest_runs_the_same_job_without_importing_dbt_gx_or_pandas(defs):
    """Defect 11: `pmw ingest` loaded the whole code location (dagster-dbt, and with it pandas) before
    reading a file. Its job is the code location's ingestion job, built from the ingestion asset alone;
    pandas and Great Expectations wait until a release has been stored."""
    import subprocess
    import sys

    from dagster_project.ingest_job import ingest_job

    code = (
        "import sys; from dagster_project.ingest_job import ingest_job\n"
        "from dagster_project.settings import load_settings\n"
        "ingest_job(load_settings())\n"
        "import dagster_project.cli, dagster_project.ingest.pipeline, dagster_project.landing\n"
        "print(','.join(m for m in ('dagster_dbt', 'great_expectations', 'pandas', 'dbt') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"imported by pmw ingest before any file was read: {loaded}"
    job, full = ingest_job(load_settings()), defs.resolve_job_def("ingest_release_files")
    assert job.name == full.name
    assert job.partitions_def == full.partitions_def
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {"raw/observations"}
