"""`pmw`: every command documents itself, reading commands use the published copy read-only and exit
1 when there is nothing to read, usage mistakes exit 2, and `pmw ingest` goes through the real
ingestion job (quarantine -> exit 1 with file/row/column/reason)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from click.testing import CliRunner

from dagster_project.cli import main
from dagster_project.report.labels import STATUSES, bound_prefix, num, quality_label

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(scope="module")
def home(sample_pipeline_run) -> Path:
    return sample_pipeline_run.home


@pytest.fixture(scope="module")
def published(sample_pipeline_run) -> Path:
    return sample_pipeline_run.published


def pmw(args: list[str], home: Path, **kwargs):
    env = {"PMW_HOME": str(home), "PMW_PUBLISHED_DIR": str(home / "published")}
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False, **kwargs)


def query(published: Path, sql: str, params: list | None = None):
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_command_has_help():
    commands = set(main.commands)
    assert {"run", "ui", "dbt-docs", "status", "explain", "ingest", "report", "sql"} <= commands
    for name in commands:
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert f"Usage: main {name}" in result.output or f"Usage: pmw {name}" in result.output, name
        assert len(main.commands[name].help or "") > 20, f"{name} has no real help text"


def test_the_commands_the_messages_name_exist():
    # `pmw run` with PMW_STATS_API_URL set said "run `pmw pull MONTH` to pull one now": pmw has no pull command
    import re

    root = Path(__file__).resolve().parents[1] / "dagster_project"
    named = {
        (path.name, m) for path in root.rglob("*.py") for m in re.findall(r"`pmw ([a-z][a-z-]*)", path.read_text())
    }
    assert {(file, name) for file, name in named if name not in main.commands} == set()


def test_a_command_frees_its_garbage_at_exit_then_leaves_the_live_heap_unwalked(tmp_path):
    """pmw's exit collects what is garbage (its finalizers run while the modules are there), then freezes
    the rest so Python's last collections do not walk it (0.7-1.2 s of `pmw ingest`, cli.py). Watched
    fail: without the handler the freeze count is 0; with the freeze and no collection first, the
    cycle's finalizer never runs."""
    finalized, seen_last = tmp_path / "finalized", tmp_path / "seen_last"
    probe = f"""
import atexit, gc, sys
from pathlib import Path
# registered before pmw's handler, so it runs after it: what the command's exit left
atexit.register(lambda: Path({str(seen_last)!r}).write_text(str(gc.get_freeze_count())))
class Cycle:
    def __del__(self):
        Path({str(finalized)!r}).write_text("finalized")
garbage = Cycle(); garbage.me = garbage; del garbage  # only a collection frees an object in a cycle
gc.disable()  # so that nothing but the exit handler collects it
from dagster_project.cli import main
sys.argv = ["pmw", "status", "--help"]
main()
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Usage: pmw status" in done.stdout  # the output is whole
    assert finalized.read_text() == "finalized"
    assert int(seen_last.read_text()) > 1000  # the modules' objects, frozen


def test_reading_the_outcome_collects_only_when_a_dead_connection_is_in_the_way(tmp_path, monkeypatch):
    """`pmw ingest` reads the release's outcome read-only. A full garbage collection (0.2 s of CPU once
    Dagster and GX are loaded) runs only when DuckDB refuses that because a failed step's dead read-write
    connection is still uncollected. Watched fail: it collected on every ingest."""
    import gc

    from dagster_project.cli import _release_outcome
    from dagster_project.ingest import store

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        store.ensure_schema(con)
        con.execute(
            "INSERT INTO raw.releases VALUES ('r-1', 'f.csv', 'sha', 'long', NULL, 'published', 20, 'loaded', "
            "now()::TIMESTAMP, 0, false)"
        )
    collections = []
    collect = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *args: collections.append(args) or collect(*args))
    assert _release_outcome(warehouse, "r-1")[:3] == ("loaded", 20, [])
    assert collections == []

    gc.disable()  # the dead connection stays until something collects it, as after a failed step
    try:
        holder = dg.Failure("a step failed")
        holder.cycle, holder.con = holder, duckdb.connect(str(warehouse))
        del holder
        assert _release_outcome(warehouse, "r-1")[:3] == ("loaded", 20, [])
        assert len(collections) == 1
    finally:
        gc.enable()


def test_status_filters_by_status_section_and_region(home, published):
    off = pmw(["status", "--status", "off_track", "--format", "json"], home)
    assert off.exit_code == 0, off.output
    rows = json.loads(off.stdout)
    expected = {
        r[0] for r in query(published, "select target_id from fct_target_scorecard where status_code = 'off_track'")
    }
    assert {r["target_id"] for r in rows} == expected and {r["status_code"] for r in rows} == {"off_track"}

    doubling = json.loads(pmw(["status", "--section", "doublings", "--format", "json"], home).stdout)
    assert {r["target_id"] for r in doubling} == {
        r[0]
        for r in query(published, "select target_id from fct_target_scorecard where section_en ilike '%doublings%'")
    }

    liling = pmw(["status", "--region", "醴陵", "--format", "json"], home)
    assert liling.exit_code == 0, liling.output
    by_region = {r["target_id"]: r for r in json.loads(liling.stdout)}
    regional = query(
        published,
        "select target_id, value, unit_status, value_quality from fct_target_progress_by_region "
        "where region_code = '430281' qualify row_number() over (partition by target_id order by period_end desc) = 1",
    )
    assert {r[0] for r in regional} <= set(by_region)
    for target_id, value, unit_status, quality in regional:
        # the county's own latest value, whether it counts as met and what it is (a county's figure was shown
        # with no label), next to the city-wide status
        assert by_region[target_id]["region_value"] == pytest.approx(value)
        assert by_region[target_id]["region_unit_status"] == unit_status
        assert by_region[target_id]["region_value_quality"] == quality
    table_text = pmw(["status", "--region", "醴陵"], home).stdout
    for target_id, value, _, quality in regional:
        shown = next(line for line in table_text.splitlines() if f" {target_id} " in line)
        assert f"[{quality_label(quality).split()[0]}] {num(value)}" in shown, shown


def test_status_table_is_readable_and_counts_add_up(home, published):
    result = pmw(["status", "--all"], home)
    assert result.exit_code == 0
    total = query(published, "select count(*) from fct_target_scorecard")[0][0]
    assert f"{total} targets:" in result.output
    assert "illustrative" in result.output  # the footer says what kind of figures these are
    assert "T5Y-GDP-5000" in result.output and "全市地区生产总值突破5000亿元" in result.output
    # issue 12: grouped by plan, the running plan first (the headline), the closed one apart
    running = query(published, "select count(*) from fct_target_scorecard where not plan_is_closed")[0][0]
    closed = total - running
    assert 0 < running < total
    assert f"headline 进行中规划 running plan: {running} targets:" in result.output
    assert f"已结束规划 closed plans: {closed} targets:" in result.output
    out = result.output
    assert out.index("(进行中 running)") < out.index("(已结束 closed")
    assert out.index("T5Y-GDP-5000") < out.index("(已结束 closed") < out.index("T22-AIR-83")


def test_status_exit_codes(home, tmp_path):
    assert pmw(["status", "--status", "no_such_status"], home).exit_code == 2
    assert pmw(["status", "--region", "Atlantis"], home).exit_code == 2
    nothing = pmw(["status", "--section", "no such section"], home)
    assert nothing.exit_code == 1 and "no target matches" in nothing.output
    empty = tmp_path / "empty_home"
    for args in (["status"], ["explain", "T5Y-GDP-5000"], ["sql", "select 1"], ["report"]):
        result = pmw(args, empty)
        assert result.exit_code == 1, args
        assert "no published marts" in result.output, args


def test_explain_spells_out_the_calculation(home, published):
    result = pmw(["explain", "t5y-gdp-5000"], home)  # ids are matched case-insensitively
    assert result.exit_code == 0, result.output
    actual, ratio, status, source_file, source_row, trace = query(
        published,
        "select actual_value, progress_ratio, status_en, source_file, source_row, calculation_trace "
        "from fct_target_progress where target_id = 'T5Y-GDP-5000' order by period_end desc limit 1",
    )[0]
    text = result.output
    assert f"实际 actual      {num(actual)} 亿元" in text
    assert f"进度比 R         {num(ratio)} = actual growth / required growth" in text
    status_line = next(li for li in text.splitlines() if li.strip().startswith("状态 status"))
    assert status in status_line and "—" in status_line  # the status, and the reason after the dash
    assert f"{source_file} row {source_row}" in text
    assert trace in text  # the mart's one-line trace, verbatim
    assert "(actual − base) / (target − base)" in text and "required" in text


def test_explain_shows_the_unit_of_the_value_behind_the_actual(home, published):
    # "indicator value behind it: 9.4" did not say what 9.4 was (audit s57b): a level, a growth rate, a rank, a
    # count of sections. One row of each kind whose value behind differs from the actual, each shown with the
    # mart's unit (fct_target_progress.underlying_unit)
    rows = query(
        published,
        "select p.target_id, p.period_code, p.underlying_value, p.underlying_bound, p.underlying_unit, t.target_kind "
        "from fct_target_progress as p join dim_targets as t using (target_id) "
        "where p.underlying_value is not null and p.underlying_value is distinct from p.actual_value "
        "qualify row_number() over (partition by t.target_kind, p.derived_from like 'chained%' "
        "order by p.target_id, p.period_end desc) = 1",
    )
    kinds = set()
    for target_id, period, value, bound, unit, kind in rows:
        result = pmw(["explain", target_id, "--period", period], home)
        assert result.exit_code == 0, result.output
        line = next(li for li in result.output.splitlines() if "indicator value behind it:" in li)
        assert line.endswith(f"indicator value behind it: {bound_prefix(bound)}{num(value)} {unit}"), (target_id, line)
        kinds.add(kind)
    assert {"multiple", "rank", "class"} <= kinds, rows


def test_explain_usage_errors(home, published):
    unknown = pmw(["explain", "T5Y-GDP-500"], home)
    assert unknown.exit_code == 2 and "T5Y-GDP-5000" in unknown.output  # suggests the close match
    bad_period = pmw(["explain", "T5Y-GDP-5000", "--period", "2031"], home)
    assert bad_period.exit_code == 2 and "periods with data" in bad_period.output
    # a qualitative target with tasks: explain said "assessed by hand … not assessable" while the scorecard,
    # the report and the alerts gave the status its tasks roll up to
    qualitative = pmw(["explain", "T22-RV-5GOOD-VILLAGES"], home)
    with duckdb.connect(str(published), read_only=True) as con:
        [(code,)] = con.execute(
            "select status_code from fct_target_scorecard where target_id = 'T22-RV-5GOOD-VILLAGES'"
        ).fetchall()
    zh, en, _ = STATUSES[code]
    assert qualitative.exit_code == 0 and "rolled up from its tasks" in qualitative.output
    assert f"(status: {zh} {en})" in qualitative.output


def test_sql_reads_the_published_copy_read_only(home, published):
    result = pmw(["sql", "select count(*) as n from fct_target_scorecard", "--format", "json"], home)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{"n": query(published, "select count(*) from fct_target_scorecard")[0][0]}]
    write = pmw(["sql", "create table scratch as select 1"], home)
    assert write.exit_code == 1 and "read-only" in write.output
    assert not query(published, "select * from duckdb_tables() where table_name = 'scratch'")
    # without a query: statements (and dot commands) from standard input, as in the interactive prompt
    piped = pmw(
        ["sql"], home, input=".tables\nselect target_id\n  from dim_targets\n  order by target_id limit 2;\n.quit\n"
    )
    assert piped.exit_code == 0
    assert "fct_target_scorecard" in piped.output and "(2 rows)" in piped.output


def test_report_command_writes_the_html(home, published, tmp_path):
    out = tmp_path / "r.html"
    result = pmw(["report", "-o", str(out)], home)
    assert result.exit_code == 0, result.output
    assert out.exists() and "charts" in result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # the sample's figures are mostly generated: the line says so, with the share the report carries
    with duckdb.connect(str(published), read_only=True) as con:
        share = con.execute("select avg((actual_quality = 'illustrative')::int) from fct_target_progress").fetchone()[0]
    assert share > 0
    assert f"; {share:.0%} of its progress rows rest on illustrative figures" in result.output, result.output


def _pmw_subprocess(args: list[str], home: Path) -> subprocess.Popen:
    # a fresh interpreter, as a user runs it: the Dagster code location binds its warehouse at import
    env = dict(os.environ)
    env.update(
        PMW_HOME=str(home), DAGSTER_HOME=str(home / "dagster_home"), PMW_WAREHOUSE_PATH=str(home / "warehouse.duckdb")
    )
    env.pop("PMW_PUBLISHED_DIR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "dagster_project.cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=240)
    return proc.returncode, out, err


def test_ingest_loads_a_good_release_and_quarantines_a_bad_one(tmp_path):
    good_home, bad_home = tmp_path / "good", tmp_path / "bad"
    good = SAMPLE / "2022-05" / "published_2022-05-31.csv"
    # two homes, two processes at once: each is a full Dagster run of the ingestion job
    good_proc = _pmw_subprocess(["ingest", str(good), "--as", "2022-05/published_2022-05-31.csv"], good_home)
    bad_proc = _pmw_subprocess(["ingest", str(SAMPLE / "bad" / "long_duplicate_key.csv")], bad_home)
    review = tmp_path / "2021年一季度经济运行情况.html"
    review.write_text(
        "<html><head><title>2021年一季度株洲市经济运行情况</title></head><body><p>发布时间：2021年4月28日"
        "　来源：株洲市统计局</p><p>一季度，全市实现地区生产总值754.2亿元。3月份以来，全市规模工业增加值增长9.0%。</p>"
        "</body></html>",
        encoding="utf-8",
    )
    review_proc = _pmw_subprocess(["ingest", str(review)], tmp_path / "review")
    # a unit's task return: its rows are task rows, not statistics ("loaded 3 observations" in trial s58)
    return_proc = _pmw_subprocess(["ingest", str(SAMPLE / "2025-05" / "task_return_KJJ_2025-04.csv")], tmp_path / "ret")
    # the customer's ledger of real figures (docs/release_formats.md §8), as handed over
    ledger_proc = _pmw_subprocess(["ingest", str(REPO / "data" / "published_facts.csv")], tmp_path / "ledger")
    code, out, err = _finish(ledger_proc)
    assert code == 0, err[-3000:]
    with duckdb.connect(str(tmp_path / "ledger" / "warehouse.duckdb"), read_only=True) as con:
        adapter, rows = con.execute("select adapter, row_count from raw.releases").fetchone()
    assert adapter == "facts_ledger" and f"loaded {rows} observations" in out and rows > 50
    assert "not loaded, not a published actual of a catalogued place: row 18" in out  # a plan, said
    code, out, err = _finish(return_proc)
    assert code == 0, err[-3000:]
    assert re.search(r"\[3/3\] loaded \d+ task rows from task_return_KJJ_2025-04.csv", out), out
    code, out, err = _finish(review_proc)
    assert code == 0, err[-3000:]
    # a figure left out is said, not only loaded past (the sentence's period is not understood)
    assert "row 1: not read, its opening names a period not understood: 3月份以来" in out, out
    code, out, err = _finish(good_proc)
    assert code == 0, err[-3000:]
    assert "[2/3]" in err  # progress is shown
    with duckdb.connect(str(good_home / "warehouse.duckdb"), read_only=True) as con:
        status, rows = con.execute(
            "select status, row_count from raw.releases where source_file = '2022-05/published_2022-05-31.csv'"
        ).fetchone()
        stored = con.execute("select count(*) from raw.observations").fetchone()[0]
    assert status == "loaded" and rows == stored > 0
    assert f"loaded {rows} observations" in out
    assert (good_home / "archive" / "2022-05" / "published_2022-05-31.csv").exists()  # archived like the sensor's

    code, out, err = _finish(bad_proc)
    assert code == 1, err[-3000:]
    assert "QUARANTINED" in out
    line = next(li for li in out.splitlines() if li.startswith("long_duplicate_key.csv"))
    assert line.split()[1:3] == ["3", "key"] and "duplicate of row 2" in line  # file, row, column, reason
    assert ".errors.md" in out and "was quarantined" in err
    with duckdb.connect(str(bad_home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.observations").fetchone()[0] == 0  # nothing of it loaded
        assert con.execute("select status from raw.releases").fetchall() == [("quarantined",)]

    # both went through the Dagster job, so they show in the UI's run list
    for home in (good_home, bad_home):
        instance = dg.DagsterInstance.from_config(str(home / "dagster_home"))
        assert len(instance.get_runs(dg.RunsFilter(job_name="ingest_release_files"))) == 1

    missing = CliRunner().invoke(main, ["ingest", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2  # usage: no such file, before anything is staged


def test_ingest_refuses_a_release_name_outside_the_landing_folder(tmp_path):
    home = tmp_path / "home"
    env = {
        "PMW_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster_home"),
        "PMW_WAREHOUSE_PATH": str(home / "warehouse.duckdb"),
    }
    good = SAMPLE / "2022-05" / "published_2022-05-31.csv"
    hostile = CliRunner().invoke(main, ["ingest", str(good), "--as", "../../evil.csv"], env=env)
    assert hostile.exit_code == 2 and "outside the landing folder" in hostile.output
    assert not (tmp_path / "evil.csv").exists() and not any((home / "landing").iterdir())


def test_status_lists_the_files_quarantined_since_the_last_clean_ingestion(home):
    """Issue 13: the sample's bad files (quarantined on purpose) show under the scorecard, with reasons."""
    result = pmw(["status"], home)
    assert result.exit_code == 0, result.output
    bad = len(list((SAMPLE / "bad").iterdir()))  # 4 statistics files and one unit return (issue 15)
    assert f"{bad} file(s) quarantined since the last clean ingestion" in result.output
    assert "long_future_period.csv: row 2" in result.output and "after the release date" in result.output
    as_json = pmw(["status", "--format", "json"], home)
    json.loads(as_json.stdout)  # machine-readable output stays clean: the list goes to stderr
    assert "quarantined since the last clean ingestion" in as_json.stderr


