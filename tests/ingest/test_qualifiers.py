from __future__ import annotations

import pytest

from dagster_project.ingest.qualifiers import (
    FormulaCellError,
    ValueParseError,
    parse_class,
    parse_number,
    parse_rank,
    parse_stage,
    parse_value,
)


@pytest.mark.parametrize(
    ("text", "value", "bound"),
    [
        ("突破600", 600, "gt"),
        ("超过600", 600, "gt"),
        (">600", 600, "gt"),
        ("600以上", 600, "ge"),
        ("不低于5", 5, "ge"),
        ("≥5", 5, "ge"),
        ("５以上", 5, "ge"),
        ("42以下", 42, "le"),
        ("5以内", 5, "le"),
        ("不超过5", 5, "le"),
        ("≤5", 5, "le"),
        ("<5", 5, "lt"),
        ("83左右", 83, "approx"),
        ("约83", 83, "approx"),
        ("19 278.1", 19278.1, "eq"),
        ("1,019,278", 1019278, "eq"),
        ("１２３．４", 123.4, "eq"),
        ("-3.3", -3.3, "eq"),
        ("+5.1", 5.1, "eq"),
        ("87.1%", 87.1, "eq"),
        # as news and bulletins write thresholds (were "not a number", or 600 exact with unit '余')
        ("逾600", 600, "gt"),
        ("超600", 600, "gt"),
        ("跨越200", 200, "gt"),
        ("迈上200", 200, "ge"),
        ("600余", 600, "gt"),
        ("600多", 600, "gt"),
        ("600+", 600, "ge"),
        ("不到600", 600, "lt"),
        ("近600", 600, "lt"),  # nearly 600: just under it (was approx, so 近600 met a target of 600)
        ("接近600", 600, "lt"),
        ("将近600", 600, "lt"),
    ],
)
def test_numbers_and_qualifiers(text: str, value: float, bound: str) -> None:
    p = parse_number(text)
    assert p.value == pytest.approx(value)
    assert p.bound == bound
    assert p.text == text


@pytest.mark.parametrize(
    ("text", "value", "bound", "unit"),
    [("600余家", 600, "gt", "家"), ("突破3000亿元大关", 3000, "gt", "亿元"), ("跨越200亿元台阶", 200, "gt", "亿元")],
)
def test_a_qualifier_between_number_and_unit_and_a_dressed_up_threshold(text, value, bound, unit) -> None:
    # "突破3000亿元大关" had the unit '亿元大关', "600余家" the unit '余家'
    p = parse_number(text)
    assert (p.value, p.bound, p.unit) == (value, bound, unit)


def test_unit_inside_the_cell_is_returned() -> None:
    p = parse_number("突破4000亿元")
    assert (p.value, p.bound, p.unit) == (4000, "gt", "亿元")


def test_range_keeps_lower_end_as_floor() -> None:
    p = parse_number("8-9")
    assert (p.value, p.bound) == (8, "ge")
    assert "8-9" in p.note


@pytest.mark.parametrize(
    ("text", "value", "bound", "said"),
    [
        ("3105.8(初步核算)", 3105.8, "eq", "preliminary (初步核算)"),
        ("3105.8（初步核算）", 3105.8, "eq", "preliminary (初步核算)"),
        ("快报:52.3", 52.3, "eq", "flash figure (快报)"),
        ("预计3000", 3000.0, "approx", "estimate (预计): a later release revises it; kept as approximate"),
        ("预计突破4000", 4000.0, "gt", "estimate (预计)"),
        ("3420.3(修订)", 3420.3, "eq", "revised (修订)"),
    ],
)
def test_a_cell_saying_which_vintage_it_is_keeps_its_figure(text: str, value: float, bound: str, said: str) -> None:
    # hand-keyed cells such as "3105.8(初步核算)" were refused: "cell unit '初步核算' differs"; "预计3000": not a number
    parsed = parse_number(text)
    assert (parsed.value, parsed.bound, parsed.text) == (value, bound, text)
    assert said in parsed.note


@pytest.mark.parametrize("text", ["初步核算", "(初步核算)", "预计"])
def test_a_vintage_label_without_a_figure_is_not_a_number(text: str) -> None:
    with pytest.raises(ValueParseError, match="not a number"):
        parse_number(text)


@pytest.mark.parametrize("text", ["—", "-", "…", "", "  ", "——", None])
def test_not_published(text: str | None) -> None:
    assert parse_number(text).value is None


@pytest.mark.parametrize("text", ["=SUM(A1:A3)", "+A1", "-cmd", "@SUM(1)", "=1+2"])
def test_formula_cells_rejected(text: str) -> None:
    with pytest.raises(FormulaCellError):
        parse_number(text)


@pytest.mark.parametrize("text", ["abc", "12 34", "9-8", "突破约5"])
def test_junk_numbers_rejected(text: str) -> None:
    with pytest.raises(ValueParseError):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "value", "bound"),
    [
        ("Ⅰ", 1, "eq"),
        ("Ⅱ", 2, "eq"),
        ("II", 2, "eq"),
        ("Ⅱ类", 2, "eq"),
        ("III类", 3, "eq"),
        ("Ⅳ", 4, "eq"),
        ("V", 5, "eq"),
        ("劣Ⅴ", 6, "eq"),
        ("劣V类", 6, "eq"),
        ("优于Ⅱ类", 2, "lt"),
        ("达到或优于Ⅱ类", 2, "le"),
        ("Ⅲ类及以上", 3, "le"),
        # as bulletins also write them (were "not a water class")
        ("达到Ⅱ类", 2, "eq"),
        ("为Ⅲ类", 3, "eq"),
        ("二类", 2, "eq"),
        ("Ⅲ类（良好）", 3, "eq"),
        ("不低于Ⅲ类", 3, "le"),
    ],
)
def test_water_classes(text: str, value: int, bound: str) -> None:
    p = parse_class(text)
    assert (p.value, p.bound, p.unit) == (value, bound, "类")


