"""`pmw run` without --sample on a home holding only real published figures (issue 12): the customer's
ledger (data/published_facts.csv, loaded as handed over) plus real figures with a
half-year period, a two-month period, a bound and growth-only rates (tests/fixtures/real_figures/, each
row with its source). Every target with a figure gets a status; the headline target on the bound
"2025 GDP 突破4000亿元" is at least off track, with R and the growth needed in 2026."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator

import duckdb
import pytest
from click.testing import CliRunner

from dagster_project.cli import main
from dagster_project.console import figure_natures, figures_line
from dagster_project.report.labels import num
from dagster_project.resources import dbt_executable
from tests.conftest import REPO, PipelineRun, settings_at


@pytest.fixture(scope="module")
def real_run(real_pipeline_run: PipelineRun) -> Iterator[PipelineRun]:
    """One home, loaded once through the landing folder with published figures only (built in the
    background at session start: tests/prepared_homes.py, kind ``real``)."""
    with settings_at(real_pipeline_run.home):
        os.environ.pop("PMW_STATS_API_URL", None)  # no API: published files only
        yield real_pipeline_run


def rows(run: PipelineRun, sql: str) -> list[tuple]:
    with duckdb.connect(str(run.published), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_real_home_loads_checks_and_publishes(real_run):
    summary = real_run.summary
    assert summary.ok and not summary.failed_checks and not summary.files_quarantined, summary
    assert not rows(real_run, "select 1 from fct_target_progress where actual_quality = 'illustrative'")
    with duckdb.connect(str(real_run.warehouse), read_only=True) as con:
        periods = dict(
            con.execute(
                "select source_value || ' ' || indicator_code || ' ' || measure, period_code "
                "from raw.observations where source_file like '%zhuzhou_real%'"
            ).fetchall()
        )
    # the half-year, two-month and year-to-date spellings of the real releases, read by one parser
    assert periods["1798.49 gdp value"] == "2023-01~06"
    assert periods["42.9 trade_total value"] == "2023-01~02"
    assert periods["10.8 industrial_value_added yoy_pct"] == "2025-01~05"
    assert periods["突破4000 gdp value"] == "2025"


def test_every_target_with_a_figure_has_a_status(real_run):
    statuses = dict(
        rows(
            real_run,
            "select target_id, status_code from fct_target_scorecard "
            "where target_id in (select target_id from fct_target_progress)",
        )
    )
    assert {"T5Y-GDP-5000", "T5Y-DBL-HITECH", "T5Y-DBL-INDVA", "T5Y-DBL-TRADE"} <= set(statuses)
    assert all(code not in (None, "no_data") for code in statuses.values()), statuses


def test_a_bound_is_assessed_conservatively(real_run):
    (status, on_bound, reading, ratio, needed, actual_cagr, required, quality, trace) = rows(
        real_run,
        "select status_code, status_rests_on_bound, bound_reading, progress_ratio, required_cagr_from_now, "
        "actual_cagr, required_cagr, actual_quality, calculation_trace "
        "from fct_target_progress where target_id = 'T5Y-GDP-5000' and period_code = '2025'",
    )[0]
    assert (status, on_bound, reading, quality) == ("off_track", True, "at_least", "published")
    assert actual_cagr == pytest.approx((4000 / 3420.3) ** (1 / 4) - 1)  # about 4.0% a year
    assert required == pytest.approx((5000 / 3420.3) ** (1 / 5) - 1)  # about 7.9% a year
    assert ratio == pytest.approx(0.506, abs=0.001)
    assert needed == pytest.approx(0.25)  # 5000 / 4000 - 1 in 2026
    assert "at least off_track" in trace and "rests on the bound >4000" in trace
    assert rows(real_run, "select status_code from fct_target_scorecard where target_id = 'T5Y-GDP-5000'") == [
        ("off_track",)
    ]


def test_pmw_explain_says_the_status_rests_on_the_bound(real_run):
    env = {"PMW_HOME": str(real_run.home), "PMW_PUBLISHED_DIR": str(real_run.home / "published")}
    result = CliRunner().invoke(main, ["explain", "T5Y-GDP-5000"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    text = result.output
    status_line = next(li for li in text.splitlines() if li.strip().startswith("状态 status"))
    assert "至少 at least 进度滞后 Off track" in status_line
    assert "growth needed in 2026: 25.0%" in text
    ratio = rows(
        real_run,
        "select progress_ratio from fct_target_progress where target_id = 'T5Y-GDP-5000' and period_code = '2025'",
    )[0][0]
    assert f"进度比 R         {num(ratio)} = actual growth / required growth" in text and "a bound" in text
    assert "the status rests on the published bound >4,000" in text


def test_growth_only_chains_use_the_published_average_and_stop_at_a_gap(real_run):
    # 规模工业增加值: 2021 +11.7% and 2021-2025 年均 +9.4% (real) fill 2022-2025: 1.094^5 / 1.117
    index, quality, derived = rows(
        real_run,
        "select actual_value, actual_quality, derived_from from fct_target_progress "
        "where target_id = 'T5Y-DBL-INDVA' and period_code = '2025'",
    )[0]
    assert index == pytest.approx(1.094**5 / 1.117)
    assert quality == "derived" and "2021-2025 年均 9.4%" in derived
    # 进出口: Jan-Feb 2023 +46.9% but no 2022 growth: unknown, not 0%
    status, note = rows(
        real_run,
        "select status_code, status_note from fct_target_progress "
        "where target_id = 'T5Y-DBL-TRADE' and period_code = '2023-01~02'",
    )[0]
    assert status == "not_assessable" and "2022" in note


def test_a_rate_year_without_a_full_year_figure_is_read_by_its_months_and_against_a_year_earlier(real_run):
    # 优良率 83%左右 for 2022 (real): 2022 has only the October month (71.0), 2021 a full year (84.9).
    # The full year of another year does not drop the month, and the month a year earlier (2021-10
    # 83.9, before the target's window) makes it deteriorating, not off track.
    assert rows(
        real_run,
        "select period_code, actual_value, previous_actual, status_code, status_reason "
        "from fct_target_progress where target_id = 'T22-AIR-83'",
    ) == [("2022-10", 71.0, 83.9, "deteriorating", "worse_than_year_before")]


def test_a_deadline_passed_without_its_final_figure_shows_no_pace(real_run):
    # 2022 targets seen in December 2026, their latest figures from 2022-02 and 2022-10: no pace status
    scorecard = dict(
        (target, (status, reason))
        for target, status, reason in rows(
            real_run,
            "select target_id, status_code, status_reason from fct_target_scorecard "
            "where target_id in ('T22-NEW-LITTLEGIANT', 'T22-AIR-83')",
        )
    )
    assert scorecard == {
        "T22-NEW-LITTLEGIANT": ("not_assessable", "no_final_figure"),
        "T22-AIR-83": ("not_assessable", "no_final_figure"),
    }
    # the month-end history keeps the pace while the window was open: off track in June and December 2022
    monthly = dict(
        rows(
            real_run,
            "select snapshot_month, status_code from fct_scorecard_monthly "
            "where target_id = 'T22-NEW-LITTLEGIANT' and snapshot_month in ('2022-06', '2022-12', '2023-01')",
        )
    )
    assert monthly == {"2022-06": "off_track", "2022-12": "off_track", "2023-01": "not_assessable"}
    env = {"PMW_HOME": str(real_run.home), "PMW_PUBLISHED_DIR": str(real_run.home / "published")}
    result = CliRunner().invoke(main, ["explain", "T22-NEW-LITTLEGIANT"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    now = next(li for li in result.output.splitlines() if li.strip().startswith("今日 status now"))
    assert "无法评估 Not assessable" in now and "no figure for the deadline period" in now


def test_pmw_status_keeps_the_at_least_of_a_status_on_a_bound(real_run):
    env = {"PMW_HOME": str(real_run.home), "PMW_PUBLISHED_DIR": str(real_run.home / "published")}
    result = CliRunner().invoke(main, ["status"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    line = next(li for li in result.output.splitlines() if "T5Y-GDP-5000" in li)
    assert "至少 进度滞后" in line, line


def test_a_newer_period_that_cannot_be_assessed_does_not_hide_the_last_status(real_run, tmp_path):
    """Methodology §4. 高新技术产业增加值倍增 is off track in 2022 (real: 1.03 times 2021). An illustrative 1-6月
    2023 level added to a copy of the warehouse has no 2021 1-6月 level to divide by (none published, no
    seasonal profile, no growth): that period is not assessable, with its note, in fct_target_progress. The
    scorecard, and the month still open in the month-end history, keep 2022's status and name 2023-01~06
    and why; a target with no period that can be assessed (进出口倍增) stays not assessable."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(real_run.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        added = con.execute(
            "insert into raw.observations select * replace ("
            "'R-TEST-2023-06' as release_id, '2023-01~06' as period_code, 'ytd' as period_kind, "
            "date '2023-01-01' as period_start, date '2023-06-30' as period_end, 600.0 as value, "
            "'600' as source_value, 'illustrative' as provenance, '' as source_ref, 'test_2023-06.csv' as source_file, "
            "date '2023-07-20' as release_date, current_timestamp as ingested_at) "
            "from raw.observations where indicator_code = 'hightech_value_added' and period_code = '2022' "
            "and measure = 'value'"
        ).fetchone()
        assert added == (1,)
    env = {**os.environ, "PMW_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    argv = [dbt_executable(), "run", "--profiles-dir", ".", "--target-path", str(tmp_path / "target")]
    done = subprocess.run(argv, cwd=REPO / "dbt", env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        progress = con.execute(
            "select period_code, status_code, status_reason, status_note, is_latest_period, is_scorecard_period "
            "from marts.fct_target_progress where target_id = 'T5Y-DBL-HITECH' order by period_end"
        ).fetchall()
        scorecard = con.execute(
            "select target_id, status_code, status_reason, latest_period_code, unassessed_period_code, "
            "unassessed_status_reason, status_note from marts.fct_target_scorecard "
            "where target_id in ('T5Y-DBL-HITECH', 'T5Y-DBL-TRADE') order by 1"
        ).fetchall()
        open_month = con.execute(
            "select status_code, latest_period_code, unassessed_period_code, unassessed_status_reason "
            "from marts.fct_scorecard_monthly where target_id = 'T5Y-DBL-HITECH' and not is_month_closed"
        ).fetchall()
    (year, ytd) = progress
    assert year[:3] == ("2022", "off_track", "ratio_off_track") and year[4:] == (False, True)
    assert ytd[:3] == ("2023-01~06", "not_assessable", "growth_chain_broken") and ytd[4:] == (True, False)
    assert "2021" in ytd[3], ytd[3]
    hitech, trade = scorecard
    assert hitech[:6] == ("T5Y-DBL-HITECH", "off_track", "ratio_off_track", "2022", "2023-01~06", "growth_chain_broken")
    assert "the newer period 2023-01~06 cannot be assessed (" + ytd[3] in hitech[6], hitech[6]
    assert trade[:5] == ("T5Y-DBL-TRADE", "not_assessable", "growth_chain_broken", "2023-01~02", None)
    assert open_month == [("off_track", "2022", "2023-01~06", "growth_chain_broken")]


def test_the_figures_behind_the_statuses_carry_no_illustrative_warning(real_run):
    # `pmw run`'s closing line on the ledger's real figures alone: nothing there is illustrative
    natures = figure_natures(real_run.published)
    assert natures.get("published") and "illustrative" not in natures and "returns_illustrative" not in natures
    assert "illustrative" not in figures_line(natures)


def test_the_ledgers_sources_entry_gives_the_span_of_its_rows_release_dates(real_run):
    # data/published_facts.csv copies figures released from 2014 to 2026: its entry in the manifest (and the
    # report's list of sources) gave one date, the latest row's
    manifest = json.loads((real_run.home / "published" / "manifest.json").read_text(encoding="utf-8"))
    (ledger,) = [v for v in manifest["source_vintages"] if v["source_file"].endswith("published_facts.csv")]
    assert ledger["first_release_date"] < ledger["release_date"], ledger
    with duckdb.connect(str(real_run.warehouse), read_only=True) as con:
        first = con.execute(
            "select min(release_date) from raw.observations where release_id = ?", [ledger["release_id"]]
        ).fetchone()[0]
    assert ledger["first_release_date"] == str(first)
    report = (real_run.home / "reports" / "progress_report.html").read_text(encoding="utf-8")
    # its latest date is the day it landed (rows 3, 31 … cite no date): marked so (the next test)
    assert f"released {ledger['first_release_date']} – {ledger['release_date']} (到达日 " in report
    assert "(各行各有日期 each row its own date)" in report


def test_a_release_date_the_ledger_does_not_state_is_stored_and_shown_as_the_day_it_arrived(real_run):
    # rows of the ledger citing no date were dated the day the file landed, said only in an ingest note: stored,
    # explained and listed as if the office had released them that day
    manifest = json.loads((real_run.home / "published" / "manifest.json").read_text(encoding="utf-8"))
    (ledger,) = [v for v in manifest["source_vintages"] if v["source_file"].endswith("published_facts.csv")]
    assert ledger["release_date_imputed"] is True and ledger["arrival_date"] == ledger["release_date"], ledger
    others = [v for v in manifest["source_vintages"] if v is not ledger]
    assert others and not any(v["release_date_imputed"] or v["arrival_date"] for v in others), others
    with duckdb.connect(str(real_run.warehouse), read_only=True) as con:
        flagged = con.execute(
            "select distinct release_date from raw.observations where release_date_imputed"
        ).fetchall()
        stated = con.execute(
            "select count(*) from raw.observations where release_id = ? and not release_date_imputed",
            [ledger["release_id"]],
        ).fetchone()[0]
    assert [str(d) for (d,) in flagged] == [ledger["release_date"]] and stated > 0
    # every vintage, published (observation_vintages), and the figures a target reads carry the flag
    assert rows(real_run, "select count(*) from observation_vintages where release_date_imputed")[0][0] > 0
    target, period, release_date = rows(
        real_run,
        "select target_id, period_code, release_date from fct_target_progress where release_date_imputed "
        "order by all limit 1",
    )[0]
    assert str(release_date) == ledger["release_date"]
    assert rows(real_run, "select count(*) from fct_target_progress where not release_date_imputed")[0][0] > 0
    env = {"PMW_HOME": str(real_run.home), "PMW_PUBLISHED_DIR": str(real_run.home / "published")}
    result = CliRunner().invoke(main, ["explain", target, "--period", period], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"released {release_date} (到达日 arrival day, not stated by the file)" in result.output, result.output
    report = (real_run.home / "reports" / "progress_report.html").read_text(encoding="utf-8")
    assert f"released {release_date} (到达日 arrival day, not stated by the file)" in report
