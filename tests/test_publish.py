"""Write-audit-publish of the marts: an audited, read-only version made current by one atomic switch;
a failing blocking check stops the publish and the last good copy stays readable."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project import publish
from dagster_project.publish import (
    KEEP_VERSIONS,
    PUBLISHED_MARTS,
    PublishAuditError,
    publish_marts,
    read_manifest,
)
from dagster_project.settings import load_settings
from tests.conftest import point_settings_at
from tests.published_copy import verify_version


def copy_home(sample_pipeline_run, tmp_path: Path) -> Path:
    """The sample run's warehouse and published copy in a home of our own (symlinks kept)."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(sample_pipeline_run.warehouse, home / "warehouse.duckdb")
    shutil.copytree(sample_pipeline_run.home / "published", home / "published", symlinks=True)
    return home


def audit_and_publish_job() -> dg.JobDefinition:
    """The build job after dbt: the expectation checks on the marts, then the publish."""
    from dagster_project.assets.checks import MART_KEYS, mart_check_name
    from dagster_project.assets.publish import PUBLISHED_KEY
    from dagster_project.definitions import build_definitions

    defs = build_definitions(load_settings())  # the settings of the home the test points at
    selection = dg.AssetSelection.checks(
        *(dg.AssetCheckKey(k, mart_check_name(m)) for m, k in MART_KEYS.items())
    ) | dg.AssetSelection.assets(PUBLISHED_KEY)
    job = dg.define_asset_job("audit_and_publish", selection=selection)
    return dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def("audit_and_publish")


def served(published: Path) -> tuple[str, dict[str, int]]:
    """(version, row counts) as a reader of published/marts.duckdb sees them."""
    con = duckdb.connect(str(published / "marts.duckdb"), read_only=True)
    try:
        version = con.execute("select version from publish_manifest").fetchall()[0][0]
        counts = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in PUBLISHED_MARTS}
    finally:
        con.close()
    return version, counts


def test_publish_writes_an_audited_read_only_version_and_switches_in_one_step(sample_pipeline_run, tmp_path):
    home = copy_home(sample_pipeline_run, tmp_path)
    published = home / "published"
    result = publish_marts(home / "warehouse.duckdb", published, "run-aaaaaaaa", {"fct_target_scorecard": "abc"})

    manifest = result.manifest
    assert manifest["run_id"] == "run-aaaaaaaa" and manifest["published_at"].startswith("20")
    assert manifest["expectation_suites"] == {"fct_target_scorecard": "abc"}
    assert len(manifest["source_vintages"]) > 400 and all(v["release_date"] for v in manifest["source_vintages"])
    assert set(manifest["row_counts"]) == {*PUBLISHED_MARTS, "observation_vintages"}
    assert verify_version(result.version_dir) == []  # checksums and row counts as the manifest says
    # every entry point names the new version: the DuckDB file, the manifest, the Parquet folder
    assert Path(os.path.realpath(published / "current")) == result.version_dir
    assert read_manifest(published)["version"] == result.version
    version, counts = served(published)
    assert version == result.version and counts == {m: manifest["row_counts"][m] for m in PUBLISHED_MARTS}
    parquet = duckdb.sql(
        f"select count(*) from read_parquet('{published / 'current' / 'parquet' / 'fct_target_progress.parquet'}')"
    ).fetchall()[0][0]
    assert parquet == manifest["row_counts"]["fct_target_progress"] > 0
    for path in result.version_dir.rglob("*"):
        if path.is_file():
            assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), path

    # A reader holding a version keeps reading it while newer ones are published and it is pruned.
    held = duckdb.connect(str(published / "marts.duckdb"), read_only=True)
    try:
        for i in range(KEEP_VERSIONS + 1):
            publish_marts(home / "warehouse.duckdb", published, f"run-{i}", grace_seconds=0)
        remaining = sorted(p.name for p in (published / "versions").iterdir())
        assert len(remaining) == KEEP_VERSIONS and result.version not in remaining
        assert held.execute("select version from publish_manifest").fetchall() == [(result.version,)]
        assert (
            held.execute("select count(*) from fct_target_scorecard").fetchall()[0][0] == counts["fct_target_scorecard"]
        )
    finally:
        held.close()


