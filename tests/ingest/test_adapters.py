"""Parser tests per adapter, on real-shaped fixtures."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from dagster_project.ingest.adapter_common import clause_regions
from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.detect import UnknownFormatError, detect, parse_document
from dagster_project.ingest.document import DocumentError, load_document
from dagster_project.ingest.models import Observation, ParseResult
from dagster_project.ingest.pipeline import notes_to_show
from dagster_project.ingest.validate import validate_observations

from .helpers import FIXTURES, LONG_HEADER, write_long_csv, write_long_xlsx, write_monthly_xlsx

LANDED = date(2022, 7, 1)


def parse_file(path: Path, catalog: Catalog) -> ParseResult:
    doc = load_document(path.read_bytes(), path.name)
    return parse_document(doc, catalog, LANDED)


def parse_text(tmp_path: Path, name: str, text: str, catalog: Catalog) -> ParseResult:
    """Parse ``text`` saved as ``name`` (UTF-8), as a file landing with that content."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path, catalog)


def by_key(result: ParseResult) -> dict[tuple[str, str, str, str, str], Observation]:
    return {o.key(): o for o in result.observations}


# --- long format -------------------------------------------------------------------------------
def test_long_format_bom_csv(catalog: Catalog) -> None:
    r = parse_file(FIXTURES / "long_format_bom.csv", catalog)
    assert r.adapter == "long_format" and r.errors == []
    obs = by_key(r)
    assert len(obs) == 9
    gdp = obs[("gdp", "430200", "", "2021", "value")]
    assert (gdp.value, gdp.bound, gdp.unit, gdp.source_row) == (3420.3, "eq", "亿元", 2)
    assert gdp.source_ref == "http://www.tjcn.org/tjgb/18hn/37015.html"
    assert gdp.release_date == date(2022, 3, 20) and gdp.provenance == "published"
    firms = obs[("new_above_scale_units", "430200", "", "2019", "value")]  # “新增四上企业” quoted
    assert (firms.value, firms.bound, firms.source_value) == (600, "gt", "突破600")
    assert obs[("budget_revenue", "430200", "", "2019", "value")].bound == "gt"  # empty measure = value
    pop = obs[("resident_population", "430200", "", "2022", "value")]  # "3 871 100" 人 -> 万人
    assert (pop.value, pop.unit, pop.source_unit) == (pytest.approx(387.11), "万人", "人")
    trade = obs[("trade_total", "430200", "", "2022-01~05", "value")]  # full-width 亿美元 -> 亿元
    assert trade.value == pytest.approx(41.5 * 6.7261)
    assert trade.provenance == "illustrative"
    water = obs[("water_class", "430200", "XJ-01", "2022-05", "class")]
    assert (water.value, water.bound) == (2, "lt")
    assert obs[("project_stage", "430200", "P-IND-01", "2022-05", "stage")].value == 4
    assert any("6.7261" in n for n in r.notes)
    assert r.provenance == "mixed"


def test_long_format_gbk_and_xlsx(tmp_path: Path, catalog: Catalog) -> None:
    line = "规模工业增加值,株洲市,,2022年1-5月,yoy_pct,９．８,％,2022-06-20,illustrative,,"
    gbk = write_long_csv(tmp_path / "gbk.csv", [line], encoding="gbk")
    r = parse_file(gbk, catalog)
    assert r.errors == [] and r.provenance == "illustrative"
    [o] = r.observations
    assert (o.indicator_code, o.period_code, o.measure, o.value, o.unit) == (
        "industrial_value_added",
        "2022-01~05",
        "yoy_pct",
        9.8,
        "%",
    )
    x = write_long_xlsx(
        tmp_path / "long.xlsx",
        [
            [
                "gdp",
                "430200",
                None,
                "2022Q1",
                "value",
                880.5,
                "亿元",
                "2022-04-25",
                "published",
                "株洲日报",
                None,
            ]
        ],
    )
    [o] = parse_file(x, catalog).observations
    assert (o.period_code, o.period_kind, o.value) == ("2022-01~03", "ytd", 880.5)


def test_long_format_collects_all_row_errors(tmp_path: Path, catalog: Catalog) -> None:
    path = write_long_csv(
        tmp_path / "bad.csv",
        [
            "gdp,株洲市,,2022年13月,value,1,亿元,2022-06-20,published,,",  # bad period
            "gdp,株洲市,,2022,value,12 34,亿元,2022-06-20,published,,",  # bad number
            "gdp,株洲市,,2022,value,5,家,2022-06-20,published,,",  # unit contradicts indicator
            "gdp,株洲市,,2022,growth,5,%,2022-06-20,published,,",  # unknown measure
            "gdp,株洲市,,2022,value,=HYPERLINK(1),亿元,2022-06-20,published,,",  # formula
            "gdp,株洲市,,2022,value,1,亿元,20/06/2022,maybe,,",  # date and provenance
        ],
    )
    r = parse_file(path, catalog)
    got = {(e.row, e.column) for e in r.errors}
    assert got == {
        (2, "period"),
        (3, "value"),
        (4, "value"),
        (5, "measure"),
        (6, "value"),
        (7, "release_date"),
        (7, "provenance"),
    }
    reasons = " ".join(e.reason for e in r.errors)
    assert "formula" in reasons and "contradicts" in reasons
    assert r.observations == []


def test_a_cell_unit_abbreviating_the_columns_is_the_same_unit(tmp_path: Path, catalog: Catalog) -> None:
    # "6.2万" under 万人 was refused: "cell unit '万' differs from column unit '万人'"
    path = write_long_csv(
        tmp_path / "u.csv",
        [
            "new_urban_jobs,430200,,2021,value,6.2万,万人,2022-01-10,published,x,",
            "new_urban_jobs,430200,,2020,value,6.2万,人,2022-01-10,published,x,",  # 6.2万人 is not 6.2人
            "budget_revenue,430200,,2021,value,175万,亿元,2022-01-10,published,x,",
        ],
    )
    r = parse_file(path, catalog)
    assert by_key(r)[("new_urban_jobs", "430200", "", "2021", "value")].value == 6.2
    assert [(e.row, e.column) for e in r.errors] == [(3, "value"), (4, "value")]
    assert all("differs from column unit" in e.reason for e in r.errors)


def test_tab_separated_exports_are_read_like_csv(tmp_path: Path, catalog: Catalog) -> None:
    # some office systems export .txt/.tsv with tabs: "table matches no known layout"
    long = tmp_path / "long.tsv"
    long.write_text(
        LONG_HEADER.replace(",", "\t") + "\ngdp\t430200\t\t2021\tvalue\t3420.3\t亿元\t2022-03-20\tpublished\tx\t\n"
    )
    assert by_key(parse_file(long, catalog))[("gdp", "430200", "", "2021", "value")].value == 3420.3
    table = tmp_path / "tjyb.txt"
    table.write_text(
        "株洲市统计月报（2023年10月）\n发布日期：2023-11-18\n指标\t单位\t本月\t同比增长(%)\t1-本月\t同比增长(%)\n"
        "进出口总额\t亿元\t52.3\t12.4\t452.9\t10.2\n",
        encoding="utf-8",
    )
    assert by_key(parse_file(table, catalog))[("trade_total", "430200", "", "2023-01~10", "value")].value == 452.9


def test_long_format_header_below_a_title(tmp_path: Path, catalog: Catalog) -> None:
    # an export with its title above the header row: "table matches no known layout"
    r = parse_text(
        tmp_path,
        "titled.csv",
        f"株洲市2024年上半年统计数据,,,,,,,,,,\n{LONG_HEADER}\n"
        "hightech_value_added,430200,,2024-01~06,value,560.2,亿元,2024-07-20,published,株洲市科技局,\n",
        catalog,
    )
    assert r.errors == [] and r.adapter == "long_format"
    [obs] = r.observations
    assert (obs.value, obs.source_row) == (560.2, 3)


def test_a_header_near_the_long_formats_is_refused_naming_its_wrong_cells(tmp_path: Path) -> None:
    # trial s57: indicator_code / region_code (a database's column names) matched no layout, and the refusal
    # listed the layouts without naming the two cells
    path = tmp_path / "long.csv"
    path.write_text(
        "indicator_code,region_code,period,value,unit,release_date,source_ref\n"
        "gdp,430281,2023-01~06,398.2,亿元,2023-07-31,醴陵市统计局\n",
        encoding="utf-8",
    )
    with pytest.raises(UnknownFormatError) as refused:
        detect(load_document(path.read_bytes(), path.name))
    said = str(refused.value)
    assert "'indicator_code' (→ 'indicator'?), 'region_code' (→ 'region'?) are not among its columns" in said, said
    assert "missing indicator, region; its header is indicator,region,subject,period," in said, said
    # a table nothing like it is still told the layouts there are
    path.write_text("名称,数量\n甲,1\n", encoding="utf-8")
    with pytest.raises(UnknownFormatError, match="table matches no known layout"):
        detect(load_document(path.read_bytes(), path.name))


def test_semicolon_separated_exports_are_read_like_csv(tmp_path: Path, catalog: Catalog) -> None:
    # an Excel set to a decimal-comma locale saves CSV with semicolons: "matches no known layout"
    r = parse_text(
        tmp_path,
        "semi.csv",
        LONG_HEADER.replace(",", ";") + "\n"
        "budget_revenue;430200;;2023-01~06;value;1,019,278;万元;2023-07-20;published;株洲市财政局;含基金, 不含债务\n",
        catalog,
    )
    assert r.errors == []
    [obs] = r.observations
    assert (obs.value, obs.unit) == (101.9278, "亿元")


def test_long_format_rejects_extra_columns(tmp_path: Path, catalog: Catalog) -> None:
    r = parse_text(
        tmp_path,
        "extra.csv",
        "indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note,remark\n"
        "gdp,株洲市,,2022,value,1,亿元,2022-06-20,published,,,x\n",
        catalog,
    )
    assert [(e.row, e.column) for e in r.errors] == [(1, "remark")]
    assert r.observations == []


@pytest.mark.parametrize(
    "row",
    [
        "gdp,430200,,2023-01~06,value,1,903.2,亿元,2023-07-20,published,株洲市统计局,",  # 1,903.2 unquoted
        "listed_companies,430200,,2023-10,value,15,家,2024-01-10,published,株洲市金融办,截至10月末,含新三板",
    ],
)
def test_long_format_rows_with_more_fields_than_the_header_are_refused_saying_so(
    tmp_path: Path, catalog: Catalog, row: str
) -> None:
    # the first was refused for its shifted cells ("release_date '亿元' is not YYYY-MM-DD"), the second
    # loaded with the note's ",含新三板" dropped
    r = parse_text(tmp_path, "wide.csv", f"{LONG_HEADER}\n{row}\n", catalog)
    assert [(e.row, e.reason.split(":")[0]) for e in r.errors] == [(2, "row has 12 fields, the header has 11")]
    assert r.observations == []


# --- monthly table -----------------------------------------------------------------------------
def test_monthly_table_gbk_csv(catalog: Catalog) -> None:
    path = FIXTURES / "monthly_zhuzhou_2022-05_gbk.csv"
    doc = load_document(path.read_bytes(), path.name)
    assert doc.encoding == "gb18030"
    r = parse_document(doc, catalog, LANDED)
    assert r.adapter == "monthly_table" and r.errors == []
    assert r.release_date == date(2022, 6, 20) and r.provenance == "published"
    obs = by_key(r)
    assert len(obs) == 15
    # growth-only row: no level rows, two growth rows
    assert ("industrial_value_added", "430200", "", "2022-05", "value") not in obs
    assert obs[("industrial_value_added", "430200", "", "2022-05", "yoy_pct")].value == 10.2
    assert obs[("industrial_value_added", "430200", "", "2022-01~05", "yoy_pct")].value == 9.8
    # "#出口" sub-item
    exp = obs[("exports", "430200", "", "2022-01~05", "value")]
    assert (exp.value, exp.source_row, exp.period_kind) == (180.2, 7, "ytd")
    # 万元 with spaces -> 亿元
    rev = obs[("budget_revenue", "430200", "", "2022-05", "value")]
    assert (rev.value, rev.unit, rev.source_value, rev.source_unit) == (
        pytest.approx(15.2345),
        "亿元",
        "152 345",
        "万元",
    )
    assert obs[("budget_revenue", "430200", "", "2022-01~05", "value")].value == pytest.approx(101.9278)
    assert obs[("fixed_asset_investment", "430200", "", "2022-01~05", "yoy_pct")].value == 9.1  # ９．１


@pytest.mark.parametrize(
    "title",
    [
        "株洲市统计月报（2023年6月）",
        "2023年6月株洲市主要经济指标",
        "株洲市2023年6月主要经济指标",
        "株洲市2023年1-6月份统计月报",
        "2023年株洲市主要经济指标（1-6月）",  # the year apart from the months: "matches no known layout"
    ],
)
def test_monthly_table_titles_name_the_month_before_or_after_the_region(
    tmp_path: Path, catalog: Catalog, title: str
) -> None:
    r = parse_text(
        tmp_path,
        "t.csv",
        f"{title},,,,,\n发布日期：2023-07-18,,,,,\n指标,单位,6月,同比增长(%),1-6月,同比增长(%)\n"
        "进出口总额,亿元,52.3,12.4,284.6,10.2\n",
        catalog,
    )
    assert r.adapter == "monthly_table" and r.errors == []
    obs = by_key(r)
    assert obs[("trade_total", "430200", "", "2023-06", "value")].value == 52.3
    assert obs[("trade_total", "430200", "", "2023-01~06", "yoy_pct")].value == 10.2


@pytest.mark.parametrize(
    "header",
    [
        "指标,单位,本月,同比增长(%),1-本月,同比增长(%)",
        "项目,单位,本月数,同比±%,累计数,同比±%",
        "指标,单位,当月,增长%,1-本月累计,增长%",
        "主要指标,计量单位,本月,本月比上年同月增长%,1-本月累计,累计比上年同期增长%",  # was no known layout
    ],
)
def test_monthly_table_month_and_year_so_far_columns_by_their_usual_names(
    tmp_path: Path, catalog: Catalog, header: str
) -> None:
    r = parse_text(
        tmp_path, "t.csv", f"株洲市统计月报（2023年6月）\n{header}\n进出口总额,亿元,52.3,12.4,284.6,10.2\n", catalog
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("trade_total", "430200", "", "2023-06", "value")].value == 52.3
    assert obs[("trade_total", "430200", "", "2023-01~06", "value")].value == 284.6
    assert obs[("trade_total", "430200", "", "2023-01~06", "yoy_pct")].value == 10.2


@pytest.mark.parametrize("growth", ["比上年同期±%", "比上年同期增减(%)", "±%", "同比增长(%)"])
def test_monthly_table_growth_columns_by_every_usual_name(tmp_path: Path, catalog: Catalog, growth: str) -> None:
    # "比上年同期±%" was read as a level: a growth of 9.6% stored as 9.6 亿元, -4.1% in 万元 as -0.00041 亿元
    r = parse_text(
        tmp_path,
        "t.csv",
        f"醴陵市2024年1-5月主要经济指标\n指标,单位,1-5月,\n,,绝对数,{growth}\n"
        "规模以上工业增加值,亿元,,9.6\n地方一般公共预算收入,万元,152300,-4.1\n",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    growth_rows = {k[0]: o for k, o in obs.items() if k[4] == "yoy_pct"}
    assert {k: (o.value, o.unit) for k, o in growth_rows.items()} == {
        "industrial_value_added": (9.6, "%"),
        "budget_revenue": (-4.1, "%"),
    }
    assert [(k[0], o.value) for k, o in obs.items() if k[4] == "value"] == [("budget_revenue", 15.23)]


def test_monthly_table_giving_a_figure_in_yuan_and_in_dollars_keeps_the_yuan_row(
    tmp_path: Path, catalog: Catalog
) -> None:
    # both rows became 亿元 figures of one key: duplicates that quarantined the table; the dollar row's
    # growth is not the yuan series' growth
    r = parse_text(
        tmp_path,
        "t.csv",
        "株洲市统计月报（2023年6月）\n指标,单位,本月,同比增长(%)\n"
        "进出口总额,亿元,45.2,18.0\n进出口总额,亿美元,6.5,12.3\n出口,亿美元,5.1,9.9\n",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("trade_total", "430200", "", "2023-06", "value")].value == 45.2
    assert obs[("trade_total", "430200", "", "2023-06", "yoy_pct")].value == 18.0
    # a figure given in dollars only is converted, as before; its growth in dollars is no yuan growth
    assert obs[("exports", "430200", "", "2023-06", "value")].source_unit == "亿美元"
    assert ("exports", "430200", "", "2023-06", "yoy_pct") not in obs
    assert any("not read, a growth in 亿美元 terms" in n for n in r.notes)
    assert any("进出口总额 (亿美元): not read" in n for n in notes_to_show(r.notes))


@pytest.mark.parametrize(
    "header",
    ["指标,单位,1-6月累计,上年同期,增长(%)\n", "指标,单位,1-6月,,\n,,绝对数,上年同期数,比上年同期±%\n"],
)
def test_monthly_table_last_years_column_is_the_same_period_a_year_earlier(
    tmp_path: Path, catalog: Catalog, header: str
) -> None:
    # a 上年同期 column refused the table: "column period: unrecognised period text '上年同期'"
    r = parse_text(
        tmp_path, "t.csv", f"株洲市2023年1-6月份统计月报\n{header}地区生产总值,亿元,1780.35,1690.2,5.1\n", catalog
    )
    assert r.errors == []
    assert {(k[3], k[4]): o.value for k, o in by_key(r).items()} == {
        ("2023-01~06", "value"): 1780.35,
        ("2022-01~06", "value"): 1690.2,
        ("2023-01~06", "yoy_pct"): 5.1,
    }


def test_monthly_table_a_rates_change_in_a_percent_column_is_kept_only_in_points(
    tmp_path: Path, catalog: Catalog
) -> None:
    # 优良率's change 2.3 under 同比±% was stored as a 2.3% relative growth; "2.3个百分点" refused the table
    r = parse_text(
        tmp_path,
        "t.csv",
        "株洲市统计月报（2023年12月）\n指标,单位,本月,比上年同月±%\n空气优良率,%,91.2,2.3\n进出口总额,亿元,45.2,18.0\n",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert ("air_good_ratio", "430200", "", "2023-12", "yoy_pct") not in obs
    assert obs[("trade_total", "430200", "", "2023-12", "yoy_pct")].value == 18.0
    assert any("may be points or relative" in n for n in r.notes)
    said = parse_text(
        tmp_path,
        "t2.csv",
        "株洲市统计月报（2023年12月）\n指标,单位,本月,比上年同月±%\n空气优良率,%,91.2,2.3个百分点\n",
        catalog,
    )
    assert said.errors == []
    points = by_key(said)[("air_good_ratio", "430200", "", "2023-12", "yoy_pct")]
    assert (points.value, points.unit) == (2.3, "百分点")


def test_monthly_table_change_columns_in_points_or_in_the_levels_own_unit(tmp_path: Path, catalog: Catalog) -> None:
    # a rate's change in 百分点 is its yoy in 百分点; a change in 亿元 is no measure of the warehouse: a note
    r = parse_text(
        tmp_path,
        "t.csv",
        "株洲市统计月报（2023年6月）\n指标,单位,本月,比上年同月增减(百分点),比上年同月增减(亿元)\n"
        "空气优良率,%,91.2,-0.3,\n进出口总额,亿元,52.3,,4.1\n",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("air_good_ratio", "430200", "", "2023-06", "yoy_pct")].unit == "百分点"
    assert obs[("air_good_ratio", "430200", "", "2023-06", "yoy_pct")].value == -0.3
    assert ("trade_total", "430200", "", "2023-06", "yoy_pct") not in obs
    assert obs[("trade_total", "430200", "", "2023-06", "value")].value == 52.3
    assert any("not read, a change in 亿元" in n for n in r.notes)


def test_monthly_table_month_on_its_own_row_under_the_title(tmp_path: Path, catalog: Catalog) -> None:
    r = parse_text(
        tmp_path,
        "t.csv",
        "株洲市统计月报\n2023年6月\n发布日期：2023-07-18\n指标,单位,本月,同比增长(%),1-本月,同比增长(%)\n"
        "进出口总额,亿元,52.3,12.4,284.6,10.2\n",
        catalog,
    )
    assert r.errors == [] and r.release_date == date(2023, 7, 18)
    assert by_key(r)[("trade_total", "430200", "", "2023-01~06", "value")].value == 284.6


def test_monthly_table_naming_no_month_is_refused_saying_so(tmp_path: Path, catalog: Catalog) -> None:
    # was "table matches no known layout"
    r = parse_text(
        tmp_path,
        "t.csv",
        "株洲市统计月报\n株洲市统计局编印\n指标,单位,本月,同比增长(%)\n进出口总额,亿元,52.3,12.4\n",
        catalog,
    )
    [error] = r.errors
    assert (error.row, error.column) == (1, "title") and "names no month" in error.reason
    assert r.observations == []


def test_monthly_table_rows_of_untracked_indicators_are_left_out_and_named(tmp_path: Path, catalog: Catalog) -> None:
    # A real 统计月报 lists dozens of indicators; one the catalogue lacks quarantined the whole table.
    r = parse_text(
        tmp_path,
        "t.csv",
        "株洲市统计月报（2023年6月）\n发布日期：2023-07-18\n指标,单位,本月,同比增长(%),1-本月,同比增长(%)\n"
        "进出口总额,亿元,52.3,12.4,284.6,10.2\n社会消费品零售总额,亿元,120.1,6.5,700.2,7.1\n"
        "城镇居民人均可支配收入,元,,,25000,5.5\n",
        catalog,
    )
    assert r.errors == []
    assert {o.indicator_code for o in r.observations} == {"trade_total"}
    [note] = r.notes
    assert "社会消费品零售总额 (row 5)" in note and "城镇居民人均可支配收入 (row 6)" in note
    assert "indicators.csv" in note


def test_a_tables_numbered_footnote_lines_are_the_notes_not_untracked_indicators(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "注：1.…" then "2.空白表示未公布。" (every sample 统计月报): the second line was named an untracked
    # indicator in every release's notes. A row with figures after the note is still read.
    r = parse_text(
        tmp_path,
        "t.csv",
        "株洲市统计月报（2023年6月）,,,\n发布日期：2023-07-18,,,\n指标,单位,本月,同比增长(%)\n"
        "进出口总额,亿元,52.3,12.4\n注：1.规模工业增加值增速按可比价计算。,,,\n2.空白表示未公布。,,,\n"
        "（3）数据为初步统计。,,,\n出口总额,亿元,40.1,15.0\n数据来源：株洲市统计局,,,\n",
        catalog,
    )
    # the one note is the third line's vintage (初步: preliminary), named as a footnote, not as an indicator
    assert r.errors == [] and r.notes == [
        "row 7 footnote '(3)数据为初步统计。': preliminary (初步): a later release revises it "
        "(the figures it names, read as published)"
    ]
    assert {o.indicator_code for o in r.observations} == {"trade_total", "exports"}


def test_monthly_table_xlsx_merged_headers_and_notes(tmp_path: Path, catalog: Catalog) -> None:
    r = parse_file(write_monthly_xlsx(tmp_path / "whatever-name.xlsx"), catalog)
    assert r.adapter == "monthly_table" and r.errors == []
    assert r.provenance == "illustrative"  # 示意数据 notes row
    assert r.release_date == date(2022, 6, 21)
    obs = by_key(r)
    assert {o.region_code for o in obs.values()} == {"430281"}  # 醴陵市 from the title
    assert obs[("industrial_value_added", "430281", "", "2022-01~05", "yoy_pct")].value == 10.8
    assert obs[("budget_revenue", "430281", "", "2022-05", "value")].value == pytest.approx(1.92781)
    assert obs[("tax_revenue", "430281", "", "2022-01~05", "value")].value == pytest.approx(6.1)
    jobs = obs[("new_urban_jobs", "430281", "", "2022-01~05", "value")]
    assert (jobs.value, jobs.unit) == (pytest.approx(1.2), "万人")
    assert all(o.provenance == "illustrative" for o in obs.values())
    assert len(obs) == 12


def test_xlsx_date_cells_shown_as_a_month_name_that_month(tmp_path: Path, catalog: Catalog) -> None:
    # the month under the title, typed as a date and shown as 2023年6月, was read as 2023-06-01: "the title
    # names no month"; a date shown with its day stays a date (the release date beside 发布日期)
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (
        ["株洲市统计月报"],
        [datetime(2023, 6, 1)],
        ["发布日期：", datetime(2023, 7, 20)],
        ["指标", "单位", "本月", "同比增长(%)"],
        ["进出口总额", "亿元", 45.2, 18.0],
    ):
        ws.append(row)
    ws["A2"].number_format = 'yyyy"年"m"月"'
    ws["B3"].number_format = "yyyy-mm-dd"
    wb.save(tmp_path / "dates.xlsx")
    r = parse_file(tmp_path / "dates.xlsx", catalog)
    assert r.errors == [] and r.release_date == date(2023, 7, 20)
    assert by_key(r)[("trade_total", "430200", "", "2023-06", "value")].value == 45.2


def test_xlsx_cells_shown_as_percentages_are_read_as_shown(tmp_path: Path, catalog: Catalog) -> None:
    # A growth typed as 12.4% in Excel is stored as 0.124: it was loaded as a growth of 0.124%.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (
        ["株洲市统计月报（2023年8月）"],
        ["发布日期：2023-09-18"],
        ["指标", "单位", "8月", "同比增长(%)", "1-8月", "同比增长(%)"],
        ["进出口总额", "亿元", 52.3, 0.124, 0.3806, -0.02],
    ):
        ws.append(row)
    for cell, fmt in (("D4", "0.0%"), ("F4", "0.00%;[Red]-0.00%"), ("E4", "0.00%")):
        ws[cell].number_format = fmt
    ws["C4"].number_format = '0.0"%"'  # a quoted "%" is text on a plain number: 52.3 stays 52.3
    wb.save(tmp_path / "pct.xlsx")
    r = parse_file(tmp_path / "pct.xlsx", catalog)
    obs = by_key(r)
    assert obs[("trade_total", "430200", "", "2023-08", "yoy_pct")].value == 12.4
    assert obs[("trade_total", "430200", "", "2023-01~08", "yoy_pct")].value == -2.0
    assert obs[("trade_total", "430200", "", "2023-08", "value")].value == 52.3
    # a level column's cell shown as a percentage contradicts its unit: refused, not read as 38.06 亿元
    [error] = r.errors
    assert (error.row, error.column) == (4, "1-8月") and "differs from column unit" in error.reason


def test_monthly_table_xlsx_formula_cell_is_an_error(tmp_path: Path, catalog: Catalog) -> None:
    r = parse_file(write_monthly_xlsx(tmp_path / "f.xlsx", formula=True), catalog)
    [err] = r.errors
    assert (err.row, err.column) == (7, "1-5月/绝对数")
    assert "formula" in err.reason and "=SUM(C6:C7)" in err.reason
    # it said only "formula-like cell '=SUM(C6:C7)' where a number was expected": which cell of which sheet,
    # and why a formula the office sees as a number is refused, were left to guess
    assert "sheet 'Sheet' cell E7" in err.reason and "saved without the value" in err.reason, err.reason


def _save_with_formula_values(wb: object, path: Path, values: dict[str, str]) -> Path:
    """Save as Excel does: each formula cell of `values` (coordinate -> value) keeps its computed value."""
    import re
    import zipfile

    wb.save(path)  # openpyxl writes formulas without their values, as any program that never computes them
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, value in values.items():
        formula = rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)(\s*<v\s*/>|\s*<v>\s*</v>)?'
        sheet, n = re.subn(formula, rf"\1<v>{value}</v>", sheet)
        assert n == 1, ref
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_xlsx_formula_cells_read_the_value_excel_saved(tmp_path: Path, catalog: Catalog) -> None:
    # An office's workbook computes totals and growth with formulas; Excel saves each one's value beside it.
    # Every such cell was refused as a formula: the saved value is what the office sees and published.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (
        ["株洲市统计月报（2023年8月）"],
        ["发布日期：2023-09-18"],
        ["指标", "单位", "8月", "同比增长(%)"],
        ["出口总额", "亿元", 40.1, 15.0],
        ["进口总额", "亿元", 12.2, 6.1],
        ["进出口总额", "亿元", "=C4+C5", "=ROUND((C6/46.1-1)*100,1)"],
    ):
        ws.append(row)
    r = parse_file(_save_with_formula_values(wb, tmp_path / "f.xlsx", {"C6": "52.3", "D6": "13.4"}), catalog)
    assert r.errors == []
    obs = by_key(r)
    assert obs[("trade_total", "430200", "", "2023-08", "value")].value == 52.3
    assert obs[("trade_total", "430200", "", "2023-08", "yoy_pct")].value == 13.4


