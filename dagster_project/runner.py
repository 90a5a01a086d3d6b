"""Run the whole pipeline from the command line (what `make run` does), through Dagster.

The same assets, checks and jobs as the Dagster UI and the schedules: the runner only chooses the
partitions. Runs are recorded in the Dagster instance under var/dagster_home, so they show in the UI.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from dagster_project import landing
from dagster_project.ingest.quarantine import QuarantinedFile, quarantined_since
from dagster_project.settings import Settings

# Runs launched from the command line log at INFO; step-level DEBUG events stay in the run's log.
RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}

INSTANCE_YAML = """\
# Written by dagster_project.runner: the Dagster instance of this checkout.
concurrency:
  pools:
    # DuckDB allows one writing process per file: every asset that writes the warehouse is in the
    # "warehouse" pool, and every pool is limited to one step at a time.
    default_limit: 1
telemetry:
  enabled: false
"""


class WarehouseBusy(RuntimeError):
    """Another `pmw run` / `pmw ingest` kept the warehouse longer than the lock timeout."""


_held = 0  # re-entrant within one process: `pmw ingest --publish` takes the lock once


@contextlib.contextmanager
def warehouse_lock(
    settings: Settings, log: Callable[[str], None], timeout: float | None = None, what: str = ""
) -> Iterator[None]:
    """One command-line writer of the warehouse at a time (`pmw run`, `pmw ingest`).

    A second one waits, saying for whom, and gives up cleanly after ``timeout`` seconds
    (settings ``lock_timeout_seconds``) having written nothing. The lock is an flock: the kernel
    releases it when its process dies, so a killed run never keeps it. Within the same time, it waits
    for any other process holding the warehouse file itself (DuckDB's lock), naming it.
    """
    global _held
    if _held:
        _held += 1
        try:
            yield
        finally:
            _held -= 1
        return
    timeout = settings.lock_timeout_seconds if timeout is None else timeout
    path = settings.home / ".warehouse.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    handle.seek(0)
                    holder = handle.read().strip() or "another pmw command"
                    log(
                        f"waiting for {holder} to finish with the warehouse (up to {timeout:.0f} s; "
                        "PMW_LOCK_TIMEOUT_SECONDS) …"
                    )
                    told = True
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"the warehouse is still in use after {timeout:.0f} s; nothing was written. Try again "
                        "when the other command has finished (or raise PMW_LOCK_TIMEOUT_SECONDS)"
                    ) from None
                time.sleep(0.2)
        _wait_for_the_warehouse_file(settings.warehouse_path, log, deadline, timeout)
        handle.seek(0)
        handle.truncate()
        since = datetime.now(UTC).strftime("%H:%M:%S UTC")
        handle.write(f"`{what or ' '.join(['pmw', *sys.argv[1:2]])}` (pid {os.getpid()}, since {since})\n")
        handle.flush()
        _held = 1
        try:
            yield
        finally:
            _held = 0
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def duckdb_lock_holder(path: Path) -> int | None:
    """The pid of another process holding a lock on the DuckDB file ``path`` (DuckDB locks the whole file
    with fcntl: a writer exclusively, a read-only reader shared; either keeps a writer out), None when
    there is none, no such file, or the system cannot say (not Linux). Asked with F_GETLK: nothing is
    opened as a database, nothing locked."""
    if not sys.platform.startswith("linux"):
        return None
    flock = "hhqqi"  # struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid (native alignment)
    probe = struct.pack(flock, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0).ljust(64, b"\0")
    try:
        with open(path, "rb") as fh:
            found = fcntl.fcntl(fh.fileno(), fcntl.F_GETLK, probe)
    except OSError:
        return None
    kind, _, _, _, pid = struct.unpack_from(flock, found)
    return None if kind == fcntl.F_UNLCK else pid


def describe_process(pid: int) -> str:
    """ "pid N (its command line)", from /proc; "pid N" when it cannot be read."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return f"pid {pid}"
    command = " ".join(" ".join(a.decode(errors="replace") for a in args).split())  # one line
    return f"pid {pid} ({command[:200]}{'…' if len(command) > 200 else ''})"


def _wait_for_the_warehouse_file(warehouse: Path, log: Callable[[str], None], deadline: float, timeout: float) -> None:
    """Within the same time limit as the command lock: wait while another process, not a pmw command
    (a dbt left running by a killed run, a BI tool, a `duckdb` shell), holds the warehouse file's lock,
    saying which; then refuse cleanly naming it, rather than fail later on DuckDB's lock error."""
    told = None
    while (holder := duckdb_lock_holder(warehouse)) is not None:
        if holder != told:
            log(
                f"waiting for {describe_process(holder)}, which holds the warehouse file {warehouse}, to let it go "
                f"(up to {timeout:.0f} s; PMW_LOCK_TIMEOUT_SECONDS) …"
            )
            told = holder
        if time.monotonic() >= deadline:
            raise WarehouseBusy(
                f"the warehouse file {warehouse} is still held by {describe_process(holder)} after {timeout:.0f} "
                "s; nothing was written. End that process or try again when it has finished"
            )
        time.sleep(0.2)


SAMPLE_BAD_FOLDER = "bad/"  # data/sample/bad/: files that demonstrate the quarantine


@dataclass
class RunSummary:
    files_loaded: list[str] = field(default_factory=list)
    files_quarantined: list[str] = field(default_factory=list)
    quarantine_reasons: dict[str, str] = field(default_factory=dict)
    # files left in the landing folder unread, and why (a name no partition may carry: control characters)
    files_skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    api_months: int = 0
    build_succeeded: bool = False
    failed_checks: list[str] = field(default_factory=list)  # ERROR severity: blocked or quarantined
    warned_checks: list[str] = field(default_factory=list)  # WARN severity: a human should look

    # sample files that are bad on purpose (data/sample/bad/): quarantining them is the expected outcome
    expected_quarantine: list[str] = field(default_factory=list)

    @property
    def unexpected_quarantine(self) -> list[str]:
        return [k for k in self.files_quarantined if k not in self.expected_quarantine]

    @property
    def ok(self) -> bool:
        """The build published, and no file was quarantined (beyond the sample's deliberate bad files) or left
        unread."""
        return self.build_succeeded and not self.unexpected_quarantine and not self.files_skipped


def prepare_environment(settings: Settings) -> Settings:
    """Create the runtime folders and the Dagster instance config (the environment is not touched:
    the instance is opened from ``settings.dagster_home``, dbt gets its profile from the resources)."""
    settings.ensure_dirs()
    instance_yaml = settings.dagster_home / "dagster.yaml"
    # a dagster.yaml written by someone else (a cluster's PostgreSQL storage, docs/cluster.md) is theirs
    current = instance_yaml.read_text() if instance_yaml.exists() else None
    if current is None or (current != INSTANCE_YAML and current.startswith(INSTANCE_YAML.splitlines()[0])):
        instance_yaml.write_text(INSTANCE_YAML)
    if instance_yaml.read_text() == INSTANCE_YAML:  # ours (SQLite); a cluster's storage locks its rows
        _create_warehouse_pool_slots(settings)
    return settings


def _create_warehouse_pool_slots(settings: Settings) -> None:
    """Give the warehouse pool its slots now, from one process. Dagster creates a pool's slots at the
    first claim; two runs claiming first at the same moment on SQLite storage could each create one, and
    both then wrote the warehouse (seen in CI).

    Done once per event-log database: a note beside it (naming the database file's inode, so a new
    database is seen as new) spares every later command opening the instance for it (0.4 s of a
    `pmw ingest`)."""
    from dagster_project.resources import WAREHOUSE_POOL

    event_log = settings.dagster_home / "history" / "runs" / "index.db"
    note = event_log.with_name(".pmw_warehouse_pool")
    if event_log.exists() and note.exists() and note.read_text() == str(event_log.stat().st_ino):
        return
    with dagster_instance(settings) as instance:
        storage = instance.event_log_storage
        if storage.supports_global_concurrency_limits and WAREHOUSE_POOL not in storage.get_concurrency_keys():
            storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
    if event_log.exists():
        note.write_text(str(event_log.stat().st_ino))


def dagster_instance(settings: Settings) -> dg.DagsterInstance:
    """The Dagster instance of ``settings.dagster_home`` (what DAGSTER_HOME would name for the UI)."""
    return dg.DagsterInstance.from_config(str(settings.dagster_home))


def definitions(settings: Settings) -> dg.Definitions:
    """The code location with resources built from ``settings`` (not the environment's)."""
    from dagster_project.definitions import build_definitions

    return build_definitions(settings)


def stage_sample_releases(settings: Settings) -> list[Path]:
    """Copy the bundled sample releases into the landing folder, once per file content.

    A ledger of what was staged keeps a second `make run` from re-delivering files that were already
    loaded (archived) or quarantined, as an office would not send the same file twice.
    """
    ledger_path = settings.home / "sample_staged.json"
    ledger: dict[str, str] = json.loads(ledger_path.read_text()) if ledger_path.exists() else {}
    staged = []
    for source in sorted(settings.sample_dir.rglob("*")):
        relative = source.relative_to(settings.sample_dir)
        if not landing.is_release_file(source) or relative.parts[0] == "api":
            continue
        digest = landing.file_sha256(source)
        if ledger.get(relative.as_posix()) == digest:
            continue
        target = settings.landing_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        _land_on_named_day(target)
        ledger[relative.as_posix()] = digest
        staged.append(target)
    ledger_path.write_text(json.dumps(ledger, ensure_ascii=False, indent=1, sort_keys=True))
    return staged


def _land_on_named_day(path: Path) -> None:
    """Date a staged sample file as delivered on the day its name gives (noon, local time): a file that states
    no release date is dated by the day it landed (its mtime), which for the sample must not be the day it is
    run. A name without a day keeps the copy's time."""
    from dagster_project.ingest.adapter_common import find_release_date  # the one reader of dates in text

    day = find_release_date(path.name)  # published_2026-11-25.csv
    if day is not None:
        noon = datetime(day.year, day.month, day.day, 12).timestamp()
        os.utime(path, (noon, noon))


def _range_tags(keys: list[str]) -> dict[str, str]:
    return {ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1], **_runner_tags()}


