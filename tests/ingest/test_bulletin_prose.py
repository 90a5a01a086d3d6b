"""Prose of real 统计公报 and reviews (经济运行情况) that was dropped with no note: each sentence is read (where the
catalogue has its indicator and the period is told) or left out with a note naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.models import ParseResult
from dagster_project.ingest.qualifiers import THRESHOLD_SUFFIXES, THRESHOLD_WORDS

from .test_adapters import parse_bulletin, parse_text


def figures(result) -> set[tuple[str, str, str, float, str]]:
    return {(o.indicator_code, o.period_code, o.measure, o.value, o.unit) for o in result.observations}


def test_a_share_written_with_its_de_or_with_no_name_of_its_own_is_read(tmp_path: Path, catalog: Catalog) -> None:
    # "税收占地方一般公共预算收入的比重为72.3%，比上年提高1.5个百分点" read nothing and said nothing: the catalogue
    # spells the share with no 的; a share after a figure ("…税收收入130.2亿元，…，占…的比重为70.3%") is that figure's
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年税收收入150.2亿元，增长5.1%，税收占地方一般公共预算收入的比重为72.3%，比上年提高1.5个百分点。"
        "全年地方一般公共预算收入占地区生产总值的比重为5.3%。",
    )
    assert r.errors == []
    assert figures(r) == {
        ("tax_revenue", "2023", "value", 150.2, "亿元"),
        ("tax_revenue", "2023", "yoy_pct", 5.1, "%"),
        ("tax_share_budget_revenue", "2023", "value", 72.3, "%"),
        ("tax_share_budget_revenue", "2023", "yoy_pct", 1.5, "百分点"),
        ("budget_revenue_share_gdp", "2023", "value", 5.3, "%"),
    }
    r = parse_bulletin(
        tmp_path, catalog, 2022, "其中税收收入130.2亿元，增长6.1%，占地方一般公共预算收入的比重为70.3%。"
    )
    assert ("tax_share_budget_revenue", "2022", "value", 70.3, "%") in figures(r)
    # a table row says it so too
    assert catalog.resolve_indicator("税收收入占地方一般公共预算收入的比重(%)") == "tax_share_budget_revenue"


def test_a_share_the_catalogue_has_not_is_left_out_naming_it(tmp_path: Path, catalog: Catalog) -> None:
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年高新技术产业增加值占地区生产总值的比重为25.1%，比上年提高0.5个百分点。"
        "全年地区生产总值3616.8亿元，占全省的比重为7.2%。",
    )
    assert figures(r) == {("gdp", "2023", "value", 3616.8, "亿元")}
    expected = (
        "row 1 高新技术产业增加值: not read, 高新技术产业增加值占地区生产总值的比重为25.1%: the catalogue has no share "
        "高新技术产业增加值占地区生产总值比重",
        "row 1 地区生产总值: not read, 地区生产总值占全省的比重为7.2%: the catalogue has no share "
        "地区生产总值占全省比重",
    )
    for note in expected:
        assert note in r.notes, r.notes


def test_a_growth_compared_with_several_places_at_once_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # "分别比全国、全省高1.2和0.8个百分点" after a growth, or in a sentence of its own, was dropped with no note
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市规模以上工业增加值增长8.1%，分别比全国、全省高1.2和0.8个百分点。"
        "全市地区生产总值增长6.3%。增速分别比全国、全省高1.5和0.7个百分点。",
    )
    assert figures(r) == {
        ("industrial_value_added", "2023", "yoy_pct", 8.1, "%"),
        ("gdp", "2023", "yoy_pct", 6.3, "%"),
    }
    assert any(
        "规模以上工业增加值: not read, 分别比全国、全省高1.2和0.8个百分点: a change against" in n for n in r.notes
    )
    why = "not read, a growth compared with other places or periods, with no figure's growth right before it"
    assert f"row 1 增速分别比全国、全省高1.5和0.7个百分点: {why}" in r.notes, r.notes


def test_additions_and_a_running_total_the_catalogue_has_not_are_noted(tmp_path: Path, catalog: Catalog) -> None:
    # "新增市场主体3.2万户，累计达到45.6万户" (no catalogued name) and the 累计 after a catalogued addition
    # ("新增“四上”企业320家，累计达到2100家": no stock of 四上企业 is catalogued) were dropped with no note
    r = parse_bulletin(
        tmp_path, catalog, 2023, "全年新增市场主体3.2万户，累计达到45.6万户。全年新增“四上”企业320家，累计达到2100家。"
    )
    assert figures(r) == {("new_above_scale_units", "2023", "value", 320, "家")}
    for note in (
        "row 1 市场主体: not read, 累计45.6万户: the catalogue has no stock of 市场主体",
        "row 1 新增市场主体: not read, 新增3.2万户: the catalogue has no indicator of new 市场主体 (新增市场主体)",
        "row 1 四上企业: not read, 累计2100家: the catalogue has no stock of 四上企业",
    ):
        assert note in r.notes, r.notes


def test_a_sentence_on_a_span_of_years_reads_only_its_yearly_average_or_total_growth(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "“十三五”期间，…年均增长7.1%" was noted as a span not understood, "十三五时期累计完成投资…" (no comma)
    # dropped with no note; and "2016-2020年，全市地区生产总值增长40.2%" was stored as a yoy_pct of 2016-2020, a
    # level as 5000 亿元 of the span. 十三五 is 2016-2020 (periods.py); a plan not over by the release is a target.
    r = parse_bulletin(
        tmp_path,
        catalog,
        2020,
        "“十三五”期间，全市地区生产总值年均增长7.1%，进出口总额累计增长45.2%。十三五时期累计完成投资5000亿元。"
        "2016-2020年，全市地区生产总值增长40.2%，固定资产投资5000亿元。十三五以来全市地区生产总值增长40.2%。",
    )
    assert r.errors == []
    assert figures(r) == {
        ("gdp", "2016-2020", "avg_yoy_pct", 7.1, "%"),
        ("trade_total", "2016-2020", "cum_pct", 45.2, "%"),
    }
    why = "not read, a figure over 2016-2020 that is no catalogued indicator's 年均增长 or 累计增长"
    for said in ("累计完成投资5000亿元", "全市地区生产总值增长40.2%", "固定资产投资5000亿元"):
        assert f"row 1 {said}: {why}" in r.notes, r.notes
    assert any("its opening names a span of years (十三五以来)" in n for n in r.notes), r.notes
    r = parse_bulletin(tmp_path, catalog, 2023, "“十四五”期间，全市地区生产总值年均增长7.1%。")
    assert r.observations == []
    assert any("the span 2021-2025 is not over in a release of 2023" in n for n in r.notes), r.notes


def test_a_growth_on_a_revised_base_is_read_as_the_years_growth(tmp_path: Path, catalog: Catalog) -> None:
    # "按可比口径增长5.2%" (against last year's figure revised to this year's scope, the office's 同比) was dropped
    # with no note, while "同口径增长" was read
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年地方一般公共预算收入185.3亿元，按可比口径增长5.2%。全年规模以上工业增加值按可比口径计算比上年增长7.7%。"
        "全年税收收入130.2亿元，按同口径计算增长6.1%。",
    )
    assert r.errors == []
    assert figures(r) == {
        ("budget_revenue", "2023", "value", 185.3, "亿元"),
        ("budget_revenue", "2023", "yoy_pct", 5.2, "%"),
        ("industrial_value_added", "2023", "yoy_pct", 7.7, "%"),
        ("tax_revenue", "2023", "value", 130.2, "亿元"),
        ("tax_revenue", "2023", "yoy_pct", 6.1, "%"),
    }


def test_a_change_of_rank_is_noted_and_the_rank_kept(tmp_path: Path, catalog: Catalog) -> None:
    # "排位较上年后移2位" after a fall and its rank was dropped with no note
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年固定资产投资下降3.2%，居全省第10位，排位较上年后移2位。全年地区生产总值增速居全省第3位，比上年前移2位。",
    )
    assert figures(r) == {
        ("fixed_asset_investment", "2023", "yoy_pct", -3.2, "%"),
        ("fixed_asset_investment", "2023", "yoy_rank", 10, "位"),
        ("gdp", "2023", "yoy_rank", 3, "位"),
    }
    why = "not read, a change of rank is no stored figure (the rank itself is read where whose it is is told)"
    for said in ("排位较上年后移2位", "比上年前移2位"):
        assert f"row 1 {said}: {why}" in r.notes, r.notes


def test_levels_sharing_one_verb_are_read_each_under_its_catalogued_name(tmp_path: Path, catalog: Catalog) -> None:
    # "亿元以上项目、市级重大项目分别完成投资500.2亿元、1050.3亿元" read nothing and said nothing: the shared-verb
    # reader took growths only. Each item is read with the verb that names its figure (市级重大项目完成投资), an item
    # the catalogue lacks is noted by name, the growths in the clause after take the list's names, and a count
    # mismatch reads nothing
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年亿元以上项目、市级重大项目分别完成投资500.2亿元、1050.3亿元，分别增长12.1%、8.5%。"
        "全年高新技术产业、规模工业分别实现增加值1043.3亿元、1200.5亿元。"
        "全市和醴陵市地区生产总值分别为3616.8亿元、800.5亿元，分别居全省第3、12位。"
        "全年地区生产总值、进出口总额、固定资产投资分别为3616.8亿元、450.1亿元。",
    )
    assert r.errors == []
    assert figures(r) == {
        ("major_project_investment", "2023", "value", 1050.3, "亿元"),
        ("major_project_investment", "2023", "yoy_pct", 8.5, "%"),
        ("hightech_value_added", "2023", "value", 1043.3, "亿元"),
        ("industrial_value_added", "2023", "value", 1200.5, "亿元"),
        ("gdp", "2023", "value", 3616.8, "亿元"),
        ("gdp", "2023", "value", 800.5, "亿元"),
        ("gdp", "2023", "rank", 3, "位"),
        ("gdp", "2023", "rank", 12, "位"),
    }
    assert {o.region_code for o in r.observations if o.value in (800.5, 12)} == {"430281"}
    for note in (
        "row 1 亿元以上项目完成投资: not read, 500.2亿元: the catalogue has no 亿元以上项目完成投资",
        "row 1 全年地区生产总值、进出口总额、固定资产投资分别为3616.8亿元、450.1亿元: not read, "
        "3 names sharing one verb and 2 values",
    ):
        assert note in r.notes, r.notes


def test_a_period_named_after_the_name_is_the_sentences_as_if_said_first(tmp_path: Path, catalog: Catalog) -> None:
    # "全市地区生产总值“十三五”期间年均增长7.1%" and a review's "全市规模以上工业增加值上半年同比增长6.1%" were dropped
    # with no note: the span and period readers saw a period only at the sentence's start. In the first clause it is
    # the sentence's period; in a later one, or followed by what no opening form has (以来), it is noted
    r = parse_bulletin(
        tmp_path,
        catalog,
        2020,
        "全市地区生产总值“十三五”期间年均增长7.1%，进出口总额累计增长45.2%。全市地区生产总值十三五以来增长40.2%。"
        "全年地区生产总值3105.8亿元，进出口总额“十三五”期间累计增长45.2%。"
        "全年地区生产总值增长4.1%，“十三五”期间年均增长7.1%。年末全市“四上”企业2100家，比上年新增320家。",
    )
    assert r.errors == []
    assert figures(r) == {
        ("gdp", "2016-2020", "avg_yoy_pct", 7.1, "%"),
        ("trade_total", "2016-2020", "cum_pct", 45.2, "%"),
        ("gdp", "2020", "value", 3105.8, "亿元"),
        ("gdp", "2020", "yoy_pct", 4.1, "%"),
        ("new_above_scale_units", "2020", "value", 320, "家"),
    }
    why = "whose figures it is the period of cannot be told"
    for note in (
        f"row 1: not read, 十三五 after 地区生产总值: {why}: 全市地区生产总值十三五以来增长40.2%",
        f"row 1: not read, 十三五期间 after 进出口总额: {why}: 全年地区生产总值3105.8亿元,进出口",
        "row 1 地区生产总值: not read, 十三五期间年均增长7.1%: a multi-year average, no one year's growth",
    ):
        assert note in r.notes, r.notes
    page = (
        "<html><head><title>2023年上半年株洲市经济运行情况</title></head><body><p>发布时间：2023年7月20日</p>"
        "<p>全市规模以上工业增加值一季度同比增长6.1%。全市地区生产总值1-5月同比增长5.5%。</p></body></html>"
    )
    r = parse_text(tmp_path, "rv.html", page, catalog)
    assert figures(r) == {
        ("industrial_value_added", "2023-01~03", "yoy_pct", 6.1, "%"),
        ("gdp", "2023-01~05", "yoy_pct", 5.5, "%"),
    }


def test_an_estimate_is_read_as_an_estimate_wherever_its_word_stands(tmp_path: Path, catalog: Catalog) -> None:
    # "预计全年地区生产总值增长8%左右" and "预计前三季度全市…" were dropped with no note (预计 could not open a figure's
    # clause), and "全市地区生产总值预计增长5%左右" was stored as a final figure (the label was looked for before the
    # name only). Each is an estimate: labelled 预计, kept as approximate, revised by a later release
    r = parse_bulletin(tmp_path, catalog, 2023, "预计全年地区生产总值增长8%左右。全市进出口总额预计增长5%。")
    assert figures(r) == {("gdp", "2023", "yoy_pct", 8, "%"), ("trade_total", "2023", "yoy_pct", 5, "%")}
    assert {(o.source_value, o.bound) for o in r.observations} == {("8左右(预计)", "approx"), ("5(预计)", "approx")}
    page = (
        "<html><head><title>株洲市2023年1-9月份经济运行情况</title></head><body><p>发布时间：2023年10月20日</p>"
        "<p>预计前三季度全市地区生产总值增长5%左右。</p></body></html>"
    )
    r = parse_text(tmp_path, "rv.html", page, catalog)
    [gdp] = r.observations
    assert (gdp.period_code, gdp.measure, gdp.source_value) == ("2023-01~09", "yoy_pct", "5左右(预计)")
    assert "row 1 地区生产总值增长: estimate (预计): a later release revises it" in r.notes, r.notes


def test_a_parks_figure_in_a_city_sentence_is_noted_not_dropped(tmp_path: Path, catalog: Catalog) -> None:
    # "株洲高新区实现地区生产总值650.2亿元" and "其中，株洲高新区新增“四上”企业109家" were dropped with no note: a
    # park's name could not open a figure's clause. No region holds a park's figure, and it must not become the city's
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年株洲高新区实现地区生产总值650.2亿元，增长6.5%。全年新增“四上”企业320家。其中，株洲高新区新增“四上”企业109家。"
        "全年全市园区技工贸总收入4000.1亿元。",
    )
    assert figures(r) == {
        ("new_above_scale_units", "2023", "value", 320, "家"),
        ("park_revenue", "2023", "value", 4000.1, "亿元"),
    }
    why = "not read, a figure of a park, of several places or of the urban districts"
    for column in ("地区生产总值", "地区生产总值增长", "新增四上企业"):
        assert f"row 1 {column}: {why}" in r.notes, r.notes


def test_a_growth_after_a_level_in_yuan_and_in_dollars_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # "进出口总额210.5亿元，折合30.1亿美元，同比增长10.2%" dropped the growth with no note (折合 stood between the level
    # and it): customs publishes growths in yuan and in dollar terms, which differ, and which this is cannot be told
    r = parse_bulletin(tmp_path, catalog, 2023, "全年全市进出口总额210.5亿元，折合30.1亿美元，同比增长10.2%。")
    assert figures(r) == {("trade_total", "2023", "value", 210.5, "亿元")}
    for note in (
        "row 1 进出口总额: not read, 折合30.1亿美元: the level restated in another currency",
        "row 1 进出口总额增长: not read, a growth after 210.5亿元,折合30.1亿美元: "
        "in which currency's terms cannot be told",
    ):
        assert note in r.notes, r.notes


def test_a_growths_change_against_other_periods_or_a_year_earlier_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # after a growth, "比一季度、上半年分别加快0.5、0.2个百分点" and "比上年同期提高2.0个百分点" (the change of the
    # growth rate, in points) were dropped with no note; the growth before them is read, and a rank after them is its
    page = (
        "<html><head><title>株洲市2023年1-9月份经济运行情况</title></head><body><p>发布时间：2023年10月20日</p>"
        "<p>全市规模以上工业增加值同比增长6.8%，比一季度、上半年分别加快0.5、0.2个百分点，居全省第3位。"
        "全市固定资产投资同比增长5.1%，比上年同期提高2.0个百分点。</p></body></html>"
    )
    r = parse_text(tmp_path, "rv.html", page, catalog)
    assert figures(r) == {
        ("industrial_value_added", "2023-01~09", "yoy_pct", 6.8, "%"),
        ("industrial_value_added", "2023-01~09", "yoy_rank", 3, "位"),
        ("fixed_asset_investment", "2023-01~09", "yoy_pct", 5.1, "%"),
    }
    against = "a change against another period or place, or of a growth rate, is no growth"
    for note in (
        f"row 1 规模以上工业增加值: not read, 比一季度、上半年分别加快0.5、0.2个百分点: {against}",
        "row 1 固定资产投资: not read, 比上年同期提高2.0个百分点 after a growth in %: the change of the growth rate, "
        "no growth",
    ):
        assert note in r.notes, r.notes


def test_a_threshold_after_a_growth_is_the_figures_level_as_a_bound(tmp_path: Path, catalog: Catalog) -> None:
    # the 2020 政府工作报告's "地方一般公共预算收入增6.1%…跨越200亿元台阶" (published_facts: >200 亿元 in 2019): the
    # threshold clause after the growth named nothing and was dropped with no note. It is the figure's level, a
    # bound; after a level given exactly it only restates it (noted)
    r = parse_bulletin(
        tmp_path,
        catalog,
        2019,
        "全年地方一般公共预算收入增长6.1%，跨越200亿元台阶。全年地区生产总值增长8%，总量迈上3000亿元台阶，居全省第5位。"
        "全年进出口总额300.5亿元，增长10%，突破300亿元大关。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.measure, o.value, o.bound) for o in r.observations}
    assert got == {
        ("budget_revenue", "yoy_pct", 6.1, "eq"),
        ("budget_revenue", "value", 200, "gt"),
        ("gdp", "yoy_pct", 8, "eq"),
        ("gdp", "value", 3000, "ge"),
        ("gdp", "rank", 5, "eq"),
        ("trade_total", "value", 300.5, "eq"),
        ("trade_total", "yoy_pct", 10, "eq"),
    }
    assert "row 1 进出口总额: not read, 突破300亿元大关: restates its level as a bound" in r.notes, r.notes


def test_a_later_clause_with_a_period_and_no_name_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # "全市固定资产投资一季度增长5.5%，上半年增长4.1%" and "…增长5.2%，其中二季度增长6.0%" dropped the second growth
    # with no note: its clause names a period of its own and no figure (the name before it was said for another)
    page = (
        "<html><head><title>2023年上半年株洲市经济运行情况</title></head><body><p>发布时间：2023年7月20日</p>"
        "<p>全市固定资产投资一季度增长5.5%，上半年增长4.1%。"
        "上半年，全市地区生产总值1780.5亿元，增长5.2%，其中二季度增长6.0%。</p></body></html>"
    )
    r = parse_text(tmp_path, "rv.html", page, catalog)
    assert figures(r) == {
        ("fixed_asset_investment", "2023-01~03", "yoy_pct", 5.5, "%"),
        ("gdp", "2023-01~06", "value", 1780.5, "亿元"),
        ("gdp", "2023-01~06", "yoy_pct", 5.2, "%"),
    }
    why = "not read, a clause opening with a period of its own names no figure it is of"
    for clause in ("上半年增长4.1%", "其中二季度增长6.0%"):
        assert f"row 1 {clause}: {why}" in r.notes, r.notes


def test_a_districts_growth_compared_with_the_citys_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # "醴陵市规模以上工业增加值增长8.2%，高于全市1.4个百分点" dropped the comparison with no note (only 全省 and 全国
    # were known); a rank after it ranks the growth, as after a comparison with the province
    r = parse_bulletin(tmp_path, catalog, 2023, "醴陵市规模以上工业增加值增长8.2%，高于全市1.4个百分点，居全省第3位。")
    assert figures(r) == {
        ("industrial_value_added", "2023", "yoy_pct", 8.2, "%"),
        ("industrial_value_added", "2023", "yoy_rank", 3, "位"),
    }
    assert {o.region_code for o in r.observations} == {"430281"}
    assert any("规模以上工业增加值: not read, 高于全市1.4个百分点: a change against" in n for n in r.notes), r.notes


def test_a_change_of_rank_against_another_period_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # a review's "增速居全省第2位，比一季度前移1位" dropped the change with no note (only 比上年 was known)
    page = (
        "<html><head><title>2023年上半年株洲市经济运行情况</title></head><body><p>发布时间：2023年7月20日</p>"
        "<p>全市规模工业增加值增速居全省第2位，比一季度前移1位。</p></body></html>"
    )
    r = parse_text(tmp_path, "rv.html", page, catalog)
    assert figures(r) == {("industrial_value_added", "2023-01~06", "yoy_rank", 2, "位")}
    why = "not read, a change of rank is no stored figure (the rank itself is read where whose it is is told)"
    assert f"row 1 比一季度前移1位: {why}" in r.notes, r.notes


def test_a_growth_rate_as_last_years_is_noted_not_read_as_no_growth(tmp_path: Path, catalog: Catalog) -> None:
    # "地区生产总值增速与上年持平" (the growth rate as last year's) was dropped with no note, alone or after a growth;
    # it is no growth of 0, as "与上年持平" of the figure itself is
    r = parse_bulletin(
        tmp_path,
        catalog,
        2022,
        "全年全市地区生产总值增速与上年持平。全年规模以上工业增加值增长4.5%，增速与上年持平。全年固定资产投资与上年持平。",
    )
    assert figures(r) == {
        ("industrial_value_added", "2022", "yoy_pct", 4.5, "%"),
        ("fixed_asset_investment", "2022", "yoy_pct", 0, "%"),
    }
    for note in (
        "row 1 地区生产总值: not read, 增速与上年持平: a change against another period or place, or of a growth rate, "
        "is no growth",
        "row 1 规模以上工业增加值: not read, 增速与上年持平 after a growth in %: the change of the growth rate, "
        "no growth",
    ):
        assert note in r.notes, r.notes


def test_what_stands_between_a_level_and_its_growth_or_the_next_figure_is_read_past(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "迈上3600亿元新台阶，增长4.5%" and "3616.8亿元、增长4.5%" dropped the growth with no note (新台阶 and 、 stood
    # between the level and it), and "3616.8亿元、进出口总额450.1亿元" the second figure (a name after 、)
    r = parse_bulletin(
        tmp_path,
        catalog,
        2022,
        "全市地区生产总值迈上3600亿元新台阶，增长4.5%。全年实现税收收入130.2亿元、增长6.1%。"
        "全年地方一般公共预算收入210.5亿元、进出口总额450.1亿元。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.measure, o.value, o.bound) for o in r.observations}
    assert got == {
        ("gdp", "value", 3600, "ge"),
        ("gdp", "yoy_pct", 4.5, "eq"),
        ("tax_revenue", "value", 130.2, "eq"),
        ("tax_revenue", "yoy_pct", 6.1, "eq"),
        ("budget_revenue", "value", 210.5, "eq"),
        ("trade_total", "value", 450.1, "eq"),
    }


def test_additions_and_a_total_given_as_bounds_are_read_as_bounds(tmp_path: Path, catalog: Catalog) -> None:
    # "全市新增高新技术企业300家以上，总数突破1000家" was dropped with no note: an addition with 以上 after its unit did
    # not open the additions-and-total reader. The total is the stock's bound (the 政府工作报告's 突破1000家 target);
    # the additions the catalogue has no indicator of are noted
    r = parse_bulletin(
        tmp_path,
        catalog,
        2022,
        "全市新增高新技术企业300家以上，总数突破1000家。全年新增“四上”企业600家以上，累计达到2100家左右。",
    )
    got = {(o.indicator_code, o.value, o.bound) for o in r.observations}
    assert got == {("hightech_enterprises", 1000, "gt"), ("new_above_scale_units", 600, "ge")}
    for note in (
        "row 1 新增高新技术企业: not read, 新增300家以上: the catalogue has no indicator of new 高新技术企业 "
        "(新增高新技术企业)",
        "row 1 四上企业: not read, 累计2100家左右: the catalogue has no stock of 四上企业",
    ):
        assert note in r.notes, r.notes


def test_a_month_on_month_change_after_the_years_growth_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # a 月度 release's "同比增长8.2%，环比增长0.5%" dropped the 环比 with no note (it was noted only before the 同比)
    page = (
        "<html><head><title>株洲市2023年1-5月份经济运行情况</title></head><body><p>发布时间：2023年6月20日</p>"
        "<p>5月份，全市规模工业增加值同比增长8.2%，环比增长0.5%。</p></body></html>"
    )
    r = parse_text(tmp_path, "rv.html", page, catalog)
    assert figures(r) == {("industrial_value_added", "2023-05", "yoy_pct", 8.2, "%")}
    assert any("规模工业增加值: not read, 环比增长0.5%: a change against" in n for n in r.notes), r.notes


def test_a_growth_after_the_share_of_the_plan_or_budget_is_read(tmp_path: Path, catalog: Catalog) -> None:
    # the 财政 phrasing "完成95.3亿元，占年度预算的45.2%，同比增长5.5%" dropped the growth with no note: the share
    # stood between the level and it. The growth is read; the share is the plan's (read) or the budget's (noted)
    page = (
        "<html><head><title>株洲市2023年1-5月份经济运行情况</title></head><body><p>发布时间：2023年6月20日</p>"
        "<p>全市地方一般公共预算收入完成95.3亿元，占年度预算的45.2%，同比增长5.5%。"
        "全市市级重大项目完成投资450.3亿元，完成年度计划的45.2%，同比增长10.5%。</p></body></html>"
    )
    r = parse_text(tmp_path, "rv.html", page, catalog)
    assert figures(r) == {
        ("budget_revenue", "2023-01~05", "value", 95.3, "亿元"),
        ("budget_revenue", "2023-01~05", "yoy_pct", 5.5, "%"),
        ("major_project_investment", "2023-01~05", "value", 450.3, "亿元"),
        ("major_project_investment", "2023-01~05", "yoy_pct", 10.5, "%"),
        ("major_project_investment", "2023-01~05", "plan_share_pct", 45.2, "%"),
    }
    why = "not read, 占年度预算的45.2%: a share of the budget, not of the year's plan"
    assert f"row 1 地方一般公共预算收入: {why}" in r.notes, r.notes


def test_the_levels_and_the_growths_ranks_joined_by_a_comma_of_enumeration_are_read(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "总量居全省第3位、增速居全省第2位" (the two ranks in one clause, joined by 、) was dropped with no note
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年全市实现进出口总额450.1亿元，同比增长25.3%，增速高于全省10.2个百分点，总量居全省第3位、增速居全省第2位。",
    )
    assert figures(r) == {
        ("trade_total", "2023", "value", 450.1, "亿元"),
        ("trade_total", "2023", "yoy_pct", 25.3, "%"),
        ("trade_total", "2023", "rank", 3, "位"),
        ("trade_total", "2023", "yoy_rank", 2, "位"),
    }


def test_a_running_total_after_a_stocks_additions_is_read_as_the_stock(tmp_path: Path, catalog: Catalog) -> None:
    # "国家级专精特新“小巨人”企业新增10家，累计达到48家" noted the additions and dropped the total (the target's
    # figure) with no note: only "新增X10家，累计…" (新增 first) read a total
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年国家级专精特新“小巨人”企业新增10家，累计达到48家。全年上市企业新增3家，总数达到25家以上。",
    )
    got = {(o.indicator_code, o.value, o.bound) for o in r.observations}
    assert got == {("little_giants_national", 48, "eq"), ("listed_companies", 25, "ge")}
    assert any("国家级专精特新小巨人企业: not read, 新增10家: a change of the stock" in n for n in r.notes), r.notes


def test_a_places_figure_with_no_name_after_the_citys_is_that_places(tmp_path: Path, catalog: Catalog) -> None:
    # "规模以上工业增加值增长7.1%，其中，天元区增长9.2%，醴陵市增长8.1%" dropped the places' growths with no note: their
    # clauses name no figure. Each is the figure before it, for its own place (never the city's); a park's is noted
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年全市规模以上工业增加值增长7.1%，其中，天元区增长9.2%，醴陵市增长8.1%，株洲高新区增长10.2%。"
        "全年全市地区生产总值3616.8亿元，其中，醴陵市实现800.5亿元。",
    )
    got = {(o.indicator_code, o.region_code, o.measure, o.value) for o in r.observations}
    assert got == {
        ("industrial_value_added", "430200", "yoy_pct", 7.1),
        ("industrial_value_added", "430211", "yoy_pct", 9.2),
        ("industrial_value_added", "430281", "yoy_pct", 8.1),
        ("gdp", "430200", "value", 3616.8),
        ("gdp", "430281", "value", 800.5),
    }
    why = "not read, a figure of a park, of several places or of the urban districts"
    assert f"row 1 规模以上工业增加值增长: {why}" in r.notes, r.notes


def test_a_period_right_before_a_name_with_no_comma_is_the_sentences(tmp_path: Path, catalog: Catalog) -> None:
    # 株洲日报's "一季度地区生产总值(GDP)630.3亿，按可比价格计算，同比下降3.3%" (published_facts, 2020-Q1) was dropped
    # with no note: a period opened a sentence only before a comma, 全市 or a span's 累计. A year so named in a review
    # is still its clause's year (noted), not the review's period
    page = (
        "<html><head><title>2020年一季度株洲市经济运行情况</title></head><body><p>发布时间：2020年4月26日</p>"
        "<p>一季度地区生产总值(GDP)630.3亿，按可比价格计算，同比下降3.3%。2019年地区生产总值3003.1亿元。</p>"
        "</body></html>"
    )
    r = parse_text(tmp_path, "rv.html", page, catalog)
    assert figures(r) == {
        ("gdp", "2020-01~03", "value", 630.3, "亿元"),
        ("gdp", "2020-01~03", "yoy_pct", -3.3, "%"),
    }
    assert "row 1 地区生产总值: not read, its clause names the year 2019, not the review's period" in r.notes


LEFT = "not read, no catalogued indicator or pattern: "


def left_note(result) -> str:
    """The release's one note listing the clauses whose figures no reader took ('' when there is none)."""
    return next((n for n in result.notes if n.startswith(LEFT)), "")


