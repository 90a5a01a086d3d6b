"""The size of the synthetic country and its calendar.

The default is the national case of the issue: 2,800 county-level units (grouped 9 to a city and
10 cities to a province, roughly China's 2,800 / 330 / 31), 200 published indicators (plus a few
ratio indicators derived from two of them), 120 months of history ending December 2025, and one
new month (January 2026) to add. ``--scale`` shrinks the number of counties only, so a small run
still has every indicator kind, every plan and ten years of history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

__all__ = ["Scale", "month_start", "month_label"]

COUNTIES_PER_CITY = 9
CITIES_PER_PROVINCE = 10


def month_start(index: int) -> date:
    """Month ``index`` counted from January 2016 (0 = 2016-01)."""
    return date(2016 + index // 12, index % 12 + 1, 1)


def month_label(index: int) -> str:
    d = month_start(index)
    return f"{d.year}-{d.month:02d}"


@dataclass(frozen=True)
class Scale:
    counties: int = 2800
    indicators: int = 200  # published indicators; ratio indicators come on top
    history_months: int = 120  # ending with the month before ``new_month``
    short_history_months: int = 12  # the "1 year of history" warehouse
    new_month: int = 120  # month index of the release added incrementally (2026-01)

    @classmethod
    def from_fraction(cls, fraction: float, **overrides: int) -> Scale:
        """``fraction`` of the default number of counties (at least one city's worth)."""
        if fraction <= 0:
            raise ValueError("scale must be positive")
        counties = max(COUNTIES_PER_CITY, round(2800 * fraction))
        return cls(counties=counties, **overrides)

    def __post_init__(self) -> None:
        if self.indicators < 20:
            raise ValueError("at least 20 indicators (two of every kind)")
        if not 1 <= self.short_history_months <= self.history_months <= self.new_month:
            raise ValueError("need 1 <= short history <= history <= new month index")

    @property
    def cities(self) -> int:
        return math.ceil(self.counties / COUNTIES_PER_CITY)

    @property
    def provinces(self) -> int:
        return math.ceil(self.cities / CITIES_PER_PROVINCE)

    @property
    def regions(self) -> int:
        return self.counties + self.cities + self.provinces

    @property
    def ratio_indicators(self) -> int:
        return self.indicators // 25  # 8 at the default

    @property
    def first_month(self) -> int:
        return self.new_month - self.history_months

    @property
    def short_first_month(self) -> int:
        return self.new_month - self.short_history_months

    def describe(self) -> str:
        return (
            f"{self.counties:,} counties + {self.cities:,} cities + {self.provinces:,} provinces "
            f"({self.regions:,} reporting regions) x {self.indicators} indicators "
            f"(+{self.ratio_indicators} derived ratios) x {self.history_months} months "
            f"({month_label(self.first_month)}..{month_label(self.new_month - 1)}), "
            f"new month {month_label(self.new_month)}"
        )
