"""How the expectation checks are wired into Dagster: the build job runs them, they gate the publish,
they share the warehouse pool, and the publish status sensor is registered."""

from __future__ import annotations

import dagster as dg
import pytest

OURS = {
    ("staging/stg_raw__observations", "staged_observations_meet_expectations"),
    ("marts/fct_target_progress", "fct_target_progress_meets_expectations"),
    ("marts/fct_target_progress_by_region", "fct_target_progress_by_region_meets_expectations"),
    ("marts/fct_target_scorecard", "fct_target_scorecard_meets_expectations"),
    ("published/marts", "publish_is_current"),
}


@pytest.fixture(scope="module")
def defs(tmp_path_factory):
    from tests.conftest import point_settings_at

    with pytest.MonkeyPatch.context() as patch:  # loading definitions may create the runtime folder
        point_settings_at(tmp_path_factory.mktemp("defs_home"), patch)
        from dagster_project.definitions import defs as definitions

        yield definitions


def _names(keys) -> set[tuple[str, str]]:
    return {(k.asset_key.to_user_string(), k.name) for k in keys}


def test_the_build_job_runs_the_expectation_checks_and_the_ingest_job_the_raw_ones(defs):
    build = _names(defs.resolve_job_def("build_and_publish").asset_layer.asset_graph.asset_check_keys)
    assert build >= OURS
    assert not any(name.startswith(("release_", "api_")) for _, name in build)
    ingest = _names(defs.resolve_job_def("ingest_release_files").asset_layer.asset_graph.asset_check_keys)
    assert ingest == {
        ("raw/observations", "release_files_pass_contract"),
        ("raw/observations", "release_batches_meet_expectations"),
    }


def test_blocking_checks_gate_the_publish_through_its_direct_parents(defs):
    graph = defs.resolve_asset_graph()
    published = dg.AssetKey(["published", "marts"])
    # Dagster blocks only the direct dependents of a checked asset, so publish reads from each of them.
    parents = {k.to_user_string() for k in graph.get(published).parent_keys}
    for asset, name in OURS - {("published/marts", "publish_is_current")}:
        assert asset in parents, asset
        spec = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(asset.split("/")), name))
        assert spec.blocking, name
    assert not graph.get_check_spec(dg.AssetCheckKey(published, "publish_is_current")).blocking


def test_the_checks_read_the_warehouse_inside_its_single_writer_pool(defs):
    from dagster_project.assets.checks import marts_meet_expectations, staged_observations_meet_expectations
    from dagster_project.resources import WAREHOUSE_POOL

    for check in (marts_meet_expectations, staged_observations_meet_expectations):
        assert check.node_def.pool == WAREHOUSE_POOL
    sensor = defs.resolve_sensor_def("publish_status_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