def test_a_figure_no_pattern_reads_is_named_in_the_releases_one_note(tmp_path: Path, catalog: Catalog) -> None:
    # each of these was dropped with no word: a name the catalogue lacks (第一产业增加值, 人均GDP, 进口), and a
    # second rank with no 总量/增速 to say whose it is (the clause was passed over whole)
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年第一产业增加值210.5亿元，增长3.6%。全市人均GDP87852元。全年出口总额300.2亿元，增长5.1%，进口下降3.1%。"
        "全年全市地区生产总值3616.8亿元，总量居全省第3位、居全省第2位。",
    )
    assert r.errors == []
    assert figures(r) == {
        ("exports", "2023", "value", 300.2, "亿元"),
        ("exports", "2023", "yoy_pct", 5.1, "%"),
        ("gdp", "2023", "value", 3616.8, "亿元"),
    }
    assert left_note(r) == (
        LEFT + 'row 1 "全年第一产业增加值210.5亿元,增长3.6%"; row 1 "全市人均GDP87852元"; row 1 "进口下降3.1%"; '
        'row 1 "总量居全省第3位、居全省第2位"'
    ), r.notes
    assert sum(n.startswith(LEFT) for n in r.notes) == 1  # one note for the release, not one a clause
    from dagster_project.ingest.pipeline import notes_to_show

    assert left_note(r) in notes_to_show(r.notes)  # and `pmw ingest` prints it: a word the person who loads it sees


