"""Quiet, honest runs: `pmw run --sample` (what `make run` runs) prints one line per stage and a short
closing summary ending with the status counts and the nature (published, derived, illustrative) of the
figures they rest on; the quarantined files are listed with their reasons;
Dagster's and dbt's full output, stack traces included, is in the log file under <PMW_HOME>/logs/.
A broken catalogue row is named by file, row, target and column before dbt runs."""

from __future__ import annotations

import io
import re
import shutil
import time
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.catalogue_check import check_catalogue
from dagster_project.console import RunConsole, figures_line
from dagster_project.report.labels import read_statuses
from dagster_project.settings import load_settings
from tests.conftest import REPO


def test_make_run_output_is_short_and_ends_with_the_status_counts_and_their_figures(sample_pipeline_run):
    output = sample_pipeline_run.output
    lines = output.splitlines()
    assert 8 < len(lines) < 59, output  # `make run` adds one line: the command it runs
    assert "Traceback" not in output and "STEP_FAILURE" not in output and "dagster - " not in output
    with duckdb.connect(str(sample_pipeline_run.published), read_only=True) as con:
        counts = dict(con.execute("select status_code, count(*) from fct_target_scorecard group by 1").fetchall())
    statuses = read_statuses()
    expected = " · ".join(f"{statuses[c][0]} {statuses[c][1].lower()} {counts[c]}" for c in statuses if counts.get(c))
    assert lines[-2] == f"status counts ({sum(counts.values())} targets): {expected}"
    # the last line says what the statuses rest on: the sample's figures and the units' returns are generated
    with duckdb.connect(str(sample_pipeline_run.published), read_only=True) as con:
        illustrative, from_returns = con.execute(
            """select count(*) filter (where actual_quality = 'illustrative'),
                      count(*) filter (where actual_quality is null and target_id in (
                          select target_id from fct_task_returns where provenance = 'illustrative'))
               from fct_target_scorecard"""
        ).fetchone()
    assert illustrative > 0 and from_returns > 0
    assert lines[-1].startswith("figures behind them: "), lines[-1]
    assert f"示意 illustrative {illustrative} " in lines[-1]
    assert f"任务台账 task returns {from_returns} (示意 illustrative {from_returns})" in lines[-1]
    assert f"{illustrative + from_returns} status(es) rest on illustrative figures or returns" in lines[-1]
    # one line per stage, with how long it took
    stages = [li for li in lines if re.match(r"^\[\d\] ", li)]
    assert len(stages) == 3 and all(re.search(r"\(\d+ s\)$", s) for s in stages), stages
    # every quarantined file, with its reason
    quarantined = sample_pipeline_run.summary.files_quarantined
    assert quarantined
    for key in quarantined:
        line = next(li for li in lines if li.strip().startswith(key))
        assert re.search(r"row \d+, \w+: .{8,}", line), line
    assert any(li.startswith("changed since last month (") for li in lines)
    # the full log is where the output says
    log = Path(re.search(r"full log:\s+(\S+)", output).group(1))
    assert log.parent == sample_pipeline_run.home / "logs"
    text = log.read_text(encoding="utf-8")
    assert re.search(r"\d+ of \d+ OK created sql", text) and "dagster - INFO" in text


def test_a_terminal_gets_a_progress_bar(tmp_path):
    out = io.StringIO()
    with RunConsole(tmp_path / "logs", stream=out) as console:
        console.interactive = True  # as on a terminal
        console.stage("loading", probe=lambda: (7, 20))
        time.sleep(1.2)
        console.end_stage("7 loaded")
    text = out.getvalue()
    assert "[#########-------------------] 7/20" in text
    assert text.rstrip().endswith("[1] loading … 7 loaded (1 s)")


