"""The task ledger on the bundled sample (shared pipeline run): every qualitative target assessed from
its tasks, returns checked (late, missing, resubmitted, stage backwards), the unit scorecard, the
`pmw status --unit` view, the report's unit section and the alert sensor writing its outbox once."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from dagster_project.cli import main
from dagster_project.report.html import build_report
from dagster_project.report.units import TASK_STATUSES

REPO = Path(__file__).resolve().parents[1]


def _seed(name: str) -> list[dict[str, str]]:
    with open(REPO / "seeds" / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def published(sample_pipeline_run) -> Path:
    assert sample_pipeline_run.published.exists(), "the sample run published nothing"
    return sample_pipeline_run.published


def q(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# ------------------------------------------------------------------------------------------- catalogue
def test_every_qualitative_target_has_tasks_with_milestones_and_every_target_a_lead_unit():
    targets = _seed("targets.csv")
    tasks = _seed("tasks.csv")
    units = {u["unit_code"] for u in _seed("units.csv")}
    qualitative = {t["target_id"] for t in targets if t["target_kind"] == "qualitative"}
    assert qualitative and qualitative == {t["target_id"] for t in tasks}
    milestones = {m["task_id"] for m in _seed("task_milestones.csv")}
    assert {t["task_id"] for t in tasks} == milestones
    leads = {r["target_id"]: r for r in _seed("target_units.csv")}
    assert set(leads) == {t["target_id"] for t in targets}
    for r in leads.values():
        assert r["lead_unit_code"] in units and r["assignment"] == "illustrative"
        assert set(filter(None, r["co_unit_codes"].split(";"))) <= units
    for t in tasks:
        assert t["lead_unit_code"] in units and t["assignment"] == "illustrative"


def test_every_task_quote_is_the_reports_own_words():
    text = "".join((REPO / "data" / "source").glob("*.txt").__next__().read_text(encoding="utf-8").split())
    text = text.replace(",", "，")
    for t in _seed("tasks.csv"):
        quote = "".join(t["quote"].split()).replace(",", "，")
        assert quote in text, t["task_id"]


def test_task_status_labels_follow_the_seed():
    seed = {r["task_status_code"]: (r["task_status_zh"], r["task_status_en"]) for r in _seed("task_statuses.csv")}
    assert seed == {k: v[:2] for k, v in TASK_STATUSES.items()}
    statuses = {r["status_code"] for r in _seed("statuses.csv")}
    assert {r["status_code"] for r in _seed("task_statuses.csv")} <= statuses


# --------------------------------------------------------------------------------------------- marts
def test_no_target_is_not_assessable_because_it_is_qualitative(published):
    rows = q(published, "SELECT target_kind, status_code, lead_unit_code FROM fct_target_scorecard")
    qualitative = [r for r in rows if r[0] == "qualitative"]
    assert len(qualitative) == 54
    assert all(status != "not_assessable" for _, status, _ in qualitative)
    assert all(lead for _, _, lead in rows)
    # the sample's three tasks unfinished at their deadline make their targets 未完成
    not_achieved = q(
        published,
        "SELECT target_id FROM fct_target_scorecard WHERE status_code = 'not_achieved' AND target_kind = 'qualitative' "
        "ORDER BY 1",
    )
    assert [r[0] for r in not_achieved] == ["T22-CZT-OUTER-RING", "T22-RV-AGRO-PARK", "T22-ST-BIGFACILITY"]


def test_schedule_gap_points_per_target(published):
    rows = dict(
        q(
            published,
            "SELECT target_id, schedule_gap_pts FROM fct_target_scorecard WHERE target_id IN "
            "('T22-ST-BIGFACILITY', 'T22-ST-CHOKEPOINT')",
        )
    )
    assert rows["T22-ST-BIGFACILITY"] < 0  # 推进中 at the deadline against 100% expected
    assert rows["T22-ST-CHOKEPOINT"] == 0  # completed on time
    [(trace,)] = q(
        published, "SELECT calculation_trace FROM fct_target_scorecard WHERE target_id = 'T22-ST-BIGFACILITY'"
    )
    assert "T22-ST-BIGFACILITY-T01 not_completed_at_deadline at 2022-12" in trace


def test_a_stage_going_backwards_without_a_note_is_flagged_with_file_row_and_column(published):
    flagged = q(
        published,
        "SELECT task_id, month_code, backwards_flag FROM fct_task_progress WHERE is_backwards_unexplained",
    )
    by_task = {(t, m): f for t, m, f in flagged}
    flag = by_task[("T22-MUJUN-HEROLIST-T01", "2022-08")]
    assert (
        flag.startswith("2022-09/task_return_GXJ_2022-08.csv row ")
        and " column stage: 推进中 is below 基本完成" in flag
    )
    # the one explained by a note is reported but not flagged
    [(explained, note_flag)] = q(
        published,
        "SELECT is_backwards_unexplained, backwards_flag FROM fct_task_progress "
        "WHERE task_id = 'T22-PARK-ADJUST-T01' AND month_code = '2022-08'",
    )
    assert explained is False and "explained: 省厅审查退回" in note_flag


def test_missing_late_and_resubmitted_returns(published):
    # XZSPJ filed nothing for 2022-08: its tasks have no return that month, past the due day
    rows = q(
        published,
        "SELECT task_status_code, due_date FROM fct_task_progress "
        "WHERE lead_unit_code = 'XZSPJ' AND month_code = '2022-08' AND completed_month_code IS NULL",
    )
    assert rows and {r[0] for r in rows} == {"no_return"} and {r[1] for r in rows} == {date(2022, 9, 5)}
    # the unit scorecard counts missing and late returns
    units = {
        r[0]: r[1:] for r in q(published, "SELECT unit_code, returns_missing, returns_late FROM fct_unit_scorecard")
    }
    # a unit's missing returns are its months without a return past the due day: the sample's gaps (XZSPJ
    # 2022-08, KJJ 2026-09) and, as the calendar moves past the sample's last month, the months due since
    # (the counts once hard-coded as 1 broke on the day the 2026-11 return fell due)
    missing = dict(
        q(
            published,
            "SELECT lead_unit_code, list(DISTINCT month_code ORDER BY month_code) FROM fct_task_progress "
            "WHERE task_status_code = 'no_return' AND lead_unit_code IN ('XZSPJ', 'KJJ') GROUP BY 1",
        )
    )
    assert "2022-08" in missing["XZSPJ"] and "2026-09" in missing["KJJ"]
    assert all(m > "2026-10" for m in missing["KJJ"] if m != "2026-09")  # the sample's returns end in 2026-10
    assert units["XZSPJ"][0] == len(missing["XZSPJ"]) and units["KJJ"][0] == len(missing["KJJ"])
    assert sum(late for _, late in units.values()) > 0
    # FGW's 2022-03 return was filed again: the second vintage is the one used
    rows = q(
        published,
        "SELECT source_file, is_superseded FROM fct_task_returns WHERE reporting_unit = 'FGW' "
        "AND month_code = '2022-03' ORDER BY source_file",
    )
    assert rows and {f: s for f, s in rows} == {
        "2022-04/task_return_FGW_2022-03.csv": True,
        "2022-04/task_return_FGW_2022-03_v2.csv": False,
    }


def test_the_bad_return_was_quarantined_naming_row_and_column(sample_pipeline_run):
    assert "bad/task_return_wrong_unit.csv" in sample_pipeline_run.summary.files_quarantined
    errors = q(
        sample_pipeline_run.warehouse,
        'SELECT "row", "column" FROM raw.quarantine WHERE source_file = ? ORDER BY "row", "column"',
        ["bad/task_return_wrong_unit.csv"],
    )
    assert errors == [(2, "reporting_unit"), (3, "percent"), (3, "stage")]


def test_unit_scorecard_and_dim_units(published):
    units = q(published, "SELECT unit_code, targets_led, tasks_led FROM dim_units")
    assert sum(r[1] for r in units) == 130 and sum(r[2] for r in units) == len(_seed("tasks.csv"))
    [(rank, code)] = q(published, "SELECT attention_rank, unit_code FROM fct_unit_scorecard WHERE unit_code = 'KJJ'")
    assert rank == 1  # the unfinished 大科学装置, a missing return and off-track targets


# ------------------------------------------------------------------------------------------- readers
def pmw(args: list[str], home: Path):
    env = {"PMW_HOME": str(home), "PMW_PUBLISHED_DIR": str(home / "published")}
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def test_pmw_status_unit(sample_pipeline_run):
    result = pmw(["status", "--unit", "发改委"], sample_pipeline_run.home)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "株洲市发展和改革委员会" in out and "T22-DUALCARBON-T01" in out and "T5Y-GDP-5000" in out
    assert "illustrative" in out
    as_json = json.loads(pmw(["status", "--unit", "FGW", "--format", "json"], sample_pipeline_run.home).output)
    assert {r["lead_unit_code"] for r in as_json} == {"FGW"} and len(as_json) == 9
    wrong = pmw(["status", "--unit", "发展委"], sample_pipeline_run.home)
    assert wrong.exit_code == 2 and "unknown unit" in wrong.output and "发改委" in wrong.output


def test_the_report_has_a_unit_view(published, tmp_path):
    out = tmp_path / "report.html"
    build_report(published, out)
    html = out.read_text(encoding="utf-8")
    assert '<section id="units">' in html and 'href="#units"' in html
    assert html.count('<tr data-unit="') == len(_seed("units.csv"))
    # the task's latest status, named as seeds/task_statuses.csv names it (到期未完成 until its next return
    # falls due unfiled: then 逾期未报)
    [(latest,)] = q(
        published,
        "SELECT task_status_code FROM fct_task_progress WHERE task_id = 'T22-ST-BIGFACILITY-T01' "
        "ORDER BY month_code DESC LIMIT 1",
    )
    label = {r["task_status_code"]: r["task_status_zh"] for r in _seed("task_statuses.csv")}[latest]
    assert latest in ("not_completed_at_deadline", "no_return")
    assert "任务分解方案" in html and "T22-ST-BIGFACILITY-T01" in html and label in html