def test_csv_exports_neutralise_formula_like_cells(home):
    """Issue 13, defect 5: a cell starting with = + - @ is written as text a spreadsheet will not run."""
    result = pmw(
        ["sql", "select '=HYPERLINK(\"http://x\")' as a, '-1+2' as b, 'plain' as c, -3 as n", "--format", "csv"], home
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == '"\'=HYPERLINK(""http://x"")",\'-1+2,plain,-3'


def test_a_run_of_a_home_where_nothing_has_arrived_says_so(tmp_path, monkeypatch, sample_pipeline_run):
    """A new home's first `pmw run` (no release file yet) publishes nothing: the summary says that no
    statistics have arrived and where to put them; not where raw rows are stored (the sample's home)."""
    import io

    from dagster_project.console import RunConsole, nothing_loaded, print_run_summary
    from dagster_project.ingest.store import ensure_schema
    from dagster_project.runner import RunSummary
    from dagster_project.settings import load_settings

    monkeypatch.setenv("PMW_HOME", str(tmp_path))
    for name in ("PMW_WAREHOUSE_PATH", "PMW_LANDING_DIR", "PMW_PUBLISHED_DIR", "PMW_REPORTS_DIR"):
        monkeypatch.delenv(name, raising=False)  # all in the new home
    settings = load_settings()
    hint = "no statistics have been loaded yet: put release files in"

    def summary_text() -> str:
        out = io.StringIO()
        print_run_summary(RunConsole(tmp_path / "logs", stream=out), RunSummary(), settings, None)
        return out.getvalue()

    assert nothing_loaded(settings.warehouse_path)  # no warehouse file at all
    assert f"{hint} {settings.landing_dir}" in summary_text()
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        ensure_schema(con)  # the raw tables, empty
    assert nothing_loaded(settings.warehouse_path) and hint in summary_text()
    settings = dataclasses.replace(settings, warehouse_path=sample_pipeline_run.warehouse)
    assert not nothing_loaded(settings.warehouse_path)
    assert hint not in summary_text()


def test_withdraw_takes_a_release_back_and_restore_puts_it_back(tmp_path):
    from datetime import date

    from dagster_project.ingest.pipeline import ingest_file

    home = tmp_path / "home"
    env = {
        "PMW_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster_home"),
        "PMW_WAREHOUSE_PATH": str(home / "warehouse.duckdb"),
    }
    nothing = CliRunner().invoke(main, ["withdraw", "x.csv", "--reason", "r"], env=env)
    assert nothing.exit_code == 1 and "nothing has been loaded" in nothing.output
    home.mkdir(exist_ok=True)
    with duckdb.connect(env["PMW_WAREHOUSE_PATH"]) as con:
        loaded = ingest_file(SAMPLE / "2022-05" / "published_2022-05-31.csv", con, home / "q", date(2026, 1, 1))
    assert loaded.status == "loaded"

    def run(*args: str):
        return CliRunner().invoke(main, ["withdraw", *args], env=env)

    assert run("published_2022-05-31.csv").exit_code == 2  # no reason given: usage
    done = run("published_2022-05-31.csv", "--reason", "草稿，误报")
    assert done.exit_code == 0, done.output
    assert f"withdrew release {loaded.release_id} (published_2022-05-31.csv): {loaded.row_count} rows" in done.output
    assert "full refresh" in done.output
    again = run("published_2022-05-31.csv", "--reason", "x")
    assert again.exit_code == 2 and "already withdrawn" in again.output
    with duckdb.connect(env["PMW_WAREHOUSE_PATH"], read_only=True) as con:
        assert con.execute("select count(*) from raw.observations").fetchone() == (0,)
        assert con.execute("select reason from raw.withdrawals").fetchall() == [("草稿，误报",)]
    back = run(loaded.release_id, "--restore")
    assert back.exit_code == 0 and f"restored release {loaded.release_id}" in back.output
    with duckdb.connect(env["PMW_WAREHOUSE_PATH"], read_only=True) as con:
        assert con.execute("select count(*) from raw.observations").fetchone() == (loaded.row_count,)


