"""Ingestion through Dagster as deliveries really arrive (issue 13), with the blocking expectations on:
real tables with no sample marker load with their source; a poison file ahead of them is quarantined
with its reason and blocks nothing; `pmw run` / `pmw ingest` exit non-zero naming it; a run killed
mid-ingest does not hang the next `pmw ingest`; two commands side by side wait for each other; the
warehouse pool really admits one materialisation at a time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from click.testing import CliRunner

from dagster_project.cli import main
from dagster_project.settings import load_settings
from tests.conftest import REPO, point_settings_at
from tests.ingest.test_real_deliveries import AIR_HTML, MONTHLY_CSV, PROVINCE_CSV

PMW = str(Path(sys.executable).parent / "pmw")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    from dagster_project.runner import prepare_environment

    point_settings_at(tmp_path, monkeypatch)
    prepare_environment(load_settings())
    return tmp_path


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PMW_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster_home"),
        "PMW_WAREHOUSE_PATH": str(home / "warehouse.duckdb"),
    }


def _query(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _poison(landing: Path) -> list[str]:
    """Two files that sort ahead of the good ones: one enormous field, one far stray cell."""
    from openpyxl import Workbook

    (landing / "0_poison").mkdir(parents=True, exist_ok=True)
    huge = "indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note\n"
    huge += f'gdp,430200,,2021,value,1,亿元,2022-03-20,published,"{"x" * 300_000}",\n'
    (landing / "0_poison" / "huge_field.csv").write_text(huge, encoding="utf-8")
    wb = Workbook()
    wb.active.append(["株洲市统计月报（2022年4月）"])
    wb.active["XFD1048576"] = "x"
    wb.save(landing / "0_poison" / "stray_cell.xlsx")
    return ["0_poison/huge_field.csv", "0_poison/stray_cell.xlsx"]


def _real(landing: Path) -> list[str]:
    (landing / "real").mkdir(parents=True, exist_ok=True)
    files = {"tjyb_2022-05.csv": MONTHLY_CSV, "szb_2022-05.csv": PROVINCE_CSV, "air_2022-05.html": AIR_HTML}
    for name, text in files.items():
        (landing / "real" / name).write_text(text, encoding="utf-8")
    return sorted(f"real/{n}" for n in files)


def test_real_tables_load_and_poison_files_ahead_are_contained(home):
    """Defects 1, 2 and 10: the landing run with the blocking expectation suite on."""
    from dagster_project.ingest.quarantine import quarantined_since
    from dagster_project.runner import ingest_landing
    from dagster_project.settings import load_settings

    poison, real = _poison(home / "landing"), _real(home / "landing")
    started = time.monotonic()
    with dg.instance_for_test() as instance:
        summary = ingest_landing(instance, load_settings(), log=lambda _m: None)
        [run] = instance.get_runs()
        retries = [
            e for e in instance.all_logs(run.run_id) if e.dagster_event_type == dg.DagsterEventType.STEP_RESTARTED
        ]
    assert time.monotonic() - started < 180
    assert sorted(summary.files_loaded) == real, summary
    assert sorted(summary.files_quarantined) == poison
    assert "PMW_MAX_FIELD_CHARS" in summary.quarantine_reasons[poison[0]]
    assert "XFD1048576" in summary.quarantine_reasons[poison[1]]
    assert retries == [], "a poison file is never retried"
    assert "raw/observations:release_files_pass_contract" in summary.failed_checks
    # the expectation suite ran on the stored releases ("published figures cite their source" among them)
    assert (home / "validation" / "raw_observations").is_dir()
    refs = dict(_query(home, "select source_file, min(source_ref) from raw.observations group by 1"))
    assert set(refs) == set(real) and all(refs.values()), refs
    assert _query(home, "select distinct provenance from raw.observations") == [("published",)]
    quarantined = sorted(p.name for p in (home / "quarantine").glob("*.errors.md"))
    assert len(quarantined) == 2 and not any((home / "landing" / p).exists() for p in poison)
    # each error report names the run that quarantined the file (a dead run is credited its own only)
    assert {f.run_id for f in quarantined_since(home / "quarantine", 0.0)} == {run.run_id}


def test_pmw_ingest_dates_an_undated_file_by_the_date_its_sender_gives(home, tmp_path):
    """A file that states no release date is dated by the day it landed, which ranks below every stated date of
    the same figure (store.vintage_recency): an office's undated correction lost to the figure it corrects, and
    the note's advice (give it its date and load it again) could be followed for a ledger or a long CSV only, and
    not for bytes already loaded. `--release-date` gives the date; a withdrawn file takes it under another name."""
    runner = CliRunner()
    header = "indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note\n"
    row = "地区生产总值,株洲市,,2021年,value,{},亿元,{},published,株洲市统计局《公告》,\n"
    first = tmp_path / "初步.csv"
    first.write_text(header + row.format("3420.3", "2022-03-28"), encoding="utf-8")
    assert runner.invoke(main, ["ingest", str(first)], catch_exceptions=False).exit_code == 0
    undated = tmp_path / "最终核实.csv"
    undated.write_text(header + row.format("3435.6", ""), encoding="utf-8")
    said = runner.invoke(main, ["ingest", str(undated)], catch_exceptions=False)
    assert said.exit_code == 0 and "outranked by stated dates" in said.output, said.output
    (release,) = _query(home, "select release_id from raw.releases where source_file = '最终核实.csv'")[0]
    assert f"`pmw withdraw {release}` and load it again under another name" in said.output, said.output
    # the same bytes, still loaded: nothing new, and how to date them
    again = runner.invoke(main, ["ingest", str(undated), "--as", "b.csv", "--release-date", "2023-01-16"])
    assert again.exit_code == 0 and f"`pmw withdraw {release}` first" in again.output, again.output
    assert runner.invoke(main, ["withdraw", release, "--reason", "undated: sent again with its date"]).exit_code == 0
    future = runner.invoke(main, ["ingest", str(undated), "--as", "late.csv", "--release-date", "2099-01-01"])
    assert future.exit_code == 2 and "2099-01-01 is after today" in future.output, future.output
    given = runner.invoke(main, ["ingest", str(undated), "--as", "最终核实-dated.csv", "--release-date", "2023-01-16"])
    assert given.exit_code == 0 and "loaded 1 observations" in given.output, given.output
    assert "the date given with `pmw ingest --release-date`, 2023-01-16, is used" in given.output, given.output
    assert "outranked" not in given.output
    assert _query(
        home,
        "select release_date, release_date_imputed from raw.observations where source_file = '最终核实-dated.csv'",
    ) == [(date(2023, 1, 16), False)]
    # the date is the release's: it moves with the file to the archive (a backfill reads it again)
    assert list((home / "archive").rglob(".最终核实-dated.csv.released")), list((home / "archive").rglob(".*"))
    # and the same bytes once more: the dated release is the one they are loaded as
    last = runner.invoke(main, ["ingest", str(undated), "--as", "c.csv", "--release-date", "2023-01-16"])
    assert last.exit_code == 0 and "already loaded as 最终核实-dated.csv" in last.output, last.output


def test_pmw_ingest_loads_a_real_table_with_its_source_or_refuses_naming_the_option(home, tmp_path):
    runner = CliRunner()
    good = tmp_path / "tjyb_2022-05.csv"
    # a real table also lists indicators no target reads: left out and named, not refused
    table = MONTHLY_CSV.replace("注：", "社会消费品零售总额,亿元,120.1,6.5,700.2,7.1\n注：")
    good.write_text(table, encoding="utf-8")
    result = runner.invoke(main, ["ingest", str(good)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "loaded 10 observations" in result.output
    assert "not loaded, not tracked in seeds/ (indicators.csv" in result.output
    assert "社会消费品零售总额 (row 8)" in result.output
    no_source = tmp_path / "szb_2022-05.csv"
    no_source.write_text(PROVINCE_CSV.replace("资料来源：湖南省统计局,,,\n", ""), encoding="utf-8")
    refused = runner.invoke(main, ["ingest", str(no_source)], catch_exceptions=False)
    assert refused.exit_code == 1 and "--source" in refused.output
    given = runner.invoke(
        main, ["ingest", str(no_source), "--as", "szb_again.csv", "--source", "湖南省统计局官网 2022-06-22"]
    )
    assert given.exit_code == 0, given.output
    refs = dict(_query(home, "select source_file, min(source_ref) from raw.observations group by 1"))
    assert refs == {
        "tjyb_2022-05.csv": "株洲市统计局《株洲市统计月报(2022年5月)》 2022-06-20",
        "szb_again.csv": "湖南省统计局官网 2022-06-22",
    }
    resent = tmp_path / "统计月报-重发.csv"
    resent.write_text(table, encoding="utf-8")
    again = runner.invoke(main, ["ingest", str(resent)], catch_exceptions=False)
    assert again.exit_code == 0 and "already loaded as tjyb_2022-05.csv" in again.output
    # the same file under its own name again: it said "loaded 10 observations", as if they were new
    same = runner.invoke(main, ["ingest", str(good)], catch_exceptions=False)
    assert same.exit_code == 0 and "nothing new: tjyb_2022-05.csv was already loaded" in same.output
    assert _query(home, "select count(*) from raw.observations where source_file = 'tjyb_2022-05.csv'") == [(10,)]
    # read by an older version of the code that read less of it (here: 7 of its rows): the same bytes are read
    # again and the new reading replaces it; that said "nothing new" although 3 more figures were stored
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("update raw.releases set row_count = 7 where source_file = 'tjyb_2022-05.csv'")
        con.execute(
            "delete from raw.observations where source_file = 'tjyb_2022-05.csv' and source_row in "
            "(select source_row from raw.observations where source_file = 'tjyb_2022-05.csv' order by 1 limit 3)"
        )
    reread = runner.invoke(main, ["ingest", str(good)], catch_exceptions=False)
    assert reread.exit_code == 0 and "read again: tjyb_2022-05.csv gives 10 observations (was 7" in reread.output
    assert _query(home, "select count(*) from raw.observations where source_file = 'tjyb_2022-05.csv'") == [(10,)]


def test_pmw_run_exits_non_zero_naming_the_quarantined_file_and_its_reason(
    sample_pipeline_run, tmp_path, monkeypatch, capfd
):
    """`pmw run` with a poison file ahead of a real table: the table loads, the run exits 1."""
    from tests.test_publish import copy_home

    home = copy_home(sample_pipeline_run, tmp_path)
    point_settings_at(home, monkeypatch)
    poison, real = _poison(home / "landing"), _real(home / "landing")
    result = CliRunner().invoke(main, ["run"], catch_exceptions=False)
    # the run console writes to the terminal itself (Dagster and dbt output goes to the run log)
    output = result.output + capfd.readouterr().out
    assert result.exit_code == 1, output
    assert "release files loaded:      3" in output
    assert "release files quarantined: 2" in output
    for key in poison:
        assert key in output
    assert "PMW_MAX_FIELD_CHARS" in output and "XFD1048576" in output
    assert {r[0] for r in _query(home, "select distinct source_file from raw.observations")} >= set(real)
    status = CliRunner().invoke(main, ["status"], catch_exceptions=False)
    assert "2 file(s) quarantined since the last clean ingestion" in status.output
    # its summary printed, every run it started is marked reported: a later command does not name them again
    from dagster_project.runner import SUMMARY_TAG

    with dg.DagsterInstance.from_config(str(home / "dagster_home")) as instance:
        tags = [run.tags.get(SUMMARY_TAG) for run in instance.get_runs() if "pmw/runner_process" in run.tags]
    assert tags and set(tags) == {"reported"}, tags


def test_a_file_left_unread_for_its_name_fails_the_run_naming_it(home):
    """A landing file named with a control character was skipped with a log line, and `pmw run` exited 0:
    its figures were missing as surely as a quarantined file's."""
    import io

    from dagster_project.console import RunConsole, print_run_summary
    from dagster_project.runner import ingest_landing

    settings = load_settings()
    (settings.landing_dir / "weird\nname.csv").write_text("indicator,region\n", encoding="utf-8")
    summary = ingest_landing(None, settings, log=lambda _msg: None)  # no readable file: no run is started
    summary.build_succeeded = True  # all else well: the unread file alone must fail the run
    assert not summary.ok
    assert list(summary.files_skipped) == ["'weird\\nname.csv'"]
    out = io.StringIO()
    print_run_summary(RunConsole(home / "logs", stream=out), summary, settings, None)
    assert "release files not read:    1" in out.getvalue()
    assert "'weird\\nname.csv': control characters or '..' in a release file name; rename it" in out.getvalue()


