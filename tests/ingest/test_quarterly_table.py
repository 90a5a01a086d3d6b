"""The quarterly statistics report (统计季报): the monthly table's reader with a quarter in its title and
本季度 / 1-本季度 (or 前三季度) columns. Its headers were refused as an unknown layout ("统计季报" in the title)
or as "unrecognised period text: '本季度'"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.detect import parse_document
from dagster_project.ingest.document import load_document
from dagster_project.ingest.models import ParseResult

LANDED = date(2022, 11, 1)
HEADER = "指标,单位,本季度,同比增长(%),1-本季度累计,同比增长(%)"
ROWS = (
    "地区生产总值,亿元,850.2,5.1,2600.3,5.6\n"
    "规模工业增加值,亿元,,8.1,,7.5\n"  # growth only: empty level cells
    "进出口总额,亿元,62.3,12.1,279.4,10.5\n"
    "#出口,亿元,40.1,15.0,180.2,14.2\n"
    "注：地区生产总值为初步核算数。\n"
    "数据来源：株洲市统计局\n"
)


def parse(path: Path, catalog: Catalog) -> ParseResult:
    return parse_document(load_document(path.read_bytes(), path.name), catalog, LANDED)


def figures(r: ParseResult) -> set[tuple[str, str, str, str, float]]:
    return {(o.indicator_code, o.period_code, o.period_kind, o.measure, o.value) for o in r.observations}


def write_quarterly_xlsx(path: Path) -> Path:
    """A 统计季报 as an office saves it in Excel: merged title and two-row header, a footnote under the rows."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["株洲市主要经济指标（2022年三季度）"])
    ws.merge_cells("A1:F1")
    ws.append(["发布日期：2022-10-25"])
    ws.append(["指标", "单位", "本季度", None, "1-本季度累计", None])
    ws.append([None, None, "绝对数", "同比增长(%)", "绝对数", "同比增长(%)"])
    for rng in ("A3:A4", "B3:B4", "C3:D3", "E3:F3"):
        ws.merge_cells(rng)
    ws.append(["地区生产总值", "亿元", 850.2, 5.1, "2 600.3", 5.6])
    ws.append(["规模工业增加值", "亿元", None, 8.1, None, 7.5])
    ws.append(["地方一般公共预算收入", "万元", 452345, 4.2, 1519278, 6.0])
    ws.append(["#税收收入", "万元", 300000, 3.1, 1000000, 2.0])
    ws.append(["注：1.地区生产总值为初步核算数。"])
    ws.append(["2.空白表示未公布。"])
    ws.append(["数据来源：株洲市统计局"])
    wb.save(path)
    return path


def test_a_quarterly_table_in_xlsx_gives_the_quarter_and_the_year_to_its_end(tmp_path: Path, catalog: Catalog) -> None:
    r = parse(write_quarterly_xlsx(tmp_path / "jibao.xlsx"), catalog)
    assert r.adapter == "monthly_table" and r.errors == []
    assert r.release_date == date(2022, 10, 25)
    assert figures(r) == {
        ("gdp", "2022-Q3", "quarter", "value", 850.2),
        ("gdp", "2022-Q3", "quarter", "yoy_pct", 5.1),
        ("gdp", "2022-01~09", "ytd", "value", 2600.3),
        ("gdp", "2022-01~09", "ytd", "yoy_pct", 5.6),
        ("industrial_value_added", "2022-Q3", "quarter", "yoy_pct", 8.1),
        ("industrial_value_added", "2022-01~09", "ytd", "yoy_pct", 7.5),
        ("budget_revenue", "2022-Q3", "quarter", "value", 45.2345),
        ("budget_revenue", "2022-Q3", "quarter", "yoy_pct", 4.2),
        ("budget_revenue", "2022-01~09", "ytd", "value", 151.9278),
        ("budget_revenue", "2022-01~09", "ytd", "yoy_pct", 6.0),
        ("tax_revenue", "2022-Q3", "quarter", "value", 30.0),
        ("tax_revenue", "2022-Q3", "quarter", "yoy_pct", 3.1),
        ("tax_revenue", "2022-01~09", "ytd", "value", 100.0),
        ("tax_revenue", "2022-01~09", "ytd", "yoy_pct", 2.0),
    }
    # the footnote labelling GDP preliminary is kept in the notes (the figures are read as published)
    assert any(n.startswith("row 9 footnote") and "preliminary (初步核算)" in n for n in r.notes), r.notes


