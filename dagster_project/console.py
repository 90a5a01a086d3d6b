"""What `pmw run` prints: one line per stage (a progress bar on a terminal for the long ones), the
quarantined files with their reasons, and a closing summary that ends with the status counts.

Everything else (Dagster's event log, dbt's node-by-node output, warnings, a failed step's stack
trace) goes to a log file under <PMW_HOME>/logs/: while a run is captured, the process's standard
output and error file descriptors point at that file, so child processes (dbt) write there too.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

DBT_NODE = re.compile(rb"(\d+) of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)")
BAR_WIDTH = 28


class RunConsole:
    """Capture a run's output into ``logs_dir`` and give the user short stage lines instead.

    Use as a context manager; :meth:`stage` starts a stage (and ends the previous one), :meth:`note`
    prints an indented line, :meth:`echo` prints a summary line.
    """

    def __init__(self, logs_dir: Path, name: str = "run", stream: TextIO | None = None):
        logs_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.log_path = logs_dir / f"{name}-{stamp}.log"
        self._stream = stream
        self._saved: tuple[int, int] | None = None
        self.out: TextIO = stream or sys.stdout
        self.interactive = False
        self._stage: tuple[str, float, Callable[[], tuple[int, int] | None] | None] | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._lock = threading.Lock()
        self._number = 0
        self._line_broken = False
        self._log_stream: TextIO | None = None
        self._saved_streams: tuple[TextIO, TextIO] = (sys.stdout, sys.stderr)

    # -- capture
    def __enter__(self) -> RunConsole:
        sys.stdout.flush()
        sys.stderr.flush()
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        if self._stream is None:
            terminal_fd = os.dup(1)
            self.interactive = os.isatty(terminal_fd)
            self.out = os.fdopen(terminal_fd, "w", buffering=1, encoding="utf-8", errors="replace")
        self._saved = (os.dup(1), os.dup(2))
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        # Python-level writers too (Dagster's console logger, warnings), wherever sys.stdout/err pointed
        self._saved_streams = (sys.stdout, sys.stderr)
        self._log_stream = open(self.log_path, "a", buffering=1, encoding="utf-8", errors="replace")
        sys.stdout = sys.stderr = self._log_stream
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.end_stage()
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        sys.stdout.flush()
        sys.stderr.flush()
        if self._log_stream is not None:
            sys.stdout, sys.stderr = self._saved_streams
            self._log_stream.close()
            self._log_stream = None
        if self._saved is not None:
            os.dup2(self._saved[0], 1)
            os.dup2(self._saved[1], 2)
            for fd in self._saved:
                os.close(fd)
            self._saved = None
        self.out.flush()
        if self._stream is None:
            self.out.close()
            self.out = sys.stdout

    # -- output
    def _write(self, text: str) -> None:
        with self._lock:
            self.out.write(text)
            self.out.flush()

    def echo(self, line: str = "") -> None:
        self._write(line + "\n")

    def note(self, line: str) -> None:
        if self._stage is not None and not self.interactive and not self._line_broken:
            self._write("\n")
            self._line_broken = True
        prefix = "\r\033[K" if self.interactive else ""
        self._write(f"{prefix}      {line}\n")

    def stage(self, label: str, probe: Callable[[], tuple[int, int] | None] | None = None) -> None:
        """Start a stage; ``probe`` returns (done, total) for a progress bar on a terminal."""
        self.end_stage()
        self._number += 1
        self._stage = (label, time.monotonic(), probe)
        self._line_broken = False
        if not self.interactive:
            self._write(f"[{self._number}] {label} …")

    def end_stage(self, result: str = "") -> None:
        if self._stage is None:
            return
        label, started, _ = self._stage
        self._stage = None
        took = f"{time.monotonic() - started:.0f} s"
        tail = f"{result} ({took})" if result else f"done ({took})"
        if self.interactive:
            self._write(f"\r\033[K[{self._number}] {label} … {tail}\n")
        elif self._line_broken:
            self._write(f"    … {tail}\n")
        else:
            self._write(f" {tail}\n")

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            stage = self._stage
            if not self.interactive or stage is None:
                continue
            label, started, probe = stage
            counts = probe() if probe else None
            bar = ""
            if counts and counts[1]:
                done, total = min(counts[0], counts[1]), counts[1]
                filled = int(BAR_WIDTH * done / total)
                bar = f" [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{total}"
            self._write(f"\r\033[K[{self._number}] {label} …{bar} {time.monotonic() - started:.0f} s")

    def stage_hook(self, landing_dir: Path) -> Callable[[str, str, int], None]:
        """The runner's stage callback: a bar of files for ingestion, of dbt nodes for the build."""

        def hook(kind: str, label: str, total: int) -> None:
            probe = (
                count_files(landing_dir, total)
                if kind == "ingest"
                else self.dbt_progress()
                if kind == "build"
                else None
            )
            self.stage(label, probe)

        return hook

    # -- probes
    def dbt_progress(self) -> Callable[[], tuple[int, int] | None]:
        """(nodes finished, nodes) of the dbt build, read from the end of the log as dbt writes it."""
        offset = [self.log_path.stat().st_size if self.log_path.exists() else 0]
        last: list[tuple[int, int] | None] = [None]

        def probe() -> tuple[int, int] | None:
            with open(self.log_path, "rb") as handle:
                handle.seek(offset[0])
                chunk = handle.read()
            offset[0] += len(chunk)
            found = DBT_NODE.findall(chunk)
            if found:
                done = max(int(a) for a, _ in found)
                last[0] = (max(done, last[0][0] if last[0] else 0), int(found[-1][1]))
            return last[0]

        return probe