def _started_runs(home: Path) -> list[str]:
    with dg.DagsterInstance.from_config(str(home / "dagster_home")) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
        claimed = instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots
        return [r.run_id for r in runs] if claimed else []


def test_pmw_ingest_after_a_killed_run_does_not_wait_for_the_dead_run(home, tmp_path):
    """Defect 3: the killed run kept the warehouse pool's only slot and the next `pmw ingest` waited forever.
    Judged by what it says, not by a clock: under a loaded CI a healthy ingest once passed the minute this
    test allowed (the dead run had been found and marked failed at once)."""
    big = home / "landing" / "big.csv"
    lines = ["indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note"]
    for year in range(2000, 2021):
        for month in range(1, 13):
            for region in ("430200", "430202", "430203", "430204", "430211", "430212", "430223"):
                lines.append(f"pm25,{region},,{year}-{month:02d},value,{30 + month},微克/立方米,,illustrative,,")
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = subprocess.Popen([PMW, "run"], env=_env(home), start_new_session=True, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while not _started_runs(home):
            assert run.poll() is None, "pmw run ended before it could be killed mid-ingest"
            assert time.monotonic() < deadline, "the ingest run never started"
            time.sleep(0.2)
        os.killpg(run.pid, signal.SIGKILL)  # a power cut in the middle of the ingest step
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    small = tmp_path / "tjyb_2022-05.csv"
    small.write_text(MONTHLY_CSV, encoding="utf-8")
    done = subprocess.run(
        [PMW, "ingest", str(small)], env=_env(home), capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "loaded 10 observations" in done.stdout
    assert "was left running by a process that died: marked failed" in done.stderr
    assert "waiting for" not in done.stderr, "it waited for the dead run's slot or lock"


def test_two_ingests_side_by_side_wait_for_each_other(home, tmp_path):
    """Defect 9: the second `pmw ingest` failed with "Could not set lock" after a row was written."""
    from bench.harness import _small_release

    files = [_small_release(tmp_path / f"pm25_{year}.csv", year) for year in (2020, 2021)]
    # both start while a third writer holds the warehouse for a few seconds, so they overlap however slowly the
    # machine starts them (started bare, the first could finish before the second reached the lock: no wait)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from dagster_project.runner import warehouse_lock;"
            "from dagster_project.settings import load_settings\n"
            "with warehouse_lock(load_settings(), print, what='pmw ingest'):\n"
            "    print('held', flush=True); time.sleep(8)",
        ],
        env=_env(home),
        stdout=subprocess.PIPE,
        cwd=REPO,
    )
    assert holder.stdout.readline().strip() == b"held"
    procs = [
        subprocess.Popen([PMW, "ingest", str(f)], env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for f in files
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    holder.communicate(timeout=60)
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, (out + err).decode()
    assert any(b"waiting for `pmw ingest" in err for _, err in outs), "the second one said why it waited"
    loaded = _query(home, "select source_file, count(*) from raw.observations group by 1 order by 1")
    assert loaded == [("pm25_2020.csv", 20), ("pm25_2021.csv", 20)]


def test_a_busy_warehouse_is_refused_cleanly_after_the_timeout(home):
    from dagster_project.runner import WarehouseBusy, warehouse_lock
    from dagster_project.settings import load_settings

    settings = load_settings()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from dagster_project.runner import warehouse_lock;"
            "from dagster_project.settings import load_settings\n"
            "with warehouse_lock(load_settings(), print, what='pmw run'):\n"
            "    print('held', flush=True); time.sleep(60)",
        ],
        env=_env(home),
        stdout=subprocess.PIPE,
        cwd=REPO,
    )
    try:
        assert holder.stdout.readline().strip() == b"held"
        said: list[str] = []
        started = time.monotonic()
        with (
            pytest.raises(WarehouseBusy, match="nothing was written"),
            warehouse_lock(settings, said.append, timeout=1),
        ):
            pass
        assert time.monotonic() - started < 5
        assert said and "waiting for `pmw run` (pid" in said[0]
    finally:
        holder.kill()
        holder.wait()
    with warehouse_lock(settings, said.append, timeout=5):  # the kernel freed the dead holder's lock
        pass