def test_xlsx_numbers_are_read_as_their_cell_format_shows_them(tmp_path: Path, catalog: Catalog) -> None:
    # A computed 6.1249 shown as 6.1 (format 0.0) was stored as 6.1249, a figure the office never published;
    # 0.06125 shown as 6.1% (0.0%) was 6.125. Excel rounds half away from zero: 52.25 shown as 52.3.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (
        ["株洲市统计月报（2023年8月）"],
        ["发布日期：2023-09-18"],
        ["指标", "单位", "8月", "同比增长(%)", "1-8月", "同比增长(%)"],
        ["进出口总额", "亿元", 52.25, 0.06125, 380.649, -0.00004],
        ["出口总额", "亿元", 40.1, 6.1249, 300, None],
    ):
        ws.append(row)
    for cell, fmt in (("C4", "0.0"), ("D4", "0.0%"), ("E4", "#,##0.0#_);(#,##0.0#)"), ("F4", "0.0%")):
        ws[cell].number_format = fmt
    ws["D5"].number_format = "0.0_ "
    ws["E5"].number_format = "0.00"
    wb.save(tmp_path / "shown.xlsx")
    r = parse_file(tmp_path / "shown.xlsx", catalog)
    assert r.errors == []
    obs = by_key(r)
    assert obs[("trade_total", "430200", "", "2023-08", "value")].value == 52.3
    assert obs[("trade_total", "430200", "", "2023-08", "yoy_pct")].value == 6.1
    assert obs[("trade_total", "430200", "", "2023-01~08", "value")].value == 380.65
    assert obs[("trade_total", "430200", "", "2023-01~08", "yoy_pct")].value == 0  # -0.004% shown as 0.0%
    assert obs[("exports", "430200", "", "2023-08", "yoy_pct")].value == 6.1
    assert obs[("exports", "430200", "", "2023-01~08", "value")].value == 300


def test_xlsx_period_typed_as_a_number(tmp_path: Path, catalog: Catalog) -> None:
    # 2023.10 typed into a General cell is the number 2023.1, which Excel shows as 2023.1: it was stored as
    # January. Shown with two decimals it is October; shown as General it cannot be told from January.
    from .helpers import write_long_xlsx

    row = ["trade_total", "430200", None, 2023.1, "value", 52.3, "亿元", "2023-11-18", "published", "x", None]
    path = write_long_xlsx(tmp_path / "general.xlsx", [row, [*row[:3], 2023.2, *row[4:]]])
    r = parse_file(path, catalog)
    [error] = r.errors
    assert (error.row, error.column) == (2, "period") and "January or October" in error.reason
    assert [o.period_code for o in r.observations] == ["2023-02"]

    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active["D2"].number_format = "0.00"
    wb.save(path)
    r = parse_file(path, catalog)
    assert r.errors == [] and sorted(o.period_code for o in r.observations) == ["2023-02", "2023-10"]


# --- province table ----------------------------------------------------------------------------
def test_province_table(catalog: Catalog) -> None:
    r = parse_file(FIXTURES / "province_2022-05.csv", catalog)
    assert r.adapter == "province_table" and r.errors == []
    assert r.release_date == date(2022, 6, 22)
    obs = by_key(r)
    assert len(obs) == 12
    zz_month = obs[("industrial_value_added", "430200", "", "2022-05", "yoy_pct")]
    assert (zz_month.value, zz_month.period_kind) == (9.2, "month")
    assert obs[("industrial_value_added", "430200", "", "2022-01~05", "yoy_pct")].value == 9.8
    rank = obs[("industrial_value_added", "430200", "", "2022-01~05", "yoy_rank")]
    assert (rank.value, rank.unit) == (1, "位")
    assert obs[("industrial_value_added", "433100", "", "2022-01~05", "yoy_rank")].value == 14  # 湘西州


def test_a_second_table_on_the_sheet_is_read_with_its_own_header(tmp_path: Path, catalog: Catalog) -> None:
    # 二、财政 below the first table with its own header (1-本月 only): its 1-10月 figures were stored as the
    # month's, under the first table's columns, and its header row was named an untracked indicator.
    r = parse_text(
        tmp_path,
        "two.csv",
        "株洲市统计月报（2023年10月）\n发布日期：2023-11-20\n指标,单位,本月,同比增长(%),1-本月,同比增长(%)\n"
        "进出口总额,亿元,62.3,12.1,579.4,10.5\n数据来源：株洲市统计局\n\n二、财政\n"
        "指标,单位,1-本月,同比增长(%)\n地方一般公共预算收入,亿元,150.1,4.4\n",
        catalog,
    )
    assert r.errors == [] and r.notes == []
    assert {(o.indicator_code, o.period_code, o.measure, o.value) for o in r.observations} >= {
        ("trade_total", "2023-10", "value", 62.3),
        ("budget_revenue", "2023-01~10", "value", 150.1),
        ("budget_revenue", "2023-01~10", "yoy_pct", 4.4),
    }
    assert not any(o.indicator_code == "budget_revenue" and o.period_code == "2023-10" for o in r.observations)


def test_a_january_february_release_gives_the_two_months(tmp_path: Path, catalog: Catalog) -> None:
    # 春节: 1-2月 is published as one period, 本月 and 1-本月 alike. 本月 was stored as February alone.
    text = (
        "株洲市统计月报（2024年1-2月）\n发布日期：2024-03-20\n指标,单位,本月,同比增长(%),1-本月,同比增长(%)\n"
        "进出口总额,亿元,102.3,12.1,102.3,12.1\n地方一般公共预算收入,亿元,30.2,3.1,,\n"
    )
    r = parse_text(tmp_path, "jf.csv", text, catalog)
    assert r.errors == []
    assert sorted((o.indicator_code, o.period_code, o.measure, o.value) for o in r.observations) == [
        ("budget_revenue", "2024-01~02", "value", 30.2),
        ("budget_revenue", "2024-01~02", "yoy_pct", 3.1),
        ("trade_total", "2024-01~02", "value", 102.3),
        ("trade_total", "2024-01~02", "yoy_pct", 12.1),
    ]
    r = parse_text(tmp_path, "jf2.csv", text.replace("102.3,12.1,102.3", "102.3,12.1,99.0"), catalog)
    [error] = r.errors
    assert error.row == 4 and "2024-01~02 is given twice with different figures: 102.3 and 99.0" in error.reason


def test_columns_naming_another_month_than_the_title_are_refused(tmp_path: Path, catalog: Catalog) -> None:
    # last month's template under this month's title: 9月 | 1-9月 under 2023年10月 was stored as September's
    r = parse_text(
        tmp_path,
        "stale.csv",
        "株洲市统计月报（2023年10月）\n发布日期：2023-11-20\n指标,单位,9月,同比增长(%),1-9月,同比增长(%)\n"
        "进出口总额,亿元,62.3,12.1,579.4,10.5\n",
        catalog,
    )
    assert r.observations == []
    [error] = r.errors
    assert "none the title's month 2023-10: a stale header?" in error.reason


def test_a_change_over_another_period_than_a_year_earlier_is_not_a_growth(tmp_path: Path, catalog: Catalog) -> None:
    # 环比 / 比上月 columns were stored as the yoy growth (环比 1.2 as the month's 同比), and 增速比1-9月增减(百分点)
    # or 增速比上年同期增减(百分点) beside a level refused the table ("a change in 百分点 needs a % indicator").
    r = parse_text(
        tmp_path,
        "mom.csv",
        "株洲市统计月报（2023年10月）\n发布日期：2023-11-18\n"
        "指标,单位,本月,环比增长(%),1-本月,同比增长(%),增速比1-9月增减(百分点),增速比上年同期增减(百分点)\n"
        "规模工业增加值,亿元,,1.2,,6.2,0.3,1.1\n进出口总额,亿元,62.3,-3.5,579.4,10.5,,\n",
        catalog,
    )
    assert r.errors == []
    assert {(o.indicator_code, o.period_code, o.measure, o.value) for o in r.observations} == {
        ("industrial_value_added", "2023-01~10", "yoy_pct", 6.2),
        ("trade_total", "2023-10", "value", 62.3),
        ("trade_total", "2023-01~10", "value", 579.4),
        ("trade_total", "2023-01~10", "yoy_pct", 10.5),
    }
    assert "row 3 本月/环比增长(%): not read, a change 环比, not over a year earlier" in r.notes
    assert any("增速比1-9月增减(百分点): not read, a change 比1-9月" in n for n in r.notes)
    assert any("not read, a change in 百分点 is its growth rate's, not a growth" in n for n in r.notes)
    r = parse_text(
        tmp_path,
        "prov_mom.csv",
        "2023年1-9月各市州规模工业增加值增速\n发布日期：2023-10-20\n市州,比上月增长(%),位次,比上年同期增长(%),位次\n"
        "长沙市,0.8,2,7.9,3\n株洲市,1.1,1,9.8,1\n",
        catalog,
    )
    assert r.errors == []
    assert {(o.region_code, o.measure, o.value) for o in r.observations if o.region_code == "430200"} == {
        ("430200", "yoy_pct", 9.8),
        ("430200", "yoy_rank", 1),
    }
    assert "column 比上月增长(%): not read, a change 比上月, not over a year earlier" in r.notes


def test_a_rank_of_a_growth_left_out_is_named_in_the_notes(tmp_path: Path, catalog: Catalog) -> None:
    # "1-5月增速(%) | 排名" in a table in 亿美元: the growth was noted as not read, its rank dropped with no word
    r = parse_text(
        tmp_path,
        "usd_rank.csv",
        "2023年1-5月各市州进出口总额(亿美元)\n发布日期：2023-06-20\n市州,1-5月,1-5月增速(%),排名\n"
        "长沙市,190.1,7.2,第一\n株洲市,24.8,4.0,第5位\n",
        catalog,
    )
    assert r.errors == []
    assert not any(o.measure in ("yoy_pct", "yoy_rank") for o in r.observations)
    assert "column 排名: not read, it ranks 1-5月增速(%), not read" in r.notes


def test_a_province_tables_unit_stated_once_converts_its_columns(tmp_path: Path, catalog: Catalog) -> None:
    # A table stating its unit in the title or on a 单位 line, not in each column: 150.2 亿美元 was stored as
    # 150.2 亿元 and 5,000,000 万元 as 5,000,000 亿元. A growth of the dollar level is the dollar series' growth.
    r = parse_text(
        tmp_path,
        "usd.csv",
        "2023年1-6月各市州进出口总额(亿美元)\n发布日期：2023-07-25\n市州,总量,增速(%)\n长沙市,150.2,10.1\n株洲市,25.3,12.0\n",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("trade_total", "430200", "", "2023-01~06", "value")].value == pytest.approx(25.3 * 7.0467)
    assert not any(o.measure == "yoy_pct" for o in r.observations)
    assert "column 增速(%): not read, a growth in 亿美元 terms" in r.notes
    r = parse_text(
        tmp_path,
        "wan.csv",
        "2023年1-6月各市州地方一般公共预算收入\n单位：万元、%\n发布日期：2023-07-25\n市州,总量,增速\n株洲市,1200000,8.0\n",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("budget_revenue", "430200", "", "2023-01~06", "value")].value == 120
    assert obs[("budget_revenue", "430200", "", "2023-01~06", "yoy_pct")].value == 8.0


def test_a_monthly_tables_unit_line_is_its_rows_unit(tmp_path: Path, catalog: Catalog) -> None:
    # 单位：亿元 above a header with no 单位 column matched no layout; a blank 单位 cell under 单位：万元 read
    # 192781 万元 as 192,781 亿元.
    r = parse_text(
        tmp_path,
        "noc.csv",
        "株洲市统计月报（2023年6月）\n发布日期：2023-07-18\n单位：亿元\n指标,本月,同比增长(%)\n进出口总额,52.3,12.4\n",
        catalog,
    )
    assert r.adapter == "monthly_table" and r.errors == []
    obs = by_key(r)
    assert obs[("trade_total", "430200", "", "2023-06", "value")].value == 52.3
    assert obs[("trade_total", "430200", "", "2023-06", "yoy_pct")].value == 12.4
    r = parse_text(
        tmp_path,
        "blank.csv",
        "株洲市主要经济指标（2023年6月）,,,单位：万元\n发布日期：2023-07-18\n指标,单位,本月,同比增长(%)\n"
        "地方一般公共预算收入,,192781,12.4\n税收收入,亿元,12.1,3.0\n",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("budget_revenue", "430200", "", "2023-06", "value")].value == pytest.approx(19.2781)
    assert obs[("tax_revenue", "430200", "", "2023-06", "value")].value == 12.1  # its own unit wins


def test_a_province_tables_total_row_and_demonstration_zone_are_left_out(tmp_path: Path, catalog: Catalog) -> None:
    # 合计 refused the table as an unknown region, and so did a 示范区 (a zone, not a place of the catalogue)
    r = parse_text(
        tmp_path,
        "total.csv",
        "2023年1-9月各市州规模工业增加值增速\n发布日期：2023-10-22\n市州,比上年同期增长(%)\n"
        "全省,7.0\n株洲市,9.8\n云龙示范区,11.0\n合计,7.0\n",
        catalog,
    )
    assert r.errors == []
    assert {(o.region_code, o.value) for o in r.observations} == {("430000", 7.0), ("430200", 9.8)}
    assert "row 7 合计: not read, a total row (全省 is the province's)" in r.notes


def test_province_level_table(tmp_path: Path, catalog: Catalog) -> None:
    r = parse_text(
        tmp_path,
        "gdp.csv",
        "2022年一季度各市州地区生产总值\n发布日期：2022-04-28\n"
        "市州,地区生产总值(亿元),比上年同期增长(%),位次\n"
        "长沙市,3251.2,5.1,1\n株洲市,880.5,6.1,5\n",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("gdp", "430200", "", "2022-01~03", "value")].value == 880.5
    assert obs[("gdp", "430200", "", "2022-01~03", "yoy_rank")].value == 5  # ranks the growth column


def test_a_title_period_is_not_read_as_the_release_date(tmp_path: Path, catalog: Catalog) -> None:
    # "2023年1-6月" once read as a date (2023-01-06): the file, with no 发布日期 of its own, was
    # quarantined for figures "after the release date". Without a date of its own, the file's is used.
    path = tmp_path / "province.csv"
    path.write_text(
        "2023年1-6月全省各市州规模以上工业增加值增速\n市州,比上年同月(%),比上年同期(%),位次\n"
        "长沙市,6.5,7.0,2\n株洲市,8.0,8.1,1\n资料来源：湖南省统计局\n",
        encoding="gb18030",
    )
    r = parse_file(path, catalog)
    assert r.errors == []
    assert r.release_date == LANDED
    assert by_key(r)[("industrial_value_added", "430200", "", "2023-01~06", "yoy_pct")].value == 8.1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布日期：2023-07-18", date(2023, 7, 18)),
        ("株洲市统计局编印 2023年7月18日", date(2023, 7, 18)),
        ("发布时间：2023/7/18", date(2023, 7, 18)),
        ("2023.7.18", date(2023, 7, 18)),
        ("2023年1-6月 发布日期：2023-07-18", date(2023, 7, 18)),
        ("2023年1-6月全省各市州", None),
        ("2023-1.6", None),
    ],
)
def test_release_dates_use_one_separator_throughout(text: str, expected: date | None) -> None:
    from dagster_project.ingest.adapter_common import find_release_date

    assert find_release_date(text) == expected