# One command's process, told apart from a later process given the same pid: the runs it started together
# (`pmw run`: the ingestion run, then the build run) share it.
_PROCESS_TAG = f"{os.getpid()}-{time.time_ns()}"


# Whether the command that started a run has told its user what the run did: "pending" until the command's
# summary is complete, then "reported". A run left pending by a dead process was never reported.
SUMMARY_TAG = "pmw/summary"


def _runner_tags() -> dict[str, str]:
    # Which process runs it in-process, so a later command can tell a run whose process died.
    return {
        "pmw/runner_host": socket.gethostname(),
        "pmw/runner_pid": str(os.getpid()),
        "pmw/runner_process": _PROCESS_TAG,
        SUMMARY_TAG: "pending",
    }


def mark_reported(instance: dg.DagsterInstance, runs: list[dg.DagsterRun] | None = None) -> None:
    """Mark ``runs`` (default: every run this process started) as reported to the command's user."""
    if runs is None:
        mine = dg.RunsFilter(tags={"pmw/runner_process": _PROCESS_TAG, SUMMARY_TAG: "pending"})
        runs = list(instance.get_runs(filters=mine))
    for run in runs:
        instance.add_run_tags(run.run_id, {SUMMARY_TAG: "reported"})


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class DeadRun:
    """A run whose process died; what it quarantined was never reported by it."""

    run_id: str
    job_name: str
    quarantined: list[QuarantinedFile]

    @property
    def quarantined_keys(self) -> dict[str, str]:
        """release key -> its first problem, for the files this run quarantined (a sheet's file once)."""
        from dagster_project.ingest.pipeline import release_of

        return {release_of(f.source or f.name): f.reason for f in self.quarantined}


