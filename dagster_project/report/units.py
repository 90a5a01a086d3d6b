"""The unit view (按责任单位): what each unit leads, where it stands, which returns it owes.

Read from the published copy (``fct_unit_scorecard``, ``fct_task_progress``, ``fct_target_scorecard``),
for ``pmw status --unit 发改委`` and the report's 责任单位 section. The assignment of units is
illustrative until a city loads its own 任务分解方案 (docs/task_ledger.md): every view says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

import pandas as pd

from dagster_project.alerts.config import split_unit_key
from dagster_project.report.labels import read_task_statuses
from dagster_project.report.published import reading_published

__all__ = ["UnitData", "load_unit_data", "find_unit", "unit_text", "units_section", "TASK_STATUSES", "gap_text"]

# task_status_code -> (中文, English, colour), read from seeds/task_statuses.csv
TASK_STATUSES: dict[str, tuple[str, str, str]] = read_task_statuses()
ASSIGNMENT_NOTE = (
    "责任分工为示意（工作报告未列明责任单位），城市可按 docs/task_ledger.md 导入自己的任务分解方案。"
    " The assignment of units is illustrative (the report names none); a city replaces it with its own "
    "任务分解方案 (docs/task_ledger.md)."
)


@dataclass
class UnitData:
    units: pd.DataFrame  # fct_unit_scorecard
    tasks: pd.DataFrame  # fct_task_progress, latest month of each task
    targets: pd.DataFrame  # fct_target_scorecard with lead_unit_code


def load_unit_data(db_path: Path) -> UnitData | None:
    """The unit marts of the published copy; None when the copy predates the task ledger."""
    with reading_published(db_path) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not {"fct_unit_scorecard", "fct_task_progress"} <= tables:
            return None
        units = con.execute("SELECT * FROM fct_unit_scorecard ORDER BY attention_rank, unit_code").df()
        tasks = con.execute(
            "SELECT * FROM fct_task_progress WHERE is_latest ORDER BY task_status_sort_order DESC, task_id"
        ).df()
        targets = con.execute(
            "SELECT s.target_id, s.title_zh, s.target_kind, s.status_code, s.status_zh, s.lead_unit_code, "
            "s.schedule_gap_pts, s.latest_period_code, t.plan_region_code AS city_code "
            "FROM fct_target_scorecard AS s JOIN dim_targets AS t USING (target_id) "
            "ORDER BY s.status_sort_order, s.target_id"
        ).df()
    if "city_code" not in units:  # a copy published before units had a city: one city's units
        for frame in (units, tasks, targets):
            frame["city_code"] = ""
    # a unit is its city's (two cities may each have a 商务局): each city's units in their rank order
    units = units.sort_values(["city_code", "attention_rank", "unit_code"], kind="stable").reset_index(drop=True)
    return UnitData(units, tasks, targets)


def find_unit(units: pd.DataFrame, text: str) -> pd.Series:
    """A unit by code, short name (发改委), full name or a part of it, optionally after its city's code
    (``430300:KJJ``, ``430300:科技局``: the alert channels' city_code:unit_code form, split_unit_key);
    ValueError with suggestions."""
    city, needle = split_unit_key(text)
    if city:
        cities = sorted(set(units["city_code"].astype(str)) - {""})
        if city not in cities:
            known = f"cities with units: {', '.join(cities)}" if cities else "the published units have no city yet"
            raise ValueError(f"unknown city {city!r} in {text!r} (city_code:unit_code); {known}")
        units = units[units["city_code"].astype(str) == city]
    for column in ("unit_code", "unit_short_zh", "unit_name_zh", "unit_name_en"):
        hit = units[units[column].astype(str).str.lower() == needle.lower()]
        if len(hit) == 1:
            return hit.iloc[0]
        if len(hit) > 1:  # two cities' 商务局: the full name, or the city's code before it, says which
            which = ", ".join(f"{r.unit_name_zh} ({r.city_code}:{r.unit_code})" for r in hit.itertuples())
            raise ValueError(
                f"{text!r} is a unit of several cities: {which}; give the full name or city_code:unit_code"
            )
    part = units[
        units["unit_name_zh"].str.contains(needle, regex=False)
        | units["unit_short_zh"].str.contains(needle, regex=False)
    ]
    if len(part) == 1:
        return part.iloc[0]
    names = [*units["unit_short_zh"], *units["unit_code"]]
    close = get_close_matches(needle, names, n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; units: {', '.join(units['unit_short_zh'])}"
    where = f" of city {city}" if city else ""
    raise ValueError(f"unknown unit {needle!r}{where}" + ("" if len(part) < 2 else " (several match)") + hint)


def gap_text(value: object) -> str:
    """Points ahead of (+) or behind (-) the expected schedule; "-" when unknown."""
    if value is None or pd.isna(value):
        return "-"
    return f"{float(value):+.1f}"


def unit_text(data: UnitData, unit: pd.Series) -> str:
    """The terminal view of one unit."""
    from dagster_project.report.terminal import table

    code = unit["unit_code"]
    ranked = data.units[data.units["city_code"] == unit["city_code"]]  # the rank is within the unit's city
    lines = [
        f"{unit['unit_name_zh']} {unit['unit_name_en']} ({code}) · "
        f"督办排序 attention rank {int(unit['attention_rank'])} of {len(ranked)}",
        f"牵头目标 targets led {int(unit['targets_led'])} · 牵头任务 tasks led {int(unit['tasks_led'])} · "
        f"参与任务 tasks shared {int(unit['tasks_shared'])} · "
        f"超/欠序时 schedule gap {gap_text(unit['schedule_gap_pts'])} points",
        f"台账 returns: due {int(unit['returns_due'])}, missing {int(unit['returns_missing'])}, late "
        f"{int(unit['returns_late'])}, on time {int(unit['returns_on_time'])}, stage backwards without a note "
        f"{int(unit['rows_backwards_unexplained'])}",
        "",
    ]
    targets = data.targets[(data.targets["lead_unit_code"] == code) & (data.targets["city_code"] == unit["city_code"])]
    rows = [
        [r.target_id, r.status_zh or r.status_code, r.target_kind, gap_text(r.schedule_gap_pts), r.title_zh]
        for r in targets.itertuples()
    ]
    lines.append(f"牵头目标 Targets led ({len(rows)})")
    lines.append(table(["目标 target", "状态 status", "类型 kind", "超/欠序时 pts", "内容 title"], rows, max_width=40))
    tasks = data.tasks[(data.tasks["lead_unit_code"] == code) & (data.tasks["city_code"] == unit["city_code"])]
    rows = [
        [
            r.task_id,
            TASK_STATUSES.get(r.task_status_code, (r.task_status_code,))[0],
            r.month_code,
            f"{r.expected_stage_zh} {r.expected_pct:g}%",
            f"{r.known_stage_zh or '-'} {'' if pd.isna(r.known_pct) else f'{r.known_pct:g}%'}",
            gap_text(r.schedule_gap_pts),
            r.task_title_zh,
        ]
        for r in tasks.itertuples()
    ]
    lines.append("")
    lines.append(f"牵头任务 Tasks led ({len(rows)}), latest month")
    lines.append(
        table(
            ["任务 task", "状态 status", "月份 month", "序时 expected", "报送 reported", "pts", "内容 title"],
            rows,
            max_width=36,
        )
    )
    lines.append("")
    lines.append(ASSIGNMENT_NOTE)
    lines.append("示意数据：样例台账为生成数据 / the bundled returns are illustrative sample data.")
    return "\n".join(lines)


def units_section(db_path: Path) -> dict | None:
    """What the report's 责任单位 section shows (templates/units.html.j2): the unit scorecard, then each
    unit's tasks (collapsed). None when the published copy predates the task ledger."""
    data = load_unit_data(db_path)
    if data is None:
        return None
    details = []
    for u in data.units.itertuples():
        tasks = data.tasks[(data.tasks["lead_unit_code"] == u.unit_code) & (data.tasks["city_code"] == u.city_code)]
        if not tasks.empty:
            details.append({"unit": u, "tasks": list(tasks.itertuples())})
    return {"note": ASSIGNMENT_NOTE, "units": list(data.units.itertuples()), "details": details}