POOL_JOB = textwrap.dedent(
    """
    import json, sys, time
    import dagster as dg
    from dagster_project.resources import WAREHOUSE_POOL, warehouse_writer
    from dagster_project.settings import load_settings

    @dg.asset(pool=WAREHOUSE_POOL)
    def {name}(context):
        with warehouse_writer(load_settings(), context.log.info):  # as every step of the pool writes
            start = time.time()
            time.sleep(3)
            with open(sys.argv[1], "a") as fh:
                fh.write(json.dumps(["{name}", start, time.time()]) + "\\n")

    job = dg.define_asset_job("{name}_job", selection=[{name}])
    defs = dg.Definitions(assets=[{name}], jobs=[job])
    result = defs.resolve_job_def("{name}_job").execute_in_process(instance=dg.DagsterInstance.get())
    sys.exit(0 if result.success else 1)
    """
)


def test_the_warehouse_pool_has_its_one_slot_before_any_run(home):
    """Defect (CI, 2026-12-03): Dagster creates a pool's slots at the first claim; two runs claiming first
    at the same moment on SQLite storage each created one, and both wrote. Preparing the home creates it."""
    from dagster_project.resources import WAREHOUSE_POOL
    from dagster_project.runner import dagster_instance

    with dagster_instance(load_settings()) as instance:
        info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    assert (info.slot_count, info.limit) == (1, 1)


