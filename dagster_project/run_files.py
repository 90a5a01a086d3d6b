"""运行产物 / What a run leaves on disk, one file or folder per run (the validation reports, dbt's folder of
a build): named by when it was written and by which run, so that names sort by time, and kept for the
newest runs only: a schedule that runs for years must not fill the disk."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

_STAMPED = re.compile(r"\d{8}T\d{12}Z-")


def stamped_name(run_id: str | None) -> str:
    """``<UTC time to the microsecond>Z-<first 8 characters of the run id>`` ("adhoc" without a run)."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{(run_id or 'adhoc')[:8]}"


def is_stamped(path: Path) -> bool:
    """Whether ``path``'s name was made by :func:`stamped_name`."""
    return _STAMPED.match(path.name) is not None


def keep_newest(paths: Iterable[Path], keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest of ``paths`` (files or folders named by :func:`stamped_name`,
    so by name); the deleted ones are returned, oldest first."""
    ordered = sorted(paths, key=lambda p: p.name)
    old = ordered[: max(len(ordered) - keep, 0)]
    for path in old:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return old