def test_readers_of_a_copy_published_by_older_code_say_so_and_how_to_publish_again(published, tmp_path):
    """A copy published before a column existed (has_series, stop s48) stays as it was until the next
    publish: the readers said nothing but a DuckDB binder error. They now name the copy's version and
    what to run; `pmw sql` still reads it."""
    old = tmp_path / "old_home"
    (old / "published").mkdir(parents=True)
    shutil.copy(published, old / "published" / "marts.duckdb")
    with duckdb.connect(str(old / "published" / "marts.duckdb")) as con:
        con.execute("alter table dim_targets drop column has_series")
        version = con.execute("select version from publish_manifest").fetchone()[0]
    for args in (["status"], ["report"], ["export", "--xlsx"], ["explain", "T5Y-GDP-5000"]):
        result = CliRunner().invoke(main, args, env={"PMW_HOME": str(old)})
        assert result.exit_code == 1, (args, result.output, result.exception)
        assert "older code published it" in result.output and version in result.output, args
        assert "pmw run" in result.output and "has_series" in result.output, args
    still = pmw(["sql", "select count(*) as n from fct_target_scorecard"], old)  # and so does what reads no new column
    assert pmw(["status", "--unit", "TJJ"], old).exit_code == 0
    assert still.exit_code == 0 and "n" in still.output