@pytest.mark.parametrize(
    "title", ["2023年1-6月湖南省各市州规模工业增加值增速", "全省各市州2023年1-6月规模工业增加值增速"]
)
def test_province_table_title_names_the_period_before_or_after_the_cities(
    tmp_path: Path, catalog: Catalog, title: str
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{title}\n市州,比上年同月(%),比上年同期(%)\n株洲市,8.0,8.1\n", encoding="utf-8")
    r = parse_file(path, catalog)
    assert r.errors == []
    obs = by_key(r)
    assert obs[("industrial_value_added", "430200", "", "2023-06", "yoy_pct")].value == 8.0
    assert obs[("industrial_value_added", "430200", "", "2023-01~06", "yoy_pct")].value == 8.1


def test_province_table_columns_name_their_own_period_and_indicator(tmp_path: Path, catalog: Catalog) -> None:
    # "6月增速" and "1-6月增速" were both read as the title's 1-6月 (a duplicate that quarantined the file);
    # in a table of several indicators a growth column is the growth of the indicator it names, or of the
    # level column before it
    r = parse_text(
        tmp_path,
        "p.csv",
        "2023年1-6月各市州主要经济指标\n"
        "市州,6月规模工业增加值增速(%),1-6月规模工业增加值增速(%),位次,地区生产总值(亿元),比上年同期增长(%)\n"
        "株洲市,8.0,8.1,2,1701.2,5.5\n",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("industrial_value_added", "430200", "", "2023-06", "yoy_pct")].value == 8.0
    assert obs[("industrial_value_added", "430200", "", "2023-01~06", "yoy_pct")].value == 8.1
    assert obs[("industrial_value_added", "430200", "", "2023-01~06", "yoy_rank")].value == 2
    assert obs[("gdp", "430200", "", "2023-01~06", "value")].value == 1701.2
    assert obs[("gdp", "430200", "", "2023-01~06", "yoy_pct")].value == 5.5
    assert len(obs) == 5


def test_province_table_ranks_of_the_level_and_of_the_growth_by_their_headers(tmp_path: Path, catalog: Catalog) -> None:
    # 总量位次 was taken for an untracked indicator (the growth after it then lost its level) and 增速位次
    # for a second growth column (a duplicate that quarantined the table)
    header = "市州,总量(亿元),总量位次,比上年同期增长(%),增速位次"
    swapped = "市州,总量(亿元),比上年同期增长(%),总量位次,增速位次"
    for i, (head, row) in enumerate([(header, "株洲市,2650.3,5,4.7,3"), (swapped, "株洲市,2650.3,4.7,5,3")]):
        r = parse_text(tmp_path, f"p{i}.csv", f"2023年1-9月全省各市州地区生产总值\n{head}\n{row}\n", catalog)
        assert r.errors == [], head
        obs = {k[4]: o.value for k, o in by_key(r).items()}
        assert obs == {"value": 2650.3, "rank": 5, "yoy_pct": 4.7, "yoy_rank": 3}, head


def test_province_table_quarter_columns_and_a_park_row(tmp_path: Path, catalog: Catalog) -> None:
    # "二季度增速" was stored as the title's 1-6月 (with 一季度 and 上半年 beside it: duplicates that refused the
    # table); a 株洲高新区 row refused the table as an unknown region
    r = parse_text(
        tmp_path,
        "q.csv",
        "2023年上半年各市州地区生产总值增速\n市州,一季度增速(%),二季度增速(%),上半年增速(%)\n"
        "株洲市,4.8,5.0,4.9\n株洲高新区,6.1,6.3,6.2\n",
        catalog,
    )
    assert r.errors == []
    assert {k[3]: o.value for k, o in by_key(r).items()} == {"2023-01~03": 4.8, "2023-Q2": 5.0, "2023-01~06": 4.9}


def test_province_table_columns_of_untracked_indicators_are_left_out_and_named(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "社会消费品零售总额(亿元)" under a GDP title was read as GDP; under a generic title it refused the table
    for title in ("2023年1-6月各市州地区生产总值", "2023年1-6月各市州主要经济指标"):
        path = tmp_path / "p.csv"
        path.write_text(
            f"{title}\n市州,地区生产总值(亿元),增速(%),社会消费品零售总额(亿元),增速(%),位次\n"
            "株洲市,1701.2,5.5,700.2,7.1,4\n",
            encoding="utf-8",
        )
        r = parse_file(path, catalog)
        assert r.errors == []
        obs = by_key(r)
        assert set(obs) == {("gdp", "430200", "", "2023-01~06", m) for m in ("value", "yoy_pct")}
        assert obs[("gdp", "430200", "", "2023-01~06", "value")].value == 1701.2
        [note] = [n for n in r.notes if n.startswith("not loaded")]  # and the landing day standing in for a date
        assert "社会消费品零售总额(亿元) (row 2); 增速(%) (row 2)" in note  # its growth too (its rank is its)


@pytest.mark.parametrize("first", ["市州", "市（州）", "地区", "城市", "市州名称", "地市"])
def test_province_table_first_column_by_its_usual_names(tmp_path: Path, catalog: Catalog, first: str) -> None:
    r = parse_text(
        tmp_path, "p.csv", f"2023年1-6月各市州规模工业增加值增速\n{first},比上年同期增长(%)\n株洲市,8.1\n", catalog
    )
    assert r.adapter == "province_table" and r.errors == []
    assert by_key(r)[("industrial_value_added", "430200", "", "2023-01~06", "yoy_pct")].value == 8.1


def test_province_table_rows_of_groups_of_cities_are_left_out_but_a_misspelt_city_is_not(
    tmp_path: Path, catalog: Catalog
) -> None:
    path = tmp_path / "p.csv"
    head = "2023年1-6月各市州规模工业增加值增速\n市州,比上年同月增长(%),比上年同期增长(%)\n全省,6.1,6.3\n"
    path.write_text(head + "长株潭地区,6.5,7.0\n株洲市,8.0,8.1\n大湘西地区,5.0,5.5\n", encoding="utf-8")
    r = parse_file(path, catalog)
    assert r.errors == [] and {o.region_code for o in r.observations} == {"430000", "430200"}
    assert any("长株潭地区 (row 4); 大湘西地区 (row 6)" in n for n in r.notes)
    path.write_text(head + "株州市,8.0,8.1\n", encoding="utf-8")  # a typo is not a group: still an unknown region
    assert {o.region_code for o in parse_file(path, catalog).observations} == {"430000", "株州市"}


def test_province_table_xlsx_notes_merged_across_the_table_carry_no_figures(tmp_path: Path, catalog: Catalog) -> None:
    # A merged cell's text is copied across its range (so merged headers cover their columns): a
    # footnote merged across the table would otherwise be read as a region with text for figures.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (
        ["2022年一季度各市州地区生产总值"],
        ["发布日期：2022-04-28"],
        ["市州", "地区生产总值(亿元)", "比上年同期增长(%)", "位次"],
        ["长沙市", 3251.2, 5.1, 1],
        ["株洲市", 880.5, 6.1, 5],
        ["注：地区生产总值按现价计算，增速按不变价计算。"],
        ["数据来源：湖南省统计局"],
    ):
        ws.append(row)
    for row in (1, 6, 7):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    wb.save(tmp_path / "gdp.xlsx")
    r = parse_file(tmp_path / "gdp.xlsx", catalog)
    assert r.adapter == "province_table" and r.errors == []
    assert len(by_key(r)) == 6
    assert by_key(r)[("gdp", "430200", "", "2022-01~03", "value")].value == 880.5


# --- environmental bulletins -------------------------------------------------------------------
def test_air_bulletin(catalog: Catalog) -> None:
    r = parse_file(FIXTURES / "air_2022-05.html", catalog)
    assert r.adapter == "env_bulletin" and r.errors == []
    assert r.release_date == date(2022, 6, 8) and r.provenance == "published"
    obs = by_key(r)
    city = "430200"
    assert obs[("air_good_ratio", city, "", "2022-05", "value")].value == 87.1
    change = obs[("air_good_ratio", city, "", "2022-05", "yoy_pct")]
    assert (change.value, change.unit) == (3.2, "百分点")
    assert obs[("pm25", city, "", "2022-05", "value")].value == 31
    assert obs[("air_good_days", city, "", "2022-01~05", "value")].value == 121
    assert obs[("air_good_ratio", city, "", "2022-01~05", "value")].value == 80.1
    assert obs[("pm25", city, "", "2022-01~05", "value")].value == 43
    assert obs[("air_good_days", city, "", "2022-05", "value")].value == 27  # 城区 table row = city
    assert obs[("air_good_ratio", "430281", "", "2022-05", "value")].value == 90.3
    assert obs[("pm25", "430223", "", "2022-05", "value")].unit == "微克/立方米"
    # the 城区 row repeats the prose ratio and PM2.5: kept once
    assert len(obs) == len(r.observations) == 13


def test_water_bulletin(catalog: Catalog) -> None:
    r = parse_file(FIXTURES / "water_2022-05.html", catalog)
    assert r.adapter == "env_bulletin" and r.errors == []
    assert r.provenance == "illustrative" and r.release_date == date(2022, 6, 15)
    obs = by_key(r)
    ii = obs[("water_class", "430212", "XJ-01", "2022-05", "class")]
    assert (ii.value, ii.bound, ii.source_value) == (2, "eq", "Ⅱ")
    better = obs[("water_class", "430211", "XJ-02", "2022-05", "class")]
    assert (better.value, better.bound) == (2, "lt")
    assert obs[("water_class", "430223", "MS-01", "2022-05", "class")].value == 6  # 劣Ⅴ
    assert obs[("drinking_water_compliance", "430200", "", "2022-05", "value")].value == 100
    assert all(o.provenance == "illustrative" for o in r.observations)


@pytest.mark.parametrize(
    ("section", "klass"), [("断面名称", "本月水质类别"), ("监测点位", "现状水质"), ("点位名称", "实测水质")]
)
def test_water_table_columns_by_their_usual_names(tmp_path: Path, catalog: Catalog, section: str, klass: str) -> None:
    # "本月水质类别" / "监测点位" were refused: "water table needs 断面 and 水质类别 columns"
    r = parse_text(
        tmp_path,
        "w.html",
        "<html><head><title>株洲市2023年7月地表水监测月报</title></head><body><p>发布时间：2023-08-10</p>"
        f"<table><tr><th>序号</th><th>{section}</th><th>所属县市区</th><th>{klass}</th></tr>"
        "<tr><td>1</td><td>湘江株洲段断面1（示意）</td><td>渌口区</td><td>Ⅱ类</td></tr></table></body></html>",
        catalog,
    )
    assert r.errors == []
    assert by_key(r)[("water_class", "430212", "XJ-01", "2023-07", "class")].value == 2


def test_water_table_with_a_river_cell_merged_down_its_sections(tmp_path: Path, catalog: Catalog) -> None:
    # a cell spanning rows (rowspan) left the rows below it one cell short: their section was read from the
    # class column
    r = parse_text(
        tmp_path,
        "w.html",
        "<html><head><title>株洲市2023年7月地表水监测月报</title></head><body><p>发布时间：2023-08-10</p>"
        "<table><tr><th>河流</th><th>断面名称</th><th>水质类别</th></tr>"
        '<tr><td rowspan="2">湘江</td><td>湘江株洲段断面1（示意）</td><td>Ⅱ类</td></tr>'
        "<tr><td>湘江株洲段断面2（示意）</td><td>Ⅲ类</td></tr></table></body></html>",
        catalog,
    )
    assert r.errors == []
    assert {k[2]: o.value for k, o in by_key(r).items()} == {"XJ-01": 2, "XJ-02": 3}


# --- yearly statistics bulletin (统计公报) ----------------------------------------------------------
GONGBAO = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{title}</title></head><body>
<p>发布时间：2022年3月28日　来源：株洲市统计局</p>
<p>初步核算，全市地区生产总值3420.3亿元，按可比价格计算，比上年增长8.3%。其中，第一产业增加值245.2亿元，增长9.2%。</p>
<p>全市人均GDP87852元。</p>
<p>年末全市常住人口388.33万人。</p>
<p>全年规模以上工业增加值比上年增长9.1%。全年地方一般公共预算收入178 400万元，下降2.5%。</p>
<p>全年进出口总额302.4亿元，增长46.1%，其中出口总额253.3亿元，增长41.2%。</p>
<p>“十三五”期间地区生产总值年均增长7.2%，固定资产投资居全省第二位。</p>
<p>醴陵市实现地区生产总值800.5亿元，增长8.5%。</p>
<p>全年市区空气质量优良率为88.5%。</p>
<p>其中，机电产品出口120.5亿元，增长15.0%。工业固定资产投资增长12.0%。对东盟进出口50.2亿元。</p>
</body></html>"""


def parse_bulletin(tmp_path: Path, catalog: Catalog, year: int, body: str, illustrative: bool = False) -> ParseResult:
    """A 统计公报 page of ``year`` released on 28 March of the next, ``body`` its one paragraph, parsed;
    ``illustrative``: the page carries the sample's marker (数据性质：示意数据)."""
    marker = "<p>数据性质：示意数据（illustrative）</p>" if illustrative else ""
    page = (
        f"<html><head><title>株洲市{year}年国民经济和社会发展统计公报</title></head><body>"
        f"<p>发布时间：{year + 1}年3月28日</p>{marker}<p>{body}</p></body></html>"
    )
    return parse_text(tmp_path, "gb.html", page, catalog)


def test_a_bulletins_negative_growth_and_doubled_qualifiers_are_read(tmp_path: Path, catalog: Catalog) -> None:
    # "同比负增长3.2%" was left unread, and "增长超过8%以上" (超过 and 以上 both: at least 8) refused the whole bulletin
    r = parse_bulletin(
        tmp_path,
        catalog,
        2022,
        "全年固定资产投资同比负增长3.2%。全年规模以上工业增加值比上年增长超过8%以上。全年出口总额下降超过8%以上。",
    )
    assert r.errors == []
    assert {(o.indicator_code, o.value, o.bound) for o in r.observations} == {
        ("fixed_asset_investment", -3.2, "eq"),
        ("industrial_value_added", 8.0, "ge"),
        ("exports", -8.0, "le"),
    }
    assert sum("two qualifiers saying one side" in n for n in r.notes) == 2, r.notes


def test_a_bulletin_signed_by_its_offices_above_the_date_names_them_as_its_source(
    tmp_path: Path, catalog: Catalog
) -> None:
    # the signature line is how a 统计公报 names its publishers; without a 来源： the page was refused for
    # having no source
    page = (
        "<html><head><title>株洲市2023年国民经济和社会发展统计公报</title></head><body>"
        "<p>株洲市统计局　国家统计局株洲调查队　2024年3月29日</p><p>全年全市地区生产总值3616.8亿元。</p></body></html>"
    )
    r = parse_text(tmp_path, "gb.html", page, catalog)
    assert r.errors == []
    [gdp] = r.observations
    assert gdp.source_ref == "株洲市统计局、国家统计局株洲调查队《株洲市2023年国民经济和社会发展统计公报》 2024-03-29"


def test_a_bulletin_quoting_a_term_or_naming_the_parks_together_is_read(tmp_path: Path, catalog: Catalog) -> None:
    # 新增“四上”企业, “小巨人”, "破零倍增": the bulletins quote these terms, and such sentences were left out silently
    page = (
        "<html><head><title>株洲市2022年国民经济和社会发展统计公报</title></head><body>"
        "<p>株洲市统计局　国家统计局株洲调查队　2023年3月28日</p><p>全市新增“四上”企业突破600家。"
        '年末国家级专精特新‘小巨人’企业58家。"破零倍增"企业125家。</p></body></html>'
    )
    page = page.replace("</p></body>", "全年园区技工贸总收入突破4500亿元。</p></body>")
    r = parse_text(tmp_path, "gb.html", page, catalog)
    assert r.errors == []
    # 园区技工贸总收入 is the city's parks together, the city's figure; it was left out as one park's
    assert {(o.indicator_code, o.value, o.bound) for o in r.observations} == {
        ("park_revenue", 4500, "gt"),
        ("new_above_scale_units", 600, "gt"),
        ("little_giants_national", 58, "eq"),
        ("zero_doubling_firms", 125, "eq"),
    }


@pytest.mark.parametrize("title", ["株洲市2021年国民经济和社会发展统计公报", "2021年株洲市国民经济和社会发展统计公报"])
def test_yearly_bulletin_reads_catalogued_figures_from_prose(tmp_path: Path, catalog: Catalog, title: str) -> None:
    r = parse_text(tmp_path, "gb.html", GONGBAO.format(title=title), catalog)
    assert r.adapter == "yearly_bulletin" and r.errors == []
    assert r.release_date == date(2022, 3, 28)
    assert all(o.source_ref.startswith("株洲市统计局《") for o in r.observations)
    obs = by_key(r)
    gdp = obs[("gdp", "430200", "", "2021", "value")]  # not 人均GDP 87852 元
    assert (gdp.value, gdp.unit, gdp.period_kind, gdp.source_row) == (3420.3, "亿元", "year", 4)
    assert obs[("gdp", "430200", "", "2021", "yoy_pct")].value == 8.3
    assert obs[("resident_population", "430200", "", "2021", "value")].value == 388.33
    assert obs[("industrial_value_added", "430200", "", "2021", "yoy_pct")].value == 9.1  # growth only
    assert obs[("budget_revenue", "430200", "", "2021", "value")].value == pytest.approx(17.84)  # 万元 -> 亿元
    assert obs[("budget_revenue", "430200", "", "2021", "yoy_pct")].value == -2.5
    assert obs[("exports", "430200", "", "2021", "value")].value == 253.3
    assert obs[("gdp", "430281", "", "2021", "value")].value == 800.5  # 醴陵市's own sentence
    assert obs[("air_good_ratio", "430200", "", "2021", "value")].value == 88.5  # 市区: the city's
    # a span's 年均增长 is its avg_yoy_pct (the span named before the name with no comma was not read as the sentence's)
    assert obs[("gdp", "430200", "", "2016-2020", "avg_yoy_pct")].value == 7.2
    # 第一产业增加值 is not catalogued; a rank over a span is not read; the exports of one product, one sector's
    # investment and the trade with one region are parts, not totals
    assert len(obs) == 14
    why = "not read, a figure over 2016-2020 that is no catalogued indicator's 年均增长 or 累计增长"
    assert f"row 9 固定资产投资居全省第二位: {why}" in r.notes, r.notes


def test_yearly_bulletin_names_sharing_one_verb_take_their_own_growth(tmp_path: Path, catalog: Catalog) -> None:
    # "…分别增长39.5%、57.7%" (published_facts.csv, 2021 Q1) was not read; counts that differ read nothing
    r = parse_bulletin(
        tmp_path,
        catalog,
        2021,
        "全年高新技术产业增加值、规模以上服务业营业收入…分别增长39.5%、57.7%。进出口总额、出口总额分别增长46.1%和41.2%。"
        "规模工业增加值、固定资产投资分别下降1.0%、2.0%、3.0%。醴陵市地区生产总值、进出口总额分别下降1.5%、2.5%。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.region_code): o.value for o in r.observations}
    assert got == {
        ("hightech_value_added", "430200"): 39.5,
        ("trade_total", "430200"): 46.1,
        ("exports", "430200"): 41.2,
        ("gdp", "430281"): -1.5,
        ("trade_total", "430281"): -2.5,
    }
    assert {o.measure for o in r.observations} == {"yoy_pct"}


def test_a_change_against_another_period_is_no_growth(tmp_path: Path, catalog: Catalog) -> None:
    # "…增速比一季度分别提高0.5%、1.0%" stored 规模工业增加值 yoy_pct 0.5: 固定资产投资增速比一季度 is no name, and
    # the values are changes of growth rates against the first quarter, not growths over a year earlier
    r = review(
        tmp_path,
        catalog,
        "2023年上半年株洲市经济运行情况",
        "全市规模以上工业增加值、固定资产投资增速比一季度分别提高0.5%、1.0%。",
        "全市进出口总额、出口总额分别比1-5月提高1.0%、2.0%。",
        "全市固定资产投资比1-5月回落0.6%。全市地区生产总值增速比全省高0.5个百分点。",
        "全市地方一般公共预算收入增长4.4%，增速比一季度提高0.5个百分点。",
    )
    assert r.errors == []
    assert [(o.indicator_code, o.measure, o.value) for o in r.observations] == [("budget_revenue", "yoy_pct", 4.4)]
    # 增速比一季度提高0.5个百分点 after the growth 4.4 was left out silently: now noted too
    assert sum("a change against another period or place" in n for n in r.notes) == 5


def test_a_month_on_month_change_is_no_growth_but_the_year_on_year_beside_it_is(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "…环比分别增长1.2%、3.4%" was read as growths over a year earlier; "环比增长1.5%，同比增长5.0%" lost the 5.0
    r = review(
        tmp_path,
        catalog,
        "2023年上半年株洲市经济运行情况",
        "6月份，规模以上工业增加值、进出口总额环比分别增长1.2%、3.4%。",
        "上半年，全市固定资产投资环比增长1.5%，同比增长5.0%。全市出口总额环比下降2.0%。",
        "全市地区生产总值、进出口总额分别环比增长1.1%、2.2%。",
    )
    assert r.errors == []
    got = [(o.indicator_code, o.period_code, o.measure, o.value) for o in r.observations]
    assert got == [("fixed_asset_investment", "2023-01~06", "yoy_pct", 5.0)]
    assert sum("not read, 环比: a change against another period" in n for n in r.notes) == 4
    assert sum("环比分别增长1.2%、3.4%: not read, 环比: a change against" in n for n in r.notes) == 1


@pytest.mark.parametrize(
    ("sentence", "measure", "rank"),
    [
        # as published_facts.csv quotes the bureau (2020, 2021 Q1, 2019)
        ("全市地区生产总值同比增长4.1%，增速排名全省第二位。", "yoy_rank", 2),
        ("全市地区生产总值754.2亿元，同比增长18.9%，增速居全省第一。", "yoy_rank", 1),
        ("全市固定资产投资增长12.2%居全省第一。", "yoy_rank", 1),  # right after the growth: the growth's
        ("全市地区生产总值3420.3亿元，增长8.3%，总量居全省第二位。", "rank", 2),  # 总量: the level's
        ("全市地区生产总值3003.1亿元，全省第5位。", "rank", 5),  # after a level alone
    ],
)
def test_yearly_bulletin_reads_a_rank_in_the_province_after_its_figure(
    tmp_path: Path, catalog: Catalog, sentence: str, measure: str, rank: int
) -> None:
    # ranks in prose were not read, though a province table's 位次 column is (rank, yoy_rank)
    r = parse_bulletin(
        tmp_path, catalog, 2019, f"{sentence}固定资产投资居全省第二位。醴陵市工业投资增长9%，居全省第三。"
    )
    assert r.errors == []
    ranks = {(o.indicator_code, o.region_code, o.measure): o.value for o in r.observations if "rank" in o.measure}
    # a rank with no figure before it, or after a part's figure (工业投资), is not read
    assert ranks == {(("gdp" if "生产总值" in sentence else "fixed_asset_investment"), "430200", measure): rank}


def test_yearly_bulletin_value_added_with_its_verb_inside(tmp_path: Path, catalog: Catalog) -> None:
    # "全市高新技术产业实现增加值1043.3亿元，同比增长13.5%" (published_facts.csv, 2022) was not read
    obs = by_key(
        parse_bulletin(
            tmp_path,
            catalog,
            2022,
            "全市高新技术产业实现增加值1043.3亿元，同比增长13.5%。全年规模工业完成增加值增长7.1%。",
        )
    )
    assert obs[("hightech_value_added", "430200", "", "2022", "value")].value == 1043.3
    assert obs[("hightech_value_added", "430200", "", "2022", "yoy_pct")].value == 13.5
    assert obs[("industrial_value_added", "430200", "", "2022", "yoy_pct")].value == 7.1


def test_yearly_bulletin_thresholds_are_bounds(tmp_path: Path, catalog: Catalog) -> None:
    obs = by_key(
        parse_bulletin(
            tmp_path,
            catalog,
            2019,
            "全市地区生产总值突破3000亿元。新增四上企业600余家。全年高新技术企业1000家以上。"
            "全市地方一般公共预算收入跨越200亿元台阶。",
        )
    )
    got = {k[0]: (o.value, o.bound) for k, o in obs.items()}
    assert got == {
        "gdp": (3000, "gt"),
        "new_above_scale_units": (600, "gt"),
        "hightech_enterprises": (1000, "ge"),
        "budget_revenue": (200, "gt"),
    }


def test_yearly_bulletin_notes_a_multi_year_average_after_a_name_or_its_figure(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "增长6.5%，两年平均增长5.8%" (the 2021 bulletins' way past 2020) and "…年均增长7.2%" were dropped with no note
    r = parse_bulletin(
        tmp_path,
        catalog,
        2021,
        "全市地区生产总值3420.3亿元，增长8.3%，两年平均增长6.1%。全年规模以上工业增加值两年平均增长7.2%。"
        "全市进出口总额302.4亿元，年均增长20.5%。",
    )
    assert r.errors == []
    assert {(o.indicator_code, o.measure): o.value for o in r.observations} == {
        ("gdp", "value"): 3420.3,
        ("gdp", "yoy_pct"): 8.3,
        ("trade_total", "value"): 302.4,
    }
    for said in ("两年平均增长6.1%", "两年平均增长7.2%", "年均增长20.5%"):
        assert sum(f"not read, {said}: a multi-year average, no one year's growth" in n for n in r.notes) == 1


def test_yearly_bulletin_reads_the_share_of_the_years_plan_after_a_figure(tmp_path: Path, catalog: Catalog) -> None:
    # "完成投资1050亿元，完成年度计划的105%" was dropped with no note, though a 统计月报's 占年计划% column is read as
    # plan_share_pct; a budget's share is not a plan's: noted
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年市级重大项目完成投资1050亿元，增长8.0%，完成年度计划的105.2%。全年新增城镇就业5.2万人，完成年计划的118%。"
        "全年地方一般公共预算收入完成185.3亿元，为预算的102.5%。",
    )
    assert r.errors == []
    shares = {o.indicator_code: (o.value, o.unit) for o in r.observations if o.measure == "plan_share_pct"}
    assert shares == {"major_project_investment": (105.2, "%"), "new_urban_jobs": (118, "%")}
    assert any("not read, 为预算的102.5%: a share of the budget" in n for n in r.notes)


def test_yearly_bulletin_reads_every_threshold_word_qualifiers_knows(tmp_path: Path, catalog: Catalog) -> None:
    # qualifiers.py reads 迈上/站上 (at least), 将近/不足 (under), 不少于 (at least), but the bulletin's own shorter
    # list of threshold words did not, so "地区生产总值迈上3000亿元台阶" was dropped with no note
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市地区生产总值迈上3000亿元台阶。全市进出口总额站上500亿元新台阶。全市上市企业将近30家。"
        "全市高新技术企业不少于1000家。全市新增四上企业不足300家。",
    )
    assert r.errors == []
    assert {o.indicator_code: (o.value, o.bound) for o in r.observations} == {
        "gdp": (3000, "ge"),
        "trade_total": (500, "ge"),
        "listed_companies": (30, "lt"),
        "hightech_enterprises": (1000, "ge"),
        "new_above_scale_units": (300, "lt"),
    }


def test_yearly_bulletin_growth_bounds_exact_figures_and_vintage_labels(tmp_path: Path, catalog: Catalog) -> None:
    # each was lost: the growth's 以上/左右/超过 (stored exact, or not at all), a threshold's exact figure
    # after it, the growth after 按不变价格计算 or 同口径, the 初步核算 / 预计 label of a sentence's figures
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "初步核算，全年全市地区生产总值3616.8亿元，按不变价格计算，比上年增长6.5%。"
        "进出口总额突破500亿元，达到512.3亿元，比上年增长20%以上。规模以上工业增加值增长7%左右。"
        "固定资产投资增长超过10%。地方一般公共预算收入预计完成185亿元，同口径增长5.1%。"
        "出口总额下降超过2%。",
    )
    got = {(k[0], k[4]): (o.value, o.bound, o.source_value) for k, o in by_key(r).items()}
    assert got == {
        ("gdp", "value"): (3616.8, "eq", "3616.8(初步核算)"),
        ("gdp", "yoy_pct"): (6.5, "eq", "6.5(初步核算)"),
        ("trade_total", "value"): (512.3, "eq", "512.3"),
        ("trade_total", "yoy_pct"): (20, "ge", "20以上"),
        ("industrial_value_added", "yoy_pct"): (7, "approx", "7左右"),
        ("fixed_asset_investment", "yoy_pct"): (10, "gt", "超过10"),
        ("budget_revenue", "value"): (185, "approx", "185(预计)"),
        ("budget_revenue", "yoy_pct"): (5.1, "approx", "5.1(预计)"),
        # a fall of more than 2% is a change below -2 (qualifiers.parse_change turns the bound of 下降超过2)
        ("exports", "yoy_pct"): (-2, "lt", "下降超过2"),
    }
    assert any("preliminary (初步核算)" in n for n in r.notes) and any("estimate (预计)" in n for n in r.notes)


def review(tmp_path: Path, catalog: Catalog, title: str, *paragraphs: str) -> ParseResult:
    """A review or bulletin page titled ``title``, released 2023-10-30 by its 统计局, of ``paragraphs``."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    head = f"<html><head><title>{title}</title></head><body><p>发布时间：2023年10月30日　来源：统计局</p>"
    page = f"{head}{body}</body></html>"
    return parse_text(tmp_path, "review.html", page, catalog)


def test_a_countys_review_gives_its_whole_and_its_citys_whole_their_own_places(
    tmp_path: Path, catalog: Catalog
) -> None:
    # 全市 in 攸县's review (the city) was stored as 攸县's, and every 全县 figure was dropped; in 醴陵市's,
    # a county-level city, 全市 is 醴陵
    r = review(
        tmp_path,
        catalog,
        "攸县2023年前三季度经济运行简况",
        "前三季度，全县实现地区生产总值310.2亿元，同比增长5.8%，增速高于全市0.6个百分点。",
        "全县规模工业增加值同比增长8.1%，全市规模工业增加值同比增长6.9%。",
    )
    got = {(k[0], k[1], k[4]): o.value for k, o in by_key(r).items()}
    assert got == {
        ("gdp", "430223", "value"): 310.2,
        ("gdp", "430223", "yoy_pct"): 5.8,
        ("industrial_value_added", "430223", "yoy_pct"): 8.1,
        ("industrial_value_added", "430200", "yoy_pct"): 6.9,
    }
    r = review(
        tmp_path,
        catalog,
        "醴陵市2023年前三季度经济运行情况",
        "前三季度，全市规模工业增加值增长9.3%。全市地区生产总值1,012.5亿元。",  # thousands separated: not read
    )
    assert {(k[0], k[1]): o.value for k, o in by_key(r).items()} == {
        ("industrial_value_added", "430281"): 9.3,
        ("gdp", "430281"): 1012.5,
    }


def test_a_clause_opening_with_another_year_is_that_years_figure(tmp_path: Path, catalog: Catalog) -> None:
    # "…比上年增长5.6%，2022年地区生产总值为3616.8亿元" in the 2023 公报 stored 3616.8 as 2023's
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市地区生产总值比上年增长5.6%，2022年地区生产总值为3616.8亿元。全市上市公司25家，2020年上市公司18家。",
    )
    assert r.errors == []
    got = {(k[0], k[3], k[4]): o.value for k, o in by_key(r).items()}
    assert got == {
        ("gdp", "2023", "yoy_pct"): 5.6,
        ("gdp", "2022", "value"): 3616.8,
        ("listed_companies", "2023", "value"): 25,
        ("listed_companies", "2020", "value"): 18,
    }
    # in a review, a year alone is not the review's period a year earlier, nor the whole year: left out
    sentence = "全市规模以上工业增加值增长6.2%，2022年规模以上工业增加值增长8.1%。"
    r = review(tmp_path, catalog, "株洲市2023年1-9月份经济运行情况", sentence)
    assert [(o.period_code, o.value) for o in r.observations] == [("2023-01~09", 6.2)]
    assert any("not read, its clause names the year 2022" in n for n in r.notes)


def test_a_running_total_in_a_year_to_date_review_is_its_months_count(tmp_path: Path, catalog: Catalog) -> None:
    # "1-9月…上市公司25家" was stored for 2023-01~09, a year-to-date period no stock has
    sentence = "1-9月，全市上市公司25家，规模工业增加值增长6.9%。"
    r = review(tmp_path, catalog, "株洲市2023年1-9月份经济运行情况", sentence)
    assert {(k[0], k[3]) for k in by_key(r)} == {
        ("listed_companies", "2023-09"),
        ("industrial_value_added", "2023-01~09"),
    }


def test_a_districts_bulletin_titled_with_its_city_first_is_the_districts(tmp_path: Path, catalog: Catalog) -> None:
    # "2023年株洲市荷塘区…" was stored as the city's; "株洲市荷塘区2023年…" was refused as no bulletin
    for title in ("2023年株洲市荷塘区国民经济和社会发展统计公报", "株洲市荷塘区2023年国民经济和社会发展统计公报"):
        r = review(tmp_path, catalog, title, "全区规模以上工业增加值比上年增长6.3%。")
        assert r.errors == [] and [(k[0], k[1], k[3]) for k in by_key(r)] == [
            ("industrial_value_added", "430202", "2023")
        ], title


def test_a_reviews_province_park_and_several_places_figures_are_not_the_citys(tmp_path: Path, catalog: Catalog) -> None:
    # each was stored as the city's: 全省's 7.0, the park's 10.2, and 石峰区's 7.7 given to 荷塘区; a rank
    # "居全省第二" is no province scope, and last year's figure opening a sentence is last year's
    r = review(
        tmp_path,
        catalog,
        "株洲市2022年1-5月份经济运行情况",
        "1-5月，全省规模工业增加值同比增长7.0%。",
        "株洲高新区规模工业增加值增长8.3%，固定资产投资增长10.2%。",
        "荷塘区、芦淞区、石峰区固定资产投资分别增长5.5%、6.6%和7.7%。",
        "全市地方一般公共预算收入101.9亿元，增长6.0%，增速居全省第二，税收收入70.2亿元。",
        "上年同期，全市进出口总额增长9.1%。",
    )
    got = {(k[0], k[1], k[3], k[4]): o.value for k, o in by_key(r).items()}
    assert got == {
        ("industrial_value_added", "430000", "2022-01~05", "yoy_pct"): 7.0,
        ("budget_revenue", "430200", "2022-01~05", "value"): 101.9,
        ("budget_revenue", "430200", "2022-01~05", "yoy_pct"): 6.0,
        ("budget_revenue", "430200", "2022-01~05", "yoy_rank"): 2,
        ("tax_revenue", "430200", "2022-01~05", "value"): 70.2,
        ("trade_total", "430200", "2021-01~05", "yoy_pct"): 9.1,
        # places sharing one name and verb: each its own value, in the order written
        ("fixed_asset_investment", "430202", "2022-01~05", "yoy_pct"): 5.5,
        ("fixed_asset_investment", "430203", "2022-01~05", "yoy_pct"): 6.6,
        ("fixed_asset_investment", "430204", "2022-01~05", "yoy_pct"): 7.7,
    }
    # the park's two clauses (its first, opening with the park's name, was dropped with no note)
    assert sum("not read, a figure of a park, of several places or of the urban districts" in n for n in r.notes) == 2


def test_a_clause_naming_the_city_and_a_county_gives_no_one_places_figure(tmp_path: Path, catalog: Catalog) -> None:
    # "全市和醴陵市…分别增长6.2%、8.0%" stored 8.0 as the city's; "醴陵市…增长9.3%高于全市" gave 醴陵's 9.3 to the
    # city (全市 there is what it is compared with). Places sharing one name take a value each, in order.
    r = review(
        tmp_path,
        catalog,
        "株洲市2023年前三季度经济运行情况",
        "全市和醴陵市规模以上工业增加值分别增长6.2%、8.0%。",
        "醴陵市、攸县固定资产投资分别增长8.0%、9.0%。",
        "地区生产总值、醴陵市进出口总额分别增长5.0%、7.0%。株洲高新区和醴陵市固定资产投资分别增长5.5%、6.6%。",
        "醴陵市地区生产总值增长9.3%高于全市。醴陵市地区生产总值300.5亿元占全市15%。",
    )
    assert r.errors == []
    got = [(o.indicator_code, o.region_code, o.measure, o.value) for o in r.observations]
    assert got == [
        ("industrial_value_added", "430200", "yoy_pct", 6.2),
        ("industrial_value_added", "430281", "yoy_pct", 8.0),
        ("fixed_asset_investment", "430281", "yoy_pct", 8.0),
        ("fixed_asset_investment", "430223", "yoy_pct", 9.0),
        ("gdp", "430281", "yoy_pct", 9.3),
        ("gdp", "430281", "value", 300.5),
    ]
    # a place and a name listed together, a park among the places: whose each value is cannot be said
    assert sum("not read, names sharing one verb name places" in n for n in r.notes) == 2
    assert clause_regions(catalog, "全市和醴陵市规模以上工业增加值增长6.2%", "430200") == [(0, None)]


def test_the_urban_districts_economic_figures_are_not_the_citys(tmp_path: Path, catalog: Catalog) -> None:
    # "市区实现地区生产总值1500.0亿元" in a review was stored as the whole city's (430200); 市区's air figures are
    # the city's monitoring figures, as in the air bulletins
    r = review(
        tmp_path,
        catalog,
        "株洲市2023年国民经济和社会发展统计公报",
        "前三季度，市区实现地区生产总值1500.0亿元，同比增长5.5%。城区规模工业增加值增长6.0%。",
        "全年市区空气质量优良率为88.5%，PM2.5平均浓度为35微克/立方米。全市进出口总额400.1亿元。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.region_code): o.value for o in r.observations}
    assert got == {("air_good_ratio", "430200"): 88.5, ("pm25", "430200"): 35, ("trade_total", "430200"): 400.1}
    assert sum("the urban districts" in n for n in r.notes) == 3


def test_yearly_bulletin_keeps_a_dollar_level_but_not_its_dollar_growth(tmp_path: Path, catalog: Catalog) -> None:
    # "出口总额26.1亿美元，增长15.0%": the 15.0 (in dollars) was stored as the yuan series' growth
    body = "全年全市出口总额26.1亿美元，增长15.0%。进出口总额336.1亿元，增长8.0%。"
    r = parse_bulletin(tmp_path, catalog, 2023, body)
    got = {(k[0], k[4]) for k in by_key(r)}
    assert got == {("exports", "value"), ("trade_total", "value"), ("trade_total", "yoy_pct")}
    assert any("出口总额增长: not read, a growth in 亿美元 terms" in n for n in r.notes)


def test_yearly_bulletin_keeps_a_rates_change_only_in_points(tmp_path: Path, catalog: Catalog) -> None:
    # "优良率为88.2%，比上年提高2.1%" was stored as a growth of 2.1%: points or relative cannot be told, as in the
    # air bulletins and the 统计月报; a change in 百分点 of a rate is kept, of a level it is its growth rate's
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年空气质量优良率为88.2%，比上年提高2.1%。城镇集中式饮用水源水质达标率为100%，比上年提高1.5个百分点。"
        "全年全市固定资产投资比上年下降2.1个百分点。全市进出口总额增长8.0%。",
    )
    assert r.errors == []
    got = {(k[0], k[4]): (o.value, o.unit) for k, o in by_key(r).items()}
    assert got == {
        ("air_good_ratio", "value"): (88.2, "%"),
        ("drinking_water_compliance", "value"): (100, "%"),
        ("drinking_water_compliance", "yoy_pct"): (1.5, "百分点"),
        ("trade_total", "yoy_pct"): (8.0, "%"),
    }
    assert any("优良率增长: not read, a rate's change in % may be points or relative" in n for n in r.notes)
    assert any("固定资产投资增长: not read, a change in 百分点" in n for n in r.notes)


def test_general_budget_revenue_is_not_the_local_budget_revenue(tmp_path: Path, catalog: Catalog) -> None:
    # 一般公共预算收入 (all of it, with what goes up to the province and the centre) was an alias of
    # budget_revenue (地方一般公共预算收入, the target's measure): 210.3 and 150.2 were one key's two values
    body = "全市一般公共预算收入210.3亿元，其中地方一般公共预算收入150.2亿元，增长4.4%。"
    r = parse_bulletin(tmp_path, catalog, 2023, body)
    got = {(k[0], k[4]): o.value for k, o in by_key(r).items()}
    assert got == {("budget_revenue", "value"): 150.2, ("budget_revenue", "yoy_pct"): 4.4}
    assert len(r.observations) == 2
    assert catalog.resolve_indicator("一般公共预算收入") is None


def test_yearly_bulletin_reads_yi_alone_as_yi_yuan_and_no_other_yi_unit(tmp_path: Path, catalog: Catalog) -> None:
    # "地区生产总值突破3000亿" (亿 without 元, as 统计局 pages and the press write it) was not read; 亿 before
    # another unit (亿人次, 亿千瓦时) is not money and must not be read as 亿元
    r = parse_bulletin(
        tmp_path,
        catalog,
        2019,
        "全市地区生产总值突破3000亿，比上年增长7.8%。全年进出口总额250.6亿比上年增长20.1%。"
        "全市地方一般公共预算收入200亿以上。全年出口总额1.2亿人次。全年高新技术产业增加值45.6亿千瓦时。",
    )
    assert r.errors == []
    got = {k[0]: (o.value, o.unit, o.bound) for k, o in by_key(r).items() if k[4] == "value"}
    assert got == {
        "gdp": (3000, "亿元", "gt"),
        "trade_total": (250.6, "亿元", "eq"),
        "budget_revenue": (200, "亿元", "ge"),
    }
    assert by_key(r)[("trade_total", "430200", "", "2019", "yoy_pct")].value == 20.1


def test_yearly_bulletin_reads_wan_yi_and_a_threshold_in_round_words(tmp_path: Path, catalog: Catalog) -> None:
    # "1.2万亿元" and "突破千亿元" were dropped without a note; 千亿 inside a name (千亿产业集群) is no number
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市地区生产总值1.2万亿元，增长5.0%。全市进出口总额突破千亿元。全市地方一般公共预算收入超百亿。"
        "全市出口总额0.05万亿。全市千亿产业集群3个。",
    )
    assert r.errors == []
    got = {k[0]: (o.value, o.bound, o.unit) for k, o in by_key(r).items() if k[4] == "value"}
    assert got == {
        "gdp": (12000, "eq", "亿元"),
        "trade_total": (1000, "gt", "亿元"),
        "budget_revenue": (100, "gt", "亿元"),
        "exports": (500, "eq", "亿元"),
        "trillion_clusters": (3, "eq", "个"),
    }


@pytest.mark.parametrize(
    ("sentence", "growth"),
    [
        ("全市进出口总额同比增长-2.1%。", -2.1),
        ("全市进出口总额增长\u22122.1%。", -2.1),  # the minus sign U+2212
        ("全市进出口总额增长－2.1％。", -2.1),  # full-width
        ("全市进出口总额增长+2.1%。", 2.1),
        ("全市进出口总额增速为6.2%。", 6.2),
        ("全市进出口总额增速6.2%。", 6.2),
        ("全市进出口总额增幅为6.2%。", 6.2),
        ("全市进出口总额同比增速为-6.2%。", -6.2),
        ("全市进出口总额增长率为6.2%。", 6.2),
        ("全市进出口总额减少3.2%。", -3.2),
        ("全市进出口总额比上年下降了3.2%。", -3.2),
        ("全市进出口总额同比下降0.0%。", 0.0),
        ("全市进出口总额与上年持平。", 0.0),
        ("全市进出口总额比上年增长1.2倍。", 120.0),  # 2.2 times the year before's
        ("全市进出口总额增长3.6%，增速为6.2%，增速比一季度提高0.5个百分点。", 3.6),  # the first; then another basis
    ],
)
def test_yearly_bulletin_reads_a_signed_growth_and_one_stated_as_a_rate(
    tmp_path: Path, catalog: Catalog, sentence: str, growth: float
) -> None:
    # each was left out without a note: a growth with its minus sign, or written as the rate's value, 持平,
    # 减少, 下降了, 倍
    r = parse_bulletin(tmp_path, catalog, 2023, sentence)
    assert r.errors == []
    [obs] = r.observations
    assert (obs.indicator_code, obs.period_code, obs.measure, obs.value, obs.unit) == (
        "trade_total",
        "2023",
        "yoy_pct",
        growth,
        "%",
    )
    assert str(obs.value) != "-0.0"  # 下降0.0% is no change, not a negative zero


def test_yearly_bulletin_refuses_a_fall_written_with_a_minus_and_a_fall_in_times(
    tmp_path: Path, catalog: Catalog
) -> None:
    # 下降-2.1%: a fall of a negative (a rise?) or a slip for a fall of 2.1: not guessed
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市进出口总额下降-2.1%。规模工业增加值、固定资产投资分别下降-1.0%、2.0%。全市出口总额下降1.2倍。"
        "全市地区生产总值、固定资产投资分别增长-1.5%、2.0%。全年空气质量优良率为88.2%，与上年持平。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.measure): (o.value, o.unit) for o in r.observations}
    assert got == {
        ("gdp", "yoy_pct"): (-1.5, "%"),
        ("fixed_asset_investment", "yoy_pct"): (2.0, "%"),
        ("air_good_ratio", "value"): (88.2, "%"),
        ("air_good_ratio", "yoy_pct"): (0.0, "百分点"),  # a rate unchanged: no points
    }
    assert sum("a fall written with a minus sign" in n for n in r.notes) == 2
    assert any("出口总额增长: not read, 下降1.2倍" in n for n in r.notes)


def test_last_years_figures_in_a_later_release_are_that_years_or_left_out(tmp_path: Path, catalog: Catalog) -> None:
    # "去年，全市地区生产总值3616.8亿元" in the 2023 公报 was stored as 2023's; "上年全市…" was not read
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "上年全市地区生产总值3616.8亿元，增长4.5%，进出口总额500.1亿元。去年，全市出口总额400.2亿元。"
        "全市地方一般公共预算收入增长5.6%，上年全市地方一般公共预算收入175.3亿元。上年末全市常住人口388.3万人。"
        "2021年全市进出口总额300.4亿元。",
    )
    assert r.errors == []
    got = {(k[0], k[3], k[4]): o.value for k, o in by_key(r).items()}
    assert got == {
        ("gdp", "2022", "value"): 3616.8,
        ("gdp", "2022", "yoy_pct"): 4.5,
        ("trade_total", "2022", "value"): 500.1,  # the sentence opens with 上年: each clause is 2022's
        ("budget_revenue", "2023", "yoy_pct"): 5.6,
        ("budget_revenue", "2022", "value"): 175.3,
        ("resident_population", "2022", "value"): 388.3,
        ("trade_total", "2021", "value"): 300.4,
    }
    # 去年 in a bulletin written the year after may be the year before its own or its own
    assert any("not read, 去年 in a bulletin of 2023: 2022 or 2023 cannot be told" in n for n in r.notes)
    # in a review, 上年 alone is the whole year or the review's period a year earlier; 去年末 is told
    r = review(
        tmp_path,
        catalog,
        "株洲市2023年1-9月份经济运行情况",
        "上年全市地区生产总值3616.8亿元。1-9月，全市进出口总额增长4.5%，去年全市出口总额400.2亿元。",
        "去年末，全市上市公司20家。去年以来，全市出口总额增长6.0%。",
    )
    got = {(k[0], k[3], k[4]): o.value for k, o in by_key(r).items()}
    assert got == {("trade_total", "2023-01~09", "yoy_pct"): 4.5, ("listed_companies", "2022", "value"): 20}
    assert sum("in a review: the whole year 2022 or the review's period then cannot be told" in n for n in r.notes) == 2
    assert any("its opening names a period not understood: 去年以来" in n for n in r.notes)


@pytest.mark.parametrize("opening", ["五年来", "“十四五”以来", "2019年以来", "近三年", "过去五年"])
def test_a_growth_over_a_span_of_years_is_not_the_years(tmp_path: Path, catalog: Catalog, opening: str) -> None:
    # "五年来，全市地区生产总值增长35.2%" was stored as the bulletin's yoy_pct 35.2
    r = parse_bulletin(
        tmp_path, catalog, 2023, f"{opening}，全市地区生产总值增长35.2%。今年以来，全市出口总额增长6.0%。"
    )
    assert r.errors == []
    assert [(o.indicator_code, o.period_code, o.value) for o in r.observations] == [("exports", "2023", 6.0)]
    assert any("its opening names a span of years" in n for n in r.notes)


@pytest.mark.parametrize(
    ("sentence", "ranks", "said"),
    [
        # a growth's comparison with the province between the growth and a bare rank: the growth's (a reader reads
        # the rank as going on about 增速); it was not read
        ("全市地区生产总值3616.8亿元，比上年增长5.1%，增速比全省高0.6个百分点，居全省第2位。", {"yoy_rank": 2}, ""),
        ("全市高新技术产业增加值增长24.7%，增速高出全省水平5.3个百分点，居全省第一。", {"yoy_rank": 1}, ""),
        ("全市规模工业增加值比上年增长8.1%，增速比全省平均水平高1.2个百分点，排全省第二位。", {"yoy_rank": 2}, ""),
        ("全市地区生产总值1780.5亿元，增长5.1%，增速比一季度加快0.6个百分点，居全省第2位。", {"yoy_rank": 2}, ""),
        ("全市地区生产总值增长5.1%，比全国、全省分别高0.6和0.3个百分点，居全省第2位。", {"yoy_rank": 2}, ""),
        ("全市进出口总额150.3亿元，下降2.1%，降幅比上半年收窄1.2个百分点。", {}, "降幅比上半年收窄1.2个百分点"),
        # 总量 after the growth and 按可比价格计算 between them: the level's
        ("全市地区生产总值3616.8亿元，按可比价格计算，比上年增长4.3%，总量居全省第3位。", {"rank": 3}, ""),
        # two ranks, each saying whose: only the first was read
        ("全市地区生产总值3616.8亿元，增长4.3%，总量居全省第3位，增速居全省第2位。", {"rank": 3, "yoy_rank": 2}, ""),
        ("全市地区生产总值3616.8亿元，增长4.3%，总量和增速分别居全省第3位和第2位。", {"rank": 3, "yoy_rank": 2}, ""),
        ("全市地区生产总值3616.8亿元，增长4.3%，总量、增速分别居全省第三、第二位。", {"rank": 3, "yoy_rank": 2}, ""),
        # the province's cities named, or 在全省排: neither was read
        ("全市地区生产总值增长4.3%，居全省14个市州第2位。", {"yoy_rank": 2}, ""),
        ("全市地区生产总值增长4.3%，在全省排第2位。", {"yoy_rank": 2}, ""),
        # a rank with no figure of its own but saying whose: it was not read
        ("全市固定资产投资增速居全省第二位。", {"yoy_rank": 2}, ""),
        # a bare rank after a level and its growth may be either's: it was stored as the growth's
        ("全市地区生产总值3616.8亿元，比上年增长4.3%，居全省第3位。", {}, "a bare rank the level's or the growth's"),
        ("全市固定资产投资居全省第二位。", {}, "with no figure before it"),
        ("全市进出口总额占全省的5%，居全省第3位。", {}, "a rank after 占全省的5%"),
        ("全年进出口总额302.4亿元，增长46.1%，其中出口总额253.3亿元，增长41.2%，居全省第2位。", {}, "出口总额居全省"),
    ],
)
def test_yearly_bulletin_a_rank_after_another_clause_is_read_as_a_reader_would(
    tmp_path: Path, catalog: Catalog, sentence: str, ranks: dict[str, int], said: str
) -> None:
    r = parse_bulletin(tmp_path, catalog, 2023, sentence)
    assert r.errors == []
    got = {o.measure: o.value for o in r.observations if "rank" in o.measure}
    assert got == ranks
    assert {o.indicator_code for o in r.observations if "rank" in o.measure} <= {
        "gdp",
        "hightech_value_added",
        "industrial_value_added",
        "fixed_asset_investment",
    }
    if said:
        assert any(said in n and "not read" in n for n in r.notes)
    assert validate_observations(r.observations, catalog, source_file="gb.html") == []


def test_yearly_bulletin_a_rank_before_the_growth_keeps_the_growth(tmp_path: Path, catalog: Catalog) -> None:
    # "3616.8亿元，居全省第3位，比上年增长4.3%": the growth after the level's rank was lost without a note
    r = parse_bulletin(tmp_path, catalog, 2023, "全市地区生产总值3616.8亿元，居全省第3位，比上年增长4.3%。")
    assert r.errors == []
    got = {o.measure: o.value for o in r.observations}
    assert got == {"value": 3616.8, "rank": 3, "yoy_pct": 4.3}


@pytest.mark.parametrize("rank", ["居全省前三", "居全省14个市州第2位", "在全省排第2位"])
def test_a_rank_in_the_province_does_not_make_the_clauses_after_it_the_provinces(
    tmp_path: Path, catalog: Catalog, rank: str
) -> None:
    # the 全省 of the rank made the next clause's 出口总额 the province's (430000)
    r = parse_bulletin(tmp_path, catalog, 2023, f"全市地区生产总值增长4.3%，{rank}，出口总额增长5%。")
    assert r.errors == []
    assert {o.region_code for o in r.observations} == {"430200"}
    assert ("exports", "yoy_pct", 5.0) in {(o.indicator_code, o.measure, o.value) for o in r.observations}


@pytest.mark.parametrize(
    ("sentence", "measure", "rank", "bound"),
    [
        ("全市地区生产总值3616.8亿元，居全省前三。", "rank", 3, "le"),
        ("全市地区生产总值增长6.5%，增速进入全省前五位。", "yoy_rank", 5, "le"),
        ("全市地区生产总值增长6.5%，增幅居全省第2位。", "yoy_rank", 2, "eq"),
        ("全市地区生产总值3616.8亿元，排名全省第3。", "rank", 3, "eq"),
        ("全市地区生产总值3616.8亿元，居全省第3位。", "rank", 3, "eq"),
        ("全市地区生产总值3616.8亿元，全省第三。", "rank", 3, "eq"),
        ("全市地区生产总值增长6.5%，位居全省第一方阵。", None, None, None),  # a group of cities, no place
        ("全市地区生产总值增长6.5%，居全省第一梯队。", None, None, None),
    ],
)
def test_yearly_bulletin_a_top_group_is_a_bound_rank_and_a_leading_group_none(
    tmp_path: Path, catalog: Catalog, sentence: str, measure: str | None, rank: int | None, bound: str | None
) -> None:
    # 居全省前三 was not read; 位居全省第一方阵 was stored as rank 1 (第一 of 第一方阵)
    r = parse_bulletin(tmp_path, catalog, 2023, sentence)
    assert r.errors == []
    ranks = [(o.measure, o.value, o.bound) for o in r.observations if "rank" in o.measure]
    assert ranks == ([(measure, rank, bound)] if measure else [])
    assert validate_observations(r.observations, catalog, source_file="gb.html") == []  # a bound rank is kept
    if measure is None:
        assert any("is a group of cities, no rank" in n for n in r.notes)


def test_yearly_bulletin_reads_thousands_full_width_and_wan_dollars(tmp_path: Path, catalog: Catalog) -> None:
    # "52,300万美元" was not read (万美元 no unit of prose); separators and full-width digits stay read
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市地区生产总值3,616.8亿元，增长６．２％。全市出口总额52,300万美元，增长5.0%。全市新增城镇就业4.5万人。",
    )
    assert r.errors == []
    got = {(k[0], k[4]): (round(o.value, 4), o.unit) for k, o in by_key(r).items()}
    assert got == {
        ("gdp", "value"): (3616.8, "亿元"),
        ("gdp", "yoy_pct"): (6.2, "%"),
        ("exports", "value"): (round(52300 * 7.0467 / 1e4, 4), "亿元"),  # at the 2023 rate (seeds/exchange_rates.csv)
        ("new_urban_jobs", "value"): (4.5, "万人"),
    }
    assert any("出口总额增长: not read, a growth in 万美元 terms" in n for n in r.notes)


@pytest.mark.parametrize(
    ("sentence", "growth", "note"),
    [
        ("全市固定资产投资（不含农户）比上年增长8.5%。", ("fixed_asset_investment", 8.5), None),  # an alias names it
        ("全市规模以上工业增加值(按可比价计算)增长7.1%。", ("industrial_value_added", 7.1), None),
        ("全市规模以上工业增加值（按可比价格计算）比上年增长7.1%。", ("industrial_value_added", 7.1), None),
        ("全市固定资产投资（限额以上）增长5.0%。", None, "(限额以上) is another scope"),
        ("全市固定资产投资（不含房地产）增长5.0%。", None, "(不含房地产) is another scope"),
        ("全市固定资产投资（其中民间投资）下降3.4%。", None, "(其中民间投资) is another scope"),
        ("全市固定资产投资（民间投资）下降3.4%。", None, "(民间投资) is another scope"),
    ],
)
def test_yearly_bulletin_reads_a_scope_aside_only_where_the_catalogue_keeps_it(
    tmp_path: Path, catalog: Catalog, sentence: str, growth: tuple[str, float] | None, note: str | None
) -> None:
    # "…增加值(按可比价计算)增长7.1%" was left out without a note (the bracket broke the name from its growth);
    # a part's aside (限额以上, 其中…) is another measure: never the whole indicator's figure
    r = parse_bulletin(tmp_path, catalog, 2023, sentence)
    assert r.errors == []
    assert [(o.indicator_code, o.value) for o in r.observations] == ([growth] if growth else [])
    if note:
        assert any(note in n for n in r.notes)


def test_yearly_bulletin_a_level_at_comparable_prices_is_not_the_published_level(
    tmp_path: Path, catalog: Catalog
) -> None:
    r = parse_bulletin(tmp_path, catalog, 2023, "全市地区生产总值(按可比价计算)3616.8亿元，增长6.0%。")
    assert [(o.measure, o.value) for o in r.observations] == [("yoy_pct", 6.0)]
    assert any("a level (按可比价计算) is not the published one at current prices" in n for n in r.notes)


@pytest.mark.parametrize(
    ("sentence", "growth", "said"),
    [
        ("全市进出口总额为上年的1.2倍。", 20.0, "为上年的1.2倍"),
        ("全市进出口总额500.1亿元，是上年的1.2倍。", 20.0, "是上年的1.2倍"),
        ("全市进出口总额相当于上年的0.8倍。", -20.0, "相当于上年的0.8倍"),
        ("全市进出口总额比上年翻一番。", 100.0, "翻一番"),
        ("全市进出口总额比上年翻两番。", 300.0, "翻两番"),
        ("全市进出口总额实现翻一番。", None, "翻一番 over no stated year"),  # over a span the sentence does not say
        ("全市空气质量优良率为上年的1.1倍。", None, "a rate's change in % may be points or relative"),
    ],
)
def test_yearly_bulletin_reads_a_level_as_a_multiple_of_the_year_befores(
    tmp_path: Path, catalog: Catalog, sentence: str, growth: float | None, said: str
) -> None:
    # each was left out without a note
    r = parse_bulletin(tmp_path, catalog, 2023, sentence)
    assert r.errors == []
    growths = [o for o in r.observations if o.measure == "yoy_pct"]
    assert [(o.period_code, o.value, o.unit) for o in growths] == ([("2023", growth, "%")] if growth else [])
    assert any(said in n for n in r.notes)
    if growths and "倍" in said:  # the office stated the ratio; the growth is worked out from it, and says so
        assert (growths[0].provenance, growths[0].derived_from.split(" ")[0]) == ("derived", said)
    if growths and "番" in said:  # a doubling is the office's own growth in words
        assert growths[0].provenance == "published"
    assert validate_observations(r.observations, catalog, source_file="gb.html") == []


def test_a_growth_worked_out_in_an_illustrative_bulletin_stays_illustrative(tmp_path: Path, catalog: Catalog) -> None:
    # the ratio made a growth was labelled derived whatever the file: in a sample (示意数据) bulletin that dropped its
    # illustrative label, and the marts read derived as worked out from published figures
    r = parse_bulletin(tmp_path, catalog, 2023, "全市进出口总额为上年的1.2倍。", illustrative=True)
    assert r.errors == [] and r.provenance == "illustrative"
    (growth,) = r.observations
    assert (growth.provenance, growth.derived_from.split(" ")[0]) == ("illustrative", "为上年的1.2倍")
    assert validate_observations(r.observations, catalog, source_file="gb.html") == []


def test_yearly_bulletin_reads_a_growth_turned_from_the_year_befores(tmp_path: Path, catalog: Catalog) -> None:
    # "由上年下降0.5%转为增长3.2%" and "增速由负转正，增长1.2%" were left out without a note
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市进出口总额由上年下降0.5%转为增长3.2%。全市出口总额500.1亿元，增速由负转正，增长1.2%。"
        "全市地区生产总值增速由负转正，下降1.2%。全市固定资产投资由去年增长2.0%转为下降1.0%。"
        "全市规模工业增加值增速由正转负，增长2.0%。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.period_code, o.measure): o.value for o in r.observations}
    assert got == {
        ("trade_total", "2023", "yoy_pct"): 3.2,
        ("trade_total", "2022", "yoy_pct"): -0.5,  # the growth it turned from is the year before's
        ("exports", "2023", "value"): 500.1,
        ("exports", "2023", "yoy_pct"): 1.2,
        ("fixed_asset_investment", "2023", "yoy_pct"): -1.0,
    }
    assert any("not read, 由负转正 and then 下降1.2%" in n for n in r.notes)  # the two disagree: neither is guessed
    assert any("not read, 由正转负 and then 增长2.0%" in n for n in r.notes)
    assert any("去年 in a bulletin of 2023: 2022 or 2023 cannot be told" in n for n in r.notes)
    # in a review: 上年同期 is the same months a year earlier; 1-10月 is no year earlier: only the new growth
    r = review(
        tmp_path,
        catalog,
        "株洲市2023年1-11月份经济运行情况",
        "1-11月，全市进出口总额由上年同期下降2.1%转为增长5.6%。全市规模以上工业增加值增速由上年同期的3.2%提高到7.1%。",
        "全市固定资产投资(不含农户)增速由1-10月的5.8%回落至5.5%。全市地区生产总值、出口总额分别增长4.5%、1.2%，增速由负转正。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.period_code): o.value for o in r.observations}
    assert got == {
        ("trade_total", "2023-01~11"): 5.6,
        ("trade_total", "2022-01~11"): -2.1,
        ("industrial_value_added", "2023-01~11"): 7.1,
        ("industrial_value_added", "2022-01~11"): 3.2,
        ("fixed_asset_investment", "2023-01~11"): 5.5,
        ("gdp", "2023-01~11"): 4.5,
        ("exports", "2023-01~11"): 1.2,
    }
    assert any("the growth it turned from is not a year earlier's" in n for n in r.notes)
    assert any("增速由负转正: not read, a growth turned with no catalogued name right before it" in n for n in r.notes)


def test_yearly_bulletin_a_turn_opening_its_own_sentence_is_its_figures(tmp_path: Path, catalog: Catalog) -> None:
    # "…增长3.2%。由上年下降0.5%转为增长3.2%" lost the year before's -0.5, and "…500.1亿元。增速由负转正，增长1.2%"
    # the growth: both were noted as turns with no name before them. A turn is the figure's whose growth it
    # restates, or the sentence's one figure's; else, or when the two disagree, nothing is guessed.
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市规模工业增加值增长3.2%。由上年下降0.5%转为增长3.2%。"
        "醴陵市经济平稳，地区生产总值增长4.1%，居全省第2位。由上年下降1.5%转为增长4.1%。"
        "全市出口总额500.1亿元。增速由负转正，增长1.2%。"
        "全年进出口总额302.4亿元，增长6.1%，其中地方一般公共预算收入253.3亿元，增长1.1%。增速由负转正。"
        "全市固定资产投资增长2.0%。由上年下降0.5%转为增长3.0%。"
        "全市高新技术产业增加值增长2.0%。增速由正转负。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.region_code, o.period_code, o.measure): o.value for o in r.observations}
    assert got == {
        ("industrial_value_added", "430200", "2023", "yoy_pct"): 3.2,
        ("industrial_value_added", "430200", "2022", "yoy_pct"): -0.5,
        ("gdp", "430281", "2023", "yoy_pct"): 4.1,  # the clause before names 醴陵市
        ("gdp", "430281", "2022", "yoy_pct"): -1.5,
        ("gdp", "430281", "2023", "yoy_rank"): 2,
        ("exports", "430200", "2023", "value"): 500.1,
        ("exports", "430200", "2023", "yoy_pct"): 1.2,
        ("trade_total", "430200", "2023", "value"): 302.4,
        ("trade_total", "430200", "2023", "yoy_pct"): 6.1,
        ("budget_revenue", "430200", "2023", "value"): 253.3,
        ("budget_revenue", "430200", "2023", "yoy_pct"): 1.1,
        ("fixed_asset_investment", "430200", "2023", "yoy_pct"): 2.0,  # the turn's 3.0 is another growth
    }
    assert any("增速由负转正: not read, a growth turned in a sentence of its own: whose" in n for n in r.notes)
    assert any("3.0%: not read, a growth turned in a sentence of its own: its growth is none" in n for n in r.notes)
    assert any("not read, 由正转负 and then 增长2.0%" in n for n in r.notes)  # they disagree: neither is read


def test_yearly_bulletin_a_figure_in_a_unit_no_indicator_has_is_left_out_naming_it(
    tmp_path: Path, catalog: Catalog
) -> None:
    # 万吨, 万平方米, 亿千瓦时, 万吨标准煤: no catalogued indicator is in one, nor in one they convert to (units.py has
    # none of them). After a catalogued name such a figure was left out without a word.
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市老旧小区改造150.2万平方米。全市进出口总额1250万吨，增长3.0%。全市发电量65.4亿千瓦时，增长3.2%。"
        "全市规模以上工业综合能源消费量120.5万吨标准煤。全市新建四好农村公路1200公里。",
    )
    assert r.errors == []
    assert [(o.indicator_code, o.value, o.unit) for o in r.observations] == [("rural_roads_built", 1200, "公里")]
    assert any("老旧小区改造: not read, 150.2万平方米" in n for n in r.notes)
    assert any("进出口总额: not read, 1250万吨" in n for n in r.notes)  # its growth is the tonnage's: not read either


def test_yearly_bulletin_a_count_in_xiang_is_read_where_its_indicator_counts_items(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "国家科技计划立项56项" was left out as a unit no indicator takes, though the indicator counts projects in 个;
    # a figure in a unit its indicator does not take ("高新技术企业560个", 家) refused the whole bulletin
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年国家科技计划立项56项，比上年增长12.0%。全市市级重大项目个数600项。"
        "全市地区生产总值56项，增长3.0%。全市高新技术企业560个。全市上市企业数25家。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.measure): (o.value, o.unit) for o in r.observations}
    assert got == {
        ("national_st_projects", "value"): (56, "个"),
        ("national_st_projects", "yoy_pct"): (12.0, "%"),
        ("major_projects_count", "value"): (600, "个"),
        ("listed_companies", "value"): (25, "家"),
    }
    assert any("地区生产总值: not read, 56项: the catalogue has no 地区生产总值 in 项" in n for n in r.notes)
    assert any("高新技术企业: not read, 560个" in n for n in r.notes)
    assert validate_observations(r.observations, catalog, source_file="gb.html") == []


def test_yearly_bulletin_an_absolute_change_is_left_out_with_a_note_and_the_growth_after_it_read(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "比上年增加3.6亿元", "比上年末减少2.1万人", "净增150家" were dropped with no note, and the growth after such a
    # change ("…增加3.6亿元，增长2.0%") with them; a stock's growth against last year's end (比上年末增长) too
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市地方一般公共预算收入185.3亿元，比上年增加3.6亿元，增长2.0%。"
        "年末全市常住人口386.2万人，比上年末减少2.1万人，下降0.5%。年末全市上市企业25家，比上年末增长8.7%。"
        "年末高新技术企业1200家，净增150家。全年新增城镇就业5.2万人，比上年多0.3万人。"
        "全市进出口总额比上年增加30.5亿元。全年出口总额380.3亿元，比上年增长11.2%，增加38.5亿元。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.measure): o.value for o in r.observations}
    assert got == {
        ("budget_revenue", "value"): 185.3,
        ("budget_revenue", "yoy_pct"): 2.0,
        ("resident_population", "value"): 386.2,
        ("resident_population", "yoy_pct"): -0.5,  # year end on year end: over a year in a bulletin
        ("listed_companies", "value"): 25,
        ("listed_companies", "yoy_pct"): 8.7,
        ("hightech_enterprises", "value"): 1200,
        ("new_urban_jobs", "value"): 5.2,
        ("exports", "value"): 380.3,
        ("exports", "yoy_pct"): 11.2,
    }
    changes = (
        "比上年增加3.6亿元",
        "比上年末减少2.1万人",
        "净增150家",
        "比上年多0.3万人",
        "比上年增加30.5亿元",
        "增加38.5亿元",
    )
    for said in changes:
        assert sum(f"not read, {said}:" in n for n in r.notes) == 1, said
    assert any("净增150家: a change of the stock, and the catalogue has no 净增高新技术企业" in n for n in r.notes)


def test_a_stocks_change_is_read_as_the_catalogued_indicator_of_that_change(tmp_path: Path, catalog: Catalog) -> None:
    # 新增“四上”企业 is catalogued: "“四上”企业2100家，比上年新增320家" is its figure; a net rise (比上年末增加,
    # 净增) counts exits too and is not; both were dropped with no note
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "年末全市“四上”企业2100家，比上年新增320家。年末规模以上工业企业1650家，比上年末增加120家。",
    )
    assert r.errors == []
    assert [(o.indicator_code, o.period_code, o.value, o.unit) for o in r.observations] == [
        ("new_above_scale_units", "2023", 320, "家")
    ]
    assert any(
        "规模以上工业企业: not read, 比上年末增加120家: a change of the stock, and the catalogue has no "
        "净增规模以上工业企业 (新增规模以上工业企业 counts the entries, before exits)" in n
        for n in r.notes
    )


def test_a_review_leaves_out_a_growth_against_last_years_end(tmp_path: Path, catalog: Catalog) -> None:
    # in a half-year review 比上年末 is six months back, not a year: "比上年末增长8.7%" must not be the yoy growth
    r = review(
        tmp_path,
        catalog,
        "2023年上半年株洲市经济运行情况",
        "6月末，全市上市企业25家，比上年末增加2家，增长8.7%。全市高新技术企业1200家，比上年末增长5.0%。",
        "全市地方一般公共预算收入95.3亿元，同比增加3.6亿元，增长4.0%。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.period_code, o.measure): o.value for o in r.observations}
    assert got == {
        ("listed_companies", "2023-06", "value"): 25,
        ("hightech_enterprises", "2023-06", "value"): 1200,
        ("budget_revenue", "2023-01~06", "value"): 95.3,
        ("budget_revenue", "2023-01~06", "yoy_pct"): 4.0,  # 同比 is a year: its growth is read
    }
    assert sum("a change since the end of last year in a review is no growth over a year" in n for n in r.notes) == 2
    assert any("not read, 同比增加3.6亿元" in n for n in r.notes)


def test_yearly_bulletin_places_or_rates_sharing_one_verb(tmp_path: Path, catalog: Catalog) -> None:
    # "全市和醴陵市…分别增长7.1%、8.2%" was left out; rates' changes in % were stored as points or a growth
    # (which one cannot be told), and in points ("分别提高2.1和0.5个百分点") they were left out
    r = review(
        tmp_path,
        catalog,
        "株洲市2023年上半年经济运行情况",
        "上半年，全市和醴陵市规模以上工业增加值分别增长7.1%、8.2%。全市、攸县固定资产投资(不含农户)分别增长6.3%和5.1%。",
        "全市空气质量优良率、城镇集中式饮用水源水质达标率分别提高2.1%、0.5%。",
        "全市空气质量优良率、城镇集中式饮用水源水质达标率分别提高2.1和0.5个百分点。",
        "全市规模以上工业增加值(按可比价计算)、固定资产投资(限额以上)分别增长7.1%、6.3%。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.region_code): (o.value, o.unit) for o in r.observations}
    assert got == {
        ("industrial_value_added", "430200"): (7.1, "%"),
        ("industrial_value_added", "430281"): (8.2, "%"),
        ("fixed_asset_investment", "430200"): (6.3, "%"),
        ("fixed_asset_investment", "430223"): (5.1, "%"),
        ("air_good_ratio", "430200"): (2.1, "百分点"),
        ("drinking_water_compliance", "430200"): (0.5, "百分点"),
    }
    assert all(o.period_code == "2023-01~06" for o in r.observations)
    assert sum("a rate's change in % may be points or relative" in n for n in r.notes) == 2
    assert any("固定资产投资(限额以上) is another scope" in n for n in r.notes)
    # 可比价's 比 is no comparison with another period
    assert not any("a change against another period" in n for n in r.notes)


def test_yearly_bulletin_places_sharing_one_verb_take_their_ranks_in_order(tmp_path: Path, catalog: Catalog) -> None:
    # "…分别增长5.1%、4.8%、4.2%，分别居全省第2、5、9位" read the growths and dropped the ranks with no note; ranks
    # among the city's places (全市第一), ranks not as many as the places, and a place not known were dropped silently
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "芦淞区、荷塘区、石峰区地区生产总值分别增长5.1%、4.8%、4.2%，分别居全省第2、5、9位。"
        "醴陵市、攸县规模以上工业增加值分别增长8.1%、7.6%，增速分别居全省第三和第七位。"
        "炎陵县、茶陵县固定资产投资分别增长9.1%、8.6%，均居全省前十。"
        "天元区、渌口区进出口总额分别增长20.1%、15.2%，分别居全市第一、第二位。"
        "醴陵市、攸县地方一般公共预算收入分别增长6.1%、5.8%，分别居全省第3、7、9位。"
        "醴陵市、株洲新区税收收入分别增长6.1%、5.8%，分别居全省第3、7位。"
        "醴陵市出口总额增长6.1%，居全市第一。攸县出口总额50.2亿元，总量居全市第二位。",
    )
    assert r.errors == []
    ranks = {
        (o.indicator_code, o.region_code, o.measure): (o.value, o.bound) for o in r.observations if "rank" in o.measure
    }
    assert ranks == {
        ("gdp", "430203", "yoy_rank"): (2, "eq"),
        ("gdp", "430202", "yoy_rank"): (5, "eq"),
        ("gdp", "430204", "yoy_rank"): (9, "eq"),
        ("industrial_value_added", "430281", "yoy_rank"): (3, "eq"),
        ("industrial_value_added", "430223", "yoy_rank"): (7, "eq"),
        ("fixed_asset_investment", "430225", "yoy_rank"): (10, "le"),  # each in the top ten: a bound
        ("fixed_asset_investment", "430224", "yoy_rank"): (10, "le"),
    }
    growths = {(o.indicator_code, o.region_code) for o in r.observations if o.measure == "yoy_pct"}
    assert ("trade_total", "430211") in growths and ("budget_revenue", "430223") in growths
    assert not any(o.indicator_code == "tax_revenue" for o in r.observations)
    assert any(
        "分别居全市第一、第二位: not read, ranks among 全市's places are no rank in the province" in n for n in r.notes
    )
    assert any("分别居全省第3、7、9位: not read, 3 ranks for 2 figures sharing one verb" in n for n in r.notes)
    assert sum("not read, 株洲新区 is no place known" in n for n in r.notes) == 1
    assert sum("居全市第" in n and "not read, a rank among the city's places" in n for n in r.notes) == 2


def test_a_municipal_review_mixing_asides_multiples_turns_places_and_points(tmp_path: Path, catalog: Catalog) -> None:
    # sentences in the style of a city's 经济运行情况: each form here was left out (most without a note) or, for a
    # rate's changes in % and a bracket of another scope, could be stored as what it is not
    r = review(
        tmp_path,
        catalog,
        "株洲市2022年1-11月份经济运行情况",
        "1-11月，全市规模以上工业增加值（按可比价计算）同比增长7.3%，增速比1-10月提高0.2个百分点。",
        "全市和醴陵市固定资产投资（不含农户）分别增长6.1%、7.4%。",
        "全市固定资产投资（不含房地产）增长9.2%，其中工业投资增长12.5%。全市社会消费品零售总额（限额以上）增长4.8%。",
        "全市进出口总额456.7亿元，为上年同期的1.3倍。全市出口总额由上年同期下降3.5%转为增长8.6%。",
        "醴陵市、攸县和茶陵县规模以上工业增加值分别增长8.1%、7.6%和6.9%。",
        "全市地方一般公共预算收入185.2亿元，增长5.1%，其中税收收入126.4亿元，增速由负转正，增长2.3%。",
        "全市税收收入占地方一般公共预算收入比重为68.3%，比上年同期提高1.6个百分点。",
        "前三季度，全市地区生产总值2745.3亿元，同比增长5.9%。上半年，全市和攸县地区生产总值分别增长6.0%、6.4%。",
        "全市空气质量优良率为87.6%，同比下降2.1个百分点。",
        "前三季度，全市空气质量优良率、城镇集中式饮用水源水质达标率分别提高1.2和0.5个百分点。",
        "全市高新技术产业增加值增速由上年同期的8.2%提高到10.5%。全市发电量65.4亿千瓦时，同比增长3.2%。",
        "全市进出口总额实现翻一番。全市新增城镇就业5.12万人，农村劳动力转移就业3.4万人。全市老旧小区改造150.2万平方米。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.region_code, o.period_code, o.measure): (o.value, o.unit) for o in r.observations}
    ytd, last = "2022-01~11", "2021-01~11"
    assert got == {
        ("industrial_value_added", "430200", ytd, "yoy_pct"): (7.3, "%"),
        ("fixed_asset_investment", "430200", ytd, "yoy_pct"): (6.1, "%"),
        ("fixed_asset_investment", "430281", ytd, "yoy_pct"): (7.4, "%"),
        ("trade_total", "430200", ytd, "value"): (456.7, "亿元"),
        ("trade_total", "430200", ytd, "yoy_pct"): (30.0, "%"),  # derived from the ratio 1.3
        ("exports", "430200", ytd, "yoy_pct"): (8.6, "%"),
        ("exports", "430200", last, "yoy_pct"): (-3.5, "%"),
        ("industrial_value_added", "430281", ytd, "yoy_pct"): (8.1, "%"),
        ("industrial_value_added", "430223", ytd, "yoy_pct"): (7.6, "%"),
        ("industrial_value_added", "430224", ytd, "yoy_pct"): (6.9, "%"),
        ("budget_revenue", "430200", ytd, "value"): (185.2, "亿元"),
        ("budget_revenue", "430200", ytd, "yoy_pct"): (5.1, "%"),
        ("tax_revenue", "430200", ytd, "value"): (126.4, "亿元"),
        ("tax_revenue", "430200", ytd, "yoy_pct"): (2.3, "%"),
        ("tax_share_budget_revenue", "430200", ytd, "value"): (68.3, "%"),
        ("tax_share_budget_revenue", "430200", ytd, "yoy_pct"): (1.6, "百分点"),
        ("gdp", "430200", "2022-01~09", "value"): (2745.3, "亿元"),
        ("gdp", "430200", "2022-01~09", "yoy_pct"): (5.9, "%"),
        ("gdp", "430200", "2022-01~06", "yoy_pct"): (6.0, "%"),
        ("gdp", "430223", "2022-01~06", "yoy_pct"): (6.4, "%"),
        ("air_good_ratio", "430200", ytd, "value"): (87.6, "%"),
        ("air_good_ratio", "430200", ytd, "yoy_pct"): (-2.1, "百分点"),
        ("air_good_ratio", "430200", "2022-01~09", "yoy_pct"): (1.2, "百分点"),
        ("drinking_water_compliance", "430200", "2022-01~09", "yoy_pct"): (0.5, "百分点"),
        ("hightech_value_added", "430200", ytd, "yoy_pct"): (10.5, "%"),
        ("hightech_value_added", "430200", last, "yoy_pct"): (8.2, "%"),
        ("new_urban_jobs", "430200", ytd, "value"): (5.12, "万人"),
        ("rural_labor_transfer", "430200", ytd, "value"): (3.4, "万人"),
    }
    assert validate_observations(r.observations, catalog, source_file="review.html") == []
    for said in (
        "(不含房地产) is another scope",
        "翻一番 over no stated year",
        "not read, 150.2万平方米",
        "为上年同期的1.3倍 read as a growth of 30.0%",
    ):
        assert any(said in n for n in r.notes), said


def test_pages_writing_their_text_in_divs_and_line_breaks_are_read(tmp_path: Path, catalog: Catalog) -> None:
    # Text outside <p> was not read: such a page loaded nothing. Scripts are not text.
    path = tmp_path / "gb.html"
    path.write_text(
        "<html><head><title>株洲市2021年国民经济和社会发展统计公报</title>"
        "<script>\n全市地区生产总值1.0亿元\n</script></head><body>"
        '<div class="info">发布时间：2022年3月28日</div><div class="content">'
        "初步核算，全市地区生产总值3420.3亿元，比上年增长8.3%。<br>年末全市常住人口388.33万人。</div></body></html>",
        encoding="utf-8",
    )
    r = parse_file(path, catalog)
    assert r.errors == []
    obs = by_key(r)
    assert obs[("gdp", "430200", "", "2021", "value")].value == 3420.3
    assert obs[("resident_population", "430200", "", "2021", "value")].value == 388.33
    assert [o.value for o in r.observations if o.key() == ("gdp", "430200", "", "2021", "value")] == [3420.3]
    assert len(r.observations) == 3
    air = tmp_path / "a.html"
    air.write_text(
        "<html><head><title>株洲市2022年10月环境空气质量通报</title></head><body><div>发布时间：2022-11-08</div>"
        '<div id="zoom"><span>2022年10月，城区空气质量达标(优良)率为71.0%。</span></div></body></html>',
        encoding="utf-8",
    )
    assert by_key(parse_file(air, catalog))[("air_good_ratio", "430200", "", "2022-10", "value")].value == 71.0


# --- the statistics office's monthly or quarterly review (经济运行情况) --------------------------------
# sentences as 株洲日报 and 湖南日报 quoted the bureau (published_facts.csv, 2020 Q1 and 2021 Q1)
REVIEW = """<html><head><title>{title}</title></head><body>
<p>发布时间：2021年4月28日　来源：株洲市统计局</p>
<p>一季度，全市实现地区生产总值754.2亿元，按可比价格计算，同比增长18.9%，增速居全省第一。</p>
<p>前三个月全市规模工业增加值同比增长27.6%。</p>
<p>1-2月，全市固定资产投资比上年同期增长30.1%。全市地方一般公共预算收入62.3亿元，较去年同期下降2.0%。</p>
</body></html>"""


def test_a_quarterly_review_reads_each_figure_for_the_period_its_sentence_opens_with(
    tmp_path: Path, catalog: Catalog
) -> None:
    # a review (经济运行情况) used to be refused: only the yearly bulletin's title was known
    r = parse_text(tmp_path, "review.html", REVIEW.format(title="2021年一季度株洲市经济运行情况"), catalog)
    assert r.adapter == "yearly_bulletin" and r.errors == []
    assert r.release_date == date(2021, 4, 28)
    got = {(o.indicator_code, o.region_code, o.period_code, o.measure): o.value for o in r.observations}
    assert got == {
        ("gdp", "430200", "2021-01~03", "value"): 754.2,
        ("gdp", "430200", "2021-01~03", "yoy_pct"): 18.9,
        ("gdp", "430200", "2021-01~03", "yoy_rank"): 1,  # 增速居全省第一: the growth's rank in the province
        ("industrial_value_added", "430200", "2021-01~03", "yoy_pct"): 27.6,
        ("fixed_asset_investment", "430200", "2021-01~02", "yoy_pct"): 30.1,  # its sentence's own period
        ("budget_revenue", "430200", "2021-01~03", "value"): 62.3,  # no period of its own: the title's
        ("budget_revenue", "430200", "2021-01~03", "yoy_pct"): -2.0,
    }
    assert {o.period_kind for o in r.observations} == {"ytd"}


def test_a_review_restating_a_figure_reads_it_once_but_two_values_stay_a_conflict(
    tmp_path: Path, catalog: Catalog
) -> None:
    # a review's summary and its section restating 规模以上工业增加值增长6.1% quarantined the page as "duplicate"
    r = review(
        tmp_path,
        catalog,
        "2023年上半年株洲市经济运行情况",
        "上半年，全市经济运行总体平稳。规模以上工业增加值增长6.1%，固定资产投资增长5.2%。",
        "一、工业生产稳步回升。上半年，全市规模以上工业增加值增长6.1%。",
    )
    rows = [(o.indicator_code, o.value, o.source_row) for o in r.observations]
    assert sorted(rows) == [("fixed_asset_investment", 5.2, 1), ("industrial_value_added", 6.1, 1)]
    assert validate_observations(r.observations, catalog, source_file="review.html") == []
    r = review(
        tmp_path,
        catalog,
        "2023年上半年株洲市经济运行情况",
        "规模以上工业增加值增长6.1%。",
        "全市规模以上工业增加值增长6.3%。",
    )
    assert [o.value for o in r.observations] == [6.1, 6.3]
    [conflict] = validate_observations(r.observations, catalog, source_file="review.html")
    assert "duplicate of row 1" in conflict.reason


@pytest.mark.parametrize(
    ("title", "period"),
    [
        ("株洲市2023年1-5月份经济运行情况", "2023-01~05"),
        ("2023年上半年全市国民经济运行简况", "2023-01~06"),  # 全市: the city whose 统计局 published it
        ("2023年前三季度株洲经济运行情况", "2023-01~09"),
        ("2023年5月全市经济运行情况", "2023-05"),
    ],
)
def test_a_reviews_title_gives_its_place_and_period(tmp_path: Path, catalog: Catalog, title: str, period: str) -> None:
    page = REVIEW.format(title=title).replace("一季度，", "").replace("1-2月，", "")
    r = parse_text(tmp_path, "review.html", page, catalog)
    assert r.adapter == "yearly_bulletin" and r.errors == []
    assert {(o.region_code, o.period_code) for o in r.observations if o.indicator_code == "gdp"} == {("430200", period)}


def test_a_review_sentence_for_a_period_not_understood_is_not_given_the_titles(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "今年1-2月，…" was read for the title's 一季度: a figure under the wrong period, silently
    page = REVIEW.format(title="2021年一季度株洲市经济运行情况").replace(
        "</body>",
        "<p>今年1-2月，全市进出口总额50.1亿元。3月份以来，全市规模工业增加值增长9.0%。"
        "去年1-2月，全市进出口总额40.2亿元。今年以来，全市出口总额60.3亿元。</p></body>",
    )
    r = parse_text(tmp_path, "review.html", page, catalog)
    assert r.errors == []
    got = {(o.indicator_code, o.period_code, o.measure): o.value for o in r.observations}
    assert got[("trade_total", "2021-01~02", "value")] == 50.1  # this year's 1-2月
    assert got[("exports", "2021-01~03", "value")] == 60.3  # 今年以来: the year so far, the title's
    assert ("trade_total", "2021-01~03", "value") not in got  # last year's 1-2月 is not this quarter's
    assert got[("industrial_value_added", "2021-01~03", "yoy_pct")] == 27.6  # only 前三个月's, not 3月份以来's
    assert sum("period not understood" in note for note in r.notes) == 2


def test_a_review_with_no_year_or_no_place_is_refused_saying_so(tmp_path: Path, catalog: Catalog) -> None:
    with pytest.raises(UnknownFormatError):  # 一季度 of which year: not guessed from the release date
        detect(load_document(REVIEW.format(title="一季度全市经济运行情况").encode(), "review.html"))
    unsigned = REVIEW.format(title="2021年一季度全市经济运行情况").replace("来源：株洲市统计局", "")
    r = parse_text(tmp_path, "review.html", unsigned, catalog)
    assert r.observations == [] and "names no place" in r.errors[0].reason


def test_a_page_that_is_not_a_bulletin_is_refused_naming_what_is_read(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "news.html"
    path.write_text(GONGBAO.format(title="株洲市召开经济形势分析会"), encoding="utf-8")
    with pytest.raises(UnknownFormatError, match="统计公报"):
        detect(load_document(path.read_bytes(), path.name))


# --- detection ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "adapter"),
    [
        ("long_format_bom.csv", "long_format"),
        ("monthly_zhuzhou_2022-05_gbk.csv", "monthly_table"),
        ("province_2022-05.csv", "province_table"),
        ("air_2022-05.html", "env_bulletin"),
        ("water_2022-05.html", "env_bulletin"),
        ("api_2022-05.json", "http_api"),
    ],
)
def test_detect_by_content(name: str, adapter: str) -> None:
    # File names are misleading on purpose: detection must not look at them.
    doc = load_document((FIXTURES / name).read_bytes(), "data.txt")
    assert detect(doc) == adapter


def test_detect_unknown_and_unreadable() -> None:
    with pytest.raises(UnknownFormatError):
        detect(load_document(b"a,b\n1,2\n", "x.csv"))
    with pytest.raises(DocumentError, match="cannot decode"):
        load_document(b"\x81\x20\xff\xfe\x80", "x.csv")
    with pytest.raises(DocumentError, match="workbook"):
        load_document(b"PK\x03\x04garbage", "x.xlsx")
    for empty in (b"", b" \r\n\n"):  # was "table matches no known layout"
        with pytest.raises(DocumentError, match="the file is empty"):
            load_document(empty, "x.csv")


def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (bytes(range(128, 256)) * 4, "000_zhuzhou_tjyb_2026-10.xlsx", "not an Excel workbook: the name ends in .xlsx"),
        (bytes(range(128, 256)) * 4, "tjyb.XLS", "not an Excel workbook: the name ends in .xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(128, 256)) * 4, "tjyb.xls", "old binary Excel workbook"),
        (bytes(range(128, 256)) * 4, "tjyb.csv", "cannot decode"),
        # a PDF decodes as GB18030 and was "a table of no known layout"; a .docx was "no valid workbook part"
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF", "统计公报.pdf", "a PDF document"),
        (_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), "月报.docx", "a Word document"),
    ],
)
def test_a_file_that_is_neither_workbook_nor_text_is_refused_in_the_words_of_what_it_claims(data, name, reason):
    """Random bytes named .xlsx used to be refused as "cannot decode file as UTF-8": true, but it sent the
    reader looking at encodings. Text named .xls is still read as what its bytes are (offices publish HTML
    and CSV under that name)."""
    with pytest.raises(DocumentError, match=reason):
        load_document(data, name)

    text_named_xls = load_document("指标,地区\n国内生产总值,株洲市\n".encode("gb18030"), "tjyb.xls")
    assert text_named_xls.kind == "table" and text_named_xls.rows[1] == ["国内生产总值", "株洲市"]
    html_named_xls = load_document("<html><table><tr><td>指标</td></tr></table></html>".encode(), "tjyb.xls")
    assert html_named_xls.kind == "html"


def test_air_bulletin_titled_month_first_with_several_counties_in_one_sentence(
    tmp_path: Path, catalog: Catalog
) -> None:
    # Offices also title a bulletin month first, write "同比上升" for the change, and list counties in one
    # sentence opened by 各县市区 (which is not the urban area 市区): each county's figure is its own.
    path = tmp_path / "a.html"
    path.write_text(
        "<html><head><title>2023年7月株洲市环境空气质量状况</title></head><body>"
        "<p>来源：株洲市生态环境局 发布时间：2023-08-08</p>"
        "<p>2023年7月，株洲市城区环境空气质量优良天数为29天，优良率为93.5%，同比上升3.2个百分点；"
        "PM2.5平均浓度为18微克/立方米。</p>"
        "<p>各县市区中，醴陵市优良率为90.3%，攸县优良率为95.1%。各县市区中炎陵县优良率为98.0%。</p></body></html>",
        encoding="utf-8",
    )
    r = parse_file(path, catalog)
    assert r.adapter == "env_bulletin" and r.errors == []
    assert r.release_date == date(2023, 8, 8)
    obs = by_key(r)
    assert obs[("air_good_ratio", "430200", "", "2023-07", "value")].value == 93.5
    assert obs[("air_good_ratio", "430200", "", "2023-07", "yoy_pct")].value == 3.2
    assert obs[("air_good_days", "430200", "", "2023-07", "value")].value == 29
    assert obs[("pm25", "430200", "", "2023-07", "value")].value == 18
    assert obs[("air_good_ratio", "430281", "", "2023-07", "value")].value == 90.3  # 醴陵市
    assert obs[("air_good_ratio", "430223", "", "2023-07", "value")].value == 95.1  # 攸县
    assert obs[("air_good_ratio", "430225", "", "2023-07", "value")].value == 98.0  # 炎陵县
    assert len(obs) == 7


def test_air_table_names_the_urban_area_and_pm25_as_offices_write_them(tmp_path: Path, catalog: Catalog) -> None:
    # "株洲市区" was an unknown region, "PM2.5浓度(µg/m3)" (micro sign) an unknown column
    r = parse_text(
        tmp_path,
        "a.html",
        "<html><head><title>株洲市2023年7月环境空气质量通报</title></head><body><p>发布时间：2023-08-08</p>"
        "<table><tr><th>县市区</th><th>优良率(%)</th><th>PM2.5浓度(\u00b5g/m3)</th></tr>"
        "<tr><td>株洲市区</td><td>90.3</td><td>20</td></tr><tr><td>醴陵市</td><td>93.5</td><td>18</td></tr>"
        "</table></body></html>",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("air_good_ratio", "430200", "", "2023-07", "value")].value == 90.3
    assert obs[("pm25", "430200", "", "2023-07", "value")].value == 20
    assert obs[("pm25", "430281", "", "2023-07", "value")].value == 18


def test_an_air_tables_whole_city_row_said_to_be_a_mean_is_left_out_without_a_city_row(
    tmp_path: Path, catalog: Catalog
) -> None:
    # trial s57: no 市区 row, the text gives 市区's figures and a note under the table says 全市 is the mean over
    # the counties; 全市 was read as the city's and refused the bulletin as a duplicate with another value
    page = (
        "<html><head><title>株洲市2023年8月环境空气质量通报</title></head><body><p>发布时间：2023年9月12日</p>"
        "<p>2023年8月，市区环境空气质量优良率为93.5%；PM2.5平均浓度为22微克/立方米。</p>"
        "<table><tr><th>县市区</th><th>优良率(%)</th><th>PM2.5(微克/立方米)</th></tr>"
        "<tr><td>醴陵市</td><td>96.8</td><td>20</td></tr><tr><td>全市</td><td>98.4</td><td>19</td></tr></table>"
        "<p>注：全市为各县（市、区）平均。株洲市生态环境局</p></body></html>"
    )
    r = parse_text(tmp_path, "a.html", page, catalog)
    assert r.errors == []
    assert {(o.region_code, o.indicator_code, o.value) for o in r.observations} == {
        ("430200", "air_good_ratio", 93.5),
        ("430200", "pm25", 22),
        ("430281", "air_good_ratio", 96.8),
        ("430281", "pm25", 20),
    }
    assert any("全市: not read, the mean over the counties (the page's 注)" in n for n in r.notes), r.notes
    # without the note, 全市 is read as the city's (the whole of it); validation then refuses the second value
    r = parse_text(tmp_path, "b.html", page.replace("<p>注：全市为各县（市、区）平均。", "<p>"), catalog)
    assert ("430200", "air_good_ratio", 98.4) in {(o.region_code, o.indicator_code, o.value) for o in r.observations}


def test_an_air_tables_mean_over_counties_and_its_zones_are_left_out(tmp_path: Path, catalog: Catalog) -> None:
    # 全市 (the mean over every county) beside 市区 refused the bulletin as a duplicate of the city's figure,
    # and a 云龙示范区 row refused it as an unknown region
    r = parse_text(
        tmp_path,
        "a.html",
        "<html><head><title>株洲市2023年10月环境空气质量通报</title></head><body><p>发布时间：2023-11-08</p>"
        "<table><tr><th>县市区</th><th>优良率(%)</th><th>PM2.5(微克/立方米)</th></tr>"
        "<tr><td>株洲市区</td><td>90.3</td><td>30</td></tr><tr><td>全市</td><td>93.5</td><td>28</td></tr>"
        "<tr><td>攸县</td><td>96.8</td><td>25</td></tr><tr><td>云龙示范区</td><td>93.5</td><td>27</td></tr>"
        "<tr><td>注：全市为各县市区平均</td><td></td><td></td></tr></table></body></html>",
        catalog,
    )
    assert r.errors == []
    assert {(o.region_code, o.indicator_code, o.value) for o in r.observations} == {
        ("430200", "air_good_ratio", 90.3),
        ("430200", "pm25", 30),
        ("430223", "air_good_ratio", 96.8),
        ("430223", "pm25", 25),
    }
    assert any("全市: not read, the city's figure is 市区's" in n for n in r.notes)
    assert any("云龙示范区: not read, a park's or zone's figures" in n for n in r.notes)


@pytest.mark.parametrize("name", ["细颗粒物（PM2.5）平均浓度为", "细颗粒物(PM2.5)平均浓度", "细颗粒物平均浓度为"])
def test_air_prose_names_pm25_by_its_chinese_name(tmp_path: Path, catalog: Catalog, name: str) -> None:
    # the sentence was left out, with no note, unless it wrote PM2.5 before 浓度
    r = parse_text(
        tmp_path,
        "a.html",
        "<html><head><title>株洲市2023年6月环境空气质量状况</title></head><body><p>发布时间：2023-07-10</p>"
        f"<p>2023年6月，市区环境空气质量优良率为90.0%。{name}26微克/立方米，同比下降7.1%。</p></body></html>",
        catalog,
    )
    assert r.errors == []
    assert by_key(r)[("pm25", "430200", "", "2023-06", "value")].value == 26


def test_an_air_table_with_merged_period_headers_or_a_rank_column_first(tmp_path: Path, catalog: Catalog) -> None:
    # the two-row header (rowspan 县市区, colspan 6月 / 1-6月) lost every county's figure, noted as "6月, 1-6月
    # not tracked"; a 排名 column before 县市区 refused the file ("unknown region '1'")
    head = "<html><head><title>2023年6月株洲市环境空气质量状况</title></head><body><p>发布时间：2023-07-10</p>"
    merged = (
        '<table><tr><th rowspan="2">县市区</th><th colspan="2">6月</th><th colspan="2">1-6月</th></tr>'
        "<tr><th>优良率(%)</th><th>PM2.5(微克/立方米)</th><th>优良率(%)</th><th>PM2.5(微克/立方米)</th></tr>"
        "<tr><td>醴陵市</td><td>90.0</td><td>27</td><td>85.1</td><td>35</td></tr></table></body></html>"
    )
    r = parse_text(tmp_path, "merged.html", head + merged, catalog)
    assert r.errors == []
    got = {(k[0], k[3]): o.value for k, o in by_key(r).items()}
    assert got == {
        ("air_good_ratio", "2023-06"): 90.0,
        ("pm25", "2023-06"): 27,
        ("air_good_ratio", "2023-01~06"): 85.1,
        ("pm25", "2023-01~06"): 35,
    }
    ranked = (
        "<table><tr><th>排名</th><th>县市区</th><th>优良天数（天）</th><th>优良率（%）</th></tr>"
        "<tr><td>1</td><td>炎陵县</td><td>30</td><td>100</td></tr>"
        "<tr><td>2</td><td>茶陵县</td><td>29</td><td>96.7</td></tr></table></body></html>"
    )
    r = parse_text(tmp_path, "ranked.html", head + ranked, catalog)
    assert r.errors == []
    assert {(k[0], k[1]): o.value for k, o in by_key(r).items()} == {
        ("air_good_days", "430225"): 30,
        ("air_good_ratio", "430225"): 100,
        ("air_good_days", "430224"): 29,
        ("air_good_ratio", "430224"): 96.7,
    }


def test_an_air_bulletin_whose_ratio_contradicts_its_good_days_is_refused(tmp_path: Path, catalog: Catalog) -> None:
    # both loaded: 优12天 + 良15天 of 30 days beside 优良率 50.0%, and a county's 10 good days beside 96.7%
    # (no whole number of days monitored gives it)
    page = (
        "<html><head><title>株洲市2023年6月环境空气质量通报</title></head><body><p>发布时间：2023-07-08</p>"
        "<p>2023年6月，市区环境空气质量监测30天，其中优12天，良15天，轻度污染3天，优良率为{ratio}%。</p>"
        "<table><tr><th>县市区</th><th>优良天数</th><th>优良率(%)</th></tr>"
        "<tr><td>荷塘区</td><td>{days}</td><td>96.7</td></tr></table></body></html>"
    )
    r = parse_text(tmp_path, "bad.html", page.format(ratio="50.0", days=10), catalog)
    assert [(e.row, e.column) for e in r.errors] == [(1, "优良率"), (1, "优良率")]
    assert "优良率 50.0% contradicts 27 good days of 30 days monitored" in r.errors[0].reason
    assert "优良率 96.7% contradicts 10 good days" in r.errors[1].reason
    # the same figures as published: 27 of 30 is 90.0%, and 29 of 30 is 96.7%
    assert parse_text(tmp_path, "good.html", page.format(ratio="90.0", days=29), catalog).errors == []


def test_air_prose_as_the_bureau_wrote_it_in_2018_and_2022(tmp_path: Path, catalog: Catalog) -> None:
    # Real sentences (reference/published_facts.csv): "1至11月" was read as the title's month (a clash with
    # the month's own rate); "较上年同期83.9%下降12.9%" names last year's rate and a change in points
    # written with "%", and neither was read.
    r = parse_text(
        tmp_path,
        "a.html",
        "<html><head><title>株洲市2022年10月环境空气质量通报</title></head><body><p>发布时间：2022-11-08</p>"
        "<p>2022年10月，城区空气质量达标(优良)率为71.0%，较上年同期83.9%下降12.9%；PM2.5平均浓度为31µg/m³。"
        "1至10月，市区空气质量达标率为81.8%，同比下降5.0%。</p></body></html>",
        catalog,
    )
    assert r.errors == []
    obs = by_key(r)
    assert obs[("air_good_ratio", "430200", "", "2022-10", "value")].value == 71.0
    assert obs[("air_good_ratio", "430200", "", "2021-10", "value")].value == 83.9  # last year's, published here
    assert obs[("air_good_ratio", "430200", "", "2022-10", "yoy_pct")].value == -12.9
    assert obs[("pm25", "430200", "", "2022-10", "value")].value == 31
    assert obs[("air_good_ratio", "430200", "", "2022-01~10", "value")].value == 81.8
    # "同比下降5.0%" without last year's rate: points or relative cannot be told, so it is not kept
    assert ("air_good_ratio", "430200", "", "2022-01~10", "yoy_pct") not in obs
    assert len(obs) == 5


def test_air_prose_change_against_last_year_written_with_qu_nian(tmp_path: Path, catalog: Catalog) -> None:
    # "比去年同期下降1.1个百分点" was not read ("上年" only)
    r = parse_text(
        tmp_path,
        "a.html",
        "<html><head><title>株洲市2023年6月环境空气质量状况</title></head><body><p>发布时间：2023-07-10</p>"
        "<p>2023年6月，市区空气质量优良率为90.0%，比去年同期下降1.1个百分点。</p></body></html>",
        catalog,
    )
    assert r.errors == []
    assert by_key(r)[("air_good_ratio", "430200", "", "2023-06", "yoy_pct")].value == -1.1


def test_air_table_columns_of_untracked_pollutants_are_left_out_and_named(tmp_path: Path, catalog: Catalog) -> None:
    r = parse_text(
        tmp_path,
        "a.html",
        "<html><head><title>株洲市2023年7月环境空气质量通报</title></head><body><p>发布时间：2023-08-08</p>"
        "<table><tr><th>县市区</th><th>优良率(%)</th><th>PM10(微克/立方米)</th><th>综合指数</th></tr>"
        "<tr><td>醴陵市</td><td>93.5</td><td>41</td><td>3.2</td></tr></table></body></html>",
        catalog,
    )
    assert r.errors == []
    assert [o.indicator_code for o in r.observations] == ["air_good_ratio"]
    assert "PM10(微克/立方米)" in r.notes[0] and "综合指数" in r.notes[0]


def test_air_prose_attributes_county_sentences_to_the_county(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "a.html"
    path.write_text(
        "<html><head><title>株洲市2022年10月环境空气质量通报</title></head><body>"
        '<span class="release-date">发布时间：2022-11-08</span>'
        "<p>2022年10月，城区空气质量达标(优良)率为71.0%，较上年同期下降12.9个百分点。醴陵市优良率为90.0%。</p></body></html>",
        encoding="utf-8",
    )
    obs = by_key(parse_file(path, catalog))
    assert obs[("air_good_ratio", "430200", "", "2022-10", "value")].value == 71.0
    assert obs[("air_good_ratio", "430200", "", "2022-10", "yoy_pct")].value == -12.9
    assert obs[("air_good_ratio", "430281", "", "2022-10", "value")].value == 90.0


@pytest.mark.parametrize("mark", ["*", "※", "①"])
def test_a_footnote_mark_after_a_prose_figure_is_named_and_its_growth_still_read(
    mark: str, tmp_path: Path, catalog: Catalog
) -> None:
    # "出口200.1亿元*，增长3.3%" loaded 200.1 with the mark dropped silently, and lost the growth after it
    result = parse_bulletin(tmp_path, catalog, 2023, f"全年出口200.1亿元{mark}，增长3.3%。")
    assert [(o.indicator_code, o.measure, o.value) for o in result.observations] == [("exports", "yoy_pct", 3.3)]
    assert any("footnote mark" in n and mark in n and "200.1亿元" in n for n in result.notes), result.notes
    assert not result.errors


def test_a_footnote_mark_after_a_prose_growth_leaves_the_growth_out(tmp_path: Path, catalog: Catalog) -> None:
    result = parse_bulletin(tmp_path, catalog, 2023, "全年出口200.1亿元，增长3.3%*。")
    assert [(o.measure, o.value) for o in result.observations] == [("value", 200.1)]
    assert any("footnote mark" in n and "3.3%*" in n for n in result.notes), result.notes


@pytest.mark.parametrize(("figure", "mark"), [("300亿注1", "注1"), ("300亿元注①", "注①"), ("300亿元(注2)", "(注2)")])
def test_a_numbered_note_mark_after_a_prose_figure_is_named_whole(
    tmp_path: Path, catalog: Catalog, figure: str, mark: str
) -> None:
    # "300亿注1" read nothing, not even the growth (亿 before 注 was no unit); "300亿元注①" named the mark 注 and lost
    # the growth after the ①
    result = parse_bulletin(tmp_path, catalog, 2023, f"全市进出口总额{figure}，比上年增长5.0%。")
    assert not result.errors
    assert [(o.indicator_code, o.measure, o.value) for o in result.observations] == [("trade_total", "yoy_pct", 5.0)]
    assert any(f"footnote mark {mark!r} after the figure in {figure!r}" in n for n in result.notes), result.notes


def test_additions_and_a_running_total_read_the_total_as_the_stock(tmp_path: Path, catalog: Catalog) -> None:
    # "新增上市企业2家，累计达到25家" read nothing: 上市企业 is followed by neither a figure nor a growth
    result = parse_bulletin(tmp_path, catalog, 2023, "全年新增上市企业2家，累计达到25家。")
    [obs] = result.observations
    assert (obs.indicator_code, obs.period_code, obs.measure, obs.value) == ("listed_companies", "2023", "value", 25)
    # the catalogue has no indicator of new listings: the 2 is left out, and said so
    assert any("新增2家" in n and "no indicator of new" in n for n in result.notes), result.notes


def test_air_prose_reads_a_months_pm25_mean_its_change_and_a_spans_average_only_for_its_span(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "月均浓度" and "累计平均浓度" were left out with no note (only "平均浓度" was read), as was the change after it
    r = parse_text(
        tmp_path,
        "a.html",
        "<html><head><title>2022年8月株洲市城区环境空气质量状况</title></head><body><p>发布日期：2022年9月9日</p>"
        "<p>8月份，城区优良天数比例为90.3%。细颗粒物（PM2.5）月均浓度为18微克/立方米，同比下降10.0%。"
        "PM2.5累计平均浓度为35微克/立方米。</p>"
        "<p>1-8月，城区PM2.5累计平均浓度为38微克/立方米，较上年同期40微克/立方米下降5.0%。</p></body></html>",
        catalog,
    )
    assert r.errors == []
    got = by_key(r)
    assert got[("pm25", "430200", "", "2022-08", "value")].value == 18
    assert got[("pm25", "430200", "", "2022-08", "yoy_pct")].value == -10.0
    assert got[("pm25", "430200", "", "2022-01~08", "value")].value == 38
    assert got[("pm25", "430200", "", "2022-01~08", "yoy_pct")].value == -5.0
    assert got[("pm25", "430200", "", "2021-01~08", "value")].value == 40  # last year's, published beside it
    # a span's average with no span named is not the month's figure: noted, not read
    assert [o.value for o in r.observations if o.indicator_code == "pm25" and o.period_code == "2022-08"] == [18, -10.0]
    assert any("PM2.5: not read" in n and "累计平均浓度为35" in n for n in r.notes)


def _water_summary(tmp_path: Path, catalog: Catalog, sentence: str):
    return parse_text(
        tmp_path,
        "w.html",
        "<html><head><title>株洲市2022年8月地表水水质状况</title></head><body><p>发布时间：2022年9月16日</p>"
        f"<p>{sentence}</p></body></html>",
        catalog,
    )


def test_a_water_bulletin_giving_one_class_for_every_section_of_a_river(tmp_path: Path, catalog: Catalog) -> None:
    # a bulletin with only this sentence (the form of the real 2021-01 figure, 7个断面均达到Ⅱ类水质) was
    # quarantined as having no data rows
    name, sections = catalog.river_in("湘江株洲段")  # the catalogue's sections of the river
    r = _water_summary(
        tmp_path, catalog, f"2022年8月，湘江株洲段{len(sections)}个国、省控断面水质均达到或优于Ⅱ类标准，水质总体为优。"
    )
    assert r.errors == []
    read = {o.subject_code: (o.value, o.bound) for o in r.observations}
    assert read == dict.fromkeys(sections, (2.0, "le"))  # each section: Ⅱ or better, the bound kept
    assert {o.period_code for o in r.observations} == {"2022-08"}
    assert any(f"every section of {name}" in n for n in r.notes)

    r = _water_summary(tmp_path, catalog, "2022年8月，洣水各断面水质均为Ⅱ类。")
    assert {o.subject_code for o in r.observations} == set(catalog.river_in("洣水")[1])
    assert {(o.value, o.bound) for o in r.observations} == {(2.0, "eq")}


def _river_bulletin(tmp_path: Path, catalog: Catalog, sentence: str, rows: list[tuple[str, str, str]]):
    """The sentence on line 3, the table's rows from line 5 on."""
    table = "\n".join(f"<tr><td>{s}</td><td>{r}</td><td>{c}</td></tr>" for s, r, c in rows)
    return parse_text(
        tmp_path,
        "w.html",
        "<html><head><title>株洲市2022年8月地表水水质状况</title></head><body>\n<p>发布时间：2022年9月16日</p>\n"
        f"<p>{sentence}</p>\n<table><tr><th>断面</th><th>所在县市区</th><th>水质类别</th></tr>\n{table}</table>"
        "</body></html>",
        catalog,
    )


def test_a_river_s_one_class_beside_the_table_s_own_classes_keeps_the_table_s(tmp_path: Path, catalog: Catalog) -> None:
    # 洣水各断面水质均为Ⅱ类 (a trial bulletin) was stored under the city beside the table's classes under the
    # counties: two figures of one section nothing compared, and a note saying the bulletin gave no section's own
    r = _river_bulletin(
        tmp_path,
        catalog,
        "2022年8月，湘江株洲段各断面水质均达到或优于Ⅱ类。",
        [("湘江株洲段断面1（示意）", "渌口区", "Ⅰ类")],
    )
    assert r.errors == []
    classes = {(o.region_code, o.subject_code): (o.value, o.bound) for o in r.observations}
    assert classes == {("430212", "XJ-01"): (1.0, "eq"), ("430200", "XJ-02"): (2.0, "le")}
    assert any("the class of its 1 sections the table does not list" in n for n in r.notes), r.notes
    assert not any("gives no section's own" in n for n in r.notes)

    both = [("湘江株洲段断面1（示意）", "渌口区", "Ⅱ类"), ("湘江株洲段断面2（示意）", "天元区", "Ⅱ类")]
    r = _river_bulletin(tmp_path, catalog, "2022年8月，湘江株洲段各断面水质均为Ⅱ类。", both)
    assert r.errors == []
    assert {(o.region_code, o.subject_code) for o in r.observations} == {("430212", "XJ-01"), ("430211", "XJ-02")}
    assert any("not stored: the table gives each of its 2 sections' own class" in n for n in r.notes), r.notes


def test_a_river_s_one_class_the_table_contradicts_is_an_error_naming_both_rows(
    tmp_path: Path, catalog: Catalog
) -> None:
    r = _river_bulletin(
        tmp_path,
        catalog,
        "2022年8月，湘江株洲段各断面水质均为Ⅱ类。",
        [("湘江株洲段断面1（示意）", "渌口区", "Ⅱ类"), ("湘江株洲段断面2（示意）", "天元区", "Ⅲ类")],
    )
    assert len(r.errors) == 1, r.errors
    error = r.errors[0]
    assert error.row == 6 and "section XJ-02: the table gives 'Ⅲ类'" in error.reason
    assert "row 3 says '湘江株洲段各断面水质均为Ⅱ类'" in error.reason and "contradicts itself" in error.reason


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        # which of the river's sections is not known
        ("湘江株洲段99个断面水质均达到Ⅱ类。", "covers 99 sections and the catalogue has"),
        ("全市11个断面水质均达到或优于Ⅲ类。", "names no catalogued river"),
    ],
)
def test_a_class_for_sections_the_catalogue_cannot_place_is_noted_not_read(
    tmp_path: Path, catalog: Catalog, sentence: str, why: str
) -> None:
    r = _water_summary(tmp_path, catalog, sentence)
    assert r.observations == []
    assert any("水质类别: not read" in n and why in n for n in r.notes), r.notes