@pytest.mark.parametrize("text", ["Ⅶ", "7", "劣Ⅲ", "好", "Ⅵ", "VI", "Ⅵ类", "Ⅱ～Ⅲ类", "Ⅱ类（差）", "六类"])
def test_bad_water_classes(text: str) -> None:
    with pytest.raises(ValueParseError):
        parse_class(text)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("未开工", 0),
        ("前期", 1),
        ("前期工作", 1),
        ("开工", 2),
        ("新开工", 2),
        ("主体完工", 3),
        ("竣工", 4),
        ("投产", 4),
        ("竣工投产", 4),
        ("建成", 4),
        ("3", 3),
    ],
)
def test_project_stages(text: str, stage: int) -> None:
    assert parse_stage(text).value == stage


def test_parse_value_dispatches_on_measure() -> None:
    assert parse_value("优于Ⅱ类", "class").value == 2
    assert parse_value("竣工投产", "stage").value == 4
    assert parse_value("突破600", "value").bound == "gt"
    with pytest.raises(ValueParseError):
        parse_value("在建中", "stage")


@pytest.mark.parametrize(
    ("text", "rank"),
    [("3", 3), ("第3", 3), ("第3位", 3), ("3名", 3), ("第三", 3), ("十四", 14), ("二十一", 21), ("居全省第一", 1)],
)
def test_ranks_as_tables_write_them(text: str, rank: int) -> None:
    # "第1" and "二" in a 位次 column were refused: not a number
    assert (parse_value(text, "rank").value, parse_value(text, "yoy_rank").bound) == (rank, "eq")
    assert parse_rank(text).text == text


@pytest.mark.parametrize(("text", "rank"), [("前三", 3), ("全省前五位", 5), ("居全省前3名", 3), ("进入全省前十", 10)])
def test_a_top_group_is_a_bound_rank_not_that_place(text: str, rank: int) -> None:
    # 居全省前三 (third or better) was no rank at all; read as 第三 it would claim a place it does not say
    assert (parse_value(text, "rank").value, parse_value(text, "yoy_rank").bound) == (rank, "le")


@pytest.mark.parametrize("text", ["第", "十十", "百", "零"])
def test_rank_words_without_a_rank_are_not_numbers(text: str) -> None:
    with pytest.raises(ValueParseError, match="not a number"):
        parse_value(text, "rank")


def test_a_threshold_may_be_a_round_number_in_words_but_a_word_alone_is_no_number() -> None:
    # "突破千亿元" (a 公报's threshold) was not read
    assert (parse_number("突破千").value, parse_number("突破千").bound) == (1000, "gt")
    assert (parse_number("超百").value, parse_number("超百").bound) == (100, "gt")
    with pytest.raises(ValueParseError, match="not a number"):
        parse_number("千")


@pytest.mark.parametrize(
    ("text", "value", "bound"),
    [
        ("持平", 0.0, "eq"),
        ("与上年同期持平", 0.0, "eq"),
        ("增长5.1", 5.1, "eq"),
        ("增长0.0%", 0.0, "eq"),
        ("下降3.2", -3.2, "eq"),
        ("下降超过5", -5.0, "lt"),
        ("负增长3.2", -3.2, "eq"),  # 负增长 (negative growth) is a fall: it was not a number
        ("下降超过8以上", -8.0, "le"),  # a doubled qualifier of a fall: at most -8
    ],
)
def test_a_change_written_in_words_in_a_growth_cell(text: str, value: float, bound: str) -> None:
    # 持平 and 下降3.2 in a growth column refused the table ("not a number")
    from dagster_project.ingest.qualifiers import parse_value

    parsed = parse_value(text, "yoy_pct")
    assert (parsed.value, parsed.bound, parsed.text) == (value, bound, text)
    with pytest.raises(ValueParseError):
        parse_value("下降3.2", "value")  # a level is no change: still not a number


@pytest.mark.parametrize(
    ("text", "bound"),
    [("超过8以上", "ge"), ("超过8%以上", "ge"), ("突破600亿元以上", "ge"), ("逾600以上", "ge"), ("不到5以下", "le")],
)
def test_two_qualifiers_saying_one_side_keep_it_inclusive(text: str, bound: str) -> None:
    # "增长超过8%以上", a writer's doubling of one side, refused the whole bulletin: "two qualifiers"
    parsed = parse_number(text)
    assert (parsed.bound, parsed.value) == (bound, float("".join(c for c in text if c.isdigit())))
    assert "two qualifiers saying one side" in parsed.note


@pytest.mark.parametrize("text", ["约8以上", "约8%以上", "超过8以下", "不到5以上", "突破约5"])
def test_two_qualifiers_saying_two_things_are_refused(text: str) -> None:
    with pytest.raises(ValueParseError):
        parse_number(text)
