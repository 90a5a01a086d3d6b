"""`make setup`'s install step, run for real against stand-in `python` and `uv` that log their calls.

Every setup on a machine (each CI clone, each fresh checkout) rebuilds pyspark's sdist into uv's
cache and keeps it: about 2.8 GB each, which filled a CI machine's disk. The install must prune
uv's cache once the install has succeeded.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _stand_in(path: Path, name: str, log: Path, exit_code: int = 0) -> None:
    path.write_text(f'#!/bin/bash\necho "{name} $*" >> "{log}"\nexit {exit_code}\n')
    path.chmod(0o755)


def _run_install(tmp_path: Path, uv_exit: int = 0) -> tuple[subprocess.CompletedProcess, list[str]]:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "calls.log"
    _stand_in(venv / "bin" / "python", "python", log)
    _stand_in(venv / "bin" / "uv", "uv", log, exit_code=uv_exit)
    pins = hashlib.sha1((REPO / "pyproject.toml").read_bytes()).hexdigest()[:12]
    stamp = venv / f".installed-{pins}"
    done = subprocess.run(
        ["make", "-s", "-C", str(REPO), f"VENV={venv}", str(stamp)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return done, calls


def test_the_install_prunes_uvs_cache_after_installing(tmp_path):
    done, calls = _run_install(tmp_path)
    assert done.returncode == 0, done.stderr
    uv_calls = [call for call in calls if call.startswith("uv ")]
    assert any(" pip install " in call for call in uv_calls), calls
    installed_at = next(i for i, call in enumerate(uv_calls) if " pip install " in call)
    assert any(call.startswith("uv cache prune") for call in uv_calls[installed_at + 1 :]), (
        f"no `uv cache prune` after the install: {uv_calls}"
    )


def test_a_failed_install_fails_setup_and_leaves_no_stamp(tmp_path):
    done, calls = _run_install(tmp_path, uv_exit=3)
    assert done.returncode != 0
    assert not list((tmp_path / "venv").glob(".installed-*")), "a failed install must not be stamped done"
    assert not any(call.startswith("uv cache prune") for call in calls), calls