def test_rivers_listed_before_one_class_each_get_it_for_their_sections(tmp_path: Path, catalog: Catalog) -> None:
    # "湘江株洲段、洣水水质优于Ⅱ类" (the 2021 bulletin, published_facts) was noted as no catalogued indicator: a river's
    # class was read only from "…各断面水质均…"; there, "湘江株洲段、洣水各断面…" read 湘江's sections and dropped
    # 洣水's with no word. Each river of the list gets the class, as a river named alone does
    # A river's class naming no section is each section's worked out, not said: derived, saying from what (it
    # was labelled published); "各断面水质均…" says it of each section: published
    every = {s for river in ("湘江株洲段", "洣水") for s in catalog.river_in(river)[1]}
    for sentence, bound, provenance in (
        ("2022年8月，湘江株洲段、洣水水质优于Ⅱ类。", "lt", "derived"),
        ("2022年8月，湘江株洲段、洣水各断面水质均为Ⅱ类。", "eq", "published"),
        (f"2022年8月，湘江株洲段和洣水{len(every)}个断面水质均达到或优于Ⅱ类。", "le", "published"),
    ):
        r = _water_summary(tmp_path, catalog, sentence)
        assert r.errors == []
        assert {o.subject_code: (o.value, o.bound) for o in r.observations} == dict.fromkeys(every, (2.0, bound))
        assert {o.provenance for o in r.observations} == {provenance}, sentence
        for name in (catalog.river_in("湘江株洲段")[0], "洣水"):
            assert any(f"for every section of {name} read as each" in n for n in r.notes), r.notes
    r = _water_summary(tmp_path, catalog, "2022年8月，洣水水质为Ⅲ类。")  # a river alone, with no 断面
    assert {o.subject_code: o.value for o in r.observations} == dict.fromkeys(catalog.river_in("洣水")[1], 3.0)
    given = f"the river's class given to each of its {len(catalog.river_in('洣水')[1])} catalogued sections"
    assert {(o.provenance, o.derived_from) for o in r.observations} == {
        ("derived", f"洣水: '洣水水质为Ⅲ类' (row 1), {given}")
    }


