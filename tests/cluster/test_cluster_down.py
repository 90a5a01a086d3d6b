"""`make spark-down` (scripts/cluster.py down): every recorded daemon is stopped, Spark's together."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil

from scripts import cluster

# a daemon slow to stop: it ignores SIGTERM (as a busy Spark daemon can for minutes)
STUBBORN = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(120)"
)


def test_the_spark_daemons_are_stopped_together_within_one_grace(tmp_path, monkeypatch):
    """Three daemons that ignore SIGTERM cost one grace, not one each (CI's teardown was 3 x 15 s), and
    none outlives down()."""
    grace = 2.0
    monkeypatch.setattr(cluster, "SPARK_STOP_GRACE_SECONDS", grace)
    state = cluster.ClusterState(home=str(tmp_path))
    daemons = []
    for name in ("spark-master", "spark-worker", "spark-thrift"):
        daemon = subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE, text=True)
        assert daemon.stdout.readline().strip() == "up"  # its SIGTERM handler is in place
        daemons.append(daemon)
        state.processes.append(cluster.Proc(name=name, pid=daemon.pid, log=str(tmp_path / f"{name}.log")))
    state.save()
    started = time.monotonic()
    stopped = cluster.down(tmp_path)
    took = time.monotonic() - started
    for daemon in daemons:
        daemon.wait(timeout=10)  # reaped: a killed child of this process is no longer a zombie
    assert len(stopped) == 3 and not any(psutil.pid_exists(d.pid) and d.poll() is None for d in daemons)
    assert took < 2 * grace, f"down took {took:.1f} s for three daemons at a {grace} s grace"
    assert cluster.ClusterState.load(tmp_path) is None
