"""`pmw ui` stops promptly on SIGTERM and SIGINT, and leaves none of the processes it started
(dagster dev, its webserver, daemon and code server) behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from dagster_project.processes import descendants, run_until_signal
from tests.browser.test_dagster_ui import free_port, wait_until_up
from tests.conftest import REPO


def running(pids: list[int], wait: float = 3.0) -> list[int]:
    """Those of ``pids`` still running (zombies have exited) after at most ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (FileNotFoundError, ProcessLookupError):
                continue
            if state != "Z":
                alive.append(pid)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def test_pmw_ui_stops_within_seconds_on_sigterm(tmp_path):
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
        start_new_session=True,  # its own group, so nothing it starts can outlive the test
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", proc)
        time.sleep(2)  # the daemon and the code server are starting too
        started = descendants(proc.pid)
        assert len(started) >= 2  # dagster dev and the webserver at least
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert took < 12, f"pmw ui took {took:.1f}s to stop"
    assert proc.returncode == 0
    assert running(started) == [], "processes left running"


STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)   # like a server that takes a minute to shut down
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
print(child.pid, flush=True)
time.sleep(300)
"""


def test_sigint_stops_even_a_child_that_ignores_it(tmp_path):
    pid_file = tmp_path / "pids"
    stubborn = f"import sys; sys.stdout = open({str(pid_file)!r}, 'w')\n" + STUBBORN

    def interrupt_soon() -> None:
        deadline = time.monotonic() + 30
        while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C

    threading.Thread(target=interrupt_soon, daemon=True).start()
    started = time.monotonic()
    code = run_until_signal([sys.executable, "-c", stubborn])
    took = time.monotonic() - started
    grandchild = int(pid_file.read_text().split()[0])
    assert code == 0 and took < 20
    assert running([grandchild]) == []