@pytest.mark.parametrize(
    ("sentence", "read", "why"),
    [
        # a range or a list of classes: which class is not told (均为Ⅱ～Ⅲ类 was read as Ⅱ)
        ("洣水各断面水质均为Ⅱ～Ⅲ类。", set(), "no catalogued indicator or pattern"),
        ("湘江株洲段、洣水水质为Ⅱ类～Ⅲ类。", set(), "no catalogued indicator or pattern"),
        ("湘江株洲段、洣水水质为Ⅱ类、Ⅲ类。", set(), "no catalogued indicator or pattern"),
        # a count that is not the rivers' sections together
        ("湘江株洲段、洣水2个断面水质均为Ⅱ类。", set(), "covers 2 sections and the catalogue has 3"),
        # a name of the list the catalogue has not: named, the others read
        ("湘江株洲段、渌水水质均为Ⅱ类。", {"XJ-01", "XJ-02"}, "渌水 is no catalogued river"),
        ("饮用水水源地水质均达到Ⅲ类。", set(), "饮用水水源地 is no catalogued river"),
        # an overall judgement is no class
        ("湘江株洲段水质总体为优，城镇集中式饮用水水源地水质达标率为100%。", set(), ""),
    ],
)
def test_rivers_sharing_a_class_that_cannot_be_placed_are_noted_not_read(
    tmp_path: Path, catalog: Catalog, sentence: str, read: set[str], why: str
) -> None:
    r = _water_summary(tmp_path, catalog, f"2022年8月，{sentence}")
    assert r.errors == []
    assert {o.subject_code for o in r.observations if o.indicator_code == "water_class"} == read
    assert any(why in n for n in r.notes) if why else r.notes == [], r.notes