def test_a_figure_written_in_words_no_pattern_reads_is_named_too(tmp_path: Path, catalog: Catalog) -> None:
    # shares, thresholds and doublings written in words (六成, 千亿元, 翻一番, 百分之三十) were dropped with no word:
    # the figure tokens were digits only; words that are no figure (第一产业, 十四五, 一季度, 一家一户) stay silent
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年民营经济增加值占全市地区生产总值的比重超过六成。全市工业总产值迈上千亿元台阶。"
        "全年外贸进出口总额较2020年翻一番。高新技术企业数量占比达到百分之三十。"
        "一季度第一产业发展良好，“十四五”规划惠及千家万户、一家一户。全年地区生产总值3616.8亿元，增长4.3%。",
    )
    assert r.errors == []
    assert figures(r) == {("gdp", "2023", "value", 3616.8, "亿元"), ("gdp", "2023", "yoy_pct", 4.3, "%")}
    assert left_note(r) == (
        LEFT + 'row 1 "全年民营经济增加值占全市地区生产总值的比重超过六成"; row 1 "全市工业总产值迈上千亿元台阶"; '
        'row 1 "全年外贸进出口总额较2020年翻一番"; row 1 "高新技术企业数量占比达到百分之三十"'
    ), r.notes


def test_a_sentence_whose_every_figure_is_read_or_noted_gives_no_such_note(tmp_path: Path, catalog: Catalog) -> None:
    # years, dates, ordinals in names (第一产业 named with no figure), a span's name and counts read are no figure left
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "初步核算，2023年全市地区生产总值3616.8亿元，比上年增长4.3%，总量居全省第3位，增速居全省第2位。"
        "全年规模以上工业增加值比上年增长9.1%，第一产业发展良好。“十四五”以来，全市地区生产总值年均增长6.5%。"
        "全年进出口总额300.5亿元，增长10%，突破300亿元大关。",
    )
    assert r.errors == []
    assert {("gdp", "2023", "rank", 3.0, "位"), ("gdp", "2023", "yoy_rank", 2.0, "位")} <= figures(r)
    assert left_note(r) == "", r.notes