def count_files(folder: Path, total: int) -> Callable[[], tuple[int, int]]:
    """(files gone from ``folder``, total): ingestion moves each loaded or quarantined file out."""

    def probe() -> tuple[int, int]:
        left = sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0
        return total - left, total

    return probe


def run_with_console(sample: bool, settings, stream: TextIO | None = None):
    """`pmw run`: the pipeline with its output in <PMW_HOME>/logs/, stage lines and the closing summary
    on ``stream`` (default: the terminal). Returns the runner's summary. ``settings``: the command's."""
    from dagster_project.report.changes import published_statuses
    from dagster_project.runner import RunSummary, prepare_environment, run_pipeline

    settings = prepare_environment(settings)
    before = published_statuses(settings.published_db_path)
    with RunConsole(settings.home / "logs", stream=stream) as console:
        console.echo(f"pmw run: full Dagster and dbt log in {console.log_path}")
        try:
            summary = run_pipeline(
                settings, sample=sample, log=console.note, stage=console.stage_hook(settings.landing_dir)
            )
        except Exception as exc:  # the traceback goes to the log; the user gets one line and the summary
            with open(console.log_path, "a", encoding="utf-8") as log:
                log.write(traceback.format_exc())
            console.end_stage("failed")
            console.echo(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            console.echo(f"       the traceback is in {console.log_path}")
            summary = RunSummary()
        console.end_stage()
        print_run_summary(console, summary, settings, before)
    return summary


# ------------------------------------------------------------------------------------ closing summary
MAX_LISTED = 12  # longer lists are cut ("… and N more"), so a run's output stays short


def nothing_loaded(warehouse: Path) -> bool:
    """True when no raw row has arrived (a new home): then an empty fact table is why nothing was
    published, not a fault of the build."""
    import duckdb

    from dagster_project.ingest.store import OBSERVATION_TABLES

    if not warehouse.exists():
        return True
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # the tables figures and units' returns are stored in (raw.releases also lists quarantined files)
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' "
                "and list_contains(?, table_name)",
                [[*OBSERVATION_TABLES, "task_returns"]],
            ).fetchall()
        ]
        return all(con.execute(f'select count(*) = 0 from raw."{t}"').fetchone()[0] for t in tables)
    finally:
        con.close()


