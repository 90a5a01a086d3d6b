"""Period parsing: the only place period text becomes a canonical period code.

Canonical kinds and codes (docs/architecture.md):
    month       2022-05       ytd  2022-01~05     quarter  2022-Q2
    year        2022          multi_year  2021-2025 (also 十四五)   half  2022-H2
Rules worth remembering: Q1 alone is cumulative (``ytd`` 2022-01~03), a later single quarter is
``quarter``; the first half (上半年, ``2022-H1``) is cumulative (``ytd`` 2022-01~06), the second half
alone (下半年, ``2022-H2``) is ``half``; a cumulative figure to December is ``year``, never ``ytd`` to
month 12. The accepted spellings are tabled in docs/release_formats.md.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from dagster_project.ingest.text import to_halfwidth

__all__ = ["Period", "parse_period", "split_leading_period", "month_period", "last_month", "shift_years"]


@dataclass(frozen=True)
class Period:
    code: str
    kind: str
    start: date
    end: date

    @property
    def year(self) -> int:
        """The year the period ends in (used for exchange rates and year context)."""
        return self.end.year


_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _num(text: str) -> int:
    """'5', '05', '五', '十二' -> int."""
    if text.isdigit():
        return int(text)
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    if text == "元":  # 元月 is January, as offices and newspapers write it ("元月，全市…", "2023年元月")
        return 1
    if text.startswith("十") and len(text) == 2 and text[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[text[1]]
    raise ValueError(f"not a number: {text!r}")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _check_year(year: int) -> int:
    if not 1949 <= year <= 2100:
        raise ValueError(f"year {year} out of range")
    return year


def _check_month(month: int) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} out of range 1..12")
    return month


def month_period(year: int, month: int) -> Period:
    _check_year(year)
    _check_month(month)
    return Period(f"{year}-{month:02d}", "month", date(year, month, 1), _month_end(year, month))


def _ytd(year: int, end_month: int) -> Period:
    _check_year(year)
    _check_month(end_month)
    if end_month == 12:  # a full-year cumulative figure is the year
        return _year(year)
    return Period(f"{year}-01~{end_month:02d}", "ytd", date(year, 1, 1), _month_end(year, end_month))


def _year(year: int) -> Period:
    _check_year(year)
    return Period(str(year), "year", date(year, 1, 1), date(year, 12, 31))


def _quarter(year: int, q: int) -> Period:
    if not 1 <= q <= 4:
        raise ValueError(f"quarter {q} out of range 1..4")
    if q == 1:  # the first quarter alone is the same span as Jan-Mar cumulative
        return _ytd(year, 3)
    _check_year(year)
    start_month = 3 * (q - 1) + 1
    return Period(f"{year}-Q{q}", "quarter", date(year, start_month, 1), _month_end(year, start_month + 2))


def _half(year: int, h: int) -> Period:
    if h == 1:  # the first half alone is the same span as Jan-Jun cumulative
        return _ytd(year, 6)
    _check_year(year)
    return Period(f"{year}-H2", "half", date(year, 7, 1), date(year, 12, 31))


def _multi_year(first: int, last: int) -> Period:
    _check_year(first)
    _check_year(last)
    if last <= first:
        raise ValueError(f"multi-year period {first}-{last} must span at least two years")
    return Period(f"{first}-{last}", "multi_year", date(first, 1, 1), date(last, 12, 31))


# a five-year plan by its number, as bulletins name its span: 十三五 (the 13th, 2016-2020), “十四五”时期 (2021-2025).
# From the third plan (1966-1970) they follow each other every five years; only the 11th-15th are written so.
_PLAN = re.compile(r"^十(?P<n>[一二三四五])五(?:期间|时期)?$")
_THIRD_PLAN_START = 1966


def _plan(number: int) -> Period:
    first = _THIRD_PLAN_START + 5 * (number - 3)
    return _multi_year(first, first + 4)


_Q = r"[1-4一二三四]"
_M = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]|元(?=月))"
_RANGE = r"(?:-|~|至|到)"

# Each pattern maps named groups to a period; year group 'y' is optional where a year context applies.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?P<y1>\d{4})年?-(?P<y2>\d{4})年?$"), "multi_year"),
    (re.compile(r"^(?P<y>\d{4})年?(?:全年|年度)?$"), "year"),
    (re.compile(r"^(?:(?P<y>\d{4})年)?全年$"), "year"),
    (re.compile(rf"^(?P<y>\d{{4}})(?:-|/|\.)(?P<m>{_M})$"), "month"),
    (re.compile(rf"^(?:(?P<y>\d{{4}})年)?(?P<m>{_M})月份?$"), "month"),
    (re.compile(r"^(?P<y>\d{4})(?P<m>0[1-9]|1[0-2])$"), "month"),  # 202205, as databases export it
    # a stock's point in time: 2022年6月末, 截至2022年6月(底), 2022年末, 截至2022年底
    (re.compile(rf"^(?:截至|截止到?)?(?:(?P<y>\d{{4}})年)?(?P<m>{_M})月份?(?:末|底)$"), "month"),
    (re.compile(rf"^(?:截至|截止到?)(?:(?P<y>\d{{4}})年)?(?P<m>{_M})月份?$"), "month"),
    (re.compile(r"^(?:截至|截止到?)?(?P<y>\d{4})年(?:末|底)$"), "year"),
    (re.compile(rf"^(?P<y>\d{{4}})-(?P<m1>{_M})~(?P<m2>{_M})$"), "ytd"),
    (re.compile(rf"^(?:(?P<y>\d{{4}})年)?(?P<m1>{_M})月?{_RANGE}(?P<m2>{_M})月(?:份)?(?:累计)?$"), "ytd"),
    (re.compile(rf"^(?:(?P<y>\d{{4}})年)?前(?P<m2>{_M}|两)个月$"), "ytd"),  # 前三个月: January to March
    (re.compile(rf"^(?:(?P<y>\d{{4}})年?)?-?(?:第)?(?P<q>{_Q})季度(?:当季)?$"), "quarter"),  # 当季: the quarter alone
    (re.compile(r"^(?P<y>\d{4})-?Q(?P<q>[1-4])$", re.I), "quarter"),
    (re.compile(r"^(?:(?P<y>\d{4})年?)?(?P<h>[上下])半年$"), "half"),
    (re.compile(r"^(?P<y>\d{4})-?H(?P<h>[12])$", re.I), "half"),
    (
        re.compile(rf"^(?:(?P<y>\d{{4}})年?)?(?:前(?P<n>[二三两23])季度|第?(?P<q1>{_Q}){_RANGE}(?P<q2>{_Q})季度)$"),
        "quarters",
    ),
    (re.compile(r"^(?P<y>\d{4})-?Q(?P<q1>[1-4])~Q?(?P<q2>[1-4])$", re.I), "quarters"),
]


# a month's number as written in a period text (13月, 2023-13): for the refusal of one out of 1-12
_MONTH_NUMBER = re.compile(r"(?<!\d)(?P<m>\d{1,2})月|^\d{4}[-/.](?P<n>\d{1,2})$")


@lru_cache(maxsize=4096, typed=True)  # a release repeats a few period texts on every row; Period is frozen
def parse_period(text: str, year: int | None = None) -> Period:
    """Parse period text into a canonical :class:`Period`.

    ``year`` is the context year for texts without one (``1-5月``, ``二季度``, ``全年``).
    Raises ``ValueError`` with the offending text for anything unrecognised.
    """
    raw = text
    s = to_halfwidth(str(text)).strip()
    s = re.sub(r"\s+", "", s)
    if not s:
        raise ValueError("empty period text")
    if plan := _PLAN.match(s.replace('"', "").replace("“", "").replace("”", "")):
        return _plan(10 + _num(plan["n"]))
    for pattern, kind in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        g = m.groupdict()
        if kind == "multi_year":
            return _multi_year(int(g["y1"]), int(g["y2"]))
        y = int(g["y"]) if g.get("y") else year
        if y is None:
            raise ValueError(f"period {raw!r} has no year and no year context was given")
        if kind == "year":
            return _year(y)
        if kind == "month":
            return month_period(y, _num(g["m"]))
        if kind == "ytd":
            m1, m2 = _num(g["m1"]) if g.get("m1") else 1, _num(g["m2"])
            if m1 != 1:
                raise ValueError(f"period {raw!r}: cumulative periods must start in January")
            if m2 < m1:
                raise ValueError(f"period {raw!r}: end month before start month")
            return _ytd(y, m2)
        if kind == "quarter":
            return _quarter(y, _num(g["q"]))
        if kind == "half":
            return _half(y, 1 if g["h"] in ("上", "1") else 2)
        if kind == "quarters":
            if g.get("n"):
                last_q = {"二": 2, "两": 2, "三": 3}.get(g["n"]) or int(g["n"])
            else:
                q1, last_q = _num(g["q1"]), _num(g["q2"])
                if q1 != 1:
                    raise ValueError(f"period {raw!r}: cumulative quarters must start with Q1")
                if last_q < q1:
                    raise ValueError(f"period {raw!r}: end quarter before start quarter")
            return _ytd(y, 3 * last_q)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):  # Excel turns 2023-06 typed in a cell into a date
        raise ValueError(
            f"unrecognised period text: {raw!r} is a day, not a period: a month typed in Excel becomes "
            "its first day; write it as text (2023-06, or 2023年6月)"
        )
    month = _MONTH_NUMBER.search(s)
    number = int(month["m"] or month["n"]) if month else 1
    if number not in range(1, 13):  # 2023年13月, 2023-00: a slip of the finger, said as one
        raise ValueError(f"unrecognised period text: {raw!r}: month {number} is no month (1-12)")
    raise ValueError(f"unrecognised period text: {raw!r}")


def split_leading_period(text: str, year: int | None = None) -> tuple[Period, str] | None:
    """The period a text starts with and the rest: '2023年1-6月湖南省' -> (2023-01~06, '湖南省'),
    '6月增速' -> (the 6th month of ``year``, '增速'); None when it starts with none. The longest
    prefix that :func:`parse_period` reads wins ('2023年1-6月', not '2023年')."""
    s = re.sub(r"\s+", "", to_halfwidth(str(text)))
    for end in range(len(s), 0, -1):
        try:
            return parse_period(s[:end], year), s[end:]
        except ValueError:
            continue
    return None


def last_month(period: Period) -> Period:
    """The single month a period ends with (比上年同月 columns in the province table)."""
    return month_period(period.end.year, period.end.month)


def shift_years(period: Period, years: int) -> Period:
    """The same span ``years`` later (for chaining yoy growth from a base period)."""
    if period.kind == "multi_year":
        return _multi_year(period.start.year + years, period.end.year + years)
    if period.kind == "year":
        return _year(period.end.year + years)
    if period.kind == "month":
        return month_period(period.end.year + years, period.end.month)
    if period.kind == "ytd":
        return _ytd(period.end.year + years, period.end.month)
    if period.kind == "half":
        return _half(period.end.year + years, 2)
    return _quarter(period.end.year + years, period.end.month // 3)