def test_an_air_bulletins_figure_no_pattern_reads_is_named_and_the_days_behind_its_ratio_are_not(
    tmp_path: Path, catalog: Catalog
) -> None:
    # 轻度污染2天 was dropped with no word; 监测30天, 优6天 and 良22天 are the days the ratio is checked against
    r = parse_text(
        tmp_path,
        "air.html",
        "<html><head><title>株洲市2024年4月环境空气质量通报</title></head><body><p>发布时间：2024-05-08</p>"
        "<p>2024年4月，市区环境空气质量监测30天，其中优6天，良22天，轻度污染2天，优良率为93.3%，较上年同期上升3.3个百分点；"
        "PM2.5平均浓度为32微克/立方米。</p></body></html>",
        catalog,
    )
    assert r.errors == [] and len(r.observations) == 3
    assert left_note(r) == LEFT + 'row 1 "轻度污染2天"', r.notes


def test_a_water_bulletins_count_of_sections_is_checked_against_its_table(tmp_path: Path, catalog: Catalog) -> None:
    # "全市地表水水质监测断面2个" was neither read nor checked: the table's rows are the sections it counts
    def water(count: int) -> ParseResult:
        return parse_text(
            tmp_path,
            "w.html",
            "<html><head><title>株洲市2023年7月地表水监测月报</title></head><body><p>发布时间：2023-08-10</p>"
            f"<p>2023年7月，全市地表水水质监测断面{count}个，监测结果如下表。</p>"
            "<table><tr><th>断面</th><th>所在县市区</th><th>水质类别</th></tr>"
            "<tr><td>湘江株洲段断面1（示意）</td><td>渌口区</td><td>Ⅱ类</td></tr>"
            "<tr><td>湘江株洲段断面2（示意）</td><td>渌口区</td><td>Ⅲ类</td></tr></table>"
            "<p>城镇集中式饮用水水源地水质达标率为100%。</p></body></html>",
            catalog,
        )

    r = water(2)
    assert r.errors == [] and len(r.observations) == 3 and r.notes == [], r.notes
    r = water(3)
    assert r.errors == [] and len(r.observations) == 3
    assert r.notes == ["row 1 监测断面: 3 sections monitored, and the table lists 2: sections missing from the table?"]


