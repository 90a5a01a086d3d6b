"""Bad files the repo had not made (a trial on files written from scratch, not copies of data/ or the
fixtures): each was refused, but for a reason that sent the office the wrong way, or not refused at all.
Each test here failed on the code before the fix it covers.

``fixtures/ingest/password_protected.xlsx`` is a 统计月报 workbook encrypted by Excel's "Encrypt with
Password" (made with msoffcrypto-tool, password ``s45a``; figures made up).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.pipeline import IngestResult, ingest_file, notes_to_show
from dagster_project.ingest.store import ReleaseStage

from .helpers import FIXTURES, LONG_HEADER

TODAY = date(2026, 1, 1)
SRC = "测试数据（编造，非真实）"


def ingest(path: Path, con, qdir: Path, catalog: Catalog) -> IngestResult:
    return ingest_file(path, con, qdir, TODAY, catalog=catalog)


def test_a_password_protected_workbook_is_refused_as_such(landing, qdir, con, catalog) -> None:
    # It was refused as "an old binary Excel workbook (.xls, BIFF) … save it as .xlsx": the office saves
    # it as .xlsx again, with its password, and gets the same refusal.
    path = landing / "月报.xlsx"
    shutil.copy(FIXTURES / "password_protected.xlsx", path)
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    reason = result.errors[0].reason
    assert "password" in reason and "密码" in reason, reason
    assert ".xls, BIFF" not in reason


@pytest.mark.parametrize(
    "mark", ["123.4*", "123.4①", "123.4(r)", "123.4（r）", "123.4※", "123.4注1", "123.4注①", "123.4(注2)"]
)
def test_a_footnote_mark_after_a_figure_is_named_as_one(mark, landing, qdir, con, catalog) -> None:
    # It was refused as "cell unit '*' differs from column unit '亿元'": the mark is no unit. A mark with a number
    # (注1, (注2)) was refused as "not a number", and 注① as a unit 注①, naming no mark.
    path = landing / "long.csv"
    path.write_text(f"{LONG_HEADER}\ngdp,430202,,2023,value,{mark},亿元,2024-03-25,published,{SRC},\n")
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    [error] = result.errors
    assert (error.row, error.column) == (2, "value")
    assert "footnote mark" in error.reason and "unit" not in error.reason, error.reason


def test_a_stray_quote_names_the_row_where_the_quote_opened(landing, qdir, con, catalog) -> None:
    # A quote opened and never closed swallows the rest of the file into one cell; the refusal said
    # "row has 6 field(s), the header has 11: truncated?", which is not what happened.
    path = landing / "long.csv"
    path.write_text(
        f"{LONG_HEADER}\n"
        f"gdp,430203,,2023,value,310.2,亿元,2024-03-25,published,{SRC},\n"
        f'gdp,430211,,2023,value,"321.5,亿元,2024-03-25,published,{SRC},\n'
        f"gdp,430212,,2023,value,222.2,亿元,2024-03-25,published,{SRC},\n"
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    [error] = result.errors
    assert error.row == 3
    assert "quote" in error.reason and "never closed" in error.reason, error.reason


MONTHLY = """株洲市统计月报（2023年3月）{label},,,,,
发布日期：2023-04-20,,,,,
指标,单位,本月,,1-3月,
,,绝对数,同比增长(%),绝对数,同比增长(%)
规模工业增加值,亿元,,7.7,,7.1
进出口总额,亿元,61.5,8.2,301.7,9.9
注：测试数据，编造，非真实。,,,,,
数据来源：株洲市统计局,,,,,
"""


@pytest.mark.parametrize(("label", "note"), [("（快报）", "flash figure (快报)"), ("（初步数）", "preliminary (初步")])
def test_a_monthly_table_titled_as_a_flash_release_is_read_and_says_so(label, note, landing, qdir, con, catalog):
    # "株洲市统计月报（2023年3月）（快报）" was refused as "table matches no known layout".
    path = landing / "tjyb.csv"
    path.write_text(MONTHLY.format(label=label), encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    assert (result.status, result.adapter, result.row_count) == ("loaded", "monthly_table", 6), result.errors
    assert any(note in n for n in result.notes), result.notes
    periods = {r[0] for r in con.execute("SELECT DISTINCT period_code FROM raw.observations").fetchall()}
    assert periods == {"2023-03", "2023-01~03"}


def test_a_monthly_table_titled_as_an_estimate_makes_every_figure_approximate(landing, qdir, con, catalog):
    # "株洲市统计月报（2023年3月）（预计）" only added a note: its figures were stored as exact, where a 预计 cell's
    # figure is approximate
    path = landing / "tjyb.csv"
    path.write_text(MONTHLY.format(label="（预计）"), encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    assert (result.status, result.row_count) == ("loaded", 6), result.errors
    bounds = con.execute("SELECT DISTINCT bound FROM raw.observations").fetchall()
    assert bounds == [("approx",)]
    assert any("estimate (预计)" in n and "approximate" in n for n in result.notes), result.notes


@pytest.mark.parametrize(
    ("name", "loads"),
    [
        ("株洲市统计月报2023年2月.csv", False),  # names February, the title March: which is it?
        ("2023年1-2月/统计月报.csv", True),  # a folder's name is not the file's
        ("株洲市统计月报2023年3月.csv", True),
        ("株洲市2023年1-3月统计月报.csv", True),
        ("tjyb_2023-02.csv", True),  # a number may be a date of any kind: only 年/月 in the name is judged
    ],
)
def test_a_table_whose_file_name_names_another_month_is_refused(name, loads, landing, qdir, con, catalog):
    # The content's month was taken silently: a May file holding June's template (or June's file under
    # May's name) loaded its figures as June's with nothing said.
    path = landing / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MONTHLY.format(label=""), encoding="utf-8")
    result = ingest_file(path, con, qdir, TODAY, catalog=catalog, release_key=name)
    assert (result.status == "loaded") is loads, result.errors
    if not loads:
        [error] = result.errors
        assert (error.row, error.column) == (1, "title")
        assert "2023年2月" in error.reason and "2023-03" in error.reason, error.reason


def test_two_values_for_one_figure_say_both_and_a_repeated_row_says_so(landing, qdir, con, catalog) -> None:
    # Both were "duplicate of row 2: gdp/430225//2023/value": the office could not tell a row pasted
    # twice from two figures disagreeing, nor which figures.
    line = "gdp,{region},,2023,value,{value},亿元,2024-03-25,published," + SRC + ",\n"
    path = landing / "long.csv"
    path.write_text(
        f"{LONG_HEADER}\n"
        + line.format(region="430225", value="150.1")
        + line.format(region="430225", value="151.9")
        + line.format(region="430224", value="200.1")
        + line.format(region="430224", value="200.1")
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    by_row = {e.row: e.reason for e in result.errors}
    assert set(by_row) == {3, 5}
    assert "duplicate of row 2" in by_row[3] and "150.1" in by_row[3] and "151.9" in by_row[3], by_row[3]
    assert "duplicate of row 4" in by_row[5] and "the same figure" in by_row[5], by_row[5]


def test_the_file_size_limit_is_said_in_the_setting_s_units(landing, qdir, con, catalog) -> None:
    # PMW_MAX_FILE_MB=100 was said as "the limit of 104.9 MB": megabytes of 10^6 bytes against a setting in MiB.
    path = landing / "big.csv"
    path.write_bytes(b"x" * (3 * 1024 * 1024))
    result = ingest_file(path, con, qdir, TODAY, catalog=catalog, max_file_bytes=2 * 1024 * 1024)
    [error] = result.errors
    assert "file of 3.0 MB is larger than the limit of 2 MB (PMW_MAX_FILE_MB)" in error.reason, error.reason


AIR = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>株洲市2023年6月环境空气质量通报</title></head><body>
<span class="release-date">发布时间：2023-07-08</span>
<p>2023年6月，市区环境空气质量监测30天，其中优10天，良16天，优良率为86.7%。</p>
<p>发布单位：株洲市生态环境局</p></body></html>
"""


