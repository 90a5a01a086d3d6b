"""The unit monthly return (工作台账): detection, validation with file/row/column, quarantine, vintages."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import openpyxl

from dagster_project.ingest.pipeline import ingest_file
from dagster_project.ingest.task_returns import COLUMNS, load_task_catalog

TODAY = date(2026, 12, 1)
HEADER = list(COLUMNS)


def _row(**over: str) -> list[str]:
    base = {
        "month": "2022-05",
        "task_id": "T22-ST-CHOKEPOINT-T01",
        "stage": "推进中",
        "percent": "45",
        "progress": "攻关项目按计划推进（测试）",
        "evidence": "科技局台账〔2022〕5号",
        "problems": "",
        "note": "",
        "reporting_unit": "科技局",
        "report_date": "2022-06-03",
        "provenance": "illustrative",
    }
    base.update(over)
    return [base[c] for c in HEADER]


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _count(con: duckdb.DuckDBPyConnection, sql: str = "SELECT count(*) FROM raw.task_returns") -> int:
    [(n,)] = con.execute(sql).fetchall()
    return int(n)


def test_a_good_return_is_loaded_as_a_release(con, landing, qdir, seeds_dir):
    path = _write(landing / "kjj_2022-05.csv", [_row(), _row(task_id="T22-ST-ENCLAVE-T01", stage="前期", percent="")])
    res = ingest_file(path, con, qdir, TODAY)
    assert (res.status, res.adapter, res.row_count) == ("loaded", "task_return", 2)
    rows = con.execute(
        "SELECT task_id, month_code, stage_code, percent_done, reporting_unit, source_row FROM raw.task_returns "
        "ORDER BY source_row"
    ).fetchall()
    assert rows == [
        ("T22-ST-CHOKEPOINT-T01", "2022-05", "in_progress", 45.0, "KJJ", 2),
        ("T22-ST-ENCLAVE-T01", "2022-05", "preparation", None, "KJJ", 3),
    ]
    [(status, adapter, rd)] = con.execute(
        "SELECT status, adapter, release_date FROM raw.releases WHERE release_id = ?", [res.release_id]
    ).fetchall()
    assert (status, adapter, rd) == ("loaded", "task_return", date(2022, 6, 3))


def test_the_template_headers_in_chinese_are_read_from_xlsx(con, landing, qdir, seeds_dir):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "月份",
            "任务编号",
            "进展阶段",
            "完成百分比",
            "进展情况",
            "佐证材料",
            "存在问题",
            "备注",
            "填报单位",
            "填报日期",
        ]
    )
    ws.append(
        [
            "2022年5月",
            "T22-CZT-ROAD-HUAQIANG-T01",
            "前期",
            30,
            "完成立项：进入设计",
            "",
            "",
            "",
            "交通运输局",
            "2022-06-02",
        ]
    )
    path = landing / "交通运输局台账.xlsx"
    wb.save(path)
    res = ingest_file(path, con, qdir, TODAY)
    assert res.status == "loaded", res.errors
    [(month, progress, prov)] = con.execute(
        "SELECT month_code, progress_text, provenance FROM raw.task_returns"
    ).fetchall()
    # full-width punctuation as the unit wrote it; no provenance column = a real (published) return
    assert (month, progress, prov) == ("2022-05", "完成立项：进入设计", "published")


def test_a_return_with_the_headers_dates_and_codes_as_clerks_type_them(con, landing, qdir, seeds_dir):
    # 阶段 / 完成比例 / 报送日期 headers matched no layout (quarantined: "table matches no known layout"); a
    # date written 2022/6/3 or 2022年6月3日 and a task code in lower case were refused
    header = ["月份", "任务编号", "阶段", "完成比例(%)", "进展情况", "报送单位", "报送日期"]
    rows = [
        ["2022年5月", "t22-st-chokepoint-t01", "推进中", "45", "按计划推进（测试）", "科技局", "2022/6/3"],
        ["2022年5月", "T22-ST-ENCLAVE-T01", "前期", "", "前期工作（测试）", "科技局", "2022年6月3日"],
    ]
    res = ingest_file(_write(landing / "科技局台账_2022-05.csv", rows, header), con, qdir, TODAY)
    assert (res.status, res.adapter) == ("loaded", "task_return"), res.errors
    stored = con.execute(
        "SELECT task_id, stage_code, percent_done, report_date FROM raw.task_returns ORDER BY source_row"
    ).fetchall()
    assert stored == [
        ("T22-ST-CHOKEPOINT-T01", "in_progress", 45.0, date(2022, 6, 3)),
        ("T22-ST-ENCLAVE-T01", "preparation", None, date(2022, 6, 3)),
    ]
    # a date that is none of the forms stays an error naming its row and column
    bad = _write(landing / "科技局台账_2022-05b.csv", [[*rows[0][:6], "6月3日"]], header)
    res = ingest_file(bad, con, qdir, TODAY)
    assert res.status == "quarantined"
    assert [(e.row, e.column) for e in res.errors] == [(2, "report_date")]
    assert "not a date" in res.errors[0].reason


def test_a_unit_reporting_another_units_task_is_rejected_naming_row_and_column(con, landing, qdir, seeds_dir):
    path = _write(landing / "gxj.csv", [_row(reporting_unit="工信局")])
    res = ingest_file(path, con, qdir, TODAY)
    assert res.status == "quarantined"
    [err] = res.errors
    assert (err.file, err.row, err.column) == ("gxj.csv", 2, "reporting_unit")
    assert "KJJ leads" in err.reason and "only report on its own tasks" in err.reason
    assert _count(con) == 0
    assert res.quarantine_path.exists() and Path(str(res.quarantine_path) + ".errors.csv").exists()


def test_unknown_stage_percent_and_task_are_errors(con, landing, qdir, seeds_dir):
    path = _write(
        landing / "bad.csv",
        [
            _row(stage="快完成了"),
            _row(task_id="T22-NOPE-T01", month="2022-06"),
            _row(month="2022-04", percent="130"),
            _row(month="2022-03", stage="已完成", percent="80"),
            _row(month="2022年1-5月"),
        ],
    )
    res = ingest_file(path, con, qdir, TODAY)
    found = {(e.row, e.column) for e in res.errors}
    assert found == {(2, "stage"), (3, "task_id"), (4, "percent"), (5, "percent"), (6, "month")}
    stage_error = next(e for e in res.errors if e.column == "stage")
    assert "未启动/前期/推进中/基本完成/已完成" in stage_error.reason
    assert _count(con) == 0


def test_a_file_mixing_units_and_a_duplicate_task_month_are_errors(con, landing, qdir, seeds_dir):
    path = _write(
        landing / "mixed.csv",
        [_row(), _row(), _row(task_id="T22-ST-BEIDOU-T01", reporting_unit="工信局")],
    )
    res = ingest_file(path, con, qdir, TODAY)
    reasons = {(e.row, e.column): e.reason for e in res.errors}
    assert "already reported in row 2" in reasons[(3, "task_id")]
    assert "mixes KJJ (row 2), GXJ (row 4)" in reasons[(None, "reporting_unit")]


def test_future_report_date_and_missing_columns(con, landing, qdir, seeds_dir):
    res = ingest_file(_write(landing / "f.csv", [_row(report_date="2027-01-05")]), con, qdir, TODAY)
    assert [(e.row, e.column) for e in res.errors] == [(2, "report_date")]
    header = [c for c in HEADER if c != "reporting_unit"]
    res = ingest_file(_write(landing / "g.csv", [_row()[:8] + _row()[9:]], header), con, qdir, TODAY)
    assert [(e.row, e.column) for e in res.errors] == [(1, "reporting_unit")]


def test_a_resubmission_is_a_new_vintage_and_reloading_stores_once(con, landing, qdir, seeds_dir):
    first = _write(landing / "kjj_2022-05.csv", [_row()])
    assert ingest_file(first, con, qdir, TODAY).status == "loaded"
    assert ingest_file(first, con, qdir, TODAY).status == "loaded"  # same bytes: the same release
    assert _count(con) == 1
    second = _write(landing / "kjj_2022-05.csv", [_row(stage="基本完成", percent="90", report_date="2022-06-10")])
    res = ingest_file(second, con, qdir, TODAY)
    assert res.status == "loaded"
    assert _count(con) == 2
    assert _count(con, "SELECT count(DISTINCT release_id) FROM raw.task_returns") == 2


def test_a_rejected_resubmission_leaves_the_stored_vintage(con, landing, qdir, seeds_dir):
    good = _write(landing / "kjj.csv", [_row()])
    ingest_file(good, con, qdir, TODAY)
    bad = _write(landing / "kjj.csv", [_row(stage="??")])
    assert ingest_file(bad, con, qdir, TODAY).status == "quarantined"
    assert _count(con) == 1


def test_every_task_has_a_known_lead_unit_and_the_stage_list_is_fixed(seeds_dir):
    catalog = load_task_catalog(seeds_dir)
    assert catalog.stage_list == ("未启动", "前期", "推进中", "基本完成", "已完成")
    # every task's lead is a unit of the task's own city (units are unique within a city)
    assert all(catalog.unit_cities(lead).get(catalog.task_city[t]) == lead for t, lead in catalog.task_lead.items())
    assert catalog.unit_cities("发改委") == catalog.unit_cities("株洲市发展和改革委员会") == {"430200": "FGW"}


def test_a_units_workbook_with_a_title_above_the_header_and_a_notes_sheet_loads(con, landing, qdir, seeds_dir):
    # 株洲市科学技术局重点任务推进台账（2022年12月） above the template's header, a 填表说明 sheet beside: refused as
    # "no sheet of the workbook has a documented header"; a cell shown as 90% is read as 90
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "12月"
    ws.append(["株洲市科学技术局重点任务推进台账（2022年12月）"])
    ws.append(["月份", "任务编号", "进展阶段", "完成比例", "进展情况", "填报单位", "填报日期"])
    ws.append(["2022年12月", "T22-ST-CHOKEPOINT-T01", "基本完成", 0.9, "攻关项目完成验收准备", "科技局", "2022-12-28"])
    ws.cell(3, 4).number_format = "0%"
    wb.create_sheet("填表说明").append(["填表说明：阶段从下拉列表选择；完成比例填百分数。"])
    path = landing / "科技局台账_2022年12月.xlsx"
    wb.save(path)
    res = ingest_file(path, con, qdir, TODAY)
    assert (res.status, res.row_count) == ("loaded", 1), res.errors
    rows = con.execute("SELECT task_id, stage_code, percent_done, source_row FROM raw.task_returns").fetchall()
    assert rows == [("T22-ST-CHOKEPOINT-T01", "nearly_done", 90.0, 3)]


def test_a_percent_written_as_a_share_is_refused_naming_both_readings(con, landing, qdir, seeds_dir):
    # 完成比例 0.85 beside 60% was stored as 0.85% done; 0.85% and 85 stay what they say
    rows = [_row(percent="60%"), _row(task_id="T22-ST-ENCLAVE-T01", percent="0.85")]
    res = ingest_file(_write(landing / "kjj_2022-05.csv", rows), con, qdir, TODAY)
    assert res.status == "quarantined"
    [error] = res.errors
    assert (error.row, error.column) == (3, "percent")
    assert error.reason == "percent 0.85 is ambiguous: 85% written as a share, or 0.85%? write 85 (or 0.85%)"
    rows = [_row(percent="0.85%"), _row(task_id="T22-ST-ENCLAVE-T01", percent="85")]
    res = ingest_file(_write(landing / "kjj_2022-05b.csv", rows), con, qdir, TODAY)
    assert res.status == "loaded", res.errors
    assert sorted(r for (r,) in con.execute("SELECT percent_done FROM raw.task_returns").fetchall()) == [0.85, 85.0]


def test_a_return_for_a_month_already_returned_says_which_counts(con, landing, qdir, seeds_dir):
    # A correction loaded with no word of the return it meets; one dated before it silently did not count
    # (the latest vintage is the greatest report date)
    first = ingest_file(_write(landing / "kjj_2022-05.csv", [_row(percent="45")]), con, qdir, TODAY)
    assert first.status == "loaded" and not any(n.startswith("already loaded") for n in first.notes)
    later = _write(landing / "kjj_2022-05_更正.csv", [_row(percent="50", report_date="2022-06-08")])
    res = ingest_file(later, con, qdir, TODAY)
    [note] = [n for n in res.notes if n.startswith("already loaded")]
    assert note == (
        "already loaded, task T22-ST-CHOKEPOINT-T01 2022-05: kjj_2022-05.csv row 2 (reported 2022-06-03); "
        "row 2 here is reported 2022-06-08: this return replaces it"
    )
    earlier = _write(landing / "kjj_2022-05_补报.csv", [_row(percent="40", report_date="2022-06-01")])
    res = ingest_file(earlier, con, qdir, TODAY)
    [note] = [n for n in res.notes if n.startswith("already loaded")]
    assert "kjj_2022-05_更正.csv row 2 (reported 2022-06-08)" in note and "that return stays the latest" in note


def test_a_units_sheet_with_its_row_numbers_and_task_titles_loads(con, landing, qdir, seeds_dir):
    # 序号 and 任务名称, which every unit's 台账 carries beside 任务编号, refused the whole return as
    # "unexpected column(s) ['序号', '任务名称']": they are not read, and the notes say so
    header = ["序号", "任务编号", "任务名称", "月份", "进展阶段", "完成比例", "进展情况", "填报单位", "填报日期"]
    row = ["1", "T22-ST-CHOKEPOINT-T01", "组织实施“卡脖子”关键核心技术攻关项目", "2022年6月", "推进中", "80"]
    path = _write(landing / "科技局台账_2022年6月.csv", [[*row, "完成立项5项", "科技局", "2022.7.5"]], header)
    res = ingest_file(path, con, qdir, TODAY)
    assert (res.status, res.row_count) == ("loaded", 1), res.errors
    rows = con.execute("SELECT task_id, month_code, stage_code, percent_done, report_date FROM raw.task_returns")
    assert rows.fetchall() == [("T22-ST-CHOKEPOINT-T01", "2022-06", "in_progress", 80.0, date(2022, 7, 5))]
    assert any(n.startswith("column A '序号' not read: the row's number") for n in res.notes)
    assert any(n.startswith("column C '任务名称' not read: the task's title") for n in res.notes)
    other = _write(landing / "x.csv", [[*row, "完成立项5项", "科技局", "2022.7.5", "张三"]], [*header, "联系人"])
    res = ingest_file(other, con, qdir, TODAY)  # a column of anything else still refuses: it may hold what counts
    assert res.status == "quarantined" and "unexpected column(s) ['联系人']" in res.errors[0].reason


def test_a_return_on_the_sheet_after_its_instructions_loads(con, landing, qdir, seeds_dir):
    # a workbook whose first sheet is 填表说明 and second the return was refused as "no sheet of the workbook
    # ('填表说明', '台账') has a documented header": only the first sheet was looked at for a return
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["1. 进展阶段填写：未启动/前期/推进中/基本完成/已完成"])
    ws = wb.create_sheet("台账")
    ws.append(["任务编号", "月份", "进展阶段", "完成比例(%)", "进展情况", "报送单位", "报送日期"])
    ws.append(["T22-ST-BEIDOU-T01", "2022-06", "推进中", 60, "北斗产业园二期主体施工", "工信局", "2022-07-04"])
    path = landing / "工信局台账.xlsx"
    wb.save(path)
    res = ingest_file(path, con, qdir, TODAY)
    assert (res.status, res.row_count) == ("loaded", 1), res.errors
    assert "sheet '填表说明' skipped: not a return (no 任务编号 and 阶段 header)" in res.notes
    assert con.execute("SELECT task_id, percent_done FROM raw.task_returns").fetchall() == [("T22-ST-BEIDOU-T01", 60)]


def test_a_month_typed_as_a_number_in_excel_is_refused_not_read_as_january(con, landing, qdir, seeds_dir):
    # 月份 typed 2022.10 in a General cell is stored by Excel as 2022.1: the return loaded as January's, where
    # the long format refuses the same cell (January or October?)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["任务编号", "月份", "进展阶段", "完成比例", "进展情况", "填报单位", "填报日期"])
    ws.append(["T22-ST-CHOKEPOINT-T01", 2022.1, "推进中", 85, "完成立项7项", "科技局", "2022-11-04"])
    path = landing / "科技局台账_2022年10月.xlsx"
    wb.save(path)
    res = ingest_file(path, con, qdir, TODAY)
    assert res.status == "quarantined" and _count(con) == 0
    [error] = res.errors
    assert (error.row, error.column) == (2, "month") and "January or October?" in error.reason, error