def test_a_threshold_restating_the_level_leaves_the_growth_and_rank_after_it_read(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "3616.8亿元，迈上3600亿元新台阶，比上年增长4.5%，总量居全省第3位": the restatement was noted, and the growth and
    # rank after it dropped as clauses of no catalogued indicator (with 新台阶 the restatement was not even noted)
    r = parse_bulletin(
        tmp_path,
        catalog,
        2022,
        "全市地区生产总值3616.8亿元，迈上3600亿元新台阶，比上年增长4.5%，总量居全省第3位。"
        "全年地方一般公共预算收入210.5亿元，突破200亿元，增长6.1%。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.measure, o.value, o.bound) for o in r.observations}
    assert got == {
        ("gdp", "value", 3616.8, "eq"),
        ("gdp", "yoy_pct", 4.5, "eq"),
        ("gdp", "rank", 3, "eq"),
        ("budget_revenue", "value", 210.5, "eq"),
        ("budget_revenue", "yoy_pct", 6.1, "eq"),
    }
    assert any("迈上3600亿元新台阶: restates its level as a bound" in n for n in r.notes)
    assert not any("no catalogued indicator" in n for n in r.notes)


def test_a_place_written_without_its_shi_or_xian_is_that_place(tmp_path: Path, catalog: Catalog) -> None:
    # "一季度，株洲规模工业增加值增长11.8%" (株洲日报) and "醴陵规模工业增加值增长9.0%" were left unread: the prose
    # readers knew places by their full names only (株洲市, 醴陵市); a zone named after a place stays a zone
    r = parse_bulletin(
        tmp_path,
        catalog,
        2022,
        "全年株洲规模工业增加值增长8.0%。醴陵规模工业增加值增长9.0%，茶陵地区生产总值182.3亿元。"
        "株洲新区税收收入增长5.8%。",
    )
    assert r.errors == []
    read = {(o.indicator_code, o.region_code, o.measure): o.value for o in r.observations}
    assert read == {
        ("industrial_value_added", "430200", "yoy_pct"): 8.0,
        ("industrial_value_added", "430281", "yoy_pct"): 9.0,
        ("gdp", "430224", "value"): 182.3,
    }
    assert any("税收收入增长: not read, a figure of a park" in n for n in r.notes), r.notes


def test_a_running_total_said_with_leiji_dadao_is_read(tmp_path: Path, catalog: Catalog) -> None:
    # "全市上市企业累计达到21家" was left unread ("达到21家" was read): 累计 stood between the name and its verb
    r = parse_bulletin(tmp_path, catalog, 2022, "年末全市上市企业累计达到21家。规模工业增加值累计增长9.1%。")
    assert r.errors == []
    assert [(o.indicator_code, o.region_code, o.measure, o.value) for o in r.observations] == [
        ("listed_companies", "430200", "value", 21.0)
    ]
    # 累计增长 may span years: still not read, and said
    assert any("规模工业增加值累计增长9.1%" in n for n in r.notes), r.notes


def test_a_growth_after_a_bare_zeng_is_read(tmp_path: Path, catalog: Catalog) -> None:
    # "地方一般公共预算收入增 6.1%" (2020年株洲市政府工作报告) was noted, not read: only 增长/提高/增加/上升
    # led a growth
    r = parse_bulletin(tmp_path, catalog, 2019, "全年地方一般公共预算收入增 6.1%，规模工业增加值增8.6%。")
    assert r.errors == []
    read = {(o.indicator_code, o.measure): o.value for o in r.observations}
    assert read == {("budget_revenue", "yoy_pct"): 6.1, ("industrial_value_added", "yoy_pct"): 8.6}


def test_a_threshold_the_city_crossed_first_or_second_in_the_province_bounds_the_level(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "…收入增 6.1%，在全省第二个跨越 200 亿元台阶" (2020年株洲市政府工作报告) left the bound unread: only a
    # threshold opening its clause was the figure's
    r = parse_bulletin(tmp_path, catalog, 2019, "全年地方一般公共预算收入增长6.1%，在全省第二个跨越200亿元台阶。")
    assert r.errors == []
    read = {(o.indicator_code, o.measure): (o.value, o.bound) for o in r.observations}
    assert read == {("budget_revenue", "yoy_pct"): (6.1, "eq"), ("budget_revenue", "value"): (200.0, "gt")}


def test_the_national_little_giants_named_without_qiye_are_read(tmp_path: Path, catalog: Catalog) -> None:
    # "国家级专精特新小巨人38家" (株洲市2021年1-8月份经济运行情况) was noted, not read: the catalogue's names all end
    # in 企业; the provincial list beside it is another measure and stays unread
    r = parse_text(
        tmp_path,
        "a.html",
        "<html><head><title>株洲市2021年1-8月份经济运行情况</title></head><body><p>发布时间：2021-09-06　来源："
        "株洲市统计局</p><p>全市省级专精特新小巨人企业129家,国家级专精特新小巨人38家。</p></body></html>",
        catalog,
    )
    assert r.errors == []
    assert [(o.indicator_code, o.period_code, o.value) for o in r.observations] == [
        ("little_giants_national", "2021-08", 38.0)
    ]


def test_a_count_written_before_the_name_it_counts_is_read(tmp_path: Path, catalog: Catalog) -> None:
    # "全市拥有11家上市公司" (the 2021 news quote of published_facts) and "新增120家“四上”企业" were noted as no
    # catalogued indicator: a figure was read only where the name came before its number
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "年末全市拥有11家上市公司。全年新增120家“四上”企业。全市共有国家级专精特新“小巨人”企业40家以上。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.region_code, o.value, o.bound) for o in r.observations}
    assert got == {
        ("listed_companies", "430200", 11, "eq"),
        ("new_above_scale_units", "430200", 120, "eq"),
        ("little_giants_national", "430200", 40, "ge"),
    }
    assert left_note(r) == "", r.notes


def test_a_count_before_a_name_that_is_not_its_stated_figure_is_not_read(tmp_path: Path, catalog: Catalog) -> None:
    # the catalogue has no additions of 高新技术企业 (a stock), no 上市公司 in 个; a count naming the subject of
    # another figure ("11家上市公司实现营业收入…") or after a verb not understood (涌现了) states no count
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年新增12家高新技术企业。全市拥有11个上市公司。全市11家上市公司实现营业收入500亿元。"
        "全市涌现了5家百亿企业、11家上市公司。",
    )
    assert r.errors == [] and r.observations == []
    for note in (
        "row 1 高新技术企业: not read, 全年新增12家高新技术企业: a change of the stock, and the catalogue has no "
        "新增高新技术企业",
        "row 1 上市公司: not read, 全市拥有11个上市公司: the catalogue has no 上市公司 in 个 nor a unit it converts to",
    ):
        assert note in r.notes, r.notes
    assert left_note(r) == (
        LEFT + 'row 1 "全市11家上市公司实现营业收入500亿元"; row 1 "全市涌现了5家百亿企业、11家上市公司"'
    ), r.notes


def test_a_verb_before_the_name_reads_the_running_count_it_reached(tmp_path: Path, catalog: Catalog) -> None:
    # "获评国家级专精特新“小巨人”企业达38家" (株洲日报 2022-02, published_facts) and "认定高新技术企业突破1000家"
    # were noted as no catalogued indicator: 获评 / 认定 stood between the opening and the name
    r = parse_bulletin(
        tmp_path, catalog, 2022, "全市获评国家级专精特新“小巨人”企业达38家，认定高新技术企业突破1000家。"
    )
    assert r.errors == []
    got = {(o.indicator_code, o.value, o.bound) for o in r.observations}
    assert got == {("little_giants_national", 38, "eq"), ("hightech_enterprises", 1000, "gt")}
    assert left_note(r) == "", r.notes


def test_a_verb_before_the_name_that_may_count_a_years_batch_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # 认定 / 获评 with a bare number, in the year (全年), or 新认定 may be the year's certifications, not the stock
    r = parse_bulletin(
        tmp_path,
        catalog,
        2022,
        "全年认定高新技术企业300家。获评国家级专精特新小巨人企业5家。全市新认定高新技术企业突破300家。",
    )
    assert r.errors == [] and r.observations == []
    why = "a year's (or a batch's) {} or the running count of {} cannot be told"
    for said, verb, name in (
        ("全年认定高新技术企业300家", "认定", "高新技术企业"),
        ("获评国家级专精特新小巨人企业5家", "获评", "国家级专精特新小巨人企业"),
        ("全市新认定高新技术企业突破300家", "认定", "高新技术企业"),
    ):
        assert f"row 1 {name}: not read, {said}: {why.format(verb, name)}" in r.notes, r.notes


def test_a_places_additions_after_the_citys_are_that_places_additions(tmp_path: Path, catalog: Catalog) -> None:
    # "全市新增…109家，其中，天元区新增45家": the district's clause names no figure; it was noted as no catalogued
    # indicator. It is the additions said before it, for its own place (a park's is noted), where the catalogue has
    # an indicator of them; 高新技术企业 (a stock) has none, so both clauses are noted saying so
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年新增“四上”企业320家，其中，天元区新增45家，醴陵市新增30家，株洲高新区新增20家。"
        "全市新增高新技术企业109家，其中，天元区新增45家。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.region_code, o.value) for o in r.observations}
    assert got == {
        ("new_above_scale_units", "430200", 320),
        ("new_above_scale_units", "430211", 45),
        ("new_above_scale_units", "430281", 30),
    }
    assert "row 1 新增四上企业: not read, a figure of a park, of several places or of the urban districts" in r.notes
    why = "a change of the stock, and the catalogue has no 新增高新技术企业"
    for said in ("全市新增高新技术企业109家", "天元区新增高新技术企业45家"):
        assert f"row 1 高新技术企业: not read, {said}: {why}" in r.notes, r.notes
    assert left_note(r) == "", r.notes


def test_a_places_clause_with_another_verb_or_after_no_addition_is_not_read_as_one(
    tmp_path: Path, catalog: Catalog
) -> None:
    # 净增 is not 新增 (entries less exits); after a stock's level 新增 is no part of it; a place the catalogue does
    # not know is no region
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年新增“四上”企业320家，其中，天元区净增45家。全市上市公司11家，其中，天元区新增2家。"
        "全年新增规模以上工业企业50家，其中，群丰镇新增12家。",
    )
    assert r.errors == []
    got = {(o.indicator_code, o.region_code, o.value) for o in r.observations}
    assert got == {
        ("new_above_scale_units", "430200", 320),
        ("listed_companies", "430200", 11),
        ("new_above_scale_industrial", "430200", 50),
    }
    assert left_note(r) == (LEFT + 'row 1 "天元区净增45家"; row 1 "天元区新增2家"; row 1 "群丰镇新增12家"'), r.notes


# trial s55c (bulletins written by hand, figures made up): four ways the prose reader misread or dropped a growth


@pytest.mark.parametrize("said", ["8%-10%", "8%至10%", "8~10%", "8—10%", "8%到10%", "8-10%", "8～10%"])
def test_a_growth_given_as_a_range_keeps_its_lower_end_as_a_floor(tmp_path: Path, catalog: Catalog, said: str) -> None:
    # "增长8%-10%" was stored as a growth of exactly 8 (eq) while the release's note called the clause not read;
    # "增长8~10%" was not read at all. A range is read as qualifiers.py reads one: its lower end, a floor (ge)
    r = parse_bulletin(tmp_path, catalog, 2023, f"全年地方一般公共预算收入增长{said}。")
    assert r.errors == []
    assert {(o.indicator_code, o.measure, o.value, o.bound) for o in r.observations} == {
        ("budget_revenue", "yoy_pct", 8.0, "ge")
    }
    assert "row 1 地方一般公共预算收入增长: range 8-10: lower end kept as a floor (ge)" in r.notes, r.notes
    assert left_note(r) == "", r.notes


def test_a_range_after_a_level_or_of_a_fall(tmp_path: Path, catalog: Catalog) -> None:
    # a fall's range is not read: which end bounds it (the range rule keeps a rise's lower end) cannot be told
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年地方一般公共预算收入200.5亿元，增长8-10%。全年税收收入下降8%-10%。全年进出口总额增长约8-10%。",
    )
    assert r.errors == []
    assert {(o.indicator_code, o.measure, o.value, o.bound) for o in r.observations} == {
        ("budget_revenue", "value", 200.5, "eq"),
        ("budget_revenue", "yoy_pct", 8.0, "ge"),
    }
    assert r.notes[1:] == [
        "row 1 税收收入增长: not read, 下降8%-10%: a range of a fall: which end bounds it cannot be told",
        "row 1 进出口总额增长: not read, 增长约8-10%: a range with a bound word: two qualifiers",
    ]
    assert left_note(r) == "", r.notes


