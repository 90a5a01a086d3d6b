"""Presentation vocabulary shared by the HTML report and the terminal: labels, colours, number format.

Statuses, their names, colours and the order a reader wants them in come from seeds/statuses.csv
(task statuses from seeds/task_statuses.csv), read here: a status added or recoloured there needs no
code change. The published copy carries each target's status label but not the full list, which the
summary needs even for zero counts.
"""

from __future__ import annotations

import csv
import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dagster_project.settings import REPO_ROOT

SEEDS_DIR = REPO_ROOT / "seeds"  # the catalogue the package ships (settings.seeds_dir by default)


def _seed_rows(name: str, seeds_dir: Path) -> list[dict[str, str]]:
    with open(seeds_dir / name, encoding="utf-8") as handle:
        return sorted(csv.DictReader(handle), key=lambda r: int(r["sort_order"]))


def read_statuses(seeds_dir: Path = SEEDS_DIR) -> dict[str, tuple[str, str]]:
    """status_code -> (中文, English), in the seed's sort order, read from seeds/statuses.csv itself, so a
    status added there (a code the command line accepts, a row in the Excel legend) needs no code change."""
    return {r["status_code"]: (r["status_zh"], r["status_en"]) for r in _seed_rows("statuses.csv", seeds_dir)}


def status_code_for(text: str, vocabulary: dict[str, tuple[str, str]]) -> str | None:
    """The status code a user means: the code, the Chinese name (进度滞后) or the English one (off track)."""
    needle = text.strip().lower().replace("_", " ")
    for code, (zh, en) in vocabulary.items():
        if needle in (code.replace("_", " "), zh.lower(), en.lower()):
            return code
    return None


def read_status_styles(seeds_dir: Path = SEEDS_DIR) -> dict[str, tuple[str, str, str]]:
    """status_code -> (中文, English, colour), in the seed's sort order."""
    return {
        r["status_code"]: (r["status_zh"], r["status_en"], r["colour"]) for r in _seed_rows("statuses.csv", seeds_dir)
    }