def recover_dead_runs(
    instance: dg.DagsterInstance, log: Callable[[str], None], quarantine_dir: Path | None = None
) -> list[DeadRun]:
    """Fail the runs a command-line process started on this host and died in (killed, power cut).

    Such a run stays STARTED and keeps its slot in the "warehouse" pool (limit 1), so every later run
    would wait for that slot forever; without a daemon nothing else releases it. The files such a run
    quarantined (from ``quarantine_dir``, whose reports name their run) are named: the dead process
    never reported them.
    """
    recovered = []
    # NOT_STARTED too: `pmw run` killed while its build run was being prepared (trial s57) left one, and
    # the files its finished ingestion run quarantined were credited to nobody
    running = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    filters = dg.RunsFilter(statuses=running, tags={"pmw/runner_host": socket.gethostname()})
    for run in instance.get_runs(filters=filters):
        pid = int(run.tags.get("pmw/runner_pid", "0") or 0)
        if pid and (pid == os.getpid() or _alive(pid)):
            continue
        record = instance.get_run_record_by_id(run.run_id)
        began = record.create_timestamp.timestamp() if record else 0.0
        instance.report_run_failed(run, f"the process running it (pid {pid}) is gone; its pool slots were released")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        # its own files only: the reports name the run that quarantined them (a later run's are not its)
        mine = quarantined_since(quarantine_dir, began, run_id=run.run_id) if quarantine_dir else []
        # and those of the runs its process had finished: `pmw run` reports its ingestion run's files in the
        # summary it prints at its end, which a process killed during the build never printed
        earlier_runs = _finished_runs_of_the_same_process(instance, run) if quarantine_dir else []
        for earlier in earlier_runs:
            record = instance.get_run_record_by_id(earlier.run_id)
            since = record.create_timestamp.timestamp() if record else began
            mine += quarantined_since(quarantine_dir, since, run_id=earlier.run_id)
        if quarantine_dir is not None:  # named below, once: not again as finished and never reported
            mark_reported(instance, [run, *earlier_runs])
        dead = DeadRun(run.run_id, run.job_name, mine)
        recovered.append(dead)
        log(f"run {run.run_id} ({run.job_name}) was left running by a process that died: marked failed")
        for key, reason in dead.quarantined_keys.items():
            log(f"    it or its command's earlier run quarantined {key} (not loaded, never reported): {reason}")
    if quarantine_dir is not None:
        recovered += _finished_but_never_reported(instance, log, quarantine_dir)
    return recovered


