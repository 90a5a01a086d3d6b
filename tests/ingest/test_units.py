from __future__ import annotations

import pytest

from dagster_project.ingest.units import (
    UnitError,
    convert,
    load_exchange_rates,
    measure_unit,
    normalize_unit,
    takes_unit,
)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("（亿元）", "亿元"),
        ("亿 元", "亿元"),
        ("％", "%"),
        ("(%)", "%"),
        ("个百分点", "百分点"),
        ("μg/m3", "微克/立方米"),
        ("\u00b5g/m3", "微克/立方米"),  # the micro sign, not the Greek μ: was left as 'µg/m3'
        ("\u00b5g/m³", "微克/立方米"),
        ("万 人", "万人"),
        ("", ""),
    ],
)
def test_normalize_unit(text: str, unit: str) -> None:
    assert normalize_unit(text) == unit


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (152345, "万元", "亿元", 15.2345),
        (15.2345, "亿元", "万元", 152345),
        (87852, "元", "万元", 8.7852),
        (3871100, "人", "万人", 387.11),
        (12.5, "万人次", "人次", 125000),
        (3, "万个", "个", 30000),
        (42, "微克/立方米", "微克/立方米", 42),
        (2, "类", "类", 2),
        (354, "公里", "公里", 354),
    ],
)
def test_convert_same_dimension(value: float, src: str, dst: str, expected: float) -> None:
    got, note = convert(value, src, dst)
    assert got == pytest.approx(expected)
    assert (note == "") == (src == dst)


def test_convert_usd_uses_the_years_published_rate() -> None:
    value, note = convert(41.5, "亿美元", "亿元", 2022)
    assert value == pytest.approx(41.5 * 6.7261)
    assert "6.7261" in note and "2022" in note and "统计公报" in note
    value, note = convert(100, "万美元", "亿元", 2021)
    assert value == pytest.approx(100 * 1e4 * 6.4515 / 1e8)


def test_convert_usd_flags_illustrative_rates() -> None:
    rates = load_exchange_rates()
    assert rates[2023].usd_cny == 7.0467 and not rates[2023].is_illustrative
    assert rates[2025].is_illustrative and rates[2026].is_illustrative
    _, note = convert(1, "亿美元", "亿元", 2025)
    assert "illustrative" in note


@pytest.mark.parametrize(
    ("written", "indicator_unit", "takes"),
    [("项", "个", True), ("项", "万个", True), ("项", "家", False), ("项", "亿元", False), ("亿美元", "亿元", True)],
)
def test_a_count_in_xiang_converts_only_to_items(written: str, indicator_unit: str, takes: bool) -> None:
    # 项 (projects, items) was no unit: "国家科技计划立项56项" was left out though its indicator counts in 个
    assert takes_unit(written, indicator_unit) is takes
    if takes and written == "项":
        assert convert(56, "项", "个") == (56, "项→个 ×1")


@pytest.mark.parametrize(
    ("src", "dst", "year", "message"),
    [
        ("家", "亿元", None, "contradicts"),
        ("万人", "亿元", None, "contradicts"),
        ("亿元", "%", None, "contradicts"),
        ("亿美元", "亿元", None, "period year"),
        ("亿美元", "亿元", 1999, "no USD/CNY rate"),
        ("斤", "亿元", None, "unknown unit"),
    ],
)
def test_convert_rejects(src: str, dst: str, year: int | None, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        convert(1.0, src, dst, year)


def test_measure_units_and_percentage_points() -> None:
    assert measure_unit("value", "亿元") == "亿元"
    assert measure_unit("yoy_pct", "亿元", "%") == "%"
    assert measure_unit("rank", "亿元") == "位"
    assert measure_unit("class", "类") == "类"
    assert measure_unit("yoy_pct", "%", "百分点") == "百分点"
    with pytest.raises(UnitError, match="change measure"):
        measure_unit("value", "%", "百分点")
    with pytest.raises(UnitError, match="needs a % indicator"):
        measure_unit("yoy_pct", "亿元", "个百分点")
