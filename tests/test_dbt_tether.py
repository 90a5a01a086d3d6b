"""dbt dies with the process that started it (dagster_project/tether.py, resources.tethered_dbt), and a
command meeting another process on the warehouse file names it (runner.warehouse_lock).

A `pmw run` SIGKILLed mid-build left dbt running (reparented) for ~20 s, finishing its model and holding the
DuckDB write lock, so a rerun right away could fail on it. These tests use a dummy dbt (a sleeping Python)
rather than a whole pipeline: a few seconds, not another minute."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dagster_project.settings import REPO_ROOT, load_settings
from tests.conftest import point_settings_at

TETHER = str(REPO_ROOT / "dagster_project" / "tether.py")

# A dummy dbt: writes its pid, then sleeps (or exits 0 on SIGINT, noting it) for a minute.
DUMMY = textwrap.dedent(
    """
    import os, signal, sys, time
    out = sys.argv[1]
    def stop(signum, frame):
        open(out + ".sigint", "w").close()
        sys.exit(0)
    signal.signal(signal.SIGINT, stop)
    with open(out + ".tmp", "w") as fh:
        fh.write(str(os.getpid()))
    os.replace(out + ".tmp", out)
    time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 60)
    open(out + ".done", "w").close()
    """
)


def _running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _pid_from(path: Path, seconds: float = 30) -> int:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)
    return int(path.read_text())


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def dummy(tmp_path: Path) -> Path:
    """An executable dummy dbt, the way dbt is one (a script with this Python in its first line)."""
    path = tmp_path / "dbt"
    path.write_text(f"#!{sys.executable}\n{DUMMY}", encoding="utf-8")
    path.chmod(0o755)
    return path


# The parent: builds the resources as a run does, with the dummy as the venv's dbt, and starts the dbt of
# the DbtCliResource (as dagster-dbt does), then waits to be killed.
PARENT = textwrap.dedent(
    """
    import subprocess, sys, time
    from dagster_project import resources
    from dagster_project.settings import load_settings
    fake, out = sys.argv[1:3]
    resources.dbt_executable = lambda: fake
    executable = resources.build_resources(load_settings())["dbt"].dbt_executable
    subprocess.Popen([executable, out])
    time.sleep(120)
    """
)


def test_the_dbt_of_a_killed_run_dies_with_it(tmp_path: Path, monkeypatch, dummy: Path):
    """The run's process SIGKILLed alone (not its group): its dbt was reparented and went on; now it is gone
    within a second or so."""
    point_settings_at(tmp_path / "home", monkeypatch)
    out = tmp_path / "dbt.pid"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(dummy), str(out)], cwd=REPO_ROOT, env=dict(os.environ))
    pid = _pid_from(out, 120)  # the parent imports dagster-dbt first
    try:
        parent.kill()
        parent.wait()
        assert _gone_within(pid, 3), "dbt outlived the process that started it"
    finally:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)


def _tethered(out: Path, *args: str, **kwargs) -> subprocess.Popen:
    """The dummy through the tether, started by this process."""
    command = [sys.executable, "-I", "-S", TETHER, str(os.getpid()), sys.executable, "-c", DUMMY, str(out), *args]
    return subprocess.Popen(command, **kwargs)


def test_dbt_outlives_the_thread_that_started_it_and_keeps_its_exit_status(tmp_path: Path):
    """PR_SET_PDEATHSIG set for dbt from the run's side fires when the *thread* that forked exits: the
    tether watches the process instead. The dummy, started from a thread that ends at once, finishes."""
    import threading

    out = tmp_path / "dbt.pid"
    started: list[subprocess.Popen] = []
    thread = threading.Thread(target=lambda: started.append(_tethered(out, "1.5")))
    thread.start()
    thread.join()
    [tether] = started
    assert tether.wait(timeout=30) == 0
    assert Path(str(out) + ".done").exists()
    status = subprocess.run(
        [sys.executable, "-I", "-S", TETHER, str(os.getpid()), sys.executable, "-c", "print('out'); exit(3)"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (status.returncode, status.stdout) == (3, "out\n")


def test_a_signal_to_the_tether_reaches_dbt_and_dbt_dies_if_the_tether_is_killed(tmp_path: Path):
    """dagster-dbt stops a cancelled dbt with SIGINT, sent to what it started: dbt gets it (once). And the
    tether SIGKILLed alone takes dbt with it."""
    out = tmp_path / "a.pid"
    tether = _tethered(out)
    _pid_from(out)
    tether.send_signal(signal.SIGINT)
    assert tether.wait(timeout=10) == 0
    assert Path(str(out) + ".sigint").exists()

    out = tmp_path / "b.pid"
    tether = _tethered(out)
    pid = _pid_from(out)
    try:
        tether.kill()
        tether.wait()
        assert _gone_within(pid, 3), "dbt outlived its tether"
    finally:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_command_meeting_another_process_on_the_warehouse_file_names_it(tmp_path: Path, monkeypatch):
    """A rerun right after a killed run met the dbt still writing the warehouse and failed on DuckDB's lock
    error deep in the run. Now `pmw run` / `pmw ingest` wait for such a process within the lock timeout,
    naming it, then refuse cleanly with nothing written; once it is gone they go on."""
    from dagster_project.runner import WarehouseBusy, warehouse_lock

    point_settings_at(tmp_path, monkeypatch)
    settings = load_settings()
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            "con = duckdb.connect(sys.argv[1]); con.execute('create table t (x int)')\n"
            "print('held', flush=True); time.sleep(60)",
            str(settings.warehouse_path),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"held"
        said: list[str] = []
        with (
            pytest.raises(WarehouseBusy, match=rf"still held by pid {holder.pid} \(.*python.*nothing was written"),
            warehouse_lock(settings, said.append, timeout=1),
        ):
            pass
        assert said and f"waiting for pid {holder.pid} (" in said[0] and "holds the warehouse file" in said[0]
    finally:
        holder.kill()
        holder.wait()
    with warehouse_lock(settings, said.append, timeout=5):
        pass
