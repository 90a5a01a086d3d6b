"""Readers of the published copy while the pipeline publishes, and a pipeline killed mid-publish:
readers are never blocked and never see a half-written copy; the next run completes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.publish import read_manifest
from dagster_project.settings import load_settings
from tests.conftest import REPO, point_settings_at
from tests.mart_tables import make_mart_writable
from tests.published_copy import verify_version
from tests.test_publish import audit_and_publish_job, copy_home, served

# A BI-like reader: the DuckDB file (its manifest is inside it) and the Parquet folder of `current`
# (resolved once), each checked against its own version's row counts, as fast as it can.
READER = r"""
import json, os, sys, time, duckdb
published, ready, stop, out = sys.argv[1:5]
reads, failures, versions = 0, [], set()
deadline = time.monotonic() + 180
while not os.path.exists(stop) and time.monotonic() < deadline:
    try:
        con = duckdb.connect(os.path.join(published, "marts.duckdb"), read_only=True)
        try:
            version, manifest_json = con.execute("select version, manifest_json from publish_manifest").fetchall()[0]
            for table, rows in json.loads(manifest_json)["row_counts"].items():
                found = con.execute(f"select count(*) from {table}").fetchall()[0][0]
                if found != rows:
                    failures.append(f"duckdb {version} {table}: {found} rows, manifest {rows}")
        finally:
            con.close()
        folder = os.path.realpath(os.path.join(published, "current"))
        with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as fh:
            manifest = json.load(fh)
        for mart in manifest["marts"]:
            path = os.path.join(folder, "parquet", mart + ".parquet")
            found = duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0]
            rows = manifest["row_counts"][mart]
            if found != rows:
                failures.append(f"parquet {manifest['version']} {mart}: {found} rows, manifest {rows}")
        versions.update((version, manifest["version"]))
        reads += 1
        if reads == 1:
            open(ready, "w").close()
    except Exception as exc:  # a read that fails at all counts: readers must never be refused
        failures.append(f"{type(exc).__name__}: {exc}")
with open(out, "w") as fh:
    json.dump({"reads": reads, "failures": failures, "versions": sorted(versions)}, fh)
"""


def _wait_for(path: Path, proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, "the reader died"
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_readers_see_only_complete_versions_while_the_pipeline_publishes(sample_pipeline_run, tmp_path, monkeypatch):
    from dagster_project.runner import prepare_environment

    home = copy_home(sample_pipeline_run, tmp_path)
    point_settings_at(home, monkeypatch)
    prepare_environment(load_settings())
    published, ready, stop, out = home / "published", tmp_path / "ready", tmp_path / "stop", tmp_path / "reads.json"
    # the expectation checks on the marts, then the publish: the build job after dbt, several times
    job = audit_and_publish_job()

    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(ready), str(stop), str(out)])
    try:
        _wait_for(ready, reader, 60)
        versions = [read_manifest(published)["version"]]
        with dg.instance_for_test() as instance:
            for i in range(4):
                con = duckdb.connect(str(home / "warehouse.duckdb"))
                try:  # each version has different row counts, so a torn read would show
                    make_mart_writable(con, "fct_target_progress_by_region")
                    con.execute(
                        "delete from marts.fct_target_progress_by_region where rowid in "
                        f"(select rowid from marts.fct_target_progress_by_region limit {5 + i})"
                    )
                finally:
                    con.close()
                result = job.execute_in_process(instance=instance)
                assert result.success
                versions.append(read_manifest(published)["version"])
                time.sleep(0.3)  # let the reader read this version
        stop.touch()
        reader.wait(timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    report = json.loads(out.read_text())
    assert report["failures"] == []
    assert report["reads"] >= 20, report
    assert len(set(versions)) == 5
    assert len(set(report["versions"]) & set(versions)) >= 3, (report["versions"], versions)


# The publish part of the build job (the mart checks, then the publish) in a process of its own, as
# `pmw run` runs it after dbt: tagged with the runner's host and pid and holding the warehouse lock, so
# the next `pmw run` must recover the run it leaves STARTED. (Killing a whole `pmw run` instead would
# only add a dbt build before the publish; the next run below is a whole `pmw run`.)
PUBLISH_RUN = r"""
import dagster as dg
from dagster_project.runner import RUN_CONFIG, _runner_tags, prepare_environment, warehouse_lock
from dagster_project.settings import load_settings
from tests.test_publish import audit_and_publish_job

settings = prepare_environment(load_settings())
with warehouse_lock(settings, print, what="pmw run"):
    audit_and_publish_job().execute_in_process(
        run_config=RUN_CONFIG, instance=dg.DagsterInstance.get(), tags=_runner_tags()
    )
"""


def test_a_pipeline_killed_mid_publish_leaves_the_copy_intact_and_the_next_run_completes(sample_pipeline_run, tmp_path):
    home = copy_home(sample_pipeline_run, tmp_path)
    published = home / "published"
    before = read_manifest(published)["version"]
    env = dict(
        os.environ,
        PMW_HOME=str(home),
        DAGSTER_HOME=str(home / "dagster_home"),
        PMW_WAREHOUSE_PATH=str(home / "warehouse.duckdb"),
    )
    env.pop("PMW_STATS_API_URL", None)
    pmw = [str(Path(sys.executable).parent / "pmw"), "run"]  # landing is empty: build, check, publish
    log = tmp_path / "killed_run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", PUBLISH_RUN],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        caught = None
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            incoming = list((published / "versions").glob(".incoming-*"))
            if incoming:
                os.killpg(proc.pid, signal.SIGSTOP)  # freeze it mid-publish, then kill it outright
                caught = [p for p in incoming if p.exists()]
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.002)
        proc.wait(timeout=60)
    assert caught, "the run was not caught while writing a version:\n" + log.read_text()[-3000:]
    assert proc.returncode == -signal.SIGKILL

    # Readers still get the previous version, complete; the unfinished one was never made current.
    assert read_manifest(published)["version"] == before == served(published)[0]
    assert verify_version(Path(os.path.realpath(published / "current"))) == []
    assert caught[0].exists() and not (caught[0] / "manifest.json").exists()

    # The next run completes, publishes a new version and clears the unfinished one.
    # a hang guard: a whole `pmw run` takes minutes when the shared machine is loaded
    done = subprocess.run(pmw, env=env, cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    # the killed run held the warehouse pool's only slot: the runner failed it and released the slot
    assert "left running by a process that died" in done.stdout  # a note of the run's console output
    after = read_manifest(published)["version"]
    assert after != before and served(published)[0] == after
    assert verify_version(Path(os.path.realpath(published / "current"))) == []
    assert not list((published / "versions").glob(".incoming-*"))