@pytest.mark.parametrize(
    ("name", "loads"), [("空气质量通报2023年5月.html", False), ("空气质量通报2023年6月.html", True)]
)
def test_a_bulletin_whose_file_name_names_another_month_is_refused(name, loads, landing, qdir, con, catalog):
    path = landing / name
    path.write_text(AIR, encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    assert (result.status == "loaded") is loads, result.errors
    if not loads:
        [error] = result.errors
        assert error.column == "title" and "2023年5月" in error.reason and "2023-06" in error.reason, error


def test_a_long_csv_read_row_by_row_holds_one_string_per_distinct_text() -> None:
    # A release of 2 million rows that the vectorised loader gives up on (one qualifier, one bad row) is
    # read row by row: it held 3.2 GB (1.4 MB of memory per 1000 rows, half of it the same codes, units and
    # source repeated as new strings in every row). Measured here on 20,000 rows: the cells' memory.
    import tracemalloc

    from dagster_project.ingest.document import load_documents

    lines = [LONG_HEADER]
    for i in range(20_000):
        month = f"{2000 + i // 12 % 26}-{i % 12 + 1:02d}"
        lines.append(f"trade_total,4302{i % 90:02d},,{month},value,{40 + i % 997 / 10},亿元,,published,{SRC},")
    data = ("\n".join(lines) + "\n").encode()
    tracemalloc.start()
    try:
        docs = load_documents(data, "long.csv")
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(docs[0].rows) == 20_001
    # was 1040; 570 with one string per distinct raw text; 400 with one per distinct cleaned text too (the
    # full-width unit and source were cleaned into a new string in every row). Through sys.intern it read
    # 400-590 by what the process had read before (the interpreter's table grew, and was counted, with
    # every new text); the file's own dict measures the file alone.
    assert held / 20_000 < 450, f"{held / 20_000:.0f} bytes per row"
    rows = docs[0].rows
    assert rows[1][6] == "亿元" and rows[1][6] is rows[2][6] and rows[1][9] is rows[2][9]


def test_a_rows_problem_without_a_column_prints_no_empty_column(landing, qdir, tmp_path, catalog) -> None:
    # A problem of a row as a whole (a stale header) printed as "row 3, : the columns name …", and one of the
    # file's as its reason with its column left out; each prints as the error report says it.
    import duckdb

    from dagster_project.console import quarantine_reasons
    from dagster_project.ingest.quarantine import error_line
    from dagster_project.ingest.store import ensure_schema

    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    ensure_schema(con)
    path = landing / "tjyb.csv"  # March's title over February's columns
    path.write_text(MONTHLY.format(label="").replace("本月,,1-3月", "2月,,1-2月"), encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    con.close()
    assert result.status == "quarantined"
    [error] = result.errors
    assert (error.row, error.column) == (3, "")
    [(first, count)] = quarantine_reasons(warehouse, ["tjyb.csv"]).values()
    assert count == 1
    assert first == f"row 3: {error.reason}", first
    assert error_line(None, "", "no data rows") == "no data rows"
    assert error_line(None, "title", "no year") == "title: no year"
    assert error_line(2, "value", "not a number") == "row 2, value: not a number"


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("dated", [True, False])
def test_a_long_file_s_blank_release_date_says_the_landing_day_stands_in(fast, dated, landing, qdir, con, catalog):
    # A blank release_date cell was dated the day the file landed with nothing said, by both paths, while a
    # table or bulletin with no date says so (UTF-8 with BOM and CRLF, as Excel saves "CSV UTF-8").
    first = "2023-06-15" if dated else ""
    rows = [
        LONG_HEADER,
        f"budget_revenue,430200,,2023年1-5月,value,81.2,亿元,{first},published,{SRC},",
        f"budget_revenue,430200,,2023年1-5月,yoy_pct,7.4,%,,published,{SRC},",
    ]
    path = landing / "财政局_2023-05_long.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    landed = date.fromtimestamp(path.stat().st_mtime)
    result = ingest_file(path, con, qdir, TODAY, catalog=catalog, fast=fast)
    assert (result.status, result.row_count, result.fast_path) == ("loaded", 2, fast), result.errors
    said = (
        f"no release date in the file for 1 of 2 rows (release_date blank: row 3): the day it landed, {landed}, "
        "is used for them"
        if dated
        else f"no release date in the file: the day it landed, {landed}, is used"
    )
    assert said in notes_to_show(result.notes), result.notes


def _months_workbook(path: Path, sheets: dict[str, int]) -> Path:
    """A 统计月报 workbook keeping each month on a sheet of its own (sheet name -> the month its title names)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, month in sheets.items():
        ws = wb.create_sheet(name)
        text = MONTHLY.format(label="").replace("3月", f"{month}月").replace("2023-04-20", f"2023-{month + 1:02d}-20")
        for line in text.splitlines():
            ws.append(line.split(","))
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("sheets", "loads"),
    [
        ({"5月": 5, "4月": 4}, True),  # this month and last, each on its sheet: the name names the newest
        ({"2023年5月": 5, "2023年4月份": 4}, True),
        ({"5月": 5, "4月": 3}, False),  # sheet 4月 titled March: a title left from another month
    ],
)
def test_a_workbook_named_for_its_newest_month_keeps_earlier_months_on_their_sheets(
    sheets, loads, landing, qdir, con, catalog
):
    # The whole workbook was refused: "the file name says 2023年5月 but the title says 2023-04" for the sheet 4月,
    # while an office's 统计月报 workbook keeps last month beside this one, each sheet named for its month.
    path = _months_workbook(landing / "株洲统计月报_2023年5月.xlsx", sheets)
    result = ingest(path, con, qdir, catalog)
    assert (result.status == "loaded") is loads, result.errors
    if loads:
        periods = {r[0] for r in con.execute("SELECT DISTINCT period_code FROM raw.observations").fetchall()}
        assert periods == {"2023-05", "2023-01~05", "2023-04", "2023-01~04"}
    else:
        [error] = result.errors
        assert error.file.endswith("#4月") and (error.row, error.column) == (1, "title")
        assert "sheet '4月' says 4月" in error.reason and "2023-03" in error.reason, error.reason


QUARTERLY = """株洲市主要经济指标（2023年上半年）
发布日期：2023-07-25
指标,单位,一季度,,,上半年,,
,,现价,{growths}
地区生产总值,亿元,868.2,{q1},1745.3,{h1}
数据来源：株洲市统计局
"""


@pytest.mark.parametrize("both", [True, False])
def test_a_growth_at_current_prices_is_not_kept_as_the_real_growth(both, landing, qdir, con, catalog):
    # A GDP table with 现价增长 beside 不变价增长 was refused as "2023-01~06 is given twice with different figures:
    # 4.1 and 5.6"; with 现价增长 alone, the nominal growth was stored as GDP's growth, which is the real one.
    if both:
        growths, q1, h1 = "现价增长(%),不变价增长(%),现价,现价增长(%),不变价增长(%)", "3.9,5.1", "4.1,5.6"
    else:
        growths, q1, h1 = "现价增长(%),现价,现价增长(%)", "3.9", "4.1"
    text = QUARTERLY.format(growths=growths, q1=q1, h1=h1)
    if not both:
        text = text.replace("一季度,,,上半年,,", "一季度,,上半年,")
    path = landing / "gdp.csv"
    path.write_text(text, encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    assert result.status == "loaded", result.errors
    growth = con.execute("SELECT period_code, value FROM raw.observations WHERE measure = 'yoy_pct' ORDER BY 1")
    assert growth.fetchall() == ([("2023-01~03", 5.1), ("2023-01~06", 5.6)] if both else [])
    levels = con.execute("SELECT period_code, value FROM raw.observations WHERE measure = 'value' ORDER BY 1")
    assert levels.fetchall() == [("2023-01~03", 868.2), ("2023-01~06", 1745.3)]
    said = [n for n in result.notes if "not read, a growth at current prices (现价)" in n]
    assert len(said) == 2, result.notes


def test_a_province_table_s_growth_at_current_prices_is_not_kept(landing, qdir, con, catalog):
    path = landing / "cities.csv"
    path.write_text(
        "2023年上半年各市州地区生产总值\n发布日期：2023-07-28\n市州,地区生产总值(亿元),现价增速(%),可比价增速(%)\n"
        "株洲市,1745.3,4.1,5.6\n长沙市,6868.8,3.2,4.8\n数据来源：湖南省统计局\n",
        encoding="utf-8",
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "loaded", result.errors
    growth = con.execute("SELECT region_code, value FROM raw.observations WHERE measure = 'yoy_pct' ORDER BY 1")
    assert growth.fetchall() == [("430100", 4.8), ("430200", 5.6)]
    assert any("现价增速(%): not read, a growth at current prices" in n for n in result.notes), result.notes


def test_a_title_naming_only_the_year_refuses_this_month_s_columns(landing, qdir, con, catalog):
    # "株洲市主要经济指标（2023年）" over 本月 | 1-本月 loaded 本月 as December 2023 and 1-本月 as the whole year,
    # with nothing said: the month the office meant is nowhere in the table.
    path = landing / "zb.csv"
    path.write_text(
        "株洲市主要经济指标（2023年）\n发布日期：2024-01-20\n指标,单位,本月,同比增长(%),1-本月,同比增长(%)\n"
        "进出口总额,亿元,61.5,8.2,301.7,9.9\n数据来源：株洲市统计局\n",
        encoding="utf-8",
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    assert {e.column for e in result.errors} >= {"本月", "1-本月"}
    assert any("needs the report month, but the title names only the year 2023" in e.reason for e in result.errors)


@pytest.mark.parametrize("period", ["2022年二季度", "2022年上半年", "2022年前三季度"])
def test_a_title_naming_a_quarter_or_half_year_refuses_this_month_s_column(period, landing, qdir, con, catalog):
    # "株洲市主要经济指标（2022年二季度）" over 本月 | 1-本月 loaded 本月 as June 2022, with nothing said: the
    # quarter's GDP stored as a month's. Its 累计 (1-本月) is the year to the quarter's end, read as before.
    path = landing / "jb.csv"
    path.write_text(
        f"株洲市主要经济指标（{period}）\n发布日期：2022-10-28\n指标,单位,本月,同比增长(%),1-本月,同比增长(%)\n"
        "地区生产总值,亿元,1002.4,4.9,1802.7,5.1\n数据来源：株洲市统计局（编造）\n",
        encoding="utf-8",
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    assert {e.column.split("/")[0] for e in result.errors} == {"本月"}  # not 1-本月
    assert all(f"the title names {period}, no month" in e.reason for e in result.errors), result.errors


def test_a_quarter_s_table_reads_its_year_to_date_column(landing, qdir, con, catalog):
    path = landing / "jb.csv"
    path.write_text(
        "株洲市主要经济指标（2022年二季度）\n发布日期：2022-07-28\n指标,单位,二季度,同比增长(%),累计,同比增长(%)\n"
        "地区生产总值,亿元,1002.4,4.9,1802.7,5.1\n数据来源：株洲市统计局（编造）\n",
        encoding="utf-8",
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "loaded", result.errors
    rows = con.execute("SELECT period_code, measure, value FROM raw.observations ORDER BY 1, 2").fetchall()
    assert rows == [
        ("2022-01~06", "value", 1802.7),
        ("2022-01~06", "yoy_pct", 5.1),
        ("2022-Q2", "value", 1002.4),
        ("2022-Q2", "yoy_pct", 4.9),
    ]


@pytest.mark.parametrize(
    "title", ["2023年株洲市主要经济指标（季度）", "2023年株洲市分季度主要经济指标", "株洲市主要经济指标（2023年）"]
)
def test_a_quarterly_table_of_the_year_is_read_up_to_its_latest_quarter(title, landing, qdir, con, catalog):
    # "…（季度）" was refused as "unrecognised period text: '2023年季度'", "…分季度…" as "unknown region
    # '株洲市分季度'", and a July table of the year holding 一季度 | 上半年 as "none the title's month 2023-12: a
    # stale header?"; half-year-only figures (高新技术产业增加值) are read for the half year.
    path = landing / "gdp_q.csv"
    path.write_text(
        f"{title}\n单位：亿元、%\n发布日期：2023-07-25\n指标,单位,一季度,,上半年,\n"
        ",,现价,不变价增长(%),现价,不变价增长(%)\n地区生产总值,亿元,868.2,5.1,1 745.3,5.6\n"
        "高新技术产业增加值,亿元,…,…,512.7,11.2\n注：增长速度按不变价格计算。\n数据来源：株洲市统计局\n",
        encoding="utf-8",
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "loaded", result.errors
    got = con.execute("SELECT indicator_code, period_code, measure, value FROM raw.observations ORDER BY ALL")
    assert got.fetchall() == [
        ("gdp", "2023-01~03", "value", 868.2),
        ("gdp", "2023-01~03", "yoy_pct", 5.1),
        ("gdp", "2023-01~06", "value", 1745.3),
        ("gdp", "2023-01~06", "yoy_pct", 5.6),
        ("hightech_value_added", "2023-01~06", "value", 512.7),
        ("hightech_value_added", "2023-01~06", "yoy_pct", 11.2),
    ]


def test_a_remarks_or_unknown_column_is_left_out_and_named_alike_in_both_tables(landing, qdir, con, catalog):
    # An extra column refused the whole 统计月报 ("column period: unrecognised period text: '备注'") while the
    # province's table loaded and listed 备注 as an indicator "not tracked in seeds/ … add it there": remarks are
    # text, and an unknown column of either table is now left out with a note naming it.
    monthly = landing / "tjyb.csv"
    monthly.write_text(
        "株洲市统计月报（2023年6月）\n发布日期：2023-07-20\n指标,单位,本月,同比增长(%),1-本月,同比增长(%),全省位次,备注\n"
        "进出口总额,亿元,61.5,8.2,301.7,9.9,3,含综保区\n数据来源：株洲市统计局\n",
        encoding="utf-8",
    )
    cities = landing / "cities.csv"
    cities.write_text(
        "2023年1-5月各市州规模工业增加值增长情况\n发布日期：2023-06-21\n市州,比上年同期(%),位次,企业单位数(个),备注\n"
        "长沙市,7.6,2,3120,\n株洲市,8.8,1,1850,含新入规企业\n数据来源：湖南省统计局\n",
        encoding="utf-8",
    )
    first, second = ingest(monthly, con, qdir, catalog), ingest(cities, con, qdir, catalog)
    assert (first.status, first.row_count, second.status, second.row_count) == ("loaded", 4, "loaded", 4), (
        first.errors,
        second.errors,
    )
    assert "row 3 备注: not read, remarks (备注), not figures" in first.notes
    assert any(n.startswith("row 3 全省位次: not read") for n in first.notes), first.notes
    assert "column 备注: not read, remarks (备注), not figures" in second.notes
    assert not any("备注" in n for n in second.notes if n.startswith("not loaded, not tracked")), second.notes
    assert any("企业单位数(个) (row 3)" in n for n in second.notes if n.startswith("not loaded, not tracked"))


@pytest.mark.parametrize("chart", [True, False])
def test_a_workbook_of_empty_or_chart_sheets_is_refused_as_holding_no_figures(chart, landing, qdir, con, catalog):
    # A workbook holding only a chart over an empty sheet was refused as "table matches no known layout (long
    # format header, 统计月报 title …)", and one of empty sheets as having "no documented header": the office
    # looked for a layout fault in a file that held no figures at all.
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    wb.active.title = "Sheet1"
    if chart:
        data = wb.create_sheet("数据")
        data.append(["规模工业增加值", 8.2])
        bars = BarChart()
        bars.add_data(Reference(data, min_col=2, min_row=1, max_row=1))
        wb.create_chartsheet("图表").add_chart(bars)
        wb.remove(data)  # the figures stayed in the office's own workbook
    else:
        wb.create_sheet("Sheet2")
    path = landing / "月报.xlsx"
    wb.save(path)
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    [error] = result.errors
    assert error.reason.startswith("the workbook holds no figures: sheet 'Sheet1' is empty"), error.reason
    assert ("'图表' is a chart sheet" in error.reason) is chart
    assert ("sheet 'Sheet2' is empty" in error.reason) is not chart


def test_a_workbook_cut_short_is_refused_as_damaged_or_incomplete(landing, qdir, con, catalog):
    # A workbook cut short in a download was refused as "cannot read workbook: File is not a zip file", which an
    # office reads as "not an Excel file" while Excel may say the same file is an .xlsx.
    from .helpers import write_monthly_xlsx

    whole = write_monthly_xlsx(landing / "whole.xlsx").read_bytes()
    path = landing / "月报_2022年5月.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    (landing / "whole.xlsx").unlink()
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    [error] = result.errors
    assert "damaged or incomplete" in error.reason and "copied completely" in error.reason, error.reason


def test_a_province_table_with_a_two_row_header_is_read_as_one_row(landing, qdir, con, catalog):
    # "市州 | 1-5月" merged over "绝对值 | 增长(%) | 位次" read the second header row as a city's and every column as
    # the 1-5月 level: refused with "not a number: '绝对值'" and duplicates of each city's level.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2023年1-5月各市州地方一般公共预算收入"])
    ws.append(["单位：亿元、%"])
    ws.append(["市州", "1-5月", None, None])
    ws.append([None, "绝对值", "增长(%)", "位次"])
    for rng in ("A1:D1", "A3:A4", "B3:D3"):
        ws.merge_cells(rng)
    ws.append(["长沙市", 412.3, 6.2, 1])
    ws.append(["株洲市", 81.2, 7.4, 2])
    ws.append(["资料来源：湖南省财政厅  发布日期：2023-06-25"])
    xlsx = landing / "各市州财政收入.xlsx"
    wb.save(xlsx)
    # and an indicator over its columns, as a CSV shows merged cells: blanks to the right
    csv = landing / "各市州主要指标.csv"
    csv.write_text(
        "2023年上半年各市州主要经济指标\n发布日期：2023-07-28\n市州,地区生产总值,,,规模工业增加值,\n"
        ",总量(亿元),增速(%),位次,增速(%),位次\n株洲市,1745.3,5.6,3,8.1,2\n数据来源：湖南省统计局\n",
        encoding="utf-8",
    )
    first, second = ingest(xlsx, con, qdir, catalog), ingest(csv, con, qdir, catalog)
    assert (first.status, second.status) == ("loaded", "loaded"), (first.errors, second.errors)
    got = con.execute(
        "SELECT indicator_code, region_code, period_code, measure, value, unit FROM raw.observations ORDER BY ALL"
    ).fetchall()
    assert got == [
        ("budget_revenue", "430100", "2023-01~05", "value", 412.3, "亿元"),
        ("budget_revenue", "430100", "2023-01~05", "yoy_pct", 6.2, "%"),
        ("budget_revenue", "430100", "2023-01~05", "yoy_rank", 1.0, "位"),
        ("budget_revenue", "430200", "2023-01~05", "value", 81.2, "亿元"),
        ("budget_revenue", "430200", "2023-01~05", "yoy_pct", 7.4, "%"),
        ("budget_revenue", "430200", "2023-01~05", "yoy_rank", 2.0, "位"),
        ("gdp", "430200", "2023-01~06", "value", 1745.3, "亿元"),
        ("gdp", "430200", "2023-01~06", "yoy_pct", 5.6, "%"),
        ("gdp", "430200", "2023-01~06", "yoy_rank", 3.0, "位"),
        ("industrial_value_added", "430200", "2023-01~06", "yoy_pct", 8.1, "%"),
        ("industrial_value_added", "430200", "2023-01~06", "yoy_rank", 2.0, "位"),
    ]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("18,1", "fields 6 and 7 read '18' and '1': one figure 18,1 (18.1 with a decimal comma)? Write it as 18.1"),
        ("1,903.2", "fields 6 and 7 read '1' and '903.2': one figure 1,903.2 (1903.2 with a thousands separator)?"),
    ],
)
def test_a_row_with_a_comma_split_figure_names_the_two_fields(value, said, landing, qdir, con, catalog):
    # Every row with a field more than the header was refused with the same guess, "a comma inside a value not in
    # quotes (1,903.2)?", whatever the row held: the office had to find the split figure itself.
    path = landing / "海关.csv"
    path.write_text(
        f"{LONG_HEADER}\ntrade_total,430200,,2023年1-5月,yoy_pct,15.3,%,2023-06-18,published,{SRC},\n"
        f"exports,430200,,2023年1-5月,yoy_pct,{value},%,2023-06-18,published,{SRC},\n",
        encoding="utf-8",
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    [error] = result.errors
    assert error.row == 3 and said in error.reason, error.reason


def test_a_release_dated_after_today_is_refused(landing, qdir, con, catalog):
    # "发布日期：2030-06-18" over May 2023's figures loaded them as released in 2030: the newest vintage of each
    # figure until then, shadowing every real revision, with nothing said.
    path = landing / "tjyb.csv"
    path.write_text(MONTHLY.format(label="").replace("2023-04-20", "2030-04-20"), encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    [error] = result.errors  # once for the release, not once per row
    assert error.column == "release_date" and "release date 2030-04-20 is after today (2026-01-01)" in error.reason


@pytest.mark.parametrize("written", ["2023-02-30", "2023年2月30日"])
def test_a_release_date_that_is_no_day_is_refused_not_replaced_by_the_landing_day(written, landing, qdir, con, catalog):
    # "发布日期：2023-02-30" was read as no date at all: the table loaded dated the day it landed, with the note
    # "no release date in the file", though the file states one, wrongly.
    path = landing / "tjyb.csv"
    path.write_text(MONTHLY.format(label="").replace("2023-04-20", written), encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    [error] = result.errors
    assert (error.row, error.column) == (2, "release_date")
    assert f"release date '{written}' is no day of the calendar" in error.reason
    air = (
        '<html><head><meta charset="utf-8"><title>株洲市2023年6月环境空气质量通报</title></head><body>'
        "<p>2023年6月，市区环境空气质量监测30天，其中优10天，良16天，优良率为86.7%。</p>"
        f"<p>发布时间：{written}</p><p>发布单位：株洲市生态环境局</p></body></html>"
    )
    page = landing / "air.html"
    page.write_text(air, encoding="utf-8")
    result = ingest(page, con, qdir, catalog)
    assert result.status == "quarantined" and "is no day of the calendar" in result.errors[0].reason


@pytest.mark.parametrize("title", ["2023年5月各市州规模工业增加值增长情况", "2023年1-5月各市州规模工业增加值增长情况"])
def test_a_province_table_s_same_period_beside_same_month_is_the_year_so_far(title, landing, qdir, con, catalog):
    # Under a title naming one month, 比上年同月 and 比上年同期 were both read as May's growth: refused as "another
    # value: 9.2 there, 8.8 here; which is right?", though 同期 beside 同月 is the year so far (1-5月).
    path = landing / "cities.csv"
    path.write_text(
        f"{title}\n发布日期：2023-06-20\n市州,比上年同月(%),比上年同期(%),位次\n株洲市,9.2,8.8,1\n"
        "数据来源：湖南省统计局\n",
        encoding="utf-8",
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "loaded", result.errors
    got = con.execute("SELECT period_code, measure, value FROM raw.observations ORDER BY ALL").fetchall()
    assert got == [("2023-01~05", "yoy_pct", 8.8), ("2023-01~05", "yoy_rank", 1.0), ("2023-05", "yoy_pct", 9.2)]


def test_a_negative_count_in_a_monthly_table_names_the_tables_column(landing, qdir, con, catalog) -> None:
    # 新增规模以上工业企业 -3 家 (本月) and -12 (1-本月) were refused naming column "value", which the table lacks
    path = landing / "月报_2023年7月.csv"
    path.write_text(
        "株洲市统计月报(2023年7月)\n发布日期：2023-08-18,,,,,\n指标,单位,本月,同比增长(%),1-本月,同比增长(%)\n"
        "新增规模以上工业企业,家,-3,,-12,\n数据来源：株洲市统计局\n",
        encoding="gb18030",
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    assert sorted((e.row, e.column) for e in result.errors) == [(4, "1-本月"), (4, "本月")], result.errors
    assert all("negative level" in e.reason for e in result.errors)


@pytest.mark.parametrize(("dated", "why"), [("", "after the release date"), ("发布日期：2030-06-18", "in the future")])
def test_a_title_in_the_future_is_refused_once_not_for_each_figure(dated, why, landing, qdir, con, catalog) -> None:
    # 2030年5月: "period … in the future" (or, dated by the day it landed, "… after the release date") was given
    # for 本月 and again for 1-本月, for every row of the table
    path = landing / "月报_2030年5月.csv"
    path.write_text(
        f"株洲市统计月报(2030年5月)\n{dated},,,,,\n指标,单位,本月,同比增长(%),1-本月,同比增长(%)\n"
        "规模工业增加值,亿元,,7.9,,8.2\n地方一般公共预算收入,亿元,20.1,3.2,95.3,4.1\n数据来源：株洲市统计局\n",
        encoding="gb18030",
    )
    result = ingest(path, con, qdir, catalog)
    assert result.status == "quarantined"
    [late] = [e for e in result.errors if e.column == "period"]
    assert late.row == 4 and why in late.reason, result.errors
    assert (
        "2030-05 ends 2030-05-31 (row 4, 5)" in late.reason and "2030-01~05 ends 2030-05-31 (row 4, 5)" in late.reason
    )


def _county_table(month: int, *rows: str) -> str:
    head = f"醴陵市统计月报（2022年{month}月）\n发布日期：2022-{month + 1:02d}-18\n"
    head += "指标,单位,本月,同比增长(%),1-本月,同比增长(%)\n"
    return head + "".join(f"{r}\n" for r in rows) + "数据来源：醴陵市统计局（编造）\n"


@pytest.mark.parametrize("staged", [False, True], ids=["pmw-ingest-direct", "staged-as-dagster-runs-it"])
def test_a_corrected_file_names_the_figures_it_no_longer_holds(staged, landing, qdir, con, catalog):
    # The office sent 月报.csv again (same name, a row taken out): the earlier release's figure stayed current,
    # nothing said; the corrected file's own figures superseded the rest as new vintages.
    path = landing / "月报.csv"
    path.write_text(_county_table(6, "规模工业增加值,亿元,,8.8,,8.1", "固定资产投资,亿元,,,,10.2"), encoding="utf-8")
    first = ingest(path, con, qdir, catalog)
    assert first.status == "loaded", first.errors
    path.write_text(_county_table(6, "规模工业增加值,亿元,,8.9,,8.1"), encoding="utf-8")
    stage = ReleaseStage(con) if staged else None
    second = ingest_file(path, con, qdir, TODAY, catalog=catalog, stage=stage)
    assert second.status == ("staged" if staged else "loaded"), second.errors
    [note] = [n for n in second.notes if "still current" in n]
    assert first.release_id in note and "fixed_asset_investment/430281/2022-01~06/yoy_pct" in note, note
    assert "industrial_value_added" not in note


def test_a_name_reused_for_the_next_month_is_no_correction(landing, qdir, con, catalog):
    path = landing / "月报.csv"
    path.write_text(_county_table(5, "固定资产投资,亿元,,,,10.0"), encoding="utf-8")
    assert ingest(path, con, qdir, catalog).status == "loaded"
    path.write_text(_county_table(6, "规模工业增加值,亿元,,8.8,,8.1"), encoding="utf-8")
    result = ingest(path, con, qdir, catalog)
    assert result.status == "loaded", result.errors
    assert not [n for n in result.notes if "still current" in n], result.notes