def test_a_latest_release_date_no_file_stated_is_shown_as_the_day_it_arrived(published, tmp_path):
    """fct_target_scorecard.latest_release_date, the landing day of a file stating no release date, was listed by
    `pmw status` and `pmw explain` ('freshness: latest release …') as if an office had printed it: the scorecard
    had no flag (fct_target_progress's was not carried). It is marked now, as explain's recent periods are."""
    from dagster_project.report.terminal import ARRIVAL_NOTE

    home = tmp_path / "home"
    (home / "published").mkdir(parents=True)
    shutil.copy(published, home / "published" / "marts.duckdb")
    target = "T5Y-GDP-5000"
    with duckdb.connect(str(home / "published" / "marts.duckdb")) as con:
        (released,) = con.execute(
            "select latest_release_date from fct_target_scorecard where target_id = ?", [target]
        ).fetchone()
        assert released is not None
        # as the marts give it for a figure whose file stated no date (the sample's files all date themselves)
        con.execute("update fct_target_scorecard set latest_release_date_imputed = true where target_id = ?", [target])
        con.execute(
            "update fct_target_progress set release_date_imputed = true where target_id = ? and release_date = ?",
            [target, released],
        )
    table_text = pmw(["status"], home).stdout
    shown = next(line for line in table_text.splitlines() if f" {target} " in line)
    assert f"{released} 到达日" in shown, shown
    marked = [line for line in table_text.splitlines() if "到达日" in line]
    assert marked == [shown, ARRIVAL_NOTE], marked  # its row, and the note saying what the mark means
    explained = pmw(["explain", target], home).stdout
    assert f"latest release {released} (到达日 arrival day, not stated by the file); next release due" in explained
    records = json.loads(pmw(["status", "--all", "--format", "json"], home).stdout)
    assert {r["target_id"] for r in records if r["latest_release_date_imputed"]} == {target}
    assert list(records[0])[-1] == "latest_release_date_imputed"  # appended: the other columns keep their places


