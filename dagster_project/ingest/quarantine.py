"""Move a rejected file out of the landing folder, with a human- and machine-readable error list."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.ingest.models import IngestError
from dagster_project.ingest.text import from_spreadsheet_safe, safe_filename, spreadsheet_safe

__all__ = [
    "quarantine_file",
    "quarantine_bytes",
    "write_error_reports",
    "mark_clean_ingest",
    "quarantined_since_clean",
    "quarantined_since",
    "QuarantinedFile",
    "error_line",
]


def error_line(row: object, column: object, reason: str) -> str:
    """One problem as a line: "row 2, value: …", "row 2: …" (a row's), "title: …", or the reason alone (the
    file's). A missing row or column (None, '') is left out, never printed as an empty place ("row 2, : …")."""
    where = ", ".join(x for x in (f"row {row}" if row not in (None, "", 0) else "", str(column or "")) if x)
    return f"{where}: {reason}" if where else reason


_CLEAN_MARK = ".last_clean_ingest"  # touched by an ingestion run that quarantined nothing


def _inside(base: Path, target: Path) -> bool:
    try:
        target.resolve().relative_to(base.resolve())
        return True
    except ValueError:
        return False


def _destination(quarantine_dir: Path, name: str, now: datetime | None) -> Path:
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    base = f"{stamp}_{safe_filename(name)}"
    dest = quarantine_dir / base
    n = 1
    while dest.exists() or dest.with_name(dest.name + ".errors.csv").exists():
        dest = quarantine_dir / f"{stamp}_{n}_{safe_filename(name)}"
        n += 1
    if not _inside(quarantine_dir, dest):  # defence in depth: safe_filename already strips paths
        raise ValueError(f"refusing to write outside {quarantine_dir}: {dest}")
    return dest


def _md_cell(text: object) -> str:
    return str("" if text is None else text).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


# The error report's columns. ``run_id`` (the Dagster run that quarantined the file) came last, later:
# a report written before it has four columns and is read as quarantined by an unknown run.
REPORT_COLUMNS = ("file", "row", "column", "reason", "run_id")


def write_error_reports(dest: Path, errors: Sequence[IngestError], run_id: str = "") -> tuple[Path, Path]:
    """Write <dest>.errors.csv and <dest>.errors.md next to the quarantined file; ``run_id`` (the run
    quarantining it, on every row) lets a dead run be credited with its own files only."""
    csv_path = dest.with_name(dest.name + ".errors.csv")
    md_path = dest.with_name(dest.name + ".errors.md")
    with open(csv_path, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: opens cleanly in Excel
        w = csv.writer(fh)
        w.writerow(REPORT_COLUMNS)
        for e in errors:
            # every cell as text that cannot run as a formula: the reasons quote the office's cells
            cells = (e.file, "" if e.row is None else e.row, e.column, e.reason, run_id)
            w.writerow([spreadsheet_safe(str(c)) for c in cells])
    lines = [
        f"# Quarantined: {_md_cell(errors[0].file if errors else dest.name)}",
        "",
        f"{len(errors)} problem(s); nothing from this file was loaded. Fix the file and drop it in the "
        "landing folder again (a corrected file becomes a new release).",
        *([f"Quarantined by Dagster run {_md_cell(run_id)}."] if run_id else []),
        "",
        "| row | column | reason |",
        "|---|---|---|",
        *(
            f"| {_md_cell('(file)' if e.row is None else e.row)} | {_md_cell(e.column)} | {_md_cell(e.reason)} |"
            for e in errors
        ),
        "",
    ]
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return csv_path, md_path


def quarantine_file(
    path: Path | str,
    errors: Sequence[IngestError],
    quarantine_dir: Path | str,
    now: datetime | None = None,
    run_id: str = "",
) -> Path:
    """Move ``path`` to ``quarantine_dir/<timestamp>_<safe name>`` and write the error reports
    (naming ``run_id``, the run quarantining it)."""
    src = Path(path)
    dest = _destination(Path(quarantine_dir), src.name, now)
    shutil.move(str(src), str(dest))
    write_error_reports(dest, errors, run_id)
    return dest


def quarantine_bytes(
    data: bytes,
    name: str,
    errors: Sequence[IngestError],
    quarantine_dir: Path | str,
    now: datetime | None = None,
    run_id: str = "",
) -> Path:
    """Like :func:`quarantine_file` for content that has no landing file (an API payload)."""
    dest = _destination(Path(quarantine_dir), name, now)
    dest.write_bytes(data)
    write_error_reports(dest, errors, run_id)
    return dest


@dataclass(frozen=True)
class QuarantinedFile:
    name: str  # the file as quarantined (<timestamp>_<name>)
    reason: str  # its first problem
    problems: int
    at: datetime
    source: str = ""  # the release as it was named when it arrived (landing key), from its error report
    run_id: str = ""  # the Dagster run that quarantined it; "" in a report written before runs were recorded


def mark_clean_ingest(quarantine_dir: Path | str, now: datetime | None = None) -> None:
    """Record that an ingestion run quarantined nothing: the files quarantined before are old news."""
    folder = Path(quarantine_dir)
    folder.mkdir(parents=True, exist_ok=True)
    mark = folder / _CLEAN_MARK
    mark.write_text((now or datetime.now(UTC)).isoformat(), encoding="utf-8")


def quarantined_since_clean(quarantine_dir: Path | str) -> list[QuarantinedFile]:
    """Files quarantined since the last ingestion run that quarantined nothing (all, if none was clean)."""
    mark = Path(quarantine_dir) / _CLEAN_MARK
    return quarantined_since(quarantine_dir, mark.stat().st_mtime if mark.exists() else 0.0)


def quarantined_since(quarantine_dir: Path | str, since: float, run_id: str | None = None) -> list[QuarantinedFile]:
    """Files quarantined at or after ``since`` (a POSIX time), read from their error reports.

    With ``run_id``, only the files that run quarantined: another run's (a later or concurrent one)
    are not its. A report that names no run (written before runs were recorded) is kept on its time
    alone, as before: nothing better is known of it."""
    folder = Path(quarantine_dir)
    if not folder.is_dir():
        return []
    out = []
    for report in sorted(folder.glob("*.errors.csv")):
        mtime = report.stat().st_mtime
        if mtime < since:
            continue
        with open(report, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
        first = source = by = ""
        if rows and len(rows[0]) > 3:
            source, row, column, reason = (from_spreadsheet_safe(c) for c in rows[0][:4])
            first = error_line(row, column, reason)
            by = from_spreadsheet_safe(rows[0][4]) if len(rows[0]) > 4 else ""
        if run_id is not None and by and by != run_id:
            continue
        name = report.name.removesuffix(".errors.csv")
        out.append(QuarantinedFile(name, first, len(rows), datetime.fromtimestamp(mtime, UTC), source, by))
    return out
