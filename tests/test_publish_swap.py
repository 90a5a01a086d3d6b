"""The switch between published versions, tested so that it can fail (issue 13, defect 10):
a reader that resolves ``current`` while versions are swapped as fast as they can be must always find
a complete version; the same reader does catch a non-atomic swap (unlink, then link), so the test has
teeth. And a version stays on disk while it was current less than the grace period ago."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dagster_project import publish

READER = r"""
import json, os, sys, time
published, ready, stop, out = sys.argv[1:5]
reads, failures = 0, []
while not os.path.exists(stop):
    try:
        folder = os.path.realpath(os.path.join(published, "current"))
        with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as fh:
            manifest = json.load(fh)
        if manifest["version"] != os.path.basename(folder):
            failures.append(f"{folder} holds {manifest['version']}")
        reads += 1
        if reads == 1:
            open(ready, "w").close()
    except Exception as exc:
        failures.append(f"{type(exc).__name__}: {exc}")
with open(out, "w") as fh:
    json.dump({"reads": reads, "failures": failures[:20], "failed": len(failures)}, fh)
"""


def _versions(published: Path) -> list[Path]:
    folders = []
    for name in ("20260101T000000000000Z-a", "20260101T000001000000Z-b"):
        folder = published / "versions" / name
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({"version": name}), encoding="utf-8")
        folders.append(folder)
    publish._make_current(published, folders[0])
    return folders


def _swap_under_a_reader(tmp_path: Path, seconds: float = 3.0) -> dict:
    published = tmp_path / "published"
    folders = _versions(published)
    ready, stop, out = tmp_path / "ready", tmp_path / "stop", tmp_path / "out.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(ready), str(stop), str(out)])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert reader.poll() is None and time.monotonic() < deadline, "the reader never started"
            time.sleep(0.01)
        end, i = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            i += 1
            publish._make_current(published, folders[i % 2])
    finally:
        stop.touch()
        reader.wait(timeout=60)
    result = json.loads(out.read_text())
    result["swaps"] = i
    return result


def test_readers_always_find_a_complete_version_while_current_is_swapped(tmp_path: Path) -> None:
    result = _swap_under_a_reader(tmp_path)
    assert result["reads"] > 100 and result["swaps"] > 100, result
    assert result["failed"] == 0, result


def test_the_reader_catches_a_non_atomic_swap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above, run against the swap done wrong once: it must fail."""

    def unlink_then_link(link: Path, target: str) -> None:
        if link.is_symlink():
            link.unlink()
        # the gap a slow disk or a busy machine leaves between the two calls; without it the reader could
        # miss a gap of microseconds in every one of 5,631 swaps (CI, 2026-12-06) and the test failed
        time.sleep(0.002)
        link.symlink_to(target)

    monkeypatch.setattr(publish, "_swap_symlink", unlink_then_link)
    result = _swap_under_a_reader(tmp_path)
    assert result["failed"] > 0, result


def test_versions_stay_while_younger_than_the_grace_period(tmp_path: Path) -> None:
    published = tmp_path / "published"
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    names = [(now - timedelta(minutes=m)).strftime("%Y%m%dT%H%M%S%fZ") + f"-run{m}" for m in (300, 200, 100, 30, 5, 1)]
    for name in names:
        (published / "versions" / name).mkdir(parents=True)
    publish._make_current(published, published / "versions" / names[-1])
    publish._prune(published, keep=2, grace_seconds=3600, now=now)
    left = sorted(p.name for p in (published / "versions").iterdir())
    # replaced 100, 30, 5 and 1 minutes ago are kept (grace 1 h); replaced 200 minutes ago is not
    assert left == names[2:], left
    publish._prune(published, keep=2, grace_seconds=0, now=now)
    assert sorted(p.name for p in (published / "versions").iterdir()) == names[-2:]


def test_current_version_resolves_once(tmp_path: Path) -> None:
    published = tmp_path / "published"
    first, second = _versions(published)
    folder, manifest = publish.current_version(published)
    publish._make_current(published, second)
    assert folder == first and manifest["version"] == first.name and os.path.isdir(folder)
