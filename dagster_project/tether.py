"""Run a command (dbt) tied to the process that started it: 系住子进程 / the child ends when its parent dies.

    python -I -S tether.py PARENT_PID COMMAND [ARGS …]

dagster-dbt starts dbt as a child of `pmw run`. When `pmw run` was SIGKILLed, dbt was reparented and
finished its model (about 20 s), holding the DuckDB write lock, so a rerun right away could fail on it.
dagster-dbt starts this instead (``resources.tethered_dbt``: a two-line script, dbt_executable) and
this starts dbt:

- it watches its own parent *process* (``os.getppid()`` against PARENT_PID, the parent the script was
  started by): when that dies it kills dbt at once and exits. Not PR_SET_PDEATHSIG on dbt from the
  parent's side, which fires when the *thread* that forked exits, not the process;
- dbt gets PR_SET_PDEATHSIG(SIGKILL) from this process, single-threaded, so it dies with it too (this
  process SIGKILLed alone);
- a signal another process sends it (dagster-dbt's SIGINT on a cancelled run) is passed on to dbt; one
  from the terminal (Ctrl-C reaches the whole process group, dbt included) is not passed a second time;
- dbt's exit status is its own (128 + n when killed by signal n); stdin, stdout and stderr are dbt's.

Standard library only, started with -S: no site-packages to load before dbt starts. Linux only.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

POLL_SECONDS = 0.2  # how late dbt may learn that its parent died
_PR_SET_PDEATHSIG = 1
_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_WAITED = (*_FORWARDED, signal.SIGCHLD)


def _child_setup(tether: int, libc: ctypes.CDLL) -> None:
    """In dbt's process, before exec: its signals as usual, and death with this process (``tether``)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _WAITED)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        os._exit(126)  # not tied: better not to start than to outlive the run
    if os.getppid() != tether:  # this process died between fork and prctl
        os._exit(126)


def run(parent: int, command: list[str]) -> int:
    """Run ``command`` until it exits or ``parent`` (this process's parent) dies; its exit status."""
    if os.getppid() != parent:
        return 125  # the parent is already gone: start nothing
    # The signals are taken by sigtimedwait (with who sent them), not by handlers.
    signal.pthread_sigmask(signal.SIG_BLOCK, _WAITED)
    me, libc = os.getpid(), ctypes.CDLL(None, use_errno=True)  # loaded before the fork, not in the child
    # preexec_fn is safe here: this process has one thread
    child = subprocess.Popen(command, preexec_fn=lambda: _child_setup(me, libc))
    while True:
        status = child.poll()
        if status is not None:
            return status if status >= 0 else 128 - status
        if os.getppid() != parent:  # reparented: the process that started us died
            child.kill()
            child.wait()
            return 128 + signal.SIGKILL
        info = signal.sigtimedwait(_WAITED, POLL_SECONDS)
        if info is not None and info.si_signo != signal.SIGCHLD and info.si_pid != 0:
            # sent by a process (si_pid 0: the kernel, i.e. the terminal, which signalled dbt's group too)
            child.send_signal(info.si_signo)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or not argv[1].isdigit():
        print("usage: tether.py PARENT_PID COMMAND [ARGS …]", file=sys.stderr)
        return 2
    return run(int(argv[1]), argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
