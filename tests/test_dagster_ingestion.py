"""Ingestion as Dagster runs it: the landing sensor, partitioned runs, idempotent backfills and the
quarantine path with its blocking check."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import REPO, point_settings_at

SAMPLE = REPO / "data" / "sample"
GOOD_FILES = ["2021-02/zhuzhou_tjyb_2021-01.csv", "2021-02/air_2021-01.html"]
BAD_FILE = "bad/long_unit_contradiction.csv"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    from dagster_project.runner import prepare_environment

    point_settings_at(tmp_path, monkeypatch)
    prepare_environment(_settings())
    return tmp_path


def _land(home: Path, relative: str) -> Path:
    target = home / "landing" / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE / relative, target)
    return target


def _rows(home: Path) -> int:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select count(*) from raw.observations").fetchall()[0][0]
    finally:
        con.close()


def _ingest(instance: dg.DagsterInstance, home: Path) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    from dagster_project.runner import ingest_landing

    summary = ingest_landing(instance, _settings(), log=lambda _m: None)
    return summary, summary.files_quarantined


def _settings():
    from dagster_project.settings import load_settings

    return load_settings()


def _resources() -> dict:
    from dagster_project.resources import SettingsResource

    return {"settings": SettingsResource.from_settings(_settings())}


def _tick(instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    """One evaluation of the landing sensor with the cursor the last one left."""
    from dagster_project.sensors import landing_folder_sensor

    context = dg.build_sensor_context(instance=instance, resources=_resources(), cursor=cursor)
    return landing_folder_sensor(context)


def test_sensor_requests_one_run_per_new_or_corrected_file(home):
    landed = _land(home, GOOD_FILES[0])
    (home / "landing" / "bad\nname.csv").write_text("x")  # a hostile name is never a partition
    with dg.instance_for_test() as instance:
        first_look = _tick(instance, None)  # a file seen for the first time may still be arriving: it waits a tick
        assert not first_look.run_requests and "taken at the next tick" in first_look.skip_reason.skip_message
        result = _tick(instance, first_look.cursor)
        assert [r.partition_key for r in result.run_requests] == [GOOD_FILES[0]]
        assert result.dynamic_partitions_requests[0].partition_keys == [GOOD_FILES[0]]
        first_key = result.run_requests[0].run_key

        instance.add_dynamic_partitions("release_files", [GOOD_FILES[0]])
        again = _tick(instance, result.cursor)
        assert again.run_requests[0].run_key == first_key  # unchanged file: Dagster skips the duplicate key
        assert again.dynamic_partitions_requests == []

        landed.write_bytes(landed.read_bytes() + b"\n")  # a corrected file under the same name
        changed = _tick(instance, again.cursor)
        assert not changed.run_requests  # changed since the last look: it may still be being written
        corrected = _tick(instance, changed.cursor)
        assert corrected.run_requests[0].run_key != first_key


def test_sensor_waits_for_a_file_still_being_copied_in(home):
    # a copy over a share shows the file before its last byte (and a Windows copy keeps the source's modification
    # time): the sensor took the file at its first look, so a cut-short CSV was loaded or quarantined
    whole = (SAMPLE / GOOD_FILES[0]).read_bytes()
    target = home / "landing" / GOOD_FILES[0]
    target.parent.mkdir(parents=True)
    target.write_bytes(whole[: len(whole) // 2])
    old = 1_600_000_000  # the source's modification time, kept by the copy
    os.utime(target, (old, old))
    with dg.instance_for_test() as instance:
        first = _tick(instance, None)
        target.write_bytes(whole)  # the rest of the copy arrives
        os.utime(target, (old, old))
        second = _tick(instance, first.cursor)
        assert not first.run_requests and not second.run_requests
        third = _tick(instance, second.cursor)  # two looks agree: at rest
        [request] = third.run_requests
        assert request.run_key.endswith(hashlib.sha256(whole).hexdigest()[:16])


def test_partitioned_ingest_is_idempotent_when_backfilled(home):
    for relative in GOOD_FILES:
        _land(home, relative)
    with dg.instance_for_test() as instance:
        summary, quarantined = _ingest(instance, home)
        assert quarantined == [] and sorted(summary.files_loaded) == sorted(GOOD_FILES)
        rows_after_first = _rows(home)
        assert rows_after_first > 20
        # the files were archived; a backfill of the same partitions reads them from the archive
        assert not any((home / "landing" / f).exists() for f in GOOD_FILES)
        from dagster_project.definitions import build_definitions
        from dagster_project.runner import RUN_CONFIG, _range_tags

        keys = instance.get_dynamic_partitions("release_files")
        backfill = (
            build_definitions(_settings())
            .resolve_job_def("ingest_release_files")
            .execute_in_process(run_config=RUN_CONFIG, instance=instance, tags=_range_tags(keys))
        )
        assert backfill.success
        assert _rows(home) == rows_after_first


def test_bad_file_is_quarantined_fails_the_blocking_check_and_keeps_stored_rows(home):
    _land(home, GOOD_FILES[0])
    with dg.instance_for_test() as instance:
        _ingest(instance, home)
        stored = _rows(home)
        _land(home, BAD_FILE)
        summary, quarantined = _ingest(instance, home)
        assert quarantined == [BAD_FILE]
        assert "raw/observations:release_files_pass_contract" in summary.failed_checks
        assert _rows(home) == stored  # nothing already stored is lost
        reports = list((home / "quarantine").glob("*.errors.md"))
        assert reports, "a readable error report sits next to the quarantined file"
        text = reports[0].read_text()
        assert "long_unit_contradiction.csv" in text and "家" in text
        assert not (home / "landing" / BAD_FILE).exists()


def test_a_quarantined_partition_is_failed_in_dagster_and_the_good_ones_of_its_run_are_materialized(home):
    """Issue 16: one run over three files, one of them bad. Dagster records the bad partition as
    failed (not materialized) and the two good ones as materialized; a single-partition run of a bad
    file fails."""
    from dagster_project.assets.ingestion import release_files

    for relative in [*GOOD_FILES, BAD_FILE]:
        _land(home, relative)
    key = dg.AssetKey(["raw", "observations"])
    with dg.instance_for_test() as instance:
        summary, quarantined = _ingest(instance, home)
        assert quarantined == [BAD_FILE] and sorted(summary.files_loaded) == sorted(GOOD_FILES)
        assert instance.get_materialized_partitions(key) == set(GOOD_FILES)
        status = instance.get_status_by_partition(key, [*GOOD_FILES, BAD_FILE], release_files)
        assert status[BAD_FILE] == dg.AssetPartitionStatus.FAILED
        assert all(status[f] == dg.AssetPartitionStatus.MATERIALIZED for f in GOOD_FILES)

        from dagster_project.ingest_job import ingest_job
        from dagster_project.runner import RUN_CONFIG

        (home / "quarantine").mkdir(exist_ok=True)
        _land(home, BAD_FILE)  # delivered again, still bad: its own run fails
        single = ingest_job(_settings()).execute_in_process(
            run_config=RUN_CONFIG, instance=instance, partition_key=BAD_FILE, raise_on_error=False
        )
        assert not single.success
        assert instance.get_materialized_partitions(key) == set(GOOD_FILES)
