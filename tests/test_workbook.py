"""`pmw export --xlsx`: the 序时进度 workbook, read back with openpyxl as the office's Excel would open it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from dagster_project.cli import main
from dagster_project.report.data import load_report_data
from dagster_project.report.workbook import BEHIND, PLAN_COLUMNS, write_workbook

HEADERS = [
    "序号",
    "指标",
    "单位",
    "目标",
    "数据期",
    "完成%",
    "序时%",
    "超/欠百分点",
    "状态",
    "责任单位",
    "来源",
    "数据性质",
]


@pytest.fixture(scope="module")
def workbook(sample_pipeline_run, tmp_path_factory) -> Path:
    home = sample_pipeline_run.home
    out = tmp_path_factory.mktemp("xlsx") / "out.xlsx"
    env = {"PMW_HOME": str(home), "PMW_PUBLISHED_DIR": str(home / "published")}
    result = CliRunner().invoke(main, ["export", "--xlsx", "-o", str(out)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "workbook written" in result.output
    return out


def _data_rows(ws):
    header = [c.value for c in ws[3]]
    return header, [row for row in ws.iter_rows(min_row=4) if isinstance(row[0].value, int)]


def test_one_sheet_per_plan_with_the_office_columns(sample_pipeline_run, workbook):
    with duckdb.connect(str(sample_pipeline_run.published), read_only=True) as con:
        plans = dict(con.execute("select distinct plan_id, plan_name_zh from dim_targets").fetchall())
        quantified = dict(
            con.execute(
                "select plan_id, count(*) from fct_target_scorecard where target_kind <> 'qualitative' group by 1"
            ).fetchall()
        )
        statuses = dict(con.execute("select target_id, status_zh from fct_target_scorecard").fetchall())
        leads = dict(
            con.execute(
                "select s.target_id, u.unit_short_zh from fct_target_scorecard as s "
                "join dim_units as u on s.lead_unit_code = u.unit_code"
            ).fetchall()
        )
        # red where behind: off track, deteriorating, or the deadline passed unmet (workbook.BEHIND)
        behind = {
            r[0]
            for r in con.execute(
                "select target_id from fct_target_scorecard where list_contains(?, status_code) "
                "and target_kind <> 'qualitative'",
                [sorted(BEHIND)],
            ).fetchall()
        }
        assert {"off_track", "not_achieved"} <= BEHIND
    wb = openpyxl.load_workbook(workbook)
    red_rows = set()
    for plan_id, name in plans.items():
        ws = wb[name[:31]]
        header, rows = _data_rows(ws)
        assert [h for h in header if not h.startswith("截至")] == HEADERS
        assert any(h.startswith("截至") and h.endswith("月完成") for h in header)
        assert len(rows) == quantified[plan_id] and [r[0].value for r in rows] == list(range(1, len(rows) + 1))
        for row in rows:
            target_id = row[1].value.rsplit("（", 1)[1].rstrip("）")
            assert row[9].value == statuses[target_id]  # 状态
            assert row[10].value == leads[target_id]  # 责任单位, the task ledger's lead unit
            if row[9].fill.fgColor.rgb.endswith("F8D7DA"):
                red_rows.add(target_id)
            share, expected, ahead = row[6].value, row[7].value, row[8].value
            if isinstance(share, float) and isinstance(expected, float):
                assert ahead == pytest.approx(round((share - expected) * 100, 1))
        # frozen header, A4 landscape one page wide, header rows on every printed page
        assert ws.freeze_panes == "C4"
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows == "$1:$3"
    assert red_rows == behind and behind  # red fill exactly where a target is behind


def test_a_sheet_per_county_grid(sample_pipeline_run, workbook):
    with duckdb.connect(str(sample_pipeline_run.published), read_only=True) as con:
        regional = [
            r[0] for r in con.execute("select distinct target_id from fct_target_progress_by_region").fetchall()
        ]
        value = con.execute(
            "select r.period_code, r.value from fct_target_progress_by_region as r where target_id = ? "
            "and region_code = '430281' order by period_end desc limit 1",
            [regional[0]],
        ).fetchone()
    wb = openpyxl.load_workbook(workbook)
    county_sheets = [name for name in wb.sheetnames if name.startswith("分县 ")]
    assert sorted(name.removeprefix("分县 ") for name in county_sheets) == sorted(regional)
    ws = wb[f"分县 {regional[0]}"]
    header = [c.value for c in ws[3]]
    liling = next(row for row in ws.iter_rows(min_row=4) if row[0].value == "醴陵市")
    assert liling[header.index(value[0])].value == pytest.approx(value[1])


def test_text_that_looks_like_a_formula_is_neutralised(sample_pipeline_run, tmp_path):
    data = load_report_data(sample_pipeline_run.published)
    evil = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A2)"]
    quantified = data.scorecard.index[data.scorecard["target_kind"] != "qualitative"][: len(evil)]
    data.scorecard.loc[quantified, "title_zh"] = evil
    data.scorecard.loc[quantified, ["target_unit", "actual_unit"]] = "=cmd|' /C calc'!A0"
    out = write_workbook(data, tmp_path / "evil.xlsx").path
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert cells
    for cell in cells:
        assert cell.data_type == "s" and not cell.value.startswith(("=", "+", "-", "@")), cell.value
    titles = [c.value for c in cells if c.value.startswith("'")]
    assert {t.split("（")[0] for t in titles} >= {"'" + e for e in evil}
    assert len(PLAN_COLUMNS) == 13


def test_a_target_with_no_level_yet_shows_the_catalogues_value_as_quoted():
    # the office sheet's 目标值 rounded the quoted 1016.11 to 1,016.1 before a figure gave a level
    from types import SimpleNamespace

    from dagster_project.report.workbook import _target_text

    quoted = SimpleNamespace(target_level=None, target_value=1016.11, comparator="exceed", comparator_applied=None)
    assert _target_text(quoted) == "1,016.11"
    computed = SimpleNamespace(
        target_level=2032.22, target_value=2.0, comparator="at_least", comparator_applied="at_least"
    )
    assert _target_text(computed).endswith(" 2,032.2")