def test_the_pool_slots_are_made_once_per_event_log_database(home, monkeypatch):
    """Every command opened the Dagster instance a second time only to check the pool (0.4 s of each
    `pmw ingest`). Once made, a note beside the event log spares that; a new event log gets its slots."""
    import shutil

    from dagster_project import runner
    from dagster_project.resources import WAREHOUSE_POOL

    settings = load_settings()
    opened: list[Path] = []
    real = runner.dagster_instance
    monkeypatch.setattr(runner, "dagster_instance", lambda s: opened.append(s.dagster_home) or real(s))
    runner.prepare_environment(settings)
    assert opened == []  # the home fixture prepared it already
    shutil.rmtree(settings.dagster_home / "history")  # the event log wiped: a new database
    runner.prepare_environment(settings)
    assert opened == [settings.dagster_home]
    with real(settings) as instance:
        info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    assert (info.slot_count, info.limit) == (1, 1)


@pytest.mark.parametrize("slots", [1, 2], ids=["the pool's one slot", "a slot handed out twice"])
def test_the_warehouse_pool_admits_one_materialisation_at_a_time(home, tmp_path, slots):
    """Defect 10: the limit was only checked as text in dagster.yaml; here two materialisations race.
    ci87: on Dagster's SQLite storage the pool's one slot went to both (its claim reads a free slot, then
    updates it), and they overlapped. Each step of the pool also holds resources.warehouse_writer, so a
    second one waits even when the pool admits both (2 slots: what that race amounts to)."""
    from dagster_project.resources import WAREHOUSE_POOL
    from dagster_project.runner import dagster_instance

    with dagster_instance(load_settings()) as instance:
        instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, slots)
    log = tmp_path / "intervals.jsonl"
    procs = [
        subprocess.Popen([sys.executable, "-c", POOL_JOB.replace("{name}", name), str(log)], env=_env(home), cwd=REPO)
        for name in ("first", "second")
    ]
    for proc in procs:
        assert proc.wait(timeout=300) == 0
    (_, s1, e1), (_, s2, e2) = sorted(json.loads(line) for line in log.read_text().splitlines())
    assert e1 <= s2 or e2 <= s1, f"the two materialisations overlapped: {s1:.1f}-{e1:.1f} and {s2:.1f}-{e2:.1f}"


