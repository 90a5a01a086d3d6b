"""Dagster on PostgreSQL (issue 17): the same code location, its runs and events stored in a PostgreSQL
server that scripts/cluster.py starts on 127.0.0.1 from Debian's binaries and stops by PID."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import psutil
import psycopg2
import pytest

from scripts import cluster
from tests.conftest import point_settings_at

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("cluster_pg")
    state = cluster.up(home, spark=False, postgres=True)
    try:
        yield state
    finally:
        stopped = cluster.down(home)
        assert stopped == [f"postgres (pid {state.processes[0].pid})"]
        assert not any(psutil.pid_exists(p.pid) for p in state.processes), "a cluster process outlived down()"
        if state.postgres_data_dir_is_temporary:
            assert not Path(state.postgres_data_dir).exists()


def test_postgres_listens_on_loopback_only_and_its_pid_is_recorded(postgres):
    (proc,) = postgres.processes
    assert proc.name == "postgres" and psutil.pid_exists(proc.pid)
    listening = {
        c.laddr for c in psutil.Process(proc.pid).net_connections(kind="inet") if c.status == psutil.CONN_LISTEN
    }
    assert listening == {("127.0.0.1", postgres.postgres_port)}
    assert postgres.postgres_dsn == f"postgresql://pmw@127.0.0.1:{postgres.postgres_port}/dagster"


def test_a_second_up_on_the_same_home_refuses_instead_of_starting_twice(postgres):
    with pytest.raises(cluster.ClusterError, match="already running"):
        cluster.up(Path(postgres.home), spark=False)


def test_seed_materialization_is_recorded_in_postgres(postgres, tmp_path, monkeypatch):
    from dagster_project.definitions import build_definitions
    from dagster_project.settings import load_settings

    point_settings_at(tmp_path, monkeypatch)
    defs = build_definitions(load_settings())  # resources on this test's home
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir(exist_ok=True)  # point_settings_at makes the home's dagster_home
    shutil.copy(REPO / "scripts" / "cluster_dagster.yaml", dagster_home / "dagster.yaml")
    for key, value in {
        "PMW_POSTGRES_HOST": "127.0.0.1",
        "PMW_POSTGRES_PORT": str(postgres.postgres_port),
        "PMW_POSTGRES_DB": "dagster",
        "PMW_POSTGRES_USER": "pmw",
    }.items():
        monkeypatch.setenv(key, value)

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        job = dg.define_asset_job(
            # a seed whose tests read no other seed: this warehouse is new (the units' tests read plans, tasks…)
            "one_seed_only",
            selection=dg.AssetSelection.assets(dg.AssetKey(["seeds", "exchange_rates"])),
        )
        result = (
            dg.Definitions.merge(defs, dg.Definitions(jobs=[job]))
            .resolve_job_def("one_seed_only")
            .execute_in_process(instance=instance)
        )
        assert result.success
        run_id = result.run_id

    # read back from PostgreSQL itself, not through Dagster's cache: the run and its materialization
    with psycopg2.connect(postgres.postgres_dsn) as con, con.cursor() as cur:
        cur.execute("select status from runs where run_id = %s", (run_id,))
        assert cur.fetchall() == [("SUCCESS",)]
        cur.execute(
            "select asset_key from event_logs where run_id = %s and dagster_event_type = 'ASSET_MATERIALIZATION'",
            (run_id,),
        )
        assert [row[0] for row in cur.fetchall()] == ['["seeds", "exchange_rates"]']
    # and the seed landed in the run's DuckDB warehouse (the engine stays DuckDB here)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from seeds.exchange_rates").fetchone()[0] > 3


def test_prepare_environment_keeps_a_dagster_yaml_it_did_not_write(tmp_path, monkeypatch):
    """A cluster's $DAGSTER_HOME/dagster.yaml (PostgreSQL storage) survives `pmw run`; the runner's own
    laptop default is still written where there is none, and refreshed where it wrote it."""
    from dagster_project.runner import INSTANCE_YAML, prepare_environment
    from dagster_project.settings import load_settings

    point_settings_at(tmp_path, monkeypatch)
    settings = load_settings()
    instance_yaml = tmp_path / "dagster_home" / "dagster.yaml"
    prepare_environment(settings)
    assert instance_yaml.read_text() == INSTANCE_YAML
    instance_yaml.write_text(INSTANCE_YAML.replace("default_limit: 1", "default_limit: 2"))
    prepare_environment(settings)
    assert instance_yaml.read_text() == INSTANCE_YAML  # an older runner-written file is refreshed
    cluster_yaml = (REPO / "scripts" / "cluster_dagster.yaml").read_text()
    instance_yaml.write_text(cluster_yaml)
    prepare_environment(settings)
    assert instance_yaml.read_text() == cluster_yaml
