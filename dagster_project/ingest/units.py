"""Unit normalisation and conversion: the only place a published unit becomes a canonical one.

``convert(value, from_unit, to_unit, period_year)`` returns ``(value, note)``; the note records
the factor or the exchange rate used so a converted figure can be traced back.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dagster_project.ingest.text import to_halfwidth

__all__ = [
    "UnitError",
    "ExchangeRate",
    "normalize_unit",
    "load_exchange_rates",
    "Conversion",
    "conversion",
    "convert",
    "measure_unit",
    "needs_exchange_rate",
    "yoy_change_unit",
    "unkept_change_reason",
    "is_unit",
    "takes_unit",
    "CHANGE_MEASURES",
    "COUNTING_UNITS",
]


class UnitError(ValueError):
    """A unit is unknown or contradicts the indicator (e.g. 家 for an 亿元 indicator)."""


# unit -> (dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "元": ("cny", 1.0),
    "千元": ("cny", 1e3),  # tables of enterprises' accounts and some budget tables are in 千元
    "万元": ("cny", 1e4),
    "亿元": ("cny", 1e8),
    "万亿元": ("cny", 1e12),
    "美元": ("usd", 1.0),
    "万美元": ("usd", 1e4),
    "亿美元": ("usd", 1e8),
    "人": ("persons", 1.0),
    "万人": ("persons", 1e4),
    "人次": ("person_times", 1.0),
    "万人次": ("person_times", 1e4),
    "个": ("items", 1.0),
    "万个": ("items", 1e4),
    # 项 counts items as 个 does ("国家科技计划立项56项", "引进三类500强项目20项"): projects are counted in either
    "项": ("items", 1.0),
    "户": ("households", 1.0),
    "万户": ("households", 1e4),
    "家": ("firms", 1.0),
    "天": ("days", 1.0),
    "公里": ("km", 1.0),
    "微克/立方米": ("ug_m3", 1.0),
    "%": ("pct", 1.0),
    "百分点": ("pp", 1.0),
    "类": ("water_class", 1.0),
    "级": ("stage", 1.0),
    "位": ("rank", 1.0),
}

# Spellings seen in releases -> canonical spelling (applied after brackets/spaces are removed).
_ALIASES = {
    "亿": "亿元",
    "万亿": "万亿元",
    "百分比": "%",
    "个百分点": "百分点",
    "pp": "百分点",
    "千米": "公里",
    "km": "公里",
    "μg/m3": "微克/立方米",
    "μg/m³": "微克/立方米",
    "ug/m3": "微克/立方米",
    "微克每立方米": "微克/立方米",
    "水质类别": "类",
    "位次": "位",
    "名": "位",
    "阶段": "级",
}

# Measures that express a change; only they may be stated in 百分点.
CHANGE_MEASURES = frozenset({"yoy_pct"})

_MEASURE_UNITS = {
    "yoy_pct": "%",
    "plan_share_pct": "%",
    "avg_yoy_pct": "%",
    "cum_pct": "%",
    "rank": "位",
    "yoy_rank": "位",
    "class": "类",
    "stage": "级",
}


@lru_cache(maxsize=4096, typed=True)  # called several times per row with a handful of distinct spellings
def normalize_unit(text: str | None) -> str:
    """Canonical spelling of a unit: （亿元） / 亿 元 / ％ -> 亿元 / 亿元 / %. Empty stays ''."""
    if text is None:
        return ""
    s = to_halfwidth(str(text)).strip()
    s = re.sub(r"\s+", "", s)
    s = s.strip("()[]【】")
    s = s.removeprefix("单位:").removeprefix("单位")
    s = s.replace("³", "3").replace("\u00b5", "\u03bc")  # the micro sign µ typed for the Greek μ
    return _ALIASES.get(s, _ALIASES.get(s.lower(), s))


@dataclass(frozen=True)
class ExchangeRate:
    year: int
    usd_cny: float
    source: str
    is_illustrative: bool


def _default_rates_path() -> Path:
    from dagster_project.settings import default_seeds_dir

    return default_seeds_dir() / "exchange_rates.csv"


@lru_cache(maxsize=8)
def _load_rates_cached(path: str, mtime_ns: int) -> dict[int, ExchangeRate]:
    del mtime_ns  # part of the cache key only: an edited seed file is re-read
    rates: dict[int, ExchangeRate] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            year = int(row["year"])
            rates[year] = ExchangeRate(
                year=year,
                usd_cny=float(row["usd_cny"]),
                source=row["source"].strip(),
                is_illustrative=row["is_illustrative"].strip().lower() == "true",
            )
    return rates


def load_exchange_rates(path: Path | str | None = None) -> dict[int, ExchangeRate]:
    """Annual average USD/CNY rates by year from seeds/exchange_rates.csv."""
    p = Path(path or _default_rates_path())
    return _load_rates_cached(str(p), p.stat().st_mtime_ns)


def measure_unit(measure: str, indicator_unit: str, source_unit: str = "") -> str:
    """The canonical unit a row of ``measure`` is stored in.

    ``value`` rows take the indicator's unit; other measures have their own (yoy_pct '%', rank '位',
    class '类', stage '级'). A yoy change stated in 百分点 is kept in 百分点 (a change of a rate is
    not a growth rate), and only for indicators measured in %.
    """
    src = normalize_unit(source_unit)
    if src == "百分点":
        if measure not in CHANGE_MEASURES:
            raise UnitError(f"百分点 is only valid for a change measure, not for measure {measure!r}")
        if normalize_unit(indicator_unit) != "%":
            raise UnitError(f"a change in 百分点 needs a % indicator, not one in {indicator_unit!r}")
        return "百分点"
    if measure == "value":
        return normalize_unit(indicator_unit)
    try:
        return _MEASURE_UNITS[measure]
    except KeyError:
        raise UnitError(f"unknown measure {measure!r}") from None


@dataclass(frozen=True)
class Conversion:
    """How a value converts: ``value * factor * rate / divisor`` (in that order), and the note.

    Applying the three steps in this order gives the same float as :func:`convert`, so a vectorised
    loader (SQL ``v * factor * rate / divisor``) stores the same numbers as the row-by-row path.
    """

    factor: float = 1.0
    rate: float = 1.0
    divisor: float = 1.0
    note: str = ""

    def apply(self, value: float) -> float:
        if not self.note:
            return value
        return value * self.factor * self.rate / self.divisor


def conversion(
    from_unit: str,
    to_unit: str,
    period_year: int | None = None,
    *,
    rates: dict[int, ExchangeRate] | None = None,
) -> Conversion:
    """The conversion :func:`convert` applies from ``from_unit`` to ``to_unit`` (same rules, same errors)."""
    src, dst = normalize_unit(from_unit), normalize_unit(to_unit)
    if dst not in _UNITS:
        raise UnitError(f"unknown target unit {to_unit!r}")
    if not src:
        return Conversion()
    if src not in _UNITS:
        raise UnitError(f"unknown unit {from_unit!r}")
    if src == dst:
        return Conversion()
    (sdim, sfac), (ddim, dfac) = _UNITS[src], _UNITS[dst]
    if sdim == "usd" and ddim == "cny":
        if period_year is None:
            raise UnitError(f"converting {src} to {dst} needs the period year for the exchange rate")
        table = rates if rates is not None else load_exchange_rates()
        rate = table.get(period_year)
        if rate is None:
            raise UnitError(f"no USD/CNY rate for {period_year} in exchange_rates.csv")
        flag = ", illustrative rate" if rate.is_illustrative else ""
        note = f"{src}→{dst} at USD/CNY {rate.usd_cny} ({rate.year} annual average, {rate.source}{flag})"
        return Conversion(sfac, rate.usd_cny, dfac, note)
    if sdim != ddim:
        raise UnitError(f"unit {src!r} contradicts the indicator's unit {dst!r}")
    factor = sfac / dfac
    note = f"{src}→{dst} ×{factor:g}" if factor >= 1 else f"{src}→{dst} ÷{1 / factor:g}"
    # multiply first, then divide: exact for 万元->亿元 on typical figures
    return Conversion(sfac, 1.0, dfac, note)


# Units that count whole things (firms, items, households, persons): 15.5 家 is a slip, not a figure. The
# 万- units are not among them (1.25万户 is 12,500 households).
COUNTING_UNITS = ("家", "个", "户", "人", "人次")


def is_unit(text: str) -> bool:
    """Whether ``text`` is a unit the warehouse converts ('（万元）' is; '2023年6月' in a title's brackets is not)."""
    return normalize_unit(text) in _UNITS


def takes_unit(written: str, indicator_unit: str) -> bool:
    """Whether a figure written in ``written`` converts to an indicator in ``indicator_unit``, as :func:`conversion`
    converts (one dimension, or dollars to yuan at the year's rate): 56项 to 个 does, 56项 to 亿元 or 家 does not."""
    src, dst = _UNITS.get(normalize_unit(written)), _UNITS.get(normalize_unit(indicator_unit))
    return bool(src and dst and (src[0] == dst[0] or {src[0], dst[0]} == {"usd", "cny"}))


def needs_exchange_rate(from_unit: str, to_unit: str) -> bool:
    """Whether a figure in ``from_unit`` reaches ``to_unit`` only through an exchange rate (亿美元 -> 亿元)."""
    src, dst = _UNITS.get(normalize_unit(from_unit)), _UNITS.get(normalize_unit(to_unit))
    return bool(src and dst and src[0] != dst[0] and {src[0], dst[0]} == {"usd", "cny"})


def yoy_change_unit(indicator_unit: str, written: str) -> str | None:
    """The unit a change over a year earlier written in ``written`` ('%' or '百分点') is kept in, as yoy_pct of
    an indicator in ``indicator_unit``; None when it is none: a rate's change in % may be points or relative
    (优良率 88.2%, 提高2.1%), and a level's change in 百分点 is the change of its growth rate, not a growth."""
    rate = normalize_unit(indicator_unit) == "%"
    if normalize_unit(written) == "百分点":
        return "百分点" if rate else None
    return None if rate else "%"


def unkept_change_reason(written: str) -> str:
    """Why a change written in ``written`` was not kept by :func:`yoy_change_unit`, for a release's notes."""
    if normalize_unit(written) == "百分点":
        return "a change in 百分点 is its growth rate's, not a growth"
    return "a rate's change in % may be points or relative"


def convert(
    value: float,
    from_unit: str,
    to_unit: str,
    period_year: int | None = None,
    *,
    rates: dict[int, ExchangeRate] | None = None,
) -> tuple[float, str]:
    """Convert ``value`` from ``from_unit`` to ``to_unit``; return (value, note).

    The note is '' when no conversion happened. USD amounts need ``period_year`` for the annual
    average rate. An empty ``from_unit`` is taken to be ``to_unit`` (the table gave no unit).
    Raises :class:`UnitError` for unknown units or units of a different dimension.
    """
    c = conversion(from_unit, to_unit, period_year, rates=rates)
    return c.apply(value), c.note


# The note a conversion leaves on its row ("row 8 本月: 万元→亿元 ÷10000"; the words are :func:`convert`'s): the
# row traces it itself, so it is not among the notes shown after an ingest, unless its rate is illustrative.
_CONVERSION_NOTE = re.compile(r"\S→\S+ (?:[×÷][0-9.e+-]+|at USD/CNY .*annual average, .*\))$")


def is_conversion_note(note: str) -> bool:
    """Whether ``note`` is only a unit conversion's trace (an illustrative exchange rate is more than that)."""
    return bool(_CONVERSION_NOTE.search(note)) and not note.endswith(", illustrative rate)")