# each word qualifiers.py makes a bound of, before the growth's number or after it: the bound of a rise of 3%, and
# of a fall of 3% (a change of -3: a fall of nearly 3% is more than -3, a fall of more than 3% less than -3)
_GROWTH_BOUNDS = {
    "不低于": ("ge", "le"),
    "不少于": ("ge", "le"),
    "不超过": ("le", "ge"),
    "不高于": ("le", "ge"),
    "突破": ("gt", "lt"),
    "超过": ("gt", "lt"),
    "大于": ("gt", "lt"),
    "高于": ("gt", "lt"),
    "小于": ("lt", "gt"),
    "低于": ("lt", "gt"),
    "约": ("approx", "approx"),
    "逾": ("gt", "lt"),
    "超": ("gt", "lt"),
    "跨越": ("gt", "lt"),
    "迈上": ("ge", "le"),
    "站上": ("ge", "le"),
    "将近": ("lt", "gt"),
    "接近": ("lt", "gt"),
    "近": ("lt", "gt"),
    "不到": ("lt", "gt"),
    "不足": ("lt", "gt"),
    "以上": ("ge", "le"),
    "及以上": ("ge", "le"),
    "以下": ("le", "ge"),
    "及以下": ("le", "ge"),
    "以内": ("le", "ge"),
    "左右": ("approx", "approx"),
}