@pytest.mark.parametrize(
    "title",
    [
        "株洲市主要经济指标（2022年三季度）",
        "株洲市2022年第三季度统计季报",
        "2022年第三季度统计季报",  # no region: the 统计局 the file names (数据来源：株洲市统计局)
        "株洲市统计季报（2022年1-9月）",
        "2022年前三季度株洲市主要经济指标",
        "株洲市统计季报\n2022年三季度",  # the quarter alone on the row under the title
    ],
)
@pytest.mark.parametrize(
    "header", [HEADER, "指标,单位,本季,同比增长(%),累计,同比增长(%)", "项目,计量单位,当季,增长%,1-本季度,增长%"]
)
def test_a_quarterly_tables_titles_and_headers_in_csv(
    tmp_path: Path, catalog: Catalog, title: str, header: str
) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes(f"{title}\n发布日期：2022-10-25\n{header}\n{ROWS}".encode("gbk"))
    r = parse(path, catalog)
    assert r.adapter == "monthly_table" and r.errors == []
    assert {o.region_code for o in r.observations} == {"430200"}
    assert {(o.period_code, o.period_kind) for o in r.observations} == {("2022-Q3", "quarter"), ("2022-01~09", "ytd")}
    got = figures(r)
    assert ("exports", "2022-Q3", "quarter", "value", 40.1) in got  # the sub-item of 进出口总额
    assert ("exports", "2022-01~09", "ytd", "yoy_pct", 14.2) in got
    assert ("industrial_value_added", "2022-Q3", "quarter", "yoy_pct", 8.1) in got
    assert not any(c == "industrial_value_added" and m == "value" for c, _, _, m, _ in got)
    assert len(got) == 14


def test_a_quarterly_table_of_the_first_three_quarters_alone(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        "株洲市主要经济指标（2022年1-9月）\n发布日期：2022-10-25\n指标,单位,前三季度,比上年同期增长(%)\n"
        "地区生产总值,亿元,2600.3,5.6\n规模工业增加值,亿元,,7.5\n注：地区生产总值为初步核算数。\n",
        encoding="utf-8",
    )
    r = parse(path, catalog)
    assert r.errors == []
    assert figures(r) == {
        ("gdp", "2022-01~09", "ytd", "value", 2600.3),
        ("gdp", "2022-01~09", "ytd", "yoy_pct", 5.6),
        ("industrial_value_added", "2022-01~09", "ytd", "yoy_pct", 7.5),
    }


def test_the_first_quarter_alone_is_the_year_to_its_end(tmp_path: Path, catalog: Catalog) -> None:
    # the period module's rule: Q1 alone is 2022-01~03, so 本季度 and 1-本季度 are one period, read once
    path = tmp_path / "q1.csv"
    path.write_text(
        f"株洲市统计季报（2022年一季度）\n{HEADER}\n进出口总额,亿元,62.3,12.1,62.3,12.1\n", encoding="utf-8"
    )
    r = parse(path, catalog)
    assert r.errors == []
    assert figures(r) == {
        ("trade_total", "2022-01~03", "ytd", "value", 62.3),
        ("trade_total", "2022-01~03", "ytd", "yoy_pct", 12.1),
    }


@pytest.mark.parametrize(
    ("title", "named"),
    [
        ("株洲市统计月报（2022年5月）", "the month 2022-05, no quarter"),
        ("株洲市统计季报（2022年9月）", "the month 2022-09, no quarter"),  # a month's title: 本季度 not guessed
        ("株洲市主要经济指标（2022年1-5月）", "2022年1-5月, which ends within a quarter"),
        ("株洲市主要经济指标（2022年）", "only the year 2022"),
    ],
)
def test_a_quarter_column_under_a_title_naming_no_quarter_is_refused(
    tmp_path: Path, catalog: Catalog, title: str, named: str
) -> None:
    # 本季度 under 2022年5月 would store April-May (or a quarter's figure) as the quarter: refused, as 本月 under a
    # quarter's title is
    path = tmp_path / "bad.csv"
    path.write_text(f"{title}\n发布日期：2022-06-20\n{HEADER}\n{ROWS}", encoding="utf-8")
    r = parse(path, catalog)
    assert r.observations == []
    quarter_errors = [e for e in r.errors if e.column.startswith(("本季度", "1-本季度"))]
    assert {e.column for e in quarter_errors} == {
        "本季度",
        "本季度/同比增长(%)",
        "1-本季度累计",
        "1-本季度累计/同比增长(%)",
    }
    for e in quarter_errors:
        assert (e.file, e.row) == ("bad.csv", 3)
        assert f"needs the report quarter, but the title names {named}" in e.reason


def test_a_month_column_under_a_quarters_title_is_still_refused(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        "株洲市统计季报（2022年三季度）\n指标,单位,本月,同比增长(%),1-本季度,同比增长(%)\n进出口总额,亿元,20.1,3.1,279.4,10.5\n",
        encoding="utf-8",
    )
    r = parse(path, catalog)  # an error refuses the whole file; its 1-本季度 alone would be read
    assert any(e.column == "本月" and "the title names 2022年三季度, no month" in e.reason for e in r.errors)


@pytest.mark.parametrize("source", ["", "数据来源：株洲市统计局、醴陵市统计局\n"])
def test_a_title_naming_no_region_needs_one_office_to_name_it(tmp_path: Path, catalog: Catalog, source: str) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        f"2022年第三季度统计季报\n{HEADER}\n进出口总额,亿元,62.3,12.1,279.4,10.5\n{source}", encoding="utf-8"
    )
    r = parse(path, catalog)
    assert r.observations == []
    [error] = r.errors
    assert (error.row, error.column) == (
        1,
        "title",
    ) and "names no region, nor does the file name one 统计局" in error.reason
