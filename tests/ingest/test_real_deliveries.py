"""Deliveries as offices really send them (issue 13): real tables with no sample marker, files that
cite no source, poison files, workbooks with several sheets, re-sent bytes, cut-short files,
implausible values. Each test here failed on the code before the fix it covers.

The Dagster-level half (the blocking expectations on, poison ahead of good files, exit codes, crash
recovery, side by side) is tests/test_ingest_resilience.py.
"""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project import landing as landing_mod
from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.document import Limits
from dagster_project.ingest.models import IngestError
from dagster_project.ingest.pipeline import IngestResult, ingest_file
from dagster_project.ingest.quarantine import quarantined_since, write_error_reports

from .helpers import LONG_HEADER

TODAY = date(2026, 1, 1)

# ------------------------------------------------------------------ real-looking tables (no marker)
MONTHLY_CSV = """株洲市统计月报（2022年5月）,,,,,
发布日期：2022-06-20,,,,,
指标,单位,本月,,1-5月,
,,绝对数,同比增长(%),绝对数,同比增长(%)
规模工业增加值,亿元,,10.2,,9.8
进出口总额,亿元,62.3,12.1,279.4,10.5
地方一般公共预算收入,万元,152 345,5.1,1 019 278,6.0
注：1.规模工业增加值增速按可比价计算。,,,,,
数据来源：株洲市统计局,,,,,
"""

PROVINCE_CSV = """2022年1-5月各市州规模工业增加值增速,,,
发布日期：2022-06-22,,,
市州,比上年同月增长(%),比上年同期增长(%),位次
长沙市,8.1,7.9,3
株洲市,9.2,9.8,1
湘潭市,7.5,8.3,2
资料来源：湖南省统计局,,,
"""