def test_the_growth_bound_table_has_every_word_qualifiers_knows() -> None:
    assert set(_GROWTH_BOUNDS) == {*THRESHOLD_WORDS, *THRESHOLD_SUFFIXES}


@pytest.mark.parametrize(("word", "falls"), [(w, f) for w in _GROWTH_BOUNDS for f in (False, True)])
def test_a_growth_with_a_bound_word_is_bounded_the_right_way(
    tmp_path: Path, catalog: Catalog, word: str, falls: bool
) -> None:
    # "同比下降近3%" was stored as -3 lt (a fall of nearly 3% is more than -3: gt); "下降将近3%" was not read
    verb = "下降" if falls else "增长"
    said = f"3%{word}" if word in THRESHOLD_SUFFIXES else f"{word}3%"
    r = parse_bulletin(tmp_path, catalog, 2023, f"全年地方一般公共预算收入同比{verb}{said}。")
    assert r.errors == []
    [growth] = r.observations
    assert (growth.measure, growth.value, growth.bound) == (
        "yoy_pct",
        -3.0 if falls else 3.0,
        _GROWTH_BOUNDS[word][falls],
    )
    assert left_note(r) == "", r.notes


def test_a_bound_on_a_growth_written_with_its_minus_is_not_read(tmp_path: Path, catalog: Catalog) -> None:
    # "增速为近-3%" was stored as below -3 (lt): a rate of nearly -3 is a fall of nearly 3, more likely above -3;
    # which side the word puts it cannot be told. An approximate one is either side anyway
    r = parse_bulletin(tmp_path, catalog, 2023, "全年税收收入增速为近-3%。全年地方一般公共预算收入增速为-3%左右。")
    assert r.errors == []
    assert {(o.indicator_code, o.value, o.bound) for o in r.observations} == {("budget_revenue", -3.0, "approx")}
    why = "not read, 近-3%: a bound on a growth written with a minus sign may point either way"
    assert f"row 1 税收收入增长: {why}" in r.notes, r.notes


