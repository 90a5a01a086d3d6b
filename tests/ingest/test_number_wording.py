"""How offices write numbers and periods (trial s55c, files written from scratch; figures made up): a superscript
footnote mark read as the figure's last digit, figures in words, 千元 and ‰ dropped without a word, 元月 given the
title's period, 千元 and "x" refusing good tables. Each test here failed on the code before the fix it covers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.detect import parse_document
from dagster_project.ingest.document import load_document
from dagster_project.ingest.models import LEFT_NOTE
from dagster_project.ingest.periods import parse_period
from dagster_project.ingest.qualifiers import parse_number
from dagster_project.ingest.units import convert

TODAY = date(2026, 1, 1)


def _parse(path: Path, catalog: Catalog):
    return parse_document(load_document(path.read_bytes(), path.name), catalog, TODAY)


def _page(title: str, released: str, *sentences: str) -> str:
    body = "".join(f"<p>{s}</p>" for s in sentences)
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
        f"<p>发布时间：{released}　来源：株洲市统计局</p>{body}</body></html>"
    )


def _figures(result) -> dict[tuple[str, str, str], tuple[float, str]]:
    return {(o.indicator_code, o.period_code, o.measure): (o.value, o.bound) for o in result.observations}


@pytest.mark.parametrize(("text", "code"), [("2023年元月", "2023-01"), ("元月", "2023-01"), ("元月份", "2023-01")])
def test_yuanyue_is_january(text: str, code: str) -> None:
    period = parse_period(text, 2023)
    assert (period.code, period.kind) == (code, "month")


def test_a_review_sentence_opening_with_yuanyue_is_january_not_the_titles_period(tmp_path, catalog) -> None:
    # "元月，…" was not known as a period: its figures were given the review's 1-5月
    path = tmp_path / "株洲市2023年1-5月份经济运行情况.html"
    path.write_text(
        _page(
            "株洲市2023年1-5月份经济运行情况",
            "2023-06-16",
            "元月，全市地方一般公共预算收入25.1亿元，同比增长5.0%。",
        ),
        encoding="utf-8",
    )
    figures = _figures(_parse(path, catalog))
    assert figures == {
        ("budget_revenue", "2023-01", "value"): (25.1, "eq"),
        ("budget_revenue", "2023-01", "yoy_pct"): (5.0, "eq"),
    }


def test_figures_in_words_thousands_of_yuan_and_per_mille_are_named_when_not_read(tmp_path, catalog) -> None:
    # each of these was dropped with no word: no observation, no note
    path = tmp_path / "株洲市2021年统计公报.html"
    sentences = [
        "全市国家级专精特新小巨人企业累计达到三十八家",
        "全市高新技术企业两千家",
        "全年新增“四上”企业一百零九家",
        "全年新引进三类500强项目十四个",
        "全市上市企业近千家",
        "全市人口出生率为6.5‰",
        "全市居民人均可支配收入4852千元",
    ]
    path.write_text(
        _page("株洲市2021年国民经济和社会发展统计公报", "2022-03-28", "全年全市地区生产总值3420.3亿元。", *sentences),
        encoding="utf-8",
    )
    result = _parse(path, catalog)
    left = next(n for n in result.notes if n.startswith(LEFT_NOTE))
    for sentence in sentences:
        assert sentence.replace("“", "").replace("”", "") in left
    # words with no unit of a figure, and one-character words before a unit, stay silent
    assert not any(word in left for word in ("千家万户", "一家一户"))


def test_words_that_are_no_figure_stay_silent(tmp_path, catalog) -> None:
    path = tmp_path / "株洲市2021年统计公报.html"
    path.write_text(
        _page(
            "株洲市2021年国民经济和社会发展统计公报",
            "2022-03-28",
            "全年全市地区生产总值3420.3亿元，惠及千家万户，一家一户抓落实，两个中心建设稳步推进。",
        ),
        encoding="utf-8",
    )
    assert not any(n.startswith(LEFT_NOTE) for n in _parse(path, catalog).notes)


def _superscript_workbook(path: Path) -> Path:
    import openpyxl
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [
        ["株洲市统计月报（2023年7月）", None, None, None, None, None],
        ["发布日期：2023-08-18", None, None, None, None, None],
        ["指标", "单位", "本月", None, "1-7月", None],
        [None, None, "绝对数", "同比增长(%)", "绝对数", "同比增长(%)"],
        ["进出口总额", "亿元", 62.3, 12.1, None, 10.5],
        ["注：1.含加工贸易。", None, None, None, None, None],
        ["数据来源：株洲市统计局", None, None, None, None, None],
    ]:
        ws.append(row)
    # typed in Excel as text, its footnote number set as superscript: 3420.3 with the mark ¹
    ws["E5"].value = CellRichText("3420.3", TextBlock(InlineFont(vertAlign="superscript"), "1"))
    wb.save(path)
    return path


def test_a_superscript_footnote_number_in_a_workbook_is_a_mark_not_a_digit(tmp_path, catalog) -> None:
    # it was read as the figure's last digit: 3420.31
    result = _parse(_superscript_workbook(tmp_path / "株洲市统计月报2023年7月.xlsx"), catalog)
    assert not any(o.value == 3420.31 for o in result.observations)
    assert [(e.row, "footnote mark '¹'" in e.reason) for e in result.errors] == [(5, True)]


def test_a_superscript_footnote_number_in_a_page_is_a_mark(tmp_path, catalog) -> None:
    # "3616.8亿元<sup>1</sup>，比上年增长4.5%" read the level as if unmarked and left its growth unread
    path = tmp_path / "株洲市2022年统计公报.html"
    path.write_text(
        _page(
            "株洲市2022年国民经济和社会发展统计公报",
            "2023-03-28",
            "全市地区生产总值3616.8亿元<sup>1</sup>，比上年增长4.5%。",
            "全市PM<sub>2.5</sub>平均浓度为35微克/立方米。",
        ),
        encoding="utf-8",
    )
    result = _parse(path, catalog)
    figures = _figures(result)
    assert ("gdp", "2022", "value") not in figures
    assert figures[("gdp", "2022", "yoy_pct")] == (4.5, "eq")
    assert any("footnote mark '¹'" in n for n in result.notes)
    assert figures[("pm25", "2022", "value")] == (35.0, "eq")


@pytest.mark.parametrize("text", ["3.1[注]", "3.1[注1]", "3.1【注】"])
def test_a_bracketed_zhu_is_a_footnote_mark(text: str) -> None:
    # it was read as a unit: "cell unit '注' differs from column unit '%'"
    with pytest.raises(ValueError, match="footnote mark"):
        parse_number(text)


def test_thousands_of_yuan_convert() -> None:
    value, _ = convert(10192780, "千元", "亿元")
    assert value == pytest.approx(101.9278)


@pytest.mark.parametrize("text", ["x", "X"])
def test_x_is_not_published(text: str) -> None:
    assert parse_number(text).value is None