def _dead_run(home: Path) -> str:
    """A run left STARTED by a process that is gone (a `pmw run` killed mid-ingest)."""
    import socket

    from dagster._core.test_utils import create_run_for_test

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with dg.DagsterInstance.from_config(str(home / "dagster_home")) as instance:
        run = create_run_for_test(
            instance,
            job_name="ingest_landing",
            status=dg.DagsterRunStatus.STARTED,
            tags={"pmw/runner_host": socket.gethostname(), "pmw/runner_pid": str(gone.pid)},
        )
    return run.run_id


def test_what_a_dead_run_quarantined_is_named_by_the_next_command(home):
    """A `pmw run` killed after it quarantined a file never reported it; the rerun marked the run failed
    and, the landing folder being clean, exited 0 without naming the file: its figures were silently
    missing. Files quarantined before the dead run began are not its."""
    from dagster_project.ingest.models import IngestError
    from dagster_project.ingest.quarantine import quarantine_bytes
    from dagster_project.runner import recover_dead_runs

    quarantine = home / "quarantine"
    older = quarantine_bytes(b"x", "old.csv", [IngestError("old.csv", 2, "value", "old news")], quarantine)
    for report in quarantine.glob("*.errors.*"):
        os.utime(report, (time.time() - 3600, time.time() - 3600))
    run_id = _dead_run(home)
    errors = [
        IngestError("月报.xlsx#5月", 7, "本月", "'abc' is not a number"),
        IngestError("月报.xlsx#5月", 8, "", "x"),
    ]
    quarantine_bytes(b"x", "月报.xlsx", errors, quarantine)
    said: list[str] = []
    with dg.DagsterInstance.from_config(str(home / "dagster_home")) as instance:
        dead = recover_dead_runs(instance, said.append, quarantine)
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert [d.run_id for d in dead] == [run_id]
    assert dead[0].quarantined_keys == {"月报.xlsx": "row 7, 本月: 'abc' is not a number"}
    assert any("月报.xlsx (not loaded, never reported): row 7, 本月" in line for line in said), said
    assert older.exists() and not any("old.csv" in line for line in said)