def test_catalogue_errors_name_file_row_target_and_column(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    path = seeds / "targets.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    row = next(i for i, li in enumerate(lines) if li.startswith("T5Y-GDP-5000,"))
    lines[row] = lines[row].replace(",gdp,", ",gpd,", 1).replace(",level,exceed,", ",level,exceeds,", 1)
    lines[row] = lines[row].replace(",2022-01-01,2026-12-31,", ",2022-01-01,2026-13-31,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    problems = [str(p) for p in check_catalogue(seeds)]
    where = f"seeds/targets.csv row {row + 1} (T5Y-GDP-5000)"
    assert (
        f"{where}, column indicator_code: 'gpd' is not among the indicator_code values of seeds/indicators.csv; "
        "did you mean 'gdp'?" in problems
    )
    assert f"{where}, column comparator: 'exceeds' is not one a target_kind 'level' may use " in "\n".join(problems)
    assert any(p.startswith(f"{where}, column deadline: '2026-13-31' is not a date") for p in problems)
    assert len(problems) == 3, problems
    assert check_catalogue(REPO / "seeds") == []  # the real catalogue keeps every rule


def _targets_to_break(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A copy of the checkout's seeds, its targets.csv and that file's lines (the header first) to break."""
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    path = seeds / "targets.csv"
    return seeds, path, path.read_text(encoding="utf-8").splitlines(keepends=True)


def _row(lines: list[str], target_id: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(f"{target_id},"))


def test_catalogue_rules_between_columns_and_files_are_checked_before_a_build(tmp_path):
    # each of these was loaded and built for minutes, then failed a dbt test with no target named (a
    # comparator its kind does not use, a surplus field), or was published as nonsense (a start after the
    # deadline, a baseline year after it, a misspelt extra column)
    seeds, path, lines = _targets_to_break(tmp_path)
    gdp, rank = _row(lines, "T5Y-GDP-5000"), _row(lines, "T5Y-RANK-GDP")
    lines[gdp] = lines[gdp].replace(",level,exceed,", ",level,rank_gain,", 1)
    lines[gdp] = lines[gdp].replace(",2021,3420.3,", ",2027,3420.3,", 1).replace(",2022-01-01,", ",2027-01-01,", 1)
    lines[rank] = lines[rank].rstrip("\n") + ",remark,surplus\n"
    lines[0] = lines[0].rstrip("\n") + ",remarks\n"
    path.write_text("".join(lines), encoding="utf-8")
    problems = [str(p) for p in check_catalogue(seeds)]
    where = f"seeds/targets.csv row {gdp + 1} (T5Y-GDP-5000)"
    assert problems == [
        "seeds/targets.csv row 1, column remarks: is not a column of this seed (seeds/properties.yml): misspelt, "
        "or a column to add there too",
        f"{where}, column comparator: 'rank_gain' is not one a target_kind 'level' may use (exceed at_least "
        "at_most about; seeds/target_kinds.csv)".replace(
            "exceed at_least at_most about", "exceed, at_least, at_most, about"
        ),
        f"{where}, column baseline_year: '2027' is after the deadline 2026-12-31",
        f"{where}, column start_date: '2027-01-01' is after the deadline 2026-12-31",
        f"seeds/targets.csv row {rank + 1} (T5Y-RANK-GDP), column (row): has 23 fields, the header 22 (an unquoted "
        "comma?)",
    ], problems


def test_a_seed_saved_by_excel_is_read_or_refused_by_name(tmp_path):
    # Excel's "CSV UTF-8" (a byte-order mark) was read as a missing target_id column; a GBK save stopped the
    # run with a UnicodeDecodeError naming no file
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    path = seeds / "targets.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert check_catalogue(seeds) == []
    path.write_bytes(text.encode("gb18030"))
    [problem] = [str(p) for p in check_catalogue(seeds)]
    assert problem.startswith("seeds/targets.csv, column (file): is not UTF-8 (byte ")
    assert "save it as 'CSV UTF-8'" in problem


def test_a_number_in_full_width_digits_is_refused_by_row_and_column(tmp_path):
    # Python's float('４８００') is 4800.0, so the check passed a target_value and a baseline_year typed with a
    # Chinese IME; dbt's seed load then stopped the build with "Conversion Error: CSV Error on Line: 2" (a trial
    # of a second city's seeds, 2026-12-07). An underscore (4_800) or nan passed the same way.
    seeds, path, lines = _targets_to_break(tmp_path)
    gdp = _row(lines, "T5Y-GDP-5000")
    lines[gdp] = lines[gdp].replace(",5000,,亿元,2021,3420.3,", ",５０００,,亿元,２０２１,3_420.3,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    where = f"seeds/targets.csv row {gdp + 1} (T5Y-GDP-5000)"
    assert [str(p) for p in check_catalogue(seeds)] == [
        f"{where}, column target_value: '５０００' is not a number (double): write it in ASCII digits (0-9)",
        f"{where}, column baseline_year: '２０２１' is not a number (integer): write it in ASCII digits (0-9)",
        f"{where}, column baseline_value: '3_420.3' is not a number (double)",
    ]


def test_a_failing_dbt_test_is_named_under_the_failed_build(tmp_path):
    # a data test failing in the build printed only "the build did not succeed": its name and count were in
    # the log alone (coloured, which the error lines' pattern did not match)
    from dagster_project.console import build_errors

    log = tmp_path / "run.log"
    log.write_text(
        "10:09:41  194 of 409 FAIL 1 listed_in_targets_comparator ..... [\x1b[31mFAIL 1\x1b[0m in 0.03s]\n"
        "\x1b[31mFailure in test listed_in_targets_comparator (models/staging/stg.yml)\x1b[0m\n"
        "  Got 1 result, configured to fail if != 0\n"
        "\x1b[31mRuntime Error in model int_x (models/int_x.sql)\x1b[0m\n"
        "  Binder Error: column y not found\n",
        encoding="utf-8",
    )
    assert build_errors(log) == [
        "Failure in test listed_in_targets_comparator (models/staging/stg.yml): "
        "Got 1 result, configured to fail if != 0",
        "Runtime Error in model int_x (models/int_x.sql): Binder Error: column y not found",
    ]


def test_a_broken_catalogue_stops_the_build_with_those_messages(tmp_path, monkeypatch):
    from dagster_project.runner import build_and_publish

    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    path = seeds / "targets.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",zz_2022_2026,", ",zz_2022_2062,", 1), encoding="utf-8")
    monkeypatch.setenv("PMW_SEEDS_DIR", str(seeds))
    said: list[str] = []
    ok, failed = build_and_publish(dg.DagsterInstance.ephemeral(), load_settings(), said.append)
    assert not ok and failed == ["catalogue: 1 problem(s) in the seed files, nothing was built"]
    assert said == [
        "catalogue: seeds/targets.csv row 2 (T5Y-GDP-5000), column plan_id: 'zz_2022_2062' is not among the "
        "plan_id values of "
        "seeds/plans.csv; did you mean 'zz_2022_2026'?"
    ]


def test_a_quantified_target_without_its_indicator_or_value_stops_the_run_before_the_build(tmp_path, monkeypatch):
    # a level target with no indicator or no target value (a second city's catalogue) was built and shown as
    # "not assessable" with no error: the rule was a repo test over 株洲's seeds only. A value on an improve and a
    # tolerance on an at_least were shown and never read. An about with no tolerance keeps the rule (the default
    # share of its value)
    from dagster_project.runner import run_pipeline
    from tests.conftest import point_settings_at

    point_settings_at(tmp_path / "home", monkeypatch)
    seeds, path, lines = _targets_to_break(tmp_path)
    trade, hte, tax, stproj, air = (
        _row(lines, target_id)
        for target_id in ("T22-TRADE-300", "T22-HTE-1000", "T22-TAX-GROWTH-UP", "T22-NEW-STPROJ", "T22-AIR-83")
    )
    lines[trade] = lines[trade].replace(",trade_total,", ",,", 1)
    lines[hte] = lines[hte].replace(",level,exceed,1000,,", ",level,exceed,,,", 1)
    lines[tax] = lines[tax].replace(",improve,,,%,", ",improve,3,,%,", 1)
    lines[stproj] = lines[stproj].replace(",at_least,120,,", ",at_least,120,5,", 1)
    lines[air] = lines[air].replace(",about,83,1,", ",about,83,,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setenv("PMW_SEEDS_DIR", str(seeds))
    settings = load_settings()
    # a warehouse and a published copy from an earlier run, which readers keep
    settings.published_dir.mkdir(parents=True)
    for warehouse in (settings.warehouse_path, settings.published_db_path):
        with duckdb.connect(str(warehouse)) as con:
            con.execute("create table kept as select 1 as figure")
    before = {w: w.read_bytes() for w in (settings.warehouse_path, settings.published_db_path)}
    said: list[str] = []
    summary = run_pipeline(settings, sample=False, log=said.append)
    assert not summary.build_succeeded and summary.failed_checks == [
        "catalogue: 4 problem(s) in the seed files, nothing was ingested or built (the files wait in the landing "
        "folder)"
    ]
    series = "has a figure series to compare (seeds/target_kinds.csv has_series)"
    expected = {
        trade: f"T22-TRADE-300), column indicator_code: is empty, but a level target {series}: state its "
        "indicator_code, or read it as a qualitative target",
        hte: f"T22-HTE-1000), column target_value: is empty, but a level target {series}: state its target_value, or "
        "read it as a qualitative target",
        tax: "T22-TAX-GROWTH-UP), column target_value: '3' is stated, but a target compared by improve takes no "
        "target_value (never read): leave it empty",
        stproj: "T22-NEW-STPROJ), column tolerance: '5' is stated, but only about reads a tolerance: with at_least it "
        "is never read",
    }
    # in row order, each named by file, row, target and column
    assert said == [f"catalogue: seeds/targets.csv row {row + 1} ({expected[row]}" for row in sorted(expected)], said
    assert {w: w.read_bytes() for w in before} == before  # nothing built, nothing published


def test_a_broken_catalogue_stops_the_run_before_the_files_waiting_are_ingested(tmp_path, monkeypatch):
    # a seed saved as GBK with a release waiting: the ingestion's Dagster definitions ran `dbt parse` first,
    # which failed, and `pmw run` ended on "error: CalledProcessError: Command '['dbt', 'parse', …]' returned
    # non-zero exit status 2", naming no seed (a trial of 衡阳's seeds, 2026-12-07); the catalogue check came
    # only before the build, after the ingestion
    import dataclasses

    from dagster_project.runner import run_pipeline
    from tests.conftest import point_settings_at

    point_settings_at(tmp_path / "home", monkeypatch)
    project = tmp_path / "project"  # dbt/ and seeds/ side by side (dbt_project.yml reads ../seeds)
    shutil.copytree(REPO / "dbt", project / "dbt", ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    shutil.copytree(REPO / "seeds", project / "seeds")
    regions = project / "seeds" / "regions.csv"
    regions.write_bytes(regions.read_text(encoding="utf-8").encode("gb18030"))
    monkeypatch.setenv("PMW_SEEDS_DIR", str(project / "seeds"))
    settings = dataclasses.replace(load_settings(), dbt_project_dir=project / "dbt")
    settings.landing_dir.mkdir(parents=True)
    waiting = settings.landing_dir / "gdp_2025.csv"
    shutil.copy(REPO / "tests" / "fixtures" / "second_city" / "xiangtan_illustrative_2025.csv", waiting)
    said: list[str] = []
    summary = run_pipeline(settings, sample=False, log=said.append)
    assert not summary.build_succeeded and not summary.files_loaded
    assert summary.failed_checks == [
        "catalogue: 1 problem(s) in the seed files, nothing was ingested or built (the files wait in the landing "
        "folder)"
    ]
    assert any(line.startswith("catalogue: seeds/regions.csv, column (file): is not UTF-8") for line in said), said
    assert waiting.is_file()  # not ingested, not quarantined: it is read once the catalogue is mended


def test_pmw_ingest_names_a_broken_seed_and_stages_nothing(tmp_path):
    # the same GBK seed made `pmw ingest` say "the ingestion run did not record release …; see run … in the
    # Dagster UI", naming no seed, and leave the file staged in the landing folder
    import os
    import subprocess
    import sys

    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    regions = seeds / "regions.csv"
    regions.write_bytes(regions.read_text(encoding="utf-8").encode("gb18030"))
    home = tmp_path / "home"
    env = {**os.environ, "PMW_HOME": str(home), "PMW_SEEDS_DIR": str(seeds)}
    env.update(DAGSTER_HOME=str(home / "dagster_home"), PMW_WAREHOUSE_PATH=str(home / "warehouse.duckdb"))
    env.pop("PMW_PUBLISHED_DIR", None)
    release = REPO / "tests" / "fixtures" / "second_city" / "xiangtan_illustrative_2025.csv"
    done = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "ingest", str(release)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 1, done.stderr
    assert "catalogue: seeds/regions.csv, column (file): is not UTF-8" in done.stderr, done.stderr
    assert "error: catalogue: 1 problem(s) in the seed files, nothing was ingested" in done.stderr, done.stderr
    assert not (home / "landing").is_dir() or not any((home / "landing").iterdir())


def test_an_unexpected_error_is_one_line_and_the_traceback_goes_to_the_log(tmp_path, monkeypatch):
    from dagster_project import console as console_module
    from dagster_project.settings import load_settings
    from tests.conftest import point_settings_at

    point_settings_at(tmp_path / "home", monkeypatch)

    def broken(*args, **kwargs):
        raise RuntimeError("the dbt project does not parse\nsecond line")

    monkeypatch.setattr("dagster_project.runner.run_pipeline", broken)
    out = io.StringIO()
    summary = console_module.run_with_console(sample=False, settings=load_settings(), stream=out)
    text = out.getvalue()
    assert not summary.ok
    assert "error: RuntimeError: the dbt project does not parse" in text and "Traceback" not in text
    log = next((tmp_path / "home" / "logs").glob("run-*.log")).read_text(encoding="utf-8")
    assert "Traceback" in log and "second line" in log


def test_the_run_summary_shows_the_notes_on_the_files_read(tmp_path, monkeypatch):
    """`pmw run` gathered each file's notes (sheets skipped, figures left out, vintage labels) and printed
    none of them: a review's sentence left out for its period went unsaid."""
    from dagster_project.console import MAX_LISTED, print_run_summary
    from dagster_project.runner import RunSummary
    from tests.conftest import point_settings_at

    point_settings_at(tmp_path, monkeypatch)
    left_out = "row 3: not read, its opening names a period not understood: 3月份以来,全市规模工业增加值增长9.0"
    many = [f"row {i} 本月: preliminary (初步): a later release revises it" for i in range(MAX_LISTED + 3)]
    summary = RunSummary(
        files_loaded=["review.html", "tjyb.xlsx"], notes={"review.html": [left_out], "tjyb.xlsx": many}
    )
    out = io.StringIO()
    print_run_summary(RunConsole(tmp_path / "logs", stream=out), summary, load_settings(), None)
    lines = out.getvalue().splitlines()
    start = lines.index(f"notes on the files read:   {MAX_LISTED + 4}")
    assert lines[start + 1] == f"    review.html: {left_out}"
    assert lines[start + 2] == f"    tjyb.xlsx: {many[0]}"
    assert lines[start + MAX_LISTED + 1] == "    … and 4 more"


def test_the_closing_figures_line_warns_only_when_a_status_rests_on_illustrative_figures():
    real = figures_line({"published": 12, "derived": 3, "returns": 5, None: 2})
    assert real == (
        "figures behind them: 公开 published 12 · 推算 derived 3 · 任务台账 task returns 5 · 无实际值 no actual yet 2"
    )
    mixed = figures_line({"published": 1, "illustrative": 4, "returns": 2, "returns_illustrative": 3})
    assert "示意 illustrative 4" in mixed and "任务台账 task returns 5 (示意 illustrative 3)" in mixed
    assert "7 status(es) rest on illustrative figures or returns" in mixed


def test_a_catalogue_dbt_does_not_load_stops_the_build_by_name(tmp_path, monkeypatch):
    # PMW_SEEDS_DIR was read by ingestion and the checks, while dbt built the checkout's seeds (dbt_project.yml
    # seed-paths) without a word: a catalogue saying "exceed 9999" published the checkout's 4800, achieved
    from dagster_project.runner import build_and_publish

    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    monkeypatch.setenv("PMW_SEEDS_DIR", str(seeds))
    said: list[str] = []
    ok, failed = build_and_publish(dg.DagsterInstance.ephemeral(), load_settings(), said.append)
    why = f"catalogue: the catalogue is {seeds} (PMW_SEEDS_DIR), but dbt builds the seeds of {REPO / 'seeds'}"
    assert not ok and len(failed) == 1 and failed[0].startswith(why), failed
    assert said == failed