AIR_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>株洲市2022年5月环境空气质量通报</title></head><body>
<span class="release-date">发布时间：2022-06-08</span>
<p>2022年5月，市区环境空气质量监测31天，其中优12天，良15天，优良率为87.1%；PM2.5平均浓度为31微克/立方米。</p>
<p>发布单位：株洲市生态环境局</p>
</body></html>
"""


def _rows(path: Path, kind: str) -> list[list[object]]:
    text = {"monthly": MONTHLY_CSV, "province": PROVINCE_CSV}[kind]
    return [[c or None for c in r] for r in csv.reader(text.splitlines())]


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        ws.sheet_state = "hidden" if title in hidden else "visible"
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def ingest(path: Path, con, qdir: Path, catalog: Catalog, **kwargs) -> IngestResult:
    return ingest_file(path, con, qdir, TODAY, catalog=catalog, **kwargs)


def sources(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT DISTINCT source_ref FROM raw.observations").fetchall()}


@pytest.mark.parametrize(
    ("name", "content", "adapter", "rows", "source"),
    [
        ("tjyb.csv", MONTHLY_CSV, "monthly_table", 10, "株洲市统计局《株洲市统计月报(2022年5月)》 2022-06-20"),
        (
            "szb.csv",
            PROVINCE_CSV,
            "province_table",
            9,
            "湖南省统计局《2022年1-5月各市州规模工业增加值增速》 2022-06-22",
        ),
        ("air.html", AIR_HTML, "env_bulletin", 2, "株洲市生态环境局《株洲市2022年5月环境空气质量通报》 2022-06-08"),
        # an office signing its table instead of writing 来源：(was refused for naming no source)
        (
            "signed.csv",
            MONTHLY_CSV.replace("数据来源：株洲市统计局", "株洲市统计局编印"),
            "monthly_table",
            10,
            "株洲市统计局《株洲市统计月报(2022年5月)》 2022-06-20",
        ),
        (
            "signed_by.csv",
            MONTHLY_CSV.replace("数据来源：株洲市统计局", "注：本表由国家统计局株洲调查队编制。"),
            "monthly_table",
            10,
            "国家统计局株洲调查队《株洲市统计月报(2022年5月)》 2022-06-20",
        ),
    ],
)
def test_real_tables_without_a_sample_marker_load_with_their_source(
    name, content, adapter, rows, source, landing: Path, qdir: Path, con, catalog: Catalog
) -> None:
    # Defect 1: the wide-format readers never filled the source; every published row lacked one.
    path = landing / name
    path.write_text(content, encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    assert (result.status, result.adapter, result.row_count) == ("loaded", adapter, rows), result.errors
    assert sources(con) == {source}
    assert {r[0] for r in con.execute("SELECT DISTINCT provenance FROM raw.observations").fetchall()} == {"published"}


@pytest.mark.parametrize("kind", ["monthly", "province"])
def test_real_tables_as_workbooks_load_with_their_source(kind, landing: Path, qdir: Path, con, catalog) -> None:
    path = write_xlsx(landing / f"{kind}.xlsx", {"Sheet1": _rows(landing, kind)})
    result = ingest(path, con, qdir, catalog)
    assert result.status == "loaded", result.errors
    assert all(s and "统计局《" in s for s in sources(con))


def test_a_file_that_names_no_source_is_refused_naming_the_option(landing, qdir, con, catalog) -> None:
    path = landing / "tjyb.csv"
    path.write_text(MONTHLY_CSV.replace("数据来源：株洲市统计局,,,,,\n", ""), encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    [error] = result.errors
    assert error.column == "source_ref" and "--source" in error.reason and "PMW_SOURCE_DEFAULTS" in error.reason


def test_source_from_the_option_or_the_folder_default(landing, qdir, con, catalog) -> None:
    (landing / "tjj").mkdir()
    path = landing / "tjj" / "tjyb.csv"
    path.write_text(MONTHLY_CSV.replace("数据来源：株洲市统计局,,,,,\n", ""), encoding="utf-8")
    defaults = {"tjj": "株洲市统计局（按文件夹）", ".": "顶层默认"}
    assert landing_mod.source_for("tjj/tjyb.csv", path, defaults) == "株洲市统计局（按文件夹）"
    assert landing_mod.source_for("other.csv", landing / "other.csv", defaults) == "顶层默认"
    landing_mod.write_note(path, "source", "株洲市统计局《统计月报》2022年5月")  # pmw ingest --source
    given = landing_mod.source_for("tjj/tjyb.csv", path, defaults)
    assert given == "株洲市统计局《统计月报》2022年5月"
    assert not any(f.path == landing_mod.note_path(path, "source") for f in landing_mod.scan_landing(landing)[0])
    result = ingest(path, con, qdir, catalog, release_key="tjj/tjyb.csv", source=given)
    assert result.status == "loaded", result.errors
    assert sources(con) == {given}


def test_long_format_rows_without_a_source_take_the_given_one_on_both_paths(landing, qdir, con, catalog) -> None:
    for fast in (True, False):
        path = landing / f"long_{fast}.csv"
        line = f"gdp,430200,,2021,value,{3420 + fast},亿元,2022-03-20,published,,"
        path.write_text(f"{LONG_HEADER}\n{line}\n", encoding="utf-8")
        refused = ingest(path, con, qdir, catalog, fast=fast)
        assert refused.status == "quarantined" and "--source" in refused.errors[0].reason
        path.write_text(f"{LONG_HEADER}\n{line}\n", encoding="utf-8")
        loaded = ingest(path, con, qdir, catalog, fast=fast, source="株洲市统计公报")
        assert loaded.status == "loaded" and loaded.fast_path == fast
    assert sources(con) == {"株洲市统计公报"}


# ------------------------------------------------------------------------------ poison files
def _stray_cell_workbook(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in _rows(path, "monthly"):
        ws.append(row)
    ws["XFD1048576"] = "x"  # a stray cell at the sheet's last row and column
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", ["huge_field", "stray_far_cell", "too_big", "undecodable", "lone_cr"])
def test_poison_files_are_quarantined_with_a_reason_in_seconds(kind, landing, qdir, con, catalog) -> None:
    # Defect 2: these raised (csv field limit, a parser error) or exhausted memory (a stray far cell
    # made openpyxl build a 1M-row grid), failing the whole landing run and blocking every later file.
    path = landing / f"{kind}.{'xlsx' if kind == 'stray_far_cell' else 'csv'}"
    expect = {
        "huge_field": "PMW_MAX_FIELD_CHARS",
        "stray_far_cell": "XFD1048576",
        "too_big": "PMW_MAX_FILE_MB",
        "undecodable": "cannot decode",
        "lone_cr": "new-line character",
    }[kind]
    if kind == "huge_field":
        path.write_text(f'{LONG_HEADER}\ngdp,430200,,2021,value,1,亿元,2022-03-20,published,"{"x" * 200_000}",\n')
    elif kind == "stray_far_cell":
        _stray_cell_workbook(path)
    elif kind == "too_big":
        path.write_text(MONTHLY_CSV, encoding="utf-8")
    elif kind == "undecodable":
        path.write_bytes(b"\x81\x20\xff\xfe\x80" * 10)
    else:
        path.write_bytes(MONTHLY_CSV.replace("\n", "\r", 3).encode())
    started = time.monotonic()
    result = ingest(path, con, qdir, catalog, max_file_bytes=100 if kind == "too_big" else 10**9, limits=Limits())
    assert time.monotonic() - started < 10
    assert result.status == "quarantined"
    assert expect in result.errors[0].reason, result.errors
    assert not path.exists() and result.quarantine_path.exists()


def test_limits_are_settings(monkeypatch) -> None:
    from dagster_project.settings import load_settings

    monkeypatch.setenv("PMW_MAX_FIELD_CHARS", "500")
    monkeypatch.setenv("PMW_MAX_FILE_MB", "2")
    monkeypatch.setenv("PMW_MAX_SHEET_ROWS", "1000")
    s = load_settings()
    assert (s.max_field_chars, s.max_file_bytes, s.max_sheet_rows) == (500, 2 * 1024 * 1024, 1000)


# ------------------------------------------------------------------------------------ workbooks
def test_every_data_sheet_is_read_and_cover_notes_empty_sheets_are_named(landing, qdir, con, catalog) -> None:
    # Defect 4: the second data sheet was dropped silently; a cover page first rejected the workbook.
    may = _rows(landing, "monthly")
    june = [
        [
            (
                c.replace("2022年5月", "2022年6月").replace("06-20", "07-20").replace("1-5月", "1-6月")
                if isinstance(c, str)
                else c
            )
            for c in r
        ]
        for r in may
    ]
    path = write_xlsx(
        landing / "book.xlsx",
        {
            "封面": [["株洲市统计月报"], ["株洲市统计局编印"]],
            "5月": may,
            "6月": june,
            "说明": [["注：本月报数据为初步统计数。"]],
            "空白": [],
        },
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "loaded", result.errors
    assert result.row_count == 20  # 10 + 10: both data sheets
    periods = {r[0] for r in con.execute("SELECT DISTINCT period_code FROM raw.observations").fetchall()}
    assert {"2022-05", "2022-06"} <= periods
    notes = "\n".join(result.notes)
    assert "'封面' skipped" in notes and "'说明' skipped" in notes and "'空白' skipped: empty" in notes
    files = {r[0] for r in con.execute("SELECT DISTINCT source_file FROM raw.observations").fetchall()}
    assert files == {"book.xlsx#5月", "book.xlsx#6月"}


def test_a_sheet_repeating_anothers_figures_names_both_sheets(landing, qdir, con, catalog) -> None:
    # a draft copy of the 5月 sheet was refused with "duplicate of row 4", naming neither sheet
    may = _rows(landing, "monthly")
    path = write_xlsx(landing / "book2.xlsx", {"5月": may, "5月(草稿)": may})
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    assert all("of book2.xlsx#5月 (this row: book2.xlsx#5月(草稿))" in e.reason for e in result.errors), result.errors


def test_a_hidden_sheet_is_not_read_and_is_named(landing, qdir, con, catalog) -> None:
    # A hidden sheet holds the office's working or last year's figures: it was read like the published one
    # (here its draft copy of 5月 refused the workbook as a duplicate).
    may = _rows(landing, "monthly")
    draft = [[c * 10 if isinstance(c, float) else c for c in r] for r in may]
    path = write_xlsx(landing / "book3.xlsx", {"5月": may, "底稿": draft}, hidden=("底稿",))
    result = ingest(path, con, qdir, catalog)
    assert result.status == "loaded", result.errors
    assert result.row_count == 10
    assert con.execute("SELECT DISTINCT source_file FROM raw.observations").fetchall() == [("book3.xlsx",)]
    assert any("'底稿' skipped: hidden" in n for n in result.notes)
    path = write_xlsx(landing / "book4.xlsx", {"封面": [["株洲市统计月报"]], "5月": may}, hidden=("5月",))
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined" and "hidden sheets are not read ('5月')" in result.errors[0].reason


def test_hidden_rows_and_columns_are_not_read_and_are_named(landing, qdir, con, catalog) -> None:
    # An office hides a stale row (last month's 进出口总额) or a working column: both were loaded, and a hidden
    # old row beside its visible successor refused the workbook as a duplicate.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (
        ["株洲市统计月报（2023年8月）"],
        ["发布日期：2023-09-18"],
        ["指标", "单位", "8月", "同比增长(%)", "上年同期"],
        ["进出口总额", "亿元", 48.0, 9.9, 40.0],  # hidden: the stale figure
        ["进出口总额", "亿元", 52.3, 12.4, 46.5],
        ["出口总额", "亿元", 40.1, 15.0, 34.9],
        ["数据来源：株洲市统计局"],
    ):
        ws.append(row)
    ws.row_dimensions[4].hidden = True
    ws.column_dimensions["E"].hidden = True
    wb.save(landing / "hidden_rows.xlsx")
    result = ingest(landing / "hidden_rows.xlsx", con, qdir, catalog)
    assert result.status == "loaded", result.errors
    rows = con.execute("SELECT indicator_code, period_code, measure, value FROM raw.observations").fetchall()
    assert sorted(rows) == [
        ("exports", "2023-08", "value", 40.1),
        ("exports", "2023-08", "yoy_pct", 15.0),
        ("trade_total", "2023-08", "value", 52.3),
        ("trade_total", "2023-08", "yoy_pct", 12.4),
    ]
    assert "not loaded: row 4; column E, hidden in the workbook (unhide to have them read)" in result.notes


def test_a_workbook_with_no_data_sheet_is_refused_naming_its_sheets(landing, qdir, con, catalog) -> None:
    path = write_xlsx(landing / "cover.xlsx", {"封面": [["株洲市统计月报"]], "说明": [["注"]]})
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined" and "'封面', '说明'" in result.errors[0].reason


# ----------------------------------------------------------------------------- safe error report
def test_error_report_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    # Defect 5: cells starting with = + - @ were copied as they are; Excel runs them.
    dest = tmp_path / "x.csv"
    hostile = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    errors = [IngestError(h, 3, h, h) for h in hostile]
    csv_path, _ = write_error_reports(dest, errors)
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    for row, text in zip(rows, hostile, strict=True):
        assert row[0] == row[2] == row[3] == "'" + text
        assert row[1] == "3"


def test_a_reports_reason_is_read_back_as_written(tmp_path: Path) -> None:
    # `pmw status` and the next run read the first problem back: the apostrophe a quoted cell opens with
    # ("'abc' is not a number") was taken for the one added against formulas and dropped
    for reason in ["'abc' is not a number", "=SUM(A1) is not a number", "'5月' unknown"]:
        folder = tmp_path / str(len(reason))
        folder.mkdir()
        write_error_reports(folder / "x.csv", [IngestError(f"{reason}.csv", 4, "本月", reason)])
        [back] = quarantined_since(folder, 0.0)
        assert (back.source, back.reason) == (f"{reason}.csv", f"row 4, 本月: {reason}")


# ---------------------------------------------------------------------------- idempotent by content
def test_the_same_bytes_under_another_name_add_nothing(landing, qdir, con, catalog) -> None:
    # Defect 6: a re-sent file under a new name became a new vintage.
    first = landing / "tjyb_2022-05.csv"
    first.write_text(MONTHLY_CSV, encoding="utf-8")
    a = ingest(first, con, qdir, catalog)
    again = landing / "统计月报（重发）.csv"
    again.write_text(MONTHLY_CSV, encoding="utf-8")
    b = ingest(again, con, qdir, catalog)
    assert (a.status, b.status) == ("loaded", "duplicate")
    assert b.release_id == a.release_id and "already loaded as tjyb_2022-05.csv" in b.notes[0]
    assert con.execute("SELECT count(*) FROM raw.releases").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM raw.observations").fetchall() == [(a.row_count,)]


# ------------------------------------------------------------------------------- say so
def test_a_header_only_file_is_refused(landing, qdir, con, catalog) -> None:
    # Defect 7: "loaded 0" and exit 0.
    for fast in (True, False):
        path = landing / f"empty_{fast}.csv"
        path.write_text(LONG_HEADER + "\n" + "\n" * fast, encoding="utf-8")
        result = ingest(path, con, qdir, catalog, fast=fast, source="x")
        assert result.status == "quarantined" and "no observations" in result.errors[0].reason


def test_a_truncated_last_row_is_refused_with_its_row(landing, qdir, con, catalog) -> None:
    # Defect 7: a row cut short was loaded.
    path = landing / "cut.csv"
    cut = MONTHLY_CSV.split("注：")[0].rstrip("\n")  # ends in the middle of the last data row
    path.write_text(cut.rsplit(",", 3)[0], encoding="utf-8")
    result = ingest(path, con, qdir, catalog, source="x")
    assert result.status == "quarantined"
    [error] = result.errors
    assert error.row == 7 and "cut short" in error.reason and error.file == "cut.csv"
    long_path = landing / "cut_long.csv"
    long_path.write_text(
        f"{LONG_HEADER}\ngdp,430200,,2021,value,3420.3,亿元,2022-03-20,published,x,\ngdp,430200,,2020,val"
    )
    result = ingest(long_path, con, qdir, catalog)
    assert result.status == "quarantined" and [e.row for e in result.errors] == [3]


# ------------------------------------------------------------------------------- plausibility
def _long(path: Path, *lines: str) -> Path:
    path.write_text("\n".join([LONG_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("air_good_ratio,430200,,2022-06,value,0.933,%,2022-07-08,published,x,", "plausible range 10.."),
        ("air_good_days,430200,,2022-06,value,31,天,2022-07-08,published,x,", "2022-06, which has 30 days"),
        ("water_class,430200,XJ-01,2022-06,class,Ⅵ,类,2022-07-08,published,x,", "no water class Ⅵ"),
        ("industrial_value_added,430200,,2022-01~05,rank,3左右,位,2022-06-22,published,x,", "exact whole number"),
        # a first figure has no history to be judged against: the indicator's range is the guard
        ("gdp,430200,,2022-01~06,value,99999999,亿元,2022-07-20,published,x,", "plausible range ..200000 亿元"),
        ("listed_companies,430200,,2023-12,value,1600000,家,2024-01-10,published,x,", "plausible range ..10000 家"),
        ("listed_companies,430200,,2023-12,value,15.5,家,2024-01-10,published,x,", "must be a whole number"),
    ],
)
def test_implausible_values_are_refused_with_row_column_and_range(line, needle, landing, qdir, con, catalog) -> None:
    # Defect 8: 优良率 0.933 %, 31 good-air days in June, class Ⅵ and a rank "3左右" were accepted.
    for fast in (True, False):
        result = ingest(_long(landing / f"bad_{fast}.csv", line), con, qdir, catalog, fast=fast)
        assert result.status == "quarantined"
        [error] = result.errors
        assert (error.file, error.row, error.column) == (f"bad_{fast}.csv", 2, "value")
        assert needle in error.reason


def test_a_monthly_level_far_from_its_history_is_refused_unless_confirmed(landing, qdir, con, catalog) -> None:
    history = [
        f"budget_revenue,430200,,{y}-05,value,{v},亿元,{y}-06-20,published,x," for y, v in [(2020, 17.5), (2021, 18.9)]
    ]
    assert ingest(_long(landing / "history.csv", *history), con, qdir, catalog).status == "loaded"
    # 24.6 typed as 2461.2 (a slipped decimal point); under the indicator's ceiling, above its history
    slip = "budget_revenue,430200,,2022-05,value,2461.2,亿元,2022-06-20,published,x,"
    for fast in (True, False):
        result = ingest(_long(landing / f"slip_{fast}.csv", slip), con, qdir, catalog, fast=fast)
        assert result.status == "quarantined"
        [error] = result.errors
        assert (error.row, error.column) == (2, "value")
        assert "10x away from its history" in error.reason and "plausible 1.82..182" in error.reason
    real = "budget_revenue,430200,,2022-05,value,200.5,亿元,2022-06-20,published,x,"  # a one-off land sale
    result = ingest(_long(landing / "real.csv", real), con, qdir, catalog)
    assert result.status == "quarantined"
    result = ingest(
        _long(landing / "real.csv", real), con, qdir, catalog, confirm_outlier="一次性土地出让收入，财政局已核实"
    )
    assert result.status == "loaded"
    assert any("confirmed outlier (一次性土地出让收入，财政局已核实)" in n for n in result.notes)


def test_the_correction_of_a_slip_is_judged_against_other_years_not_against_the_slip(
    landing, qdir, con, catalog
) -> None:
    # A slip got in while its span had no history (2846.5 for 284.6); the corrected file, a new vintage of
    # the same figure, was refused as "10x away" from the slip itself.
    slip = "trade_total,430200,,2023-01~06,value,2846.5,亿元,2023-07-18,published,x,"
    assert ingest(_long(landing / "slip.csv", slip), con, qdir, catalog).status == "loaded"
    for fast, day in ((True, 25), (False, 26)):  # both ingest paths; another day, another file
        fixed = f"trade_total,430200,,2023-01~06,value,284.6,亿元,2023-07-{day},published,x,"
        result = ingest(_long(landing / f"fixed_{fast}.csv", fixed), con, qdir, catalog, fast=fast)
        assert result.status == "loaded", result.errors
    # with other years loaded, a slip in the correction is still refused against them
    other_years = [
        f"trade_total,430200,,{y}-01~06,value,{v},亿元,{y}-07-20,published,x,"
        for y, v in [(2021, 250.1), (2022, 270.3)]
    ]
    assert ingest(_long(landing / "other_years.csv", *other_years), con, qdir, catalog).status == "loaded"
    slipped_again = "trade_total,430200,,2023-01~06,value,2846.6,亿元,2023-07-28,published,x,"
    result = ingest(_long(landing / "slipped_again.csv", slipped_again), con, qdir, catalog)
    assert result.status == "quarantined"
    [error] = result.errors
    assert "median 260.2 for the same period of other years" in error.reason


def test_water_class_6_is_allowed_only_where_the_indicator_admits_lie_v(catalog) -> None:
    from dataclasses import replace

    from dagster_project.ingest.validate import _check_value

    from .test_validate import obs

    lie_v = obs(indicator_code="water_class", measure="class", unit="类", value=6.0)
    assert _check_value(lie_v, catalog) is None  # water_class: plausible_max 6 admits 劣Ⅴ
    strict = replace(catalog.indicators["water_class"], plausible_max=5.0)
    narrowed = replace(catalog, indicators={**catalog.indicators, "water_class": strict})
    assert "劣Ⅴ (6) is not a class" in _check_value(lie_v, narrowed)


def test_plausibility_columns_are_in_the_indicator_seed(catalog) -> None:
    ind = catalog.indicators
    assert ind["air_good_ratio"].plausible_min == 10 and ind["water_class"].plausible_max == 6
    assert ind["budget_revenue"].history_factor == 10
    # every level in 亿元 or counted in 家 has a ceiling: with no history, nothing else stops 1e23 亿元
    ceilings = {c: i.plausible_max for c, i in ind.items() if i.unit in ("亿元", "家") and i.measure_kind != "ratio"}
    assert ceilings and all(ceilings.values()), ceilings


def test_duckdb_history_query_keeps_other_tables_out(con) -> None:
    from dagster_project.ingest.validate import history_outliers

    with pytest.raises(ValueError, match="unknown observation table"):
        history_outliers(con, "SELECT 1", [], release_id="r", table="releases; DROP TABLE x")
    assert isinstance(con, duckdb.DuckDBPyConnection)
