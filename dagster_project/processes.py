"""Stopping a process and everything it started, promptly (`pmw ui`: dagster dev, its webserver,
daemon and code servers). Linux: the process tree is read from /proc. And a process's imports of the
big libraries without Python's collector walking them as they load (:func:`collections_paused`)."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import subprocess
import time
from pathlib import Path


@contextlib.contextmanager
def collections_paused():
    """No automatic garbage collection inside: around importing Dagster, pandas or Great Expectations,
    whose hundreds of thousands of objects all live on. While they load, the heap grows by a quarter
    again and again and each time Python's collector walks all of it (six full collections, 0.6 s of
    CPU of a 5 s `pmw ingest`, measured). Garbage made inside is collected by the next collection after.
    """
    if not gc.isenabled():  # nested, or the process turned collection off itself: leave it as it is
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren …), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # the command name may hold spaces or parentheses: the fields after the last ')' are fixed
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            pass
        # a zombie has exited: it only waits for its parent to collect it
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
        alive.append(pid)
    return alive


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def stop_tree(proc: subprocess.Popen, grace: float = 5.0, term_grace: float = 3.0) -> None:
    """SIGINT to ``proc`` (its own orderly shutdown), then SIGTERM and at last SIGKILL to whatever of
    its tree is still running. Returns within about ``grace + term_grace`` seconds."""
    tree = [proc.pid, *descendants(proc.pid)]
    _signal_all([proc.pid], signal.SIGINT)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _alive(tree):
        proc.poll()
        time.sleep(0.1)
    tree += [p for p in descendants(proc.pid) if p not in tree] if proc.poll() is None else []
    for signum, wait in ((signal.SIGTERM, term_grace), (signal.SIGKILL, 2.0)):
        left = _alive(tree)
        if not left:
            break
        _signal_all(left, signum)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _alive(left):
            proc.poll()
            time.sleep(0.1)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=1)


def run_until_signal(command: list[str]) -> int:
    """Run ``command``; on SIGINT or SIGTERM stop it and its whole tree promptly (exit code 0: stopped as
    asked); otherwise its own exit code."""
    received: list[int] = []

    def on_signal(signum, frame) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        proc = subprocess.Popen(command)
        while proc.poll() is None and not received:
            time.sleep(0.2)
        if received:
            stop_tree(proc)
            return 0  # stopped as asked
        return proc.returncode
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