def test_a_change_in_words_with_no_number_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # "同比基本持平" after a level was dropped with no note; 基本持平 is near 0, not 0 (持平 alone is read as 0): not
    # stored as approx 0 either, which target comparisons take as the value (dbt's target_comparators)
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全年全市地区生产总值1700.2亿元，同比基本持平。全年地方一般公共预算收入略有下降。"
        "全年税收收入150.3亿元，小幅增长。全年进出口总额同比持平。"
        # of a growth rate ("增速基本持平" was dropped with no note)
        "全年规模以上工业增加值增速基本持平。全年固定资产投资增幅略有下降。",
    )
    assert r.errors == []
    assert {(o.indicator_code, o.measure, o.value, o.bound) for o in r.observations} == {
        ("gdp", "value", 1700.2, "eq"),
        ("tax_revenue", "value", 150.3, "eq"),
        ("trade_total", "yoy_pct", 0.0, "eq"),
    }
    for name, said in (
        ("地区生产总值", "同比基本持平"),
        ("地方一般公共预算收入", "略有下降"),
        ("税收收入", "小幅增长"),
        ("规模以上工业增加值", "增速基本持平"),
        ("固定资产投资", "增幅略有下降"),
    ):
        assert any(n.startswith(f"row 1 {name}增长: not read, {said}: a change in words") for n in r.notes), r.notes


def test_a_growth_in_tenths_after_a_park_total_is_noted_as_what_was_left(tmp_path: Path, catalog: Catalog) -> None:
    # "园区技工贸总收入2100.5亿元，增长逾一成": the level was stored but the note said "2100.5 after 园区技工贸总收入:
    # whose figures it is the period of cannot be told" (2100.5 read as May 2100), never naming 逾一成, what was left.
    # 园区技工贸总收入 is the city's parks together, a catalogued figure of the city (docs/release_formats.md)
    r = parse_bulletin(
        tmp_path,
        catalog,
        2023,
        "全市园区技工贸总收入2100.5亿元，增长逾一成。全市地区生产总值3600.5亿元，增长5.2%。",
    )
    assert r.errors == []
    assert {(o.indicator_code, o.region_code, o.measure, o.value) for o in r.observations} == {
        ("park_revenue", "430200", "value", 2100.5),
        ("gdp", "430200", "value", 3600.5),
        ("gdp", "430200", "yoy_pct", 5.2),
    }
    assert not any("period of cannot be told" in n for n in r.notes), r.notes
    assert any(n.startswith("row 1 园区技工贸总收入增长: not read, 增长逾一成: a change in words") for n in r.notes)
    assert left_note(r) == "", r.notes


def _review(tmp_path: Path, catalog: Catalog, period: str, released: str, paragraph: str):
    """An 经济运行情况 review of ``period`` released on ``released`` by 株洲市统计局, of one paragraph, read."""
    page = (
        f"<html><head><title>{period}株洲市经济运行情况</title></head><body><p>发布时间：{released}</p>"
        f"<p>来源：株洲市统计局</p><p>{paragraph}</p></body></html>"
    )
    return parse_text(tmp_path, "rv.html", page, catalog)


def test_a_rank_said_of_the_level_by_its_total_with_no_figure_before_it_is_the_levels(
    tmp_path: Path, catalog: Catalog
) -> None:
    # "全市地区生产总值总量居全省第三位" was left out as "a bare rank with no figure before it, the level's or the
    # growth's cannot be told": 总量 says it is the level's rank, as "总量居全省第3位" after a figure does
    r = _review(tmp_path, catalog, "2022年前三季度", "2022年10月26日", "全市地区生产总值总量居全省第三位。")
    assert figures(r) == {("gdp", "2022-01~09", "rank", 3, "位")}
    assert not any("bare rank" in n for n in r.notes), r.notes


def test_a_change_of_rank_named_as_the_rank_against_another_period_is_noted(tmp_path: Path, catalog: Catalog) -> None:
    # "…增长4.5%，居全省第二位，排名比一季度前移1位" dropped the change with no note (排名比上年 and 比一季度 were
    # known, 排名比一季度 not)
    said = "上半年，全市地区生产总值同比增长4.5%，居全省第二位，排名比一季度前移1位。"
    r = _review(tmp_path, catalog, "2022年上半年", "2022年7月25日", said)
    assert figures(r) == {
        ("gdp", "2022-01~06", "yoy_pct", 4.5, "%"),
        ("gdp", "2022-01~06", "yoy_rank", 2, "位"),
    }
    why = "not read, a change of rank is no stored figure (the rank itself is read where whose it is is told)"
    assert f"row 1 排名比一季度前移1位: {why}" in r.notes, r.notes


def test_a_running_total_as_at_the_year_end_is_read(tmp_path: Path, catalog: Catalog) -> None:
    # "截至年末全市上市公司累计达到13家" was left out as "no catalogued indicator or pattern" while "年末全市上市公司
    # 13家" and "全市上市公司累计达到13家" were read: 截至年末 is the bulletin's year end as 年末 is
    r = parse_bulletin(tmp_path, catalog, 2022, "全年新增上市公司2家，截至年末全市上市公司累计达到13家。")
    assert figures(r) == {("listed_companies", "2022", "value", 13, "家")}
    assert not any("no catalogued indicator or pattern" in n for n in r.notes), r.notes


def test_a_quarter_said_alone_as_dang_ji_is_that_quarter(tmp_path: Path, catalog: Catalog) -> None:
    # "三季度当季，全市地区生产总值增长4.4%" (the third quarter alone, 当季) was left out as "its opening names a
    # period not understood"; 当季 restates that the quarter is alone, as 三季度 is read (periods.py)
    r = _review(tmp_path, catalog, "2022年前三季度", "2022年10月26日", "三季度当季，全市地区生产总值增长4.4%。")
    assert figures(r) == {("gdp", "2022-Q3", "yoy_pct", 4.4, "%")}
    assert [o.period_kind for o in r.observations] == ["quarter"]


def test_a_count_as_at_the_day_of_writing_is_not_read_as_the_years(tmp_path: Path, catalog: Catalog) -> None:
    # "截至目前，全市国家级专精特新“小巨人”企业38家" in the bulletin of 2022 (released in March 2023) was stored as the
    # stock at the end of 2022: 截至目前 is the day it was written, after the year; which date is not told
    for said in ("截至目前，", "截至目前", "截止目前，", "目前，"):
        r = parse_bulletin(tmp_path, catalog, 2022, f"{said}全市国家级专精特新“小巨人”企业38家。")
        assert r.observations == [], (said, figures(r))
        assert any(said.rstrip("，") in n and "not read" in n for n in r.notes), (said, r.notes)


def test_a_note_quoting_a_sentence_does_not_cut_a_figure_in_two(tmp_path: Path, catalog: Catalog) -> None:
    # a note quotes a sentence's first 20 characters: "…增长9.0" misquoted 9.05, "…企业3" 38 (trial s58d)
    r = parse_bulletin(tmp_path, catalog, 2023, "3月份以来，全市规模工业增加值增长9.05%。")
    assert r.observations == []
    assert "row 1: not read, its opening names a period not understood: 3月份以来,全市规模工业增加值增长9.05" in r.notes
    r = parse_bulletin(tmp_path, catalog, 2023, "“十四五”期间，全市规模工业增加值年均增长1,234.5亿元。")
    assert any(n.startswith("row 1 ") and "1,234.5:" in n and "is not over in a release of 2023" in n for n in r.notes)
    r = parse_bulletin(tmp_path, catalog, 2023, "3月份以来，全市规模工业增加值增长9%，工业用电量增长5%。")
    assert "row 1: not read, its opening names a period not understood: 3月份以来,全市规模工业增加值增长9%," in r.notes