def test_an_api_release_names_the_series_it_does_not_track_and_loads_the_rest(tmp_path: Path, catalog: Catalog) -> None:
    # one series the catalogue does not track (全社会用电量) refused the whole pull ("unknown indicator")
    payload = {
        "release_id": "api-2022-09",
        "release_date": "2022-10-20",
        "provenance": "published",
        "observations": [
            {"indicator": "规模以上工业增加值", "region": "株洲市", "period": "2022年1-9月", "measure": "yoy_pct",
             "value": 9.6, "unit": "%"},
            {"indicator": "全社会用电量", "region": "430200", "period": "2022年1-9月", "measure": "value",
             "value": "150.2", "unit": "亿千瓦时"},
        ],
    }  # fmt: skip
    r = parse_text(tmp_path, "api_2022-09.json", json.dumps(payload, ensure_ascii=False), catalog)
    assert r.errors == []
    assert [(o.indicator_code, o.period_code, o.value) for o in r.observations] == [
        ("industrial_value_added", "2022-01~09", 9.6)
    ]
    assert any("not tracked" in n and "全社会用电量 (row 2)" in n for n in r.notes)


def test_a_point_naming_no_measure_is_a_level_unless_its_unit_says_it_is_none(tmp_path: Path, catalog: Catalog) -> None:
    # a % figure of an indicator in 亿元 with no measure was refused as "unit '%' contradicts the indicator's
    # unit": true, but it hid what is missing (the measure: a growth? a share of the plan?)
    point = {"region": "430200", "period": "2022年1-5月"}
    payload = {
        "release_id": "api-2022-05",
        "release_date": "2022-06-20",
        "observations": [
            {**point, "indicator": "固定资产投资", "value": "9.1", "unit": "%"},
            {**point, "indicator": "地区生产总值", "value": "1650.2", "unit": "亿元"},
            {**point, "indicator": "空气质量优良率", "value": "88.2", "unit": "%"},
        ],
    }
    r = parse_text(tmp_path, "api_2022-05.json", json.dumps(payload, ensure_ascii=False), catalog)
    [err] = r.errors
    assert (err.row, err.column) == (1, "measure")
    assert "no measure given" in err.reason and "yoy_pct" in err.reason
    path = write_long_csv(
        tmp_path / "no_measure.csv",
        [
            "fixed_asset_investment,株洲市,,2022年1-5月,,9.1,%,2022-06-20,published,,",
            "gdp,株洲市,,2022年1-5月,,1650.2,亿元,2022-06-20,published,,",
        ],
    )
    [err] = parse_file(path, catalog).errors
    assert (err.row, err.column) == (2, "measure") and "no measure given" in err.reason