def quarantine_reasons(warehouse: Path, files: list[str]) -> dict[str, tuple[str, int]]:
    """file -> (its first problem, how many problems) from raw.quarantine."""
    import duckdb

    if not files or not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            select source_file, count(*),
                arg_min(["row"::varchar, "column", reason], coalesce("row", 0)) as first_problem
            from raw.quarantine
            where release_id in (
                select release_id from raw.releases where status = 'quarantined' and source_file in
                (select unnest(?))
            )
            group by source_file
            """,
            [files],
        ).fetchall()
    finally:
        con.close()
    from dagster_project.ingest.quarantine import error_line

    # the place as the error reports write it: a file's problem has no row, a row's may have no column
    return {r[0]: (error_line(*r[2]), r[1]) for r in rows}


def _listed(console: RunConsole, lines: list[str]) -> None:
    for line in lines[:MAX_LISTED]:
        console.echo(f"    {line}")
    if len(lines) > MAX_LISTED:
        console.echo(f"    … and {len(lines) - MAX_LISTED} more")


def print_run_summary(console: RunConsole, summary, settings, before: dict[str, str] | None) -> None:
    """The closing summary of `pmw run`; it ends with the status counts of the copy served now and the nature of
    the figures they rest on (published, derived, illustrative)."""
    from dagster_project.report.changes import changes_since_last_month, run_changes
    from dagster_project.report.labels import read_statuses

    statuses = read_statuses()

    def label(code: str) -> str:
        zh, en = statuses.get(code, (code, code))
        return f"{zh} {en.lower()}"

    console.echo("")
    console.echo(f"release files loaded:      {len(summary.files_loaded)}")
    console.echo(f"release files quarantined: {len(summary.files_quarantined)}  -> {settings.quarantine_dir}")
    reasons = quarantine_reasons(settings.warehouse_path, summary.files_quarantined)
    given = getattr(summary, "quarantine_reasons", {}) or {}  # the runner's own reason, when it has one
    expected = set(getattr(summary, "expected_quarantine", []) or [])
    lines = []
    for key in summary.files_quarantined:
        note = " (sample file, bad on purpose)" if key in expected else ""
        if key in reasons:
            more = f" (+{reasons[key][1] - 1} more)" if reasons[key][1] > 1 else ""
            lines.append(f"{key}{note}: {reasons[key][0]}{more}")
        else:
            lines.append(f"{key}{note}: {given.get(key, 'see its .errors.md in the quarantine folder')}")
    _listed(console, lines)
    skipped = getattr(summary, "files_skipped", {}) or {}
    if skipped:  # never read: their figures are missing as surely as a quarantined file's
        console.echo(f"release files not read:    {len(skipped)}  (left in {settings.landing_dir})")
        _listed(console, [f"{name}: {reason}" for name, reason in skipped.items()])
    noted = [f"{key}: {note}" for key, notes in sorted((getattr(summary, "notes", {}) or {}).items()) for note in notes]
    if noted:  # sheets skipped, figures left out, vintage labels: what was loaded is not all the file said
        console.echo(f"notes on the files read:   {len(noted)}")
        _listed(console, noted)
    if summary.api_months:
        console.echo(f"API months pulled:         {summary.api_months}")
    if summary.failed_checks:  # one a line: a failed dbt test carries its failing rows (runner._with_failing_rows)
        console.echo(f"failed checks:             {len(summary.failed_checks)}")
        _listed(console, summary.failed_checks)
    if summary.warned_checks:
        console.echo(f"checks to look at (warn):  {len(summary.warned_checks)}")
        _listed(console, summary.warned_checks)
    report = settings.reports_dir / "progress_report.html"
    console.echo(f"published marts (read):    {settings.published_db_path}")
    console.echo(f"progress report:           {report if report.exists() else settings.reports_dir}")
    console.echo(f"full log:                  {console.log_path}")
    db = settings.published_db_path
    if not db.exists():
        console.echo("nothing has been published yet")
        if nothing_loaded(settings.warehouse_path):
            console.echo(
                f"no statistics have been loaded yet: put release files in {settings.landing_dir} and run "
                "`pmw run` again (`pmw run --sample` loads the bundled sample)"
            )
        if not summary.ok:
            _listed(console, build_errors(console.log_path))
        return
    changed = run_changes(db, before)
    if changed is not None:
        console.echo(f"status changed by this run: {len(changed)}")
        _listed(console, [f"{c.target_id} {c.title_zh}: {label(c.before)} -> {label(c.after)}" for c in changed])
    month = changes_since_last_month(db)
    if month.previous:
        console.echo(f"changed since last month ({month.previous} -> {month.month}): {len(month.changes)}")
        _listed(console, [f"{c.target_id} {c.title_zh}: {label(c.before)} -> {label(c.after)}" for c in month.changes])
    unexpected = getattr(summary, "unexpected_quarantine", []) or []
    if unexpected:
        console.echo(f"{len(unexpected)} file(s) quarantined: {', '.join(unexpected)}")
    if not summary.build_succeeded:
        console.echo("the build did not succeed: the last good published copy was kept")
        _listed(console, build_errors(console.log_path))
    counts = status_counts(db)
    total = sum(counts.values())
    console.echo(
        f"status counts ({total} targets): "
        + " · ".join(f"{label(code)} {counts[code]}" for code in statuses if counts.get(code))
    )
    console.echo(figures_line(figure_natures(db)))


# dbt's error lines, and a failing data test's ("Failure in test …", its count of failing rows below it)
DBT_ERROR = re.compile(r"^\s*((?:Runtime|Database|Compilation|Parsing) Error in .*|Failure in test .*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # dbt colours its log lines


def build_errors(log_path: Path, limit: int = 6) -> list[str]:
    """dbt's error lines from the run's log (the model or failing test, and the line under it), without stack
    traces."""
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    lines = _ANSI.sub("", text).splitlines()
    found: list[str] = []
    for i, line in enumerate(lines):
        match = DBT_ERROR.match(line)
        if match:
            detail = lines[i + 1].strip() if i + 1 < len(lines) else ""
            text = f"{match.group(1).strip()}: {detail}" if detail else match.group(1).strip()
            if text not in found:
                found.append(text)
    return found[:limit]


def status_counts(db_path: Path) -> dict[str, int]:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return dict(con.execute("select status_code, count(*) from fct_target_scorecard group by 1").fetchall())
    finally:
        con.close()


def figure_natures(db_path: Path) -> dict[str | None, int]:
    """What each of the scorecard's statuses rests on, counted: its actual's nature (published, derived,
    illustrative), or for a target judged from its tasks the units' returns (``returns``, or
    ``returns_illustrative`` when any of them is the sample's), None for neither yet; so a count never passes
    for a judgement on real statistics when it is not one."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return dict(
            con.execute(
                """with returns as (
                       select target_id, bool_or(provenance = 'illustrative') as any_illustrative
                       from fct_task_returns group by target_id)
                   select case
                              when s.actual_quality is not null then s.actual_quality
                              when r.target_id is null then null
                              when r.any_illustrative then 'returns_illustrative'
                              else 'returns'
                          end as basis, count(*)
                   from fct_target_scorecard as s left join returns as r on r.target_id = s.target_id
                   group by basis"""
            ).fetchall()
        )
    finally:
        con.close()


def figures_line(natures: dict[str | None, int]) -> str:
    """The closing line under the status counts: what the statuses rest on (figure_natures)."""
    from dagster_project.report.labels import QUALITIES

    parts = [f"{zh} {en} {natures[code]}" for code, (zh, en) in QUALITIES.items() if natures.get(code)]
    returns, sample_returns = natures.get("returns", 0), natures.get("returns_illustrative", 0)
    if returns or sample_returns:
        parts.append(
            f"任务台账 task returns {returns + sample_returns}"
            + (f" (示意 illustrative {sample_returns})" if sample_returns else "")
        )
    if natures.get(None):
        parts.append(f"无实际值 no actual yet {natures[None]}")
    line = "figures behind them: " + " · ".join(parts)
    illustrative = natures.get("illustrative", 0) + sample_returns
    if illustrative:
        line += (
            f" — {illustrative} status(es) rest on illustrative figures or returns (示意: generated sample data, "
            "not published statistics)"
        )
    return line