def test_explain_says_what_a_revision_changed_or_that_a_later_release_restated_the_figure(published, tmp_path):
    """`pmw explain T5Y-GDP-5000` said "the latest of several releases of this figure" both of a GDP figure revised
    from 3,616.8 to 3,631.2 and of one a later release repeated (trial s58e). It reads the figure's vintages in
    the published copy's observation_vintages now (by the release and row fct_target_progress names)."""
    home = tmp_path / "home"
    (home / "published").mkdir(parents=True)
    db = home / "published" / "marts.duckdb"
    shutil.copy(published, db)
    target = "T5Y-GDP-5000"
    with duckdb.connect(str(db)) as con:
        release, row, value, unit, released = con.execute(
            "select release_id, source_row, underlying_value, underlying_unit, release_date from fct_target_progress "
            "where target_id = ? order by period_end desc limit 1",
            [target],
        ).fetchone()
        (key,) = con.execute(
            "select observation_key from observation_vintages where release_id = ? and source_row = ? and value = ? "
            "and indicator_code = 'gdp' and measure = 'value'",
            [release, row, value],
        ).fetchone()
        earlier = con.execute(
            "select release_id, release_date from observation_vintages where observation_key = ? and release_id <> ?",
            [key, release],
        ).fetchall()
    assert len(earlier) == 1, earlier  # the sample publishes its GDP year in the monthly report, then the province's
    (first, first_day) = earlier[0]
    restated = pmw(["explain", target], home).stdout
    assert (
        f"重发 restated: the same value in 2 releases ({first} {first_day}, {release} {released:%Y-%m-%d})" in restated
    )
    assert "the latest of several releases" not in restated

    with duckdb.connect(str(db)) as con:  # the earlier release gave a preliminary figure, 14.4 lower
        con.execute(
            "update observation_vintages set value = value - 14.4 where observation_key = ? and release_id = ?",
            [key, first],
        )
    revised = pmw(["explain", target], home).stdout
    expected = (
        f"修订 revised: {num(value - 14.4)} {unit} (release {first}, released {first_day}) -> {num(value)} "
        f"(release {release}, released {released:%Y-%m-%d})"
    )
    assert expected in revised, revised

    with duckdb.connect(str(db)) as con:  # released once (is_revised came from elsewhere): said as before
        con.execute("delete from observation_vintages where observation_key = ? and release_id = ?", [key, first])
        # the sample's GDP is restated, not revised (is_revised false): the flag from elsewhere, set here
        con.execute("update fct_target_progress set is_revised = true where target_id = ?", [target])
    once = pmw(["explain", target], home).stdout
    assert f"; release {release} (the latest of several releases of this figure; every vintage:" in once
    assert "revised:" not in once and "restated:" not in once