# --- province tables in the layouts offices really send (trial48) --------------------------------
_HUNAN_1_8 = [
    ("全省", "430000", 7.4, None),
    ("长沙", "430100", 7.8, 5),
    ("株洲", "430200", 9.6, 2),
    ("湘西州", "433100", 5.8, 12),
]


def test_a_province_table_of_cities_headed_fen_shizhou_is_read(tmp_path: Path, catalog: Catalog) -> None:
    # 分市州 (not 各市州) after the province's name, a blank line, 地区 | 1-8月增速(%) | 排位, short names and a
    # 全省 row: the file was quarantined whole, "table matches no known layout"
    rows = "".join(f"{name},{growth},{rank or ''}\r\n" for name, _, growth, rank in _HUNAN_1_8)
    path = tmp_path / "湖南分市州规工增速_2022-08.csv"
    path.write_bytes(
        (
            "湖南省2022年1-8月分市州规模以上工业增加值增速\r\n\r\n地区,1-8月增速(%),排位\r\n"
            + rows
            + "\r\n注：排位按增速高低。\r\n资料来源：湖南省统计局 2022-09-21\r\n"
        ).encode("gb18030")
    )
    r = parse_file(path, catalog)
    assert r.adapter == "province_table" and r.errors == []
    obs = by_key(r)
    for _, code, growth, rank in _HUNAN_1_8:
        assert obs[("industrial_value_added", code, "", "2022-01~08", "yoy_pct")].value == growth
        if rank:
            assert obs[("industrial_value_added", code, "", "2022-01~08", "yoy_rank")].value == rank
    assert len(obs) == 2 * len(_HUNAN_1_8) - 1


