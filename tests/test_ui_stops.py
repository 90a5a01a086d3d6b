"""`pmw ui` stops promptly on SIGTERM and SIGINT, and leaves none of the processes it started
(dagster dev, its webserver, daemon and code server) behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dagster_project.processes import descendants
from tests.browser.test_dagster_ui import free_port, wait_until_up
from tests.conftest import REPO


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_pmw_ui_stops_within_seconds(tmp_path, signum):
    home = tmp_path / "home"
    env = {
        **os.environ,
        "PMW_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster_home"),
        "PMW_WAREHOUSE_PATH": str(home / "warehouse.duckdb"),
    }
    port = free_port()
    pmw = str(Path(sys.executable).parent / "pmw")
    proc = subprocess.Popen(
        [pmw, "ui", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own group: whatever it starts is found and checked below
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", proc)
        started = descendants(proc.pid)
        assert len(started) >= 2  # dagster dev and the webserver at least
        time.sleep(2)  # the daemon and the code server are starting too
        sent = time.monotonic()
        proc.send_signal(signum)
        proc.wait(timeout=20)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert took < 12, f"pmw ui took {took:.1f}s to stop"
    assert proc.returncode == 0
    left = []
    for pid in started:
        try:
            os.kill(pid, 0)
            left.append(pid)
        except ProcessLookupError:
            pass
    with_group = [p for p in left if os.path.exists(f"/proc/{p}")]
    assert not with_group, f"processes left running: {with_group}"
