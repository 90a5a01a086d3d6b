"""Presentation vocabulary shared by the HTML report and the terminal: labels, colours, number format.

Statuses and their colours mirror seeds/statuses.csv (a test keeps them in step); the published copy
carries each target's status label but not the full list, which the summary needs even for zero counts.
"""

from __future__ import annotations

import csv
import math
from datetime import date, datetime
from typing import Any

import pandas as pd

from dagster_project.settings import load_settings

# status_code -> (中文, English, colour); order = severity order of seeds/statuses.csv
STATUSES: dict[str, tuple[str, str, str]] = {
    "achieved": ("已完成", "Achieved", "#1a7f37"),
    "on_track": ("正常推进", "On track", "#4c9a2a"),
    "needs_acceleration": ("需加力推进", "Needs acceleration", "#d4a72c"),
    "off_track": ("进度滞后", "Off track", "#d1242f"),
    "deteriorating": ("逆向变化", "Deteriorating", "#8b0000"),
    "no_data": ("暂无数据", "No data", "#8c959f"),
    "not_assessable": ("无法评估", "Not assessable", "#57606a"),
    "not_achieved": ("未完成", "Not achieved", "#6e2b2b"),
}


def read_statuses() -> dict[str, tuple[str, str]]:
    """status_code -> (中文, English), in the seed's sort order, read from seeds/statuses.csv itself, so a
    status added there (a code the command line accepts, a row in the Excel legend) needs no code change."""
    with open(load_settings().seeds_dir / "statuses.csv", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: int(r["sort_order"]))
    return {r["status_code"]: (r["status_zh"], r["status_en"]) for r in rows}


def status_code_for(text: str, vocabulary: dict[str, tuple[str, str]]) -> str | None:
    """The status code a user means: the code, the Chinese name (进度滞后) or the English one (off track)."""
    needle = text.strip().lower().replace("_", " ")
    for code, (zh, en) in vocabulary.items():
        if needle in (code.replace("_", " "), zh.lower(), en.lower()):
            return code
    return None


# the order a reader wants: what needs attention first
ATTENTION = [
    "deteriorating",
    "off_track",
    "needs_acceleration",
    "no_data",
    "on_track",
    "achieved",
    "not_achieved",
    "not_assessable",
]

# actual_quality -> (中文, English); only 'published' figures are real public numbers
QUALITIES: dict[str, tuple[str, str]] = {
    "published": ("公开", "published"),
    "derived": ("推算", "derived"),
    "illustrative": ("示意", "illustrative"),
}

# project stages of seeds/listed_projects (docs/architecture.md, measure 'stage')
STAGES: dict[int, tuple[str, str]] = {
    0: ("未开工", "not started"),
    1: ("前期", "preparation"),
    2: ("开工/在建", "under construction"),
    3: ("主体完工", "main works done"),
    4: ("竣工投产", "completed"),
}

# comparator as applied to the comparable actual -> symbol shown before the target
COMPARATOR_SYMBOLS = {"exceed": ">", "at_least": "≥", "at_most": "≤", "about": "≈"}


def is_missing(value: Any) -> bool:
    """None, NaN, NaT and pandas.NA (what a DuckDB NULL becomes in a DataFrame)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-likes are not missing scalars
        return False


def num(value: Any, digits: int = 4) -> str:
    """A number for people: thousands separators, at most ``digits`` significant decimals, no '-0'."""
    if is_missing(value):
        return "—"
    x = float(value)
    if math.isinf(x):
        return "∞"
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    magnitude = abs(x)
    decimals = 1 if magnitude >= 100 else 2 if magnitude >= 1 else digits
    text = f"{x:,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def pct(value: Any) -> str:
    return "—" if is_missing(value) else f"{float(value) * 100:.1f}%"


def day(value: Any) -> str:
    if is_missing(value):
        return "—"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def bound_prefix(bound: Any) -> str:
    """'>600' for a published lower bound such as 突破600: the actual is not an exact value."""
    return {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "approx": "≈"}.get(str(bound or "eq"), "")


def status_label(code: str) -> str:
    zh, en, _ = STATUSES.get(code, (code, code, "#8c959f"))
    return f"{zh} {en}"


def status_colour(code: str) -> str:
    return STATUSES.get(code, ("", "", "#8c959f"))[2]


def quality_label(quality: Any) -> str:
    if is_missing(quality):
        return ""
    zh, en = QUALITIES.get(str(quality), (str(quality), str(quality)))
    return f"{zh} {en}"


def stage_label(stage: Any) -> str:
    if is_missing(stage):
        return "—"
    zh, en = STAGES.get(int(stage), (str(stage), f"stage {stage}"))
    return f"{int(stage)} {zh}"


def source_text(source_file: Any, source_row: Any = None, release_date: Any = None) -> str:
    """'2023-01/x.csv row 5, released 2023-01-15' — where a figure came from."""
    if is_missing(source_file) or not str(source_file):
        return "no source"
    text = str(source_file)
    if not is_missing(source_row):
        text += f" row {int(source_row)}"
    if not is_missing(release_date):
        text += f", released {day(release_date)}"
    return text


def unit_text(unit: object) -> str:
    return "" if is_missing(unit) else str(unit)


def unit_of(row: object) -> str:
    """The unit of the comparable actual: counties for every-county targets, else the target's unit."""
    if getattr(row, "scope_type", None) == "every_county":
        return "个县市区"
    unit = getattr(row, "target_unit", None)
    return "" if is_missing(unit) else str(unit)