def _finished_but_never_reported(
    instance: dg.DagsterInstance, log: Callable[[str], None], quarantine_dir: Path
) -> list[DeadRun]:
    """The finished runs of dead commands that never printed their summary: `pmw run` killed after its ingestion
    run ended and before its build run existed left no run unfinished, and nothing named what it quarantined.
    Each such run's files are named once (the run is then marked reported); runs without the tag (started by
    an older version, the UI or a schedule) are not a command's to report."""
    finished = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
    pending = dg.RunsFilter(statuses=finished, tags={"pmw/runner_host": socket.gethostname(), SUMMARY_TAG: "pending"})
    unreported, credited = [], []
    for run in instance.get_runs(filters=pending):
        pid = int(run.tags.get("pmw/runner_pid", "0") or 0)
        if run.tags.get("pmw/runner_process") == _PROCESS_TAG or (pid and _alive(pid)):
            continue  # its command is still running and will report it
        unreported.append(run)
        record = instance.get_run_record_by_id(run.run_id)
        since = record.create_timestamp.timestamp() if record else 0.0
        dead = DeadRun(run.run_id, run.job_name, quarantined_since(quarantine_dir, since, run_id=run.run_id))
        if dead.quarantined:
            credited.append(dead)
            log(f"run {run.run_id} ({run.job_name}) finished; the command that started it (pid {pid}) died unreported")
            for key, reason in dead.quarantined_keys.items():
                log(f"    it quarantined {key} (not loaded, never reported): {reason}")
    mark_reported(instance, unreported)
    return credited