def test_a_copy_that_fails_its_audit_is_never_made_current(sample_pipeline_run, tmp_path, monkeypatch):
    home = copy_home(sample_pipeline_run, tmp_path)
    published = home / "published"
    before = read_manifest(published)["version"]
    write = publish._write_version

    def short_copy(*args, **kwargs):  # the copy has one row fewer than the warehouse said
        manifest = write(*args, **kwargs)
        manifest["row_counts"]["fct_target_scorecard"] += 1
        return manifest

    monkeypatch.setattr(publish, "_write_version", short_copy)
    with pytest.raises(PublishAuditError, match="fct_target_scorecard"):
        publish_marts(home / "warehouse.duckdb", published, "run-bad")
    assert read_manifest(published)["version"] == before == served(published)[0]
    assert not list((published / "versions").glob(".incoming-*"))
    assert verify_version(Path(os.path.realpath(published / "current"))) == []


def test_a_failing_blocking_check_stops_the_publish_and_the_last_good_copy_stays_readable(
    sample_pipeline_run, tmp_path, monkeypatch
):
    from dagster_project.assets.publish import (
        PUBLISH_IS_CURRENT,
        PUBLISHED_KEY,
        SERVED_VERSION_TAG,
        report_not_published,
    )
    from dagster_project.runner import prepare_environment

    home = copy_home(sample_pipeline_run, tmp_path)
    point_settings_at(home, monkeypatch)
    prepare_environment(load_settings())
    published = home / "published"
    before_version, before_counts = served(published)
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:  # a target of the catalogue vanishes from the scorecard
        con.execute("delete from marts.fct_target_scorecard where target_id = 'T5Y-DBL-TRADE'")
    finally:
        con.close()
    # the mart checks and the publish, as build_and_publish runs them after dbt (without rebuilding)
    job = audit_and_publish_job()
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        assert PUBLISHED_KEY not in {e.asset_key for e in result.get_asset_materialization_events()}
        (scorecard,) = [e for e in result.get_asset_check_evaluations() if e.check_name.startswith("fct_target_score")]
        assert not scorecard.passed and scorecard.severity == dg.AssetCheckSeverity.ERROR
        assert "every_catalogue_target" in scorecard.metadata["failed_expectations"].value
        assert "T5Y-DBL-TRADE" in scorecard.metadata["sample_rows"].value
        assert before_version in scorecard.metadata["publish"].value  # says which copy readers keep
        assert Path(scorecard.metadata["report"].value).read_text().count("every_catalogue_target") >= 2

        # what the runner (or the failure sensor) then records: publish_is_current fails with the served version
        report_not_published(
            instance, result.run_id, "failed: fct_target_scorecard_meets_expectations", home / "published"
        )
        assert instance.get_run_by_id(result.run_id).tags[SERVED_VERSION_TAG] == before_version
        (record,) = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(PUBLISHED_KEY, PUBLISH_IS_CURRENT), limit=1
        )
        evaluation = record.event.dagster_event.event_specific_data
        assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
        assert evaluation.metadata["served_version"].value == before_version

    # the last good copy is untouched and readable, and still has the target the bad build lost
    assert served(published) == (before_version, before_counts)
    assert verify_version(Path(os.path.realpath(published / "current"))) == []
    con = duckdb.connect(str(published / "marts.duckdb"), read_only=True)
    try:
        kept = con.execute("select count(*) from fct_target_scorecard where target_id = 'T5Y-DBL-TRADE'").fetchall()
    finally:
        con.close()
    assert kept == [(1,)]
