"""A ledger of figures quoted from published sources (indicator, period, value, unit, quote, source), the form
in which the customer handed over its real figures (../shared/reference/published_facts.csv, copied to
data/published_facts.csv): read through the catalogue, periods, units and qualifiers, each row dated by its
source, and what is not a published actual left out with a note. It was "a table of no known layout"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dagster_project.ingest.catalog import load_catalog
from dagster_project.ingest.detect import parse_document
from dagster_project.ingest.document import load_documents
from dagster_project.ingest.validate import validate_observations

REPO = Path(__file__).resolve().parents[2]
FACTS = REPO / "data" / "published_facts.csv"
LANDED = date(2026, 12, 7)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _parse(data: bytes, name: str, catalog):
    (doc,) = load_documents(data, name)
    return parse_document(doc, catalog, default_release_date=LANDED)


def _figures(result) -> dict[tuple, object]:
    return {(o.indicator_code, o.region_code, o.subject_code, o.period_code, o.measure): o for o in result.observations}


def test_the_customers_ledger_of_real_figures_is_read(catalog):
    result = _parse(FACTS.read_bytes(), "published_facts.csv", catalog)
    assert result.adapter == "facts_ledger" and result.errors == []
    assert validate_observations(result.observations, catalog, source_file="published_facts.csv", today=LANDED) == []
    figures = _figures(result)
    # the catalogue's indicator, region, sections, period and measure of each name, period and unit cell
    # (the sample takes its real figures from this reading: scripts/generate_sample_data.py)
    assert figures[("gdp", "430200", "", "2021-01~03", "value")].value == 754.2
    assert figures[("industrial_value_added", "430200", "", "2021-2025", "avg_yoy_pct")].value == 9.4
    assert figures[("air_good_ratio", "430200", "", "2021-12", "value")].value == 67.7
    assert {s for (i, _, s, p, _) in figures if (i, p) == ("water_class", "2021-01")} == {
        f"WS-XJ-{i:02d}" for i in range(1, 8)
    }
    assert figures[("water_class", "430200", "WS-XJ-01", "2021-01", "class")].value == 2.0
    # bounds as published: 跨越200亿元台阶, 突破600家, 优于Ⅱ类
    assert (
        figures[("budget_revenue", "430200", "", "2019", "value")].bound,
        figures[("new_above_scale_units", "430200", "", "2019", "value")].bound,
    ) == ("gt", "gt")
    assert figures[("water_class", "430200", "WS-XJ-04", "2021", "class")].bound == "lt"
    # each row dated by its source: its words, the same source named on another row, its address, its
    # address's month (last day), else the landing day, said
    assert figures[("gdp", "430200", "", "2020-01~03", "value")].release_date == date(2020, 4, 26)
    assert figures[("industrial_value_added", "430200", "", "2019", "yoy_pct")].release_date == date(2020, 1, 7)
    assert figures[("gdp", "430200", "", "2020", "value")].release_date == date(2022, 1, 29)
    assert figures[("hightech_value_added", "430200", "", "2021", "value")].release_date == date(2022, 2, 28)
    assert figures[("gdp", "430200", "", "2021", "value")].release_date == LANDED
    assert any(n.startswith("no release date in the file nor its source for rows 3, 31") for n in result.notes)
    # the landing day is flagged as such (raw's release_date_imputed); a date read from the source or its address
    # is the source's own
    imputed = {k[:4] for k, o in figures.items() if o.release_date_imputed}
    assert ("gdp", "430200", "", "2021") in imputed and ("gdp", "430200", "", "2020") not in imputed
    assert all(o.release_date == LANDED for o in figures.values() if o.release_date_imputed)
    assert result.release_date_imputed == (result.release_date == LANDED)
    # the quote travels with the figure, to trace it back
    assert "初步核算,全市地区生产总值3420.3亿元" in figures[("gdp", "430200", "", "2021", "value")].source_ref
    # as the source wrote it: the mirror's traditional 萬 is read as 万 but cited as written
    assert "「人口(2022) 常住387.11萬人」" in figures[("resident_population", "430200", "", "2022", "value")].source_ref
    # a vintage its quote gives it (初步核算,全市地区生产总值3420.3亿元) is said, as the bulletin's reader says it
    assert "row 31 value: preliminary (初步核算): a later release revises it" in result.notes
    assert not any(n.startswith("row 32 value: preliminary") for n in result.notes)  # its quote has no label
    # not a published actual of a catalogued place: targets, plans, a park's figure; names not tracked
    left_out = next(n for n in result.notes if n.startswith("not loaded, not a published actual"))
    for row in (18, 19, 44, 45, 47, 48):
        assert f"row {row} (" in left_out
    untracked = next(n for n in result.notes if n.startswith("not loaded, not tracked"))
    assert "纳入高新技术产业统计的高新企业数 (row 53)" in untracked and "第二产业增加值 (row 33)" in untracked
    assert not any(o.indicator_code == "hightech_enterprises" for o in result.observations)


LEDGER = "indicator,period,value,unit,quote,source\n"


def test_places_rivers_measures_and_brackets_in_a_ledgers_names(catalog):
    rows = [
        "醴陵市地区生产总值,2022,800.5,亿元,醴陵市地区生产总值800.5亿元,http://example.gov.cn/a (株洲日报 2023-02-01)",
        "市区空气优良率,2022-05,90.3,%,优良率90.3%,http://example.gov.cn/b (2022-06-10)",
        "规模工业增加值增速,2022-01~08,9.1,% 比上年同期,增长9.1%,http://example.gov.cn/c/20220920/1.html",
        "进出口总额(旧口径),2022,600,亿元,进出口总额600亿元,http://example.gov.cn/d (2023-01-20)",
        "进出口总额,2022-08,5.1,% 环比,环比增长5.1%,http://example.gov.cn/e (2022-09-20)",
        "洣水水质类别,2022-08,II,水质类别,洣水水质为Ⅱ类,http://example.gov.cn/f (2022-09-15)",
    ]
    result = _parse((LEDGER + "\n".join(rows) + "\n").encode(), "ledger.csv", catalog)
    assert result.errors == []
    figures = _figures(result)
    assert figures[("gdp", "430281", "", "2022", "value")].value == 800.5  # the place before the name
    assert figures[("air_good_ratio", "430200", "", "2022-05", "value")].release_date == date(2022, 6, 10)
    assert figures[("industrial_value_added", "430200", "", "2022-01~08", "yoy_pct")].value == 9.1
    assert {o.subject_code for o in result.observations if o.indicator_code == "water_class"} == {
        "WS-MS-01",
        "WS-MS-02",
    }
    # the river's class, no section's own: each section's is derived from it, saying so (it was labelled published)
    assert {(o.provenance, o.derived_from) for o in result.observations if o.indicator_code == "water_class"} == {
        ("derived", "洣水: 'II' (row 7), the river's class given to each of its 2 catalogued sections")
    }
    assert {o.provenance for o in result.observations if o.indicator_code != "water_class"} == {"published"}
    # a quote of every section (published_facts.csv row 27: 7个断面均达到Ⅱ类水质) is each section's own: published
    every = "洣水水质类别,2022-09,II,水质类别,2个断面均达到Ⅱ类水质,http://example.gov.cn/g (2022-10-15)"
    each_section = _parse((LEDGER + every + "\n").encode(), "ledger2.csv", catalog)
    assert {(o.provenance, o.derived_from) for o in each_section.observations} == {("published", "")}
    assert not any(o.indicator_code == "trade_total" for o in result.observations)
    notes = " ".join(result.notes)
    assert "(旧口径) may name another measure" in notes and "another period (环比)" in notes


def test_a_ledger_in_chinese_headers_with_a_clerks_own_column(catalog):
    data = (
        "指标,时期,数值,单位,原文,来源,备注\n"
        "地区生产总值,2022,3616.8,亿元,全市地区生产总值3616.8亿元,株洲市统计局 2023-03-20,录入:张\n"
    )
    result = _parse(data.encode("gb18030"), "数据摘录.csv", catalog)
    assert result.adapter == "facts_ledger" and result.errors == []
    (obs,) = result.observations
    assert (obs.value, obs.release_date) == (3616.8, date(2023, 3, 20))
    assert any(n.startswith("column(s) not read: 备注") for n in result.notes)


def test_a_wrong_ledger_row_is_named_by_row_and_column(catalog):
    rows = [
        "地区生产总值,2022年第5季度,900,亿元,…,http://example.gov.cn/a (2023-01-01)",
        "地区生产总值,2022,3616.8,亿元,全市地区生产总值3616.8亿元,",
        "地区生产总值,2022-01~06,,亿元,…,http://example.gov.cn/b (2022-07-20)",
        "地区生产总值,2022-01~09,2600,家,…,http://example.gov.cn/c (2022-10-20)",
    ]
    result = _parse((LEDGER + "\n".join(rows) + "\n").encode(), "ledger.csv", catalog)
    by_row = {e.row: e for e in result.errors}
    assert by_row[2].column == "period"
    assert by_row[3].column == "source" and "needs its source" in by_row[3].reason
    assert by_row[4].column == "value" and "empty" in by_row[4].reason
    assert by_row[5].column == "value" and "家" in by_row[5].reason


def test_a_ledger_with_a_region_column_reads_each_rows_place(catalog):
    data = LEDGER.replace("\n", ",region\n") + (
        "地区生产总值,2022,3616.8,亿元,…,http://example.gov.cn/a (2023-03-20),株洲市\n"
        "地区生产总值,2022,900.1,亿元,…,http://example.gov.cn/b (2023-03-20),攸县\n"
        "地区生产总值,2022,1.0,亿元,…,http://example.gov.cn/c (2023-03-20),火星市\n"
    )
    result = _parse(data.encode(), "ledger.csv", catalog)
    assert {o.region_code for o in result.observations} == {"430200", "430223"}
    (unknown,) = result.errors
    assert unknown.row == 4 and unknown.column == "region" and "火星市" in unknown.reason


def test_a_value_its_quote_does_not_hold_is_read_and_named(catalog):
    rows = [
        "地区生产总值,2022,3616.8,亿元,全市地区生产总值3618.6亿元,http://example.gov.cn/a (2023-03-20)",
        "地区生产总值,2022,-1.5,% 同比增长,同比下降1.5%,http://example.gov.cn/a (2023-03-20)",
        '固定资产投资,2022,"1,234.5",亿元,"固定资产投资1,234.5亿元",http://example.gov.cn/a (2023-03-20)',
    ]
    result = _parse((LEDGER + "\n".join(rows) + "\n").encode(), "ledger.csv", catalog)
    assert len(result.observations) == 3 and result.errors == []
    assert "read, but the value is not in its quote (a typo in one of them?): row 2" in result.notes
    real = _parse(FACTS.read_bytes(), "published_facts.csv", catalog)
    assert not any("not in its quote" in n for n in real.notes)


def test_a_figure_in_yuan_and_in_dollars_is_one_figure_and_a_rank_is_a_rank(catalog):
    rows = [
        "进出口总额,2022-H1,300.5,亿元,上半年进出口总额300.5亿元,http://example.gov.cn/a (2022-07-20)",
        "进出口总额,2022-H1,45.2,亿美元,折合45.2亿美元,http://example.gov.cn/a (2022-07-20)",
        "出口总额,2022-H1,30.1,亿美元,出口30.1亿美元,http://example.gov.cn/a (2022-07-20)",
        "地区生产总值,2022,2,位次,居全省第2位,http://example.gov.cn/b (2023-01-20)",
        "地区生产总值,2022,1,增速位次,增速居全省第1位,http://example.gov.cn/b (2023-01-20)",
    ]
    result = _parse((LEDGER + "\n".join(rows) + "\n").encode(), "ledger.csv", catalog)
    assert result.errors == []
    figures = _figures(result)
    assert figures[("trade_total", "430200", "", "2022-01~06", "value")].value == 300.5  # the yuan figure kept
    assert figures[("exports", "430200", "", "2022-01~06", "value")].source_unit == "亿美元"  # alone: converted
    assert "not loaded, the same figure in another currency beside its own: row 3 (45.2 亿美元)" in result.notes
    assert not any(n.startswith("row 3 value:") for n in result.notes)
    assert figures[("gdp", "430200", "", "2022", "rank")].value == 2
    assert figures[("gdp", "430200", "", "2022", "yoy_rank")].value == 1


def test_a_source_addressed_by_this_month_is_dated_no_later_than_the_day_it_landed(catalog):
    rows = ["地区生产总值,2026-01~09,4000,亿元,地区生产总值4000亿元,http://example.gov.cn/news/202612/1.html"]
    result = _parse((LEDGER + "\n".join(rows) + "\n").encode(), "ledger.csv", catalog)
    (obs,) = result.observations
    assert obs.release_date == LANDED  # 2026-12-07, not 2026-12-31 (a release after today is refused)
    assert validate_observations(result.observations, catalog, source_file="ledger.csv", today=LANDED) == []


def test_a_ledger_kept_in_excel_reads_as_the_csv_does(catalog):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "数据摘录"
    sheet.append(["株洲市公开数据摘录（2023年）"])  # a title above the header
    sheet.append(["指标", "时期", "数值", "单位", "原文", "来源"])
    sheet.append(["地区生产总值", "2022", 3616.8, "亿元", "全市地区生产总值3616.8亿元", "株洲市统计局 2023-03-20"])
    sheet.append(["新增四上企业", "2022", ">600", "家", "新增“四上”企业突破600家", "株洲日报 2023-01-20"])
    data = io.BytesIO()
    book.save(data)
    result = _parse(data.getvalue(), "数据摘录.xlsx", catalog)
    assert result.adapter == "facts_ledger" and result.errors == []
    figures = _figures(result)
    assert figures[("gdp", "430200", "", "2022", "value")].value == 3616.8
    assert figures[("new_above_scale_units", "430200", "", "2022", "value")].bound == "gt"
