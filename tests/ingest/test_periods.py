from __future__ import annotations

from datetime import date

import pytest

from dagster_project.ingest.periods import last_month, parse_period, shift_years, split_leading_period


@pytest.mark.parametrize(
    ("text", "year", "code", "kind", "start", "end"),
    [
        ("2022-05", None, "2022-05", "month", date(2022, 5, 1), date(2022, 5, 31)),
        # yyyymm as databases export it, and a stock's point in time (were unrecognised)
        ("202205", None, "2022-05", "month", date(2022, 5, 1), date(2022, 5, 31)),
        ("2022年6月末", None, "2022-06", "month", date(2022, 6, 1), date(2022, 6, 30)),
        ("截至2022年6月", None, "2022-06", "month", date(2022, 6, 1), date(2022, 6, 30)),
        ("截止2022年6月底", None, "2022-06", "month", date(2022, 6, 1), date(2022, 6, 30)),
        ("截至6月末", 2022, "2022-06", "month", date(2022, 6, 1), date(2022, 6, 30)),
        ("2022年末", None, "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        ("截至2022年底", None, "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        ("2022年5月", None, "2022-05", "month", date(2022, 5, 1), date(2022, 5, 31)),
        ("2024年2月", None, "2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
        ("5月", 2022, "2022-05", "month", date(2022, 5, 1), date(2022, 5, 31)),
        ("2022年1-5月", None, "2022-01~05", "ytd", date(2022, 1, 1), date(2022, 5, 31)),
        ("1-5月", 2022, "2022-01~05", "ytd", date(2022, 1, 1), date(2022, 5, 31)),
        ("2022年1—5月", None, "2022-01~05", "ytd", date(2022, 1, 1), date(2022, 5, 31)),
        ("2022年1至5月", None, "2022-01~05", "ytd", date(2022, 1, 1), date(2022, 5, 31)),
        ("2022-01~05", None, "2022-01~05", "ytd", date(2022, 1, 1), date(2022, 5, 31)),
        ("2022年一季度", None, "2022-01~03", "ytd", date(2022, 1, 1), date(2022, 3, 31)),
        ("2022Q1", None, "2022-01~03", "ytd", date(2022, 1, 1), date(2022, 3, 31)),
        ("2022-Q1", None, "2022-01~03", "ytd", date(2022, 1, 1), date(2022, 3, 31)),
        ("二季度", 2022, "2022-Q2", "quarter", date(2022, 4, 1), date(2022, 6, 30)),
        ("2022年第四季度", None, "2022-Q4", "quarter", date(2022, 10, 1), date(2022, 12, 31)),
        ("2022-Q2", None, "2022-Q2", "quarter", date(2022, 4, 1), date(2022, 6, 30)),
        ("上半年", 2022, "2022-01~06", "ytd", date(2022, 1, 1), date(2022, 6, 30)),
        ("2022年上半年", None, "2022-01~06", "ytd", date(2022, 1, 1), date(2022, 6, 30)),
        # issue 12: the half-year spellings of newspapers and spreadsheets
        ("2023-H1", None, "2023-01~06", "ytd", date(2023, 1, 1), date(2023, 6, 30)),
        ("2023H1", None, "2023-01~06", "ytd", date(2023, 1, 1), date(2023, 6, 30)),
        ("2023h1", None, "2023-01~06", "ytd", date(2023, 1, 1), date(2023, 6, 30)),
        ("2023H2", None, "2023-H2", "half", date(2023, 7, 1), date(2023, 12, 31)),
        ("2023-H2", None, "2023-H2", "half", date(2023, 7, 1), date(2023, 12, 31)),
        ("下半年", 2023, "2023-H2", "half", date(2023, 7, 1), date(2023, 12, 31)),
        ("2023年下半年", None, "2023-H2", "half", date(2023, 7, 1), date(2023, 12, 31)),
        ("2023-01~06", None, "2023-01~06", "ytd", date(2023, 1, 1), date(2023, 6, 30)),
        ("2023年1-6月", None, "2023-01~06", "ytd", date(2023, 1, 1), date(2023, 6, 30)),
        ("2023年1-2月", None, "2023-01~02", "ytd", date(2023, 1, 1), date(2023, 2, 28)),
        ("一季度", 2023, "2023-01~03", "ytd", date(2023, 1, 1), date(2023, 3, 31)),
        ("2023Q1", None, "2023-01~03", "ytd", date(2023, 1, 1), date(2023, 3, 31)),
        ("前三季度", 2022, "2022-01~09", "ytd", date(2022, 1, 1), date(2022, 9, 30)),
        # "前三个月全市规模工业增加值同比下降7.7%" (published_facts.csv, 2020 Q1)
        ("前三个月", 2020, "2020-01~03", "ytd", date(2020, 1, 1), date(2020, 3, 31)),
        ("2021年前两个月", None, "2021-01~02", "ytd", date(2021, 1, 1), date(2021, 2, 28)),
        ("前12个月", 2021, "2021", "year", date(2021, 1, 1), date(2021, 12, 31)),
        ("2022-Q1~Q3", None, "2022-01~09", "ytd", date(2022, 1, 1), date(2022, 9, 30)),
        ("1-3季度", 2022, "2022-01~09", "ytd", date(2022, 1, 1), date(2022, 9, 30)),
        ("2022年", None, "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        ("2022", None, "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        ("全年", 2022, "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        ("1-12月", 2022, "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        ("2022-01~12", None, "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        ("2021-2025", None, "2021-2025", "multi_year", date(2021, 1, 1), date(2025, 12, 31)),
        ("2021-2025年", None, "2021-2025", "multi_year", date(2021, 1, 1), date(2025, 12, 31)),
        # a five-year plan by its number (统计公报: "“十三五”期间…")
        ("十三五", None, "2016-2020", "multi_year", date(2016, 1, 1), date(2020, 12, 31)),
        ("“十四五”时期", None, "2021-2025", "multi_year", date(2021, 1, 1), date(2025, 12, 31)),
        ("十一五期间", None, "2006-2010", "multi_year", date(2006, 1, 1), date(2010, 12, 31)),
        ("２０２２年５月", None, "2022-05", "month", date(2022, 5, 1), date(2022, 5, 31)),
        ("２０２２年１－５月", None, "2022-01~05", "ytd", date(2022, 1, 1), date(2022, 5, 31)),
    ],
)
def test_parse_period(text: str, year: int | None, code: str, kind: str, start: date, end: date) -> None:
    p = parse_period(text, year)
    assert (p.code, p.kind, p.start, p.end) == (code, kind, start, end)


@pytest.mark.parametrize("code", ["2022-05", "2022-01~05", "2022-Q3", "2022", "2021-2025", "2022-01~09", "2022-H2"])
def test_canonical_codes_round_trip(code: str) -> None:
    assert parse_period(code).code == code


@pytest.mark.parametrize(
    ("text", "year", "message"),
    [
        ("junk", 2022, "unrecognised"),
        ("", 2022, "empty"),
        ("2022-13", None, "unrecognised"),
        ("202213", None, "unrecognised"),
        ("截至2022年", None, "unrecognised"),
        ("2022年3-5月", None, "start in January"),
        ("2022-Q5", None, "unrecognised"),
        ("2025-2021", None, "at least two years"),
        ("1-5月", None, "no year"),
    ],
)
def test_parse_period_rejects_junk(text: str, year: int | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_period(text, year)


def test_last_month_and_shift_years() -> None:
    assert last_month(parse_period("2022年1-5月")).code == "2022-05"
    assert shift_years(parse_period("2021"), 1).code == "2022"
    assert shift_years(parse_period("2021-01~05"), 2).code == "2023-01~05"
    assert shift_years(parse_period("2021-Q2"), 1).code == "2022-Q2"


@pytest.mark.parametrize(
    ("text", "year", "code", "rest"),
    [
        ("2023年1-6月湖南省", None, "2023-01~06", "湖南省"),
        ("2023年1-6月份主要经济指标", None, "2023-01~06", "主要经济指标"),
        ("6月增速", 2023, "2023-06", "增速"),
        ("1-6月规模工业增加值增速", 2023, "2023-01~06", "规模工业增加值增速"),
        ("2023年上半年", None, "2023-01~06", ""),
    ],
)
def test_split_leading_period_takes_the_longest_period_a_text_starts_with(text, year, code, rest):
    period, after = split_leading_period(text, year)
    assert (period.code, after) == (code, rest)


def test_split_leading_period_is_none_when_the_text_starts_with_no_period():
    assert split_leading_period("全省") is None
    assert split_leading_period("规模工业增加值增速", 2023) is None


def test_a_day_where_a_period_is_expected_says_what_excel_did() -> None:
    # a month typed in an Excel cell became its first day: "unrecognised period text: '2023-06-01'" said no more
    with pytest.raises(ValueError, match="is a day, not a period: a month typed in Excel becomes its first day"):
        parse_period("2023-06-01")


@pytest.mark.parametrize(("text", "month"), [("2023年13月", 13), ("1-13月", 13), ("2023-13", 13), ("2023年0月", 0)])
def test_a_month_out_of_1_to_12_is_named_as_such(text: str, month: int) -> None:
    # a 统计月报 titled 2023年13月 was refused as "unrecognised period text: '2023年13月'", naming no slip
    with pytest.raises(ValueError, match=rf"month {month} is no month \(1-12\)"):
        parse_period(text, 2023)