def test_a_dead_run_is_credited_only_with_the_files_it_quarantined(home):
    """Two runs: A died after quarantining a.csv; B (started later, alive) quarantined b.csv. The next
    command credited the dead run A with both (every file quarantined since A began): b.csv was named as
    A's, "never reported", though B reports it. Now each report names its run and A lists a.csv only;
    the files since the last clean ingestion (`pmw status`, the HTML report) still list both."""
    from dagster._core.test_utils import create_run_for_test

    from dagster_project.ingest.models import IngestError
    from dagster_project.ingest.quarantine import quarantine_bytes, quarantined_since_clean
    from dagster_project.runner import recover_dead_runs

    quarantine = home / "quarantine"
    dead_id = _dead_run(home)
    quarantine_bytes(b"x", "a.csv", [IngestError("a.csv", 2, "unit", "unknown unit 'kg'")], quarantine, run_id=dead_id)
    with dg.DagsterInstance.from_config(str(home / "dagster_home")) as instance:
        alive = create_run_for_test(instance, job_name="ingest_release_files", status=dg.DagsterRunStatus.STARTED)
        quarantine_bytes(
            b"y", "b.csv", [IngestError("b.csv", 3, "period", "future period")], quarantine, run_id=alive.run_id
        )
        said: list[str] = []
        [dead] = recover_dead_runs(instance, said.append, quarantine)
    assert dead.run_id == dead_id
    assert dead.quarantined_keys == {"a.csv": "row 2, unit: unknown unit 'kg'"}
    assert not any("b.csv" in line for line in said), said
    assert {(f.source, f.run_id) for f in quarantined_since_clean(quarantine)} == {
        ("a.csv", dead_id),
        ("b.csv", alive.run_id),
    }


@pytest.mark.parametrize("build_status", ["STARTED", "NOT_STARTED"])
def test_a_command_killed_in_its_build_is_credited_with_what_its_finished_ingestion_run_quarantined(home, build_status):
    """`pmw run` killed during the build (trial s57): its ingestion run had finished, quarantining a damaged
    workbook, and the summary that would have named it is printed at the command's end. The rerun marked
    the build run failed and said "quarantined: 0": only the dead run's own files were credited. Now the
    runs the dead command had finished are (its process tag), not another command's. Killed while its build
    run was being prepared, that run was NOT_STARTED and not taken for dead at all."""
    import socket

    from dagster._core.test_utils import create_run_for_test

    from dagster_project.ingest.models import IngestError
    from dagster_project.ingest.quarantine import quarantine_bytes
    from dagster_project.runner import recover_dead_runs

    quarantine = home / "quarantine"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()

    def tags(process: str) -> dict[str, str]:
        return {"pmw/runner_host": socket.gethostname(), "pmw/runner_pid": str(gone.pid), "pmw/runner_process": process}

    with dg.DagsterInstance.from_config(str(home / "dagster_home")) as instance:
        other = create_run_for_test(
            instance, job_name="ingest_landing", status=dg.DagsterRunStatus.FAILURE, tags=tags("earlier-cmd")
        )
        errors = [IngestError("old.csv", 2, "unit", "unknown unit 'kg'")]
        quarantine_bytes(b"x", "old.csv", errors, quarantine, run_id=other.run_id)
        ingest = create_run_for_test(
            instance, job_name="ingest_landing", status=dg.DagsterRunStatus.FAILURE, tags=tags("killed-cmd")
        )
        errors = [IngestError("月报.xlsx", None, "", "not an Excel workbook")]
        quarantine_bytes(b"x", "月报.xlsx", errors, quarantine, run_id=ingest.run_id)
        build = create_run_for_test(
            instance, job_name="build", status=dg.DagsterRunStatus[build_status], tags=tags("killed-cmd")
        )
        said: list[str] = []
        [dead] = recover_dead_runs(instance, said.append, quarantine)
    assert dead.run_id == build.run_id
    assert set(dead.quarantined_keys) == {"月报.xlsx"}, dead.quarantined_keys
    assert any("月报.xlsx (not loaded, never reported)" in line for line in said), said
    assert not any("old.csv" in line for line in said), said