def _finished_runs_of_the_same_process(instance: dg.DagsterInstance, run: dg.DagsterRun) -> list[dg.DagsterRun]:
    """The runs the dead run's command had started and finished before it (none for a run tagged before the
    process tag existed)."""
    process = run.tags.get("pmw/runner_process")
    if not process:
        return []
    finished = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
    same = dg.RunsFilter(statuses=finished, tags={"pmw/runner_process": process})
    return [r for r in instance.get_runs(filters=same) if r.run_id != run.run_id]


def _failed_checks(
    result: dg.ExecuteInProcessResult, severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR
) -> list[str]:
    failed = []
    for event in result.get_asset_check_evaluations():
        if not event.passed and event.severity == severity:
            failed.append(f"{event.asset_key.to_user_string()}:{event.check_name}{_suite_outcome(event.metadata)}")
    return failed


def _suite_outcome(metadata: dict) -> str:
    """What an expectation suite's check found and where its report is (checks/report.py check_metadata), after
    the check's name: the name alone sent the reader looking for why the publish was blocked (trial s57); a dbt
    test's failing rows are added by :func:`_with_failing_rows`."""
    if "suite" not in metadata or "result" not in metadata:
        return ""
    report = metadata.get("report")
    return f" — {metadata['result'].value}" + (f"; report {report.value}" if report is not None else "")


# A stage of a run: stage(kind, label, total). kind is "ingest", "api" or "build"; total counts its items.
StageHook = Callable[[str, str, int], None]


def _stage_or_log(stage: StageHook | None, log: Callable[[str], None]) -> StageHook:
    return stage or (lambda kind, label, total: log(f"{label} …"))


def ingest_landing(
    instance: dg.DagsterInstance,
    settings: Settings,
    log: Callable[[str], None],
    stage: StageHook | None = None,
) -> RunSummary:
    from dagster_project.assets.ingestion import RELEASE_CONTRACT_CHECK, release_files

    summary = RunSummary()
    files, unsafe = landing.scan_landing(settings.landing_dir)
    for path, reason in unsafe:
        log(f"skipped unsafe file name {path}: {reason}")
        summary.files_skipped[repr(str(path.relative_to(settings.landing_dir)))] = (
            reason.split(": ", 1)[-1] + "; rename it"
        )
    if not files:
        log("no release files waiting in the landing folder")
        return summary
    keys = [f.partition_key for f in files]
    known = set(instance.get_dynamic_partitions(release_files.name))
    instance.add_dynamic_partitions(release_files.name, [k for k in keys if k not in known])
    # A single run over exactly these files: order them as the partitions definition orders them.
    ordered = [k for k in instance.get_dynamic_partitions(release_files.name) if k in set(keys)]
    job = definitions(settings).resolve_job_def("ingest_release_files")
    _stage_or_log(stage, log)("ingest", f"ingesting {len(ordered)} release files in one run", len(ordered))
    result = job.execute_in_process(
        run_config=RUN_CONFIG,
        instance=instance,
        tags={**_range_tags(ordered), landing.LANDING_ONLY_TAG: "true"},  # not the releases between them
        raise_on_error=False,
    )
    quarantined: set[str] = set()
    # the contract check carries the run's outcome per file (each good partition is materialized)
    for event in result.get_asset_check_evaluations():
        metadata = event.metadata
        if event.check_name != RELEASE_CONTRACT_CHECK:
            continue
        if "quarantined" in metadata:
            quarantined.update(metadata["quarantined"].value)
        if "quarantine_reasons" in metadata:
            summary.quarantine_reasons.update(metadata["quarantine_reasons"].value)
        if "ingest_notes" in metadata:
            summary.notes.update(metadata["ingest_notes"].value)
    if not result.success and not quarantined:
        # the run failed outright (not a file's fault): say so rather than "quarantined: 0"
        summary.failed_checks.append("ingest_release_files: the run failed; see it in the Dagster UI")
    summary.files_quarantined = sorted(quarantined)
    summary.files_loaded = [k for k in ordered if k not in quarantined]
    summary.failed_checks += _failed_checks(result)
    summary.warned_checks += _failed_checks(result, dg.AssetCheckSeverity.WARN)
    return summary