def read_attention(seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """The status codes in the order a reader wants them: what needs attention first (attention_order)."""
    rows = _seed_rows("statuses.csv", seeds_dir)
    return [r["status_code"] for r in sorted(rows, key=lambda r: int(r["attention_order"]))]


def read_task_statuses(seeds_dir: Path = SEEDS_DIR) -> dict[str, tuple[str, str, str]]:
    """task_status_code -> (中文, English, colour), in the order of seeds/task_statuses.csv."""
    return {
        r["task_status_code"]: (r["task_status_zh"], r["task_status_en"], r["colour"])
        for r in _seed_rows("task_statuses.csv", seeds_dir)
    }


# status_code -> (中文, English, colour); order = severity order of seeds/statuses.csv
STATUSES: dict[str, tuple[str, str, str]] = read_status_styles()
# the order a reader wants: what needs attention first
ATTENTION: list[str] = read_attention()

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


def num_as_written(value: Any) -> str:
    """A number the catalogue quotes (a target, a baseline) as it was written, with thousands separators:
    1016.11 stays 1,016.11 where :func:`num` would round a computed figure to 1,016.1."""
    if is_missing(value):
        return "—"
    x = float(value)
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return format(x, ",")


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


# how a release date the file did not state is shown: the day the file arrived stood in for it (raw's
# release_date_imputed), which no office printed
ARRIVAL_DAY = "到达日 arrival day, not stated by the file"


def release_day(value: Any, imputed: Any = False) -> str:
    """A release date as :func:`day` shows it, marked when it is the day the file arrived: '2026-12-07 (到达日
    arrival day, not stated by the file)'. ``imputed``: the row's release_date_imputed (missing: a copy
    published before the flag, shown as before)."""
    text = day(value)
    return f"{text} ({ARRIVAL_DAY})" if text != "—" and not is_missing(imputed) and bool(imputed) else text


def bound_prefix(bound: Any) -> str:
    """'>600' for a published lower bound such as 突破600: the actual is not an exact value."""
    return {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "approx": "≈"}.get(str(bound or "eq"), "")


def bounded_value_prefix(bound: Any) -> str:
    """'≥' / '≤' before a figure worked out from a bound (a projection): a lower bound (突破300) gives a lower
    bound and an upper one an upper bound, whichever way the target points; '' for an exact figure."""
    return {"gt": "≥", "ge": "≥", "lt": "≤", "le": "≤"}.get(str(bound or "eq"), "")


def bounded_gap_prefix(reading: Any, surplus: bool = False) -> str:
    """'≤' / '≥' before a gap (positive = short) worked out from a bound: read at_least (the status can only be
    better) the shortfall is at most the gap shown and a surplus (shown as a positive number) at least it;
    read at_most the other way round. '' when the figure is exact."""
    side = {"at_least": "≤", "at_most": "≥"}.get(str(reading or ""), "")
    return {"≤": "≥", "≥": "≤"}.get(side, "") if surplus else side


def quality_label(quality: Any) -> str:
    if is_missing(quality):
        return ""
    zh, en = QUALITIES.get(str(quality), (str(quality), str(quality)))
    return f"{zh} {en}"


def made_from_label(quality: Any) -> str:
    """How an actual was made from its figures (its derived_from), by its quality: "derived" is a quality (a
    level made from growth rates, docs/methodology.md), so a multiple of two published levels was computed."""
    return "推算 derived from" if quality == "derived" else "计算 computed from"


def stage_label(stage: Any) -> str:
    if is_missing(stage):
        return "—"
    zh, en = STAGES.get(int(stage), (str(stage), f"stage {stage}"))
    return f"{int(stage)} {zh}"


def source_files(source_file: str) -> list[str]:
    """The release files a figure's ``source_file`` names: a derived ratio names each input by file and row
    ('a.csv row 8 / b.xlsx#5月 row 7'); a workbook's sheet follows '#' (a release file is the whole workbook)."""
    return [re.sub(r" row \d+$", "", part.strip()).split("#")[0] for part in source_file.split(" / ")]


def source_text(
    source_file: Any, source_row: Any = None, release_date: Any = None, release_date_imputed: Any = False
) -> str:
    """'2023-01/x.csv row 5, released 2023-01-15' — where a figure came from; its date marked when it is the day
    the file arrived (:func:`release_day`)."""
    if is_missing(source_file) or not str(source_file):
        return "no source"
    text = str(source_file)
    if not is_missing(source_row):
        text += f" row {int(source_row)}"
    if not is_missing(release_date):
        text += f", released {release_day(release_date, release_date_imputed)}"
    return text


def unit_text(unit: object) -> str:
    return "" if is_missing(unit) else str(unit)


def underlying_text(value: Any, bound: Any = None, unit: Any = None) -> str:
    """The value a status rests on with its bound and its unit, as the marts give them
    (fct_target_progress.underlying_value, underlying_bound, underlying_unit): '≤3 位（全省排位 …）',
    '9.4 %（同比增速 …）'. The unit is the marts' (macros/target_series.sql underlying_unit), never made up here."""
    return f"{bound_prefix(bound)}{num(value)}" + ("" if is_missing(unit) or not str(unit) else f" {unit}")


def unit_of(row: object) -> str:
    """The unit of the comparable actual (and of the target level and projection compared with it), as the marts
    give it (fct_target_scorecard.actual_unit: macros/target_series.sql actual_unit, e.g. 个县市区 for an
    every-county target), never decided here; '' where there is none (a qualitative target)."""
    return unit_text(getattr(row, "actual_unit", None))


def bound_qualifier(rests_on_bound: object, reading: object, english: bool = True) -> str:
    """The words before a status that rests on a published bound (突破4000 against "above 5000"): 至少 at
    least when the true status can only be better, 至多 at most when it can only be worse; empty otherwise.
    The terminal and the HTML report both put them there."""
    if is_missing(rests_on_bound) or not bool(rests_on_bound):
        return ""
    zh, en = ("至少", "at least") if (not is_missing(reading) and str(reading) == "at_least") else ("至多", "at most")
    return f"{zh} {en} " if english else f"{zh} "