@pytest.mark.parametrize("ingest_status", ["SUCCESS", "FAILURE"])
def test_a_command_killed_between_its_runs_is_credited_once_with_what_its_ingestion_run_quarantined(
    home, ingest_status
):
    """`pmw run` killed after its ingestion run ended and before its build run was created left no run
    unfinished: recovery looked at unfinished runs only, and the file the ingestion run quarantined was never
    named. Now a run stays "pending" until its command's summary is complete; a finished pending run of a dead
    command is named once. A pending run of a live command (this one), or a run without the tag (an older
    version's, the UI's), is not."""
    import socket

    from dagster._core.test_utils import create_run_for_test

    from dagster_project.ingest.models import IngestError
    from dagster_project.ingest.quarantine import quarantine_bytes
    from dagster_project.runner import SUMMARY_TAG, _runner_tags, recover_dead_runs

    quarantine = home / "quarantine"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    dead_tags = {"pmw/runner_host": host, "pmw/runner_pid": str(gone.pid), "pmw/runner_process": "killed-cmd"}
    status = dg.DagsterRunStatus[ingest_status]
    with dg.DagsterInstance.from_config(str(home / "dagster_home")) as instance:

        def run_that_quarantined(tags: dict[str, str], file: str, reason: str) -> dg.DagsterRun:
            run = create_run_for_test(instance, job_name="ingest_landing", status=status, tags=tags)
            quarantine_bytes(b"x", file, [IngestError(file, None, "", reason)], quarantine, run_id=run.run_id)
            return run

        killed = run_that_quarantined({**dead_tags, SUMMARY_TAG: "pending"}, "月报.xlsx", "not an Excel workbook")
        run_that_quarantined(dead_tags, "old.csv", "unknown unit 'kg'")  # no summary tag: an older version's run
        running = run_that_quarantined(_runner_tags(), "mine.csv", "unknown unit 'g'")  # this live command's
        said: list[str] = []
        [dead] = recover_dead_runs(instance, said.append, quarantine)
        assert dead.run_id == killed.run_id
        assert set(dead.quarantined_keys) == {"月报.xlsx"}, dead.quarantined_keys
        assert any("月报.xlsx (not loaded, never reported): not an Excel workbook" in line for line in said), said
        assert not any("old.csv" in line or "mine.csv" in line for line in said), said
        assert instance.get_run_by_id(killed.run_id).tags[SUMMARY_TAG] == "reported"
        assert instance.get_run_by_id(running.run_id).tags[SUMMARY_TAG] == "pending"
        assert recover_dead_runs(instance, said.append, quarantine) == []  # named once


def test_pmw_run_after_a_dead_run_counts_what_it_quarantined(home, monkeypatch):
    """The rerun's summary lists the dead run's quarantined file with its reason and exits non-zero."""
    from dagster_project import runner
    from dagster_project.ingest.models import IngestError
    from dagster_project.ingest.quarantine import quarantine_bytes

    run_id = _dead_run(home)
    quarantine_bytes(b"x", "bad.csv", [IngestError("bad.csv", 3, "unit", "unknown unit 'kg'")], home / "quarantine")
    monkeypatch.setattr(runner, "ingest_landing", lambda *a: runner.RunSummary(files_loaded=["good.csv"]))
    monkeypatch.setattr(runner, "build_and_publish", lambda *a: (True, []))
    summary = runner._run_pipeline(False, lambda _: None, load_settings())
    assert summary.files_quarantined == ["bad.csv"]
    assert (
        summary.quarantine_reasons["bad.csv"]
        == f"row 3, unit: unknown unit 'kg' (quarantined by run {run_id}, whose process died)"
    )
    assert not summary.ok