def pull_api(
    instance: dg.DagsterInstance,
    settings: Settings,
    months: list[str],
    log: Callable[[str], None],
    stage: StageHook | None = None,
) -> int:
    from dagster_project.assets.ingestion import API_CONTRACT_CHECK

    if not months:
        return 0
    keys = [f"{m}-01" for m in months]
    job = definitions(settings).resolve_job_def("pull_stats_api")
    _stage_or_log(stage, log)("api", f"pulling {len(keys)} months from the statistics API in one run", len(keys))
    result = job.execute_in_process(
        run_config=RUN_CONFIG, instance=instance, tags=_range_tags(keys), raise_on_error=False
    )
    quarantined = [
        month
        for event in result.get_asset_check_evaluations()
        if event.check_name == API_CONTRACT_CHECK and "quarantined" in event.metadata
        for month in event.metadata["quarantined"].value
    ]
    if not result.success and not quarantined:  # a quarantined month fails its partition, not the pull
        raise RuntimeError("the statistics API pull failed; see the run in the Dagster UI")
    return len(keys)


def broken_catalogue(settings: Settings, log: Callable[[str], None], outcome: str) -> list[str]:
    """The catalogue's problems (seeds/*.csv), each logged by file, row, target and column; [] when none, else
    the one line a run's summary gives them (``outcome``: what was not done)."""
    from dagster_project.catalogue_check import check_catalogue

    problems = check_catalogue(settings.seeds_dir)
    for problem in problems[:20]:
        log(f"catalogue: {problem}")
    if len(problems) > 20:
        log(f"catalogue: … and {len(problems) - 20} more")
    return [f"catalogue: {len(problems)} problem(s) in the seed files, {outcome}"] if problems else []


def build_and_publish(
    instance: dg.DagsterInstance,
    settings: Settings,
    log: Callable[[str], None],
    warnings: list[str] | None = None,
    stage: StageHook | None = None,
) -> tuple[bool, list[str]]:
    """Run the build job; return (success, failed ERROR checks). WARN checks go to ``warnings``."""
    # a broken catalogue row is named by file, row, target and column here, before dbt would fail a
    # test with a long generated name; nothing is built and the published copy stays as it is
    broken = broken_catalogue(settings, log, "nothing was built")
    if broken:
        return False, broken
    from dagster_project.resources import catalogue_dbt_would_not_build

    if elsewhere := catalogue_dbt_would_not_build(settings):
        log(f"catalogue: {elsewhere}")
        return False, [f"catalogue: {elsewhere}"]
    from dagster_project.assets.publish import PUBLISHED_KEY, report_not_published

    recover_dead_runs(instance, log)
    _stage_or_log(stage, log)("build", "building the models, running the checks and publishing", 0)
    result = (
        definitions(settings)
        .resolve_job_def("build_and_publish")
        .execute_in_process(run_config=RUN_CONFIG, instance=instance, raise_on_error=False, tags=_runner_tags())
    )
    failed = _failed_checks(result)
    if warnings is not None:
        warnings += _failed_checks(result, dg.AssetCheckSeverity.WARN)
    published = any(e.asset_key == PUBLISHED_KEY for e in result.get_asset_materialization_events())
    if not published:
        # Say which copy readers still get, on the run (tag) and on published/marts (publish_is_current).
        reason = "failed: " + (", ".join(failed) or "the run failed")
        served = report_not_published(instance, result.run_id, reason, settings.published_dir)
        log(f"nothing was published: readers keep version {served['served_version']}")
    return result.success, _with_failing_rows(failed, settings, result.run_id)


