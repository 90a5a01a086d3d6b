"""`make spark-up` (scripts/cluster.py up): a daemon is ready when it listens on its own port.

CI once failed 9 tests because dbt's first connection to the Thrift server "read 0 bytes" right after
`up` had judged the server ready from its port answering a connect. A port answers for whichever process
holds it; readiness now asks whose it is (and, for the Thrift server, that a session runs a query).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts import cluster

LISTENER = (
    "import socket, sys, time; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen();"
    " print(s.getsockname()[1], flush=True); time.sleep(60)"
)
SLEEPER = "import time; print('up', flush=True); time.sleep(60)"


def _daemon(code: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def test_a_port_held_by_another_process_is_not_taken_for_the_daemon_being_ready():
    daemon, _ = _daemon(SLEEPER)
    other = socket.socket()
    try:
        other.bind((cluster.LOOPBACK, 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(cluster.PortTaken, match=rf"port {port} chosen for the Spark Thrift server is held by"):
            cluster._listens(daemon, port, "the Spark Thrift server")
    finally:
        other.close()
        daemon.kill()
        daemon.wait()


def test_a_daemon_listening_on_its_port_is_ready_and_one_not_yet_listening_is_not():
    daemon, printed = _daemon(LISTENER)
    try:
        assert cluster._listens(daemon, int(printed), "a daemon")
        assert not cluster._listens(daemon, cluster.free_port(), "a daemon")
    finally:
        daemon.kill()
        daemon.wait()


def test_up_starts_again_on_new_ports_when_a_port_was_taken_and_gives_up_after_its_attempts(
    tmp_path, monkeypatch, capsys
):
    attempts: list[int] = []

    def start_spark(state, jars):
        attempts.append(len(attempts) + 1)
        if len(attempts) < 2:
            raise cluster.PortTaken("port 1234 chosen for the Spark Thrift server is held by another process")
        state.thrift_host, state.thrift_port = cluster.LOOPBACK, 4321

    monkeypatch.setattr(cluster, "start_spark", start_spark)
    state = cluster.up(tmp_path, spark=True, postgres=False)
    assert attempts == [1, 2] and state.thrift_port == 4321
    assert "port 1234 chosen for the Spark Thrift server is held by another process; starting again" in (
        capsys.readouterr().err
    )

    def always_taken(state, jars):
        attempts.append(len(attempts) + 1)
        raise cluster.PortTaken("port 1234 chosen for the Spark master is held by another process")

    monkeypatch.setattr(cluster, "start_spark", always_taken)
    cluster.down(tmp_path)
    with pytest.raises(cluster.PortTaken, match="the Spark master"):
        cluster.up(tmp_path, spark=True, postgres=False)
    assert len(attempts) == 2 + cluster.START_ATTEMPTS


def test_the_thrift_server_has_room_for_the_plans_it_makes_and_keeps_few_of_them_as_text(tmp_path):
    """The driver plans every statement: with 1 GB its serial collector ran 44 full collections in the
    portability module (the unit tests' plans are large), and it kept the text of the last 1,000 plans
    (SQL executions) and 200 statements (Thrift server) for a UI that is off."""
    state = cluster.ClusterState(home=str(tmp_path), spark_master_url="spark://127.0.0.1:7077")
    conf = cluster.spark_conf(state, [])
    assert conf["spark.driver.memory"].endswith("g") and int(conf["spark.driver.memory"][:-1]) >= 2
    for key in (
        "spark.sql.ui.retainedExecutions",
        "spark.sql.thriftserver.ui.retainedStatements",
        "spark.sql.thriftserver.ui.retainedSessions",
    ):
        assert int(conf[key]) <= 50, key


def test_the_thrift_servers_class_path_has_what_hives_function_registry_loads():
    """ci96: dbt's run on Spark failed as it released a connection: the Thrift server, closing a session on a worker
    thread that had not loaded Hive's FunctionRegistry, loaded it, and it needs LlapSigner$Signable from
    hive-llap-common, which the pyspark wheel leaves out. make setup copies it beside Delta's jars (the pom),
    and the driver's class path (what the Thrift server loads from) must hold it."""
    wanted = "org/apache/hadoop/hive/llap/security/LlapSigner$Signable.class"

    def holds(jar: Path) -> bool:
        with zipfile.ZipFile(jar) as z:
            return wanted in z.namelist()

    assert not any(holds(j) for j in (cluster.spark_home() / "jars").glob("hive-*.jar"))  # the wheel's Hive lacks it
    state = cluster.ClusterState(home="/tmp/unused", spark_master_url="spark://127.0.0.1:7077")
    jars = cluster.delta_jars()
    class_path = cluster.spark_conf(state, jars).get("spark.driver.extraClassPath", "")
    assert any(holds(Path(j)) for j in class_path.split(":") if j), class_path
