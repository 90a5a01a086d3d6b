"""The landing folder: where offices drop release files, and how a file becomes a partition.

A release file's partition key is its path relative to the landing folder (POSIX separators),
so the same file name in two sub-folders stays two releases. After a successful load the file is
moved to the archive under the same relative path; re-running (backfilling) a partition reads it
from there, so a backfill never needs the office to send the file again.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

# Files an editor or a partial upload leaves behind; they are not releases.
_IGNORED_PREFIXES = (".", "~$", "_")
_IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".md", ".errors.csv")
_FORBIDDEN_CHARS = {"\0", "\n", "\r", "\t", "\a", "\b", "\f", "\v"}


class UnsafeReleaseName(ValueError):
    """A file name that cannot safely become a partition key (control characters, '..')."""


@dataclass(frozen=True)
class LandedFile:
    partition_key: str
    path: Path
    sha256: str


def partition_key_for(path: Path, root: Path) -> str:
    relative = path.resolve().relative_to(root.resolve())
    key = relative.as_posix()
    if any(ch in key for ch in _FORBIDDEN_CHARS) or "..." in key or ".." in relative.parts:
        raise UnsafeReleaseName(f"{key!r}: control characters or '..' in a release file name")
    return key


def is_release_file(path: Path) -> bool:
    name = path.name
    return path.is_file() and not name.startswith(_IGNORED_PREFIXES) and not name.endswith(_IGNORED_SUFFIXES)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan_landing(landing_dir: Path) -> tuple[list[LandedFile], list[tuple[Path, str]]]:
    """Every release file waiting in the landing folder, and the ones whose names are unsafe."""
    landed: list[LandedFile] = []
    unsafe: list[tuple[Path, str]] = []
    if not landing_dir.exists():
        return landed, unsafe
    for path in sorted(landing_dir.rglob("*")):
        if not is_release_file(path):
            continue
        try:
            key = partition_key_for(path, landing_dir)
        except UnsafeReleaseName as exc:
            unsafe.append((path, str(exc)))
            continue
        landed.append(LandedFile(key, path, file_sha256(path)))
    return landed, unsafe


def file_state(path: Path) -> list[int]:
    """What tells a file still being written from one at rest: its size and modification time (ns)."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def split_at_rest(files: list[LandedFile], seen_before: dict[str, list[int]]) -> tuple[list[LandedFile], list[str]]:
    """The files at rest (size and modification time as the last look saw them) and the keys of those still
    arriving (new since the last look, or changed). A copy into the folder over a share or a slow upload shows
    the file before its last byte, and a Windows copy keeps the source's modification time, so no age tells a
    whole file: two looks that agree do. A truncated file would be quarantined, or a CSV cut at a line end
    loaded short and archived while the copy still wrote to it."""
    ready = [f for f in files if seen_before.get(f.partition_key) == file_state(f.path)]
    return ready, [f.partition_key for f in files if f not in ready]


# Run tag of an ingestion of the files waiting in the landing folder (`pmw run`). Its run covers a
# partition range, first waiting key to last, and the range also holds every release whose partition
# lies between them (a corrected file under an early name lands beside a new one): those are not
# waiting and are not read again. A backfill (no tag) reads every partition of its range, from the
# archive where need be.
LANDING_ONLY_TAG = "pmw/landing_only"


def is_waiting(partition_key: str, landing_dir: Path) -> bool:
    """Whether the release's file is in the landing folder (not yet loaded, or sent again)."""
    candidate = (landing_dir / partition_key).resolve()
    return candidate.is_relative_to(landing_dir.resolve()) and candidate.is_file()


def locate(partition_key: str, landing_dir: Path, archive_dir: Path) -> Path:
    """The file behind a partition: still in landing, or already archived by an earlier run."""
    for root in (landing_dir, archive_dir):
        candidate = (root / partition_key).resolve()
        if candidate.is_relative_to(root.resolve()) and candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"release {partition_key!r} is neither in {landing_dir} nor in {archive_dir}; "
        "if it was quarantined, drop a corrected file into the landing folder"
    )


# `pmw ingest --source`, `--confirm-outlier`, `--release-date`
NOTE_KINDS = ("source", "confirm", "released")


def note_path(path: Path, kind: str) -> Path:
    """Where `pmw ingest` leaves what it was told about a release file (its source, a confirmed
    outlier): a hidden file beside it (ignored by the scan), moved with the file to the archive so a
    backfill reads it too."""
    if kind not in NOTE_KINDS:
        raise ValueError(f"unknown note kind {kind!r}")
    return path.with_name(f".{path.name}.{kind}")


def write_note(path: Path, kind: str, text: str) -> None:
    note_path(path, kind).write_text(text.strip() + "\n", encoding="utf-8")


def read_note(path: Path, kind: str) -> str | None:
    note = note_path(path, kind)
    text = note.read_text(encoding="utf-8").strip() if note.is_file() else ""
    return text or None


def released_on(path: Path) -> date | None:
    """The release date its sender gave a file that states none (`pmw ingest --release-date`), if any."""
    text = read_note(path, "released")
    return date.fromisoformat(text) if text else None


def source_for(partition_key: str, path: Path, defaults: dict[str, str]) -> str | None:
    """The source (出处) for a release's rows that cite none: the file's own note (`--source`), else the
    default of its nearest landing sub-folder (settings ``source_defaults``, '' or '.' for the top)."""
    text = read_note(path, "source")
    if text:
        return text
    parts = partition_key.split("/")[:-1]
    for depth in range(len(parts), -1, -1):
        folder = "/".join(parts[:depth])
        for candidate in (folder, "." if not folder else None):
            if candidate is not None and defaults.get(candidate):
                return defaults[candidate]
    return None


def archive(path: Path, partition_key: str, landing_dir: Path, archive_dir: Path) -> Path:
    """Move a loaded file (and its source note) from landing to the archive (no-op when already archived)."""
    if not path.resolve().is_relative_to(landing_dir.resolve()):
        return path
    target = archive_dir / partition_key
    target.parent.mkdir(parents=True, exist_ok=True)
    for kind in NOTE_KINDS:
        note = note_path(path, kind)
        if note.is_file():
            shutil.move(str(note), note_path(target, kind))
    shutil.move(str(path), target)
    return target