def _with_failing_rows(failed: list[str], settings: Settings, run_id: str) -> list[str]:
    """Each failed dbt data test with its count of failing rows and the first few (the rule's name alone does
    not say where the data broke it); a GX check, or a test whose query cannot be run, is left as it is."""
    from dagster_project.checks.dbt_failures import failing_examples, run_folder
    from dagster_project.dbt_build import DBT_RUNS_FOLDER

    folder = run_folder(settings.dagster_home / DBT_RUNS_FOLDER, run_id)
    if folder is None or not failed:
        return failed
    tests = [(name, name.rsplit(":", 1)[-1]) for name in failed]  # "asset:check": the check is the dbt test's name
    examples = failing_examples(folder, settings.warehouse_path, [test for _, test in tests])
    return [f"{name} ({examples[test]})" if test in examples else name for name, test in tests]


def run_pipeline(
    settings: Settings,
    sample: bool = True,
    log: Callable[[str], None] = print,
    stage: StageHook | None = None,
) -> RunSummary:
    settings = prepare_environment(settings)
    with warehouse_lock(settings, log, what="pmw run"):
        return _run_pipeline(sample, log, settings, stage)


def _run_pipeline(
    sample: bool, log: Callable[[str], None], settings: Settings, stage: StageHook | None = None
) -> RunSummary:
    if sample:
        staged = stage_sample_releases(settings)
        log(f"staged {len(staged)} sample release files into {settings.landing_dir}")
    # the files are read against the catalogue, and loading Dagster's definitions parses the dbt project
    # with its seeds: a broken seed is named (file, row, column) before either, and the files wait
    broken = broken_catalogue(settings, log, "nothing was ingested or built (the files wait in the landing folder)")
    if broken:
        return RunSummary(failed_checks=broken)
    instance = dagster_instance(settings)
    dead = recover_dead_runs(instance, log, settings.quarantine_dir)
    summary = ingest_landing(instance, settings, log, stage)
    for run in dead:  # this run's summary and exit code carry what a dead run quarantined and never said
        for key, reason in run.quarantined_keys.items():
            if key not in summary.files_quarantined:
                summary.files_quarantined.append(key)
                summary.quarantine_reasons[key] = f"{reason} (quarantined by run {run.run_id}, whose process died)"
    if sample:
        summary.expected_quarantine = [k for k in summary.files_quarantined if k.startswith(SAMPLE_BAD_FOLDER)]
    api_dir = settings.sample_dir / "api"
    if sample and api_dir.is_dir():
        from dagster_project.sample_api import sample_months, serve_sample_api

        with serve_sample_api(api_dir) as url:
            with_api = dataclasses.replace(settings, stats_api_url=url)
            summary.api_months = pull_api(instance, with_api, sample_months(api_dir), log, stage)
    elif settings.stats_api_url:
        log(
            "PMW_STATS_API_URL is set: the monthly schedule pulls it; to pull a month now, launch the job "
            "pull_stats_api on that month's partition in the Dagster UI (`pmw ui`)"
        )
    summary.build_succeeded, build_failures = build_and_publish(instance, settings, log, summary.warned_checks, stage)
    summary.failed_checks += build_failures
    mark_reported(instance)  # the summary holds all this command's runs did; its caller prints it
    return summary