@pytest.mark.parametrize(
    ("first", "growth", "rank"),
    [
        ("市州", "比上年同期增长(%)", "位次"),
        ("市（州）", "累计增长(%)", "排名"),
        ("单位", "增速", "位次(位)"),
        ("地区", "1-6月增速(%)", "排位"),
    ],
)
def test_a_province_tables_header_vocabulary(
    tmp_path: Path, catalog: Catalog, first: str, growth: str, rank: str
) -> None:
    # 单位 as the first column and a province name before the period refused the table as no known layout
    text = f"湖南省2023年1-6月分市州规模工业增加值增速\n{first},{growth},{rank}\n株洲市,8.1,2\n湘西自治州,5.0,14\n"
    r = parse_text(tmp_path, "p.csv", text, catalog)
    assert r.adapter == "province_table" and r.errors == []
    assert {(k[1], k[4]): o.value for k, o in by_key(r).items()} == {
        ("430200", "yoy_pct"): 8.1,
        ("430200", "yoy_rank"): 2,
        ("433100", "yoy_pct"): 5.0,
        ("433100", "yoy_rank"): 14,
    }


def test_a_province_table_whose_header_is_unknown_names_the_cells_it_could_not_place(
    tmp_path: Path, catalog: Catalog
) -> None:
    path = tmp_path / "p.csv"
    text = "湖南省2023年1-6月分市州规模工业增加值增速\n\n区域,1-6月增速(%),排位\n株洲,8.1,2\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnknownFormatError) as exc:
        parse_file(path, catalog)
    assert "row 3" in str(exc.value) and "'区域'" in str(exc.value) and "市州" in str(exc.value)


def test_a_province_tables_province_row_without_a_province_in_the_catalogue_is_left_out(
    tmp_path: Path, catalog: Catalog
) -> None:
    regions = {c: n for c, n in catalog.regions.items() if c != "430000"}
    types = {c: t for c, t in catalog.region_types.items() if c != "430000"}
    no_province = Catalog(catalog.indicators, regions, types, dict(catalog.region_parents))
    r = parse_text(
        tmp_path,
        "p.csv",
        "2023年1-6月各市州规模工业增加值增速\n市州,比上年同期增长(%)\n全省,6.3\n株洲市,8.1\n",
        no_province,
    )
    assert r.errors == [] and {o.region_code for o in r.observations} == {"430200"}
    assert "row 3 全省: not read, the province's figure (no province in seeds/regions.csv)" in r.notes


def test_a_short_name_matching_two_regions_is_an_error_naming_both(tmp_path: Path, catalog: Catalog) -> None:
    # 长沙 is 长沙市 and, once the catalogue holds it, 长沙县 too: it was read as whichever came first
    regions = {**catalog.regions, "430121": "长沙县"}
    types = {**catalog.region_types, "430121": "county"}
    parents = {**catalog.region_parents, "430121": "430100"}
    two = Catalog(catalog.indicators, regions, types, parents)
    r = parse_text(
        tmp_path,
        "p.csv",
        "2023年1-6月各市州规模工业增加值增速\n市州,比上年同期增长(%)\n长沙,7.0\n长沙市,7.0\n株洲,8.1\n",
        two,
    )
    [error] = r.errors
    assert error.row == 3 and "长沙市 (430100)" in error.reason and "长沙县 (430121)" in error.reason
    assert {o.region_code for o in r.observations} == {"430100", "430200"}


def test_a_sub_item_is_the_catalogued_indicator_only_under_its_catalogued_parent(
    tmp_path: Path, catalog: Catalog
) -> None:
    # 其中：税收收入 under 一般公共预算收入 (全口径, not the catalogue's 地方一般公共预算收入) was loaded as tax_revenue
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in (
        ["株洲市主要经济指标（2022年1-8月）"],
        [None, None, None, None, None, "单位：亿元、%"],
        ["指标名称", "计量单位", "8月", "比上年同月增长%", "1-8月累计", "比上年同期增长%"],
        ["一般公共预算收入", "亿元", "16.3", "-3.2", "170.5", "6.1"],
        ["  其中：税收收入", "亿元", "11.0", "-5.0", "117.9", "3.3"],
        ["进出口总额（亿元）", None, "28.7", "35.2", "201.4", "22.6"],
        ["  #出口", "亿元", "20.1", "33.0", "139.8", "24.0"],
        ["数据来源：株洲市统计局"],
    ):
        ws.append(row)
    wb.save(tmp_path / "株洲统计月报_2022年8月.xlsx")
    r = parse_file(tmp_path / "株洲统计月报_2022年8月.xlsx", catalog)
    assert r.errors == []
    assert {o.indicator_code for o in r.observations} == {"trade_total", "exports"}
    assert (
        "row 5 其中:税收收入: not read, a sub-item of 一般公共预算收入 (row 4), not of 地方一般公共预算收入 "
        "(tax_revenue's parent in seeds/indicators.csv)" in r.notes
    )
    # under its catalogued parent it is read; an indented row is a sub-item as much as a # one
    text = (
        "株洲市统计月报（2022年8月）\n发布日期：2022-09-20\n指标,单位,本月,同比增长(%)\n"
        "一般公共预算收入,亿元,16.3,-3.2\n  税收收入,亿元,11.0,-5.0\n"
        "地方一般公共预算收入,亿元,10.1,2.0\n#税收收入,亿元,7.0,1.0\n"
    )
    r = parse_text(tmp_path, "m.csv", text, catalog)
    assert r.errors == []
    assert {(o.indicator_code, o.measure, o.value) for o in r.observations} == {
        ("budget_revenue", "value", 10.1),
        ("budget_revenue", "yoy_pct", 2.0),
        ("tax_revenue", "value", 7.0),
        ("tax_revenue", "yoy_pct", 1.0),
    }
    assert any(n.startswith("row 5 税收收入: not read, a sub-item of 一般公共预算收入 (row 4)") for n in r.notes)
    # Excel's 增加缩进 (an alignment indent, no spaces in the text) marks a sub-item too
    from openpyxl.styles import Alignment

    ws["A5"] = "税收收入"
    ws["A5"].alignment = Alignment(indent=1)
    wb.save(tmp_path / "indent.xlsx")
    doc = load_document((tmp_path / "indent.xlsx").read_bytes(), "indent.xlsx")
    assert doc.indented_rows == {4, 6}


@pytest.mark.parametrize(
    ("footer", "expected"),
    [
        ("资料来源：湖南省统计局 2022-09-21", date(2022, 9, 21)),
        ("资料来源：湖南省统计局\n2022年9月21日发布", date(2022, 9, 21)),
        ("资料来源：湖南省统计局\n发布日期：2022-09-21", date(2022, 9, 21)),
        ("注：数据截至2022年8月31日。\n资料来源：湖南省统计局", None),
    ],
)
def test_a_tables_release_date_below_the_figures_is_read_and_a_missing_one_is_said(
    tmp_path: Path, catalog: Catalog, footer: str, expected: date | None
) -> None:
    # a table dated only in its footer, or not at all, was dated the day it landed, and nothing said so
    text = f"湖南省2022年1-8月分市州规模以上工业增加值增速\n\n地区,1-8月增速(%),排位\n株洲,9.6,2\n\n{footer}\n"
    r = parse_text(tmp_path, "p.csv", text, catalog)
    assert r.errors == []
    landed_note = f"no release date in the file: the day it landed, {LANDED.isoformat()}, is used"
    assert r.release_date == (expected or LANDED)
    assert {o.release_date for o in r.observations} == {expected or LANDED}
    assert (landed_note in r.notes) == (expected is None)
    # the landing day is flagged as such on the release and every figure (raw's release_date_imputed), a printed
    # date is not: the note alone left it shown as if the office had released it then
    assert r.release_date_imputed == (expected is None)
    assert {o.release_date_imputed for o in r.observations} == {expected is None}
    # the source names the file's own date, never the landing day as if it were published then
    assert {o.source_ref.endswith(expected.isoformat() if expected else "》") for o in r.observations} == {True}


def test_a_publisher_with_a_remark_in_brackets_is_cited_without_half_of_it(tmp_path: Path, catalog: Catalog) -> None:
    # "编制单位：株洲市统计局（试用表，数字为虚构）" was cited as "株洲市统计局(试用表《…》":
    # the remark cut at its comma
    text = "株洲市统计月报（2022年8月）\n编制单位：株洲市统计局（试用表，数字为虚构）\n发布日期：2022-09-20\n"
    text += "指标,单位,本月,同比增长(%)\n进出口总额,亿元,28.7,35.2\n"
    r = parse_text(tmp_path, "m.csv", text, catalog)
    assert r.errors == []
    assert {o.source_ref for o in r.observations} == {"株洲市统计局《株洲市统计月报(2022年8月)》 2022-09-20"}


def test_a_release_with_no_date_says_the_landing_day_is_used(tmp_path: Path, catalog: Catalog) -> None:
    said = f"no release date in the file: the day it landed, {LANDED.isoformat()}, is used"
    text = "株洲市统计月报（2022年8月）\n指标,单位,本月,同比增长(%)\n进出口总额,亿元,28.7,35.2\n"
    r = parse_text(tmp_path, "m.csv", text + "数据来源：株洲市统计局\n", catalog)
    assert r.errors == [] and r.release_date == LANDED and r.notes == [said]
    assert notes_to_show(r.notes) == [said]  # what `pmw ingest` prints after the load
    assert {o.source_ref for o in r.observations} == {"株洲市统计局《株洲市统计月报(2022年8月)》"}
    air = (
        '<html><head><meta charset="utf-8"><title>株洲市2022年6月环境空气质量通报</title></head><body>'
        "<p>2022年6月，市区环境空气质量监测30天，其中优10天，良16天，优良率为86.7%。</p>"
        "<p>发布单位：株洲市生态环境局</p></body></html>"
    )
    r = parse_text(tmp_path, "air.html", air, catalog)
    assert r.errors == [] and r.release_date == LANDED and said in r.notes
    assert {o.source_ref for o in r.observations} == {"株洲市生态环境局《株洲市2022年6月环境空气质量通报》"}
    # a web page's missing date is flagged as the table's is; one it states is not
    assert r.release_date_imputed and {o.release_date_imputed for o in r.observations} == {True}
    dated = parse_text(
        tmp_path, "air2.html", air.replace("<p>发布单位", "<p>发布时间：2022-07-05</p><p>发布单位"), catalog
    )
    assert dated.release_date == date(2022, 7, 5) and not dated.release_date_imputed
    assert {o.release_date_imputed for o in dated.observations} == {False}
