"""Illustrative monthly unit returns (工作台账) for the task ledger; called by generate_sample_data.py.

Every lead unit of ``seeds/tasks.csv`` files one return a month, 2022-01 .. 2026-10, listing the
tasks it leads that were not finished before that month, in the layout of docs/release_formats.md
section 6. Each task follows its milestones (``seeds/task_milestones.csv``) early, on time or late by
a fixed number of months. Designed irregularities, so the assessment and the alerts have something
to find (all deterministic):

- ``LATE_TASKS`` finish after the deadline (2023), ``STUCK_TASK`` never finishes and is reported
  every month up to 2026-10;
- ``MISSING`` unit-months are not filed at all (逾期未报);
- a return is late (filed after the due day) when ``_late`` says so;
- ``BACKWARDS`` rows report a lower stage than the month before, one without a note (flagged), one
  with a note (accepted);
- ``RESUBMITTED`` returns are filed again in the next month with a corrected stage (a new vintage).

Every row says ``示意数据（illustrative）`` in its provenance column: none of this is real.
"""

from __future__ import annotations

import csv
import random
from calendar import monthrange
from datetime import date
from pathlib import Path

from dagster_project.ingest.task_returns import COLUMNS as TASK_RETURN_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
LAST_MONTH = (2026, 10)
FIRST_MONTH = (2022, 1)
DUE_DAY = 5  # seeds/task_return_rules.csv return_due_day
PROVENANCE = "示意数据（illustrative）"
HEADER = list(TASK_RETURN_COLUMNS)  # the 台账 CSV header: its one home is the adapter
# The 台账 template's Chinese headers: some units fill the template itself (XLSX).
HEADER_ZH = [
    "月份",
    "任务编号",
    "进展阶段",
    "完成百分比",
    "进展情况",
    "佐证材料",
    "存在问题",
    "备注",
    "填报单位",
    "填报日期",
    "数据性质",
]
XLSX_UNITS = {"JTYSJ", "ZRZYJ"}

STUCK_TASK = "T22-ST-BIGFACILITY-T01"  # 大科学装置: still 推进中 in 2026
LATE_TASKS = {"T22-CZT-OUTER-RING-T01": (2023, 5), "T22-RV-AGRO-PARK-T01": (2023, 2)}
# months late (+) or early (-) against the milestones; the rest follow them
LAG = {
    "T22-ST-CHOKEPOINT-T01": 1,
    "T22-ECO-3BATTLES-T03": 2,
    "T22-PARK-MERGE-T02": 2,
    "T22-CZT-ELICENSE-T01": -1,
    "T22-MUJUN-HEROLIST-T01": -1,
    "T22-RV-5GOOD-VILLAGES-T01": -1,
    "T22-FIN-116-T01": 1,
    "T22-CZT-HALFHOUR-T01": 1,
}
MISSING = {("WLJ", (2022, 4)), ("XZSPJ", (2022, 8)), ("JKQ", (2022, 10)), ("SWJ", (2022, 6)), ("KJJ", (2026, 9))}
# (task, month) -> (stage, percent, note): a stage lower than the month before
BACKWARDS = {
    ("T22-MUJUN-HEROLIST-T01", (2022, 8)): ("in_progress", 70, ""),
    ("T22-PARK-ADJUST-T01", (2022, 8)): ("preparation", 40, "省厅审查退回补充材料，重新进入报批前期（示意）"),
}
# (unit, month) whose return is filed again in the next month, correcting the first task's stage
RESUBMITTED = {("FGW", (2022, 3)), ("STHJJ", (2022, 9))}

STAGE_ZH = {
    "not_started": "未启动",
    "preparation": "前期",
    "in_progress": "推进中",
    "nearly_done": "基本完成",
    "done": "已完成",
}
NOMINAL = {"not_started": 0.0, "preparation": 20.0, "in_progress": 50.0, "nearly_done": 90.0, "done": 100.0}


def _read(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _months() -> list[tuple[int, int]]:
    out, (y, m) = [], FIRST_MONTH
    while (y, m) <= LAST_MONTH:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_end(y: int, m: int) -> date:
    return date(y, m, monthrange(y, m)[1])


def _shift(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _expected_pct(milestones: list[tuple[date, str]], start: date, when: date) -> float:
    """The same linear 序时 the warehouse computes (int_task_schedule), for the generator's plan."""
    prev_d, prev_p = start, 0.0
    for d, stage in milestones:
        p = NOMINAL[stage]
        if when < d:
            span = (d - prev_d).days or 1
            return prev_p + (p - prev_p) * max(0, (when - prev_d).days) / span
        prev_d, prev_p = d, p
    return 100.0


def _stage_of(pct: float) -> str:
    if pct <= 0:
        return "not_started"
    if pct < 50:
        return "preparation"
    if pct < 90:
        return "in_progress"
    if pct < 100:
        return "nearly_done"
    return "done"


def _late(unit: str, y: int, m: int) -> bool:
    return random.Random(f"late-{unit}-{y}-{m}").random() < 0.08


def _plan(task: dict[str, str], milestones: list[tuple[date, str]], y: int, m: int) -> tuple[str, float]:
    tid = task["task_id"]
    start = date.fromisoformat(task["start_date"])
    if tid == STUCK_TASK:
        pct = min(_expected_pct(milestones, start, _month_end(y, m)), 55.0 + min(25.0, ((y - 2022) * 12 + m) * 0.5))
        return _stage_of(pct), round(pct)
    if tid in LATE_TASKS:
        done_y, done_m = LATE_TASKS[tid]
        if (y, m) >= (done_y, done_m):
            return "done", 100.0
        pct = min(95.0, _expected_pct(milestones, start, _month_end(*_shift(y, m, -2))))
        return _stage_of(pct), round(pct)
    lag = LAG.get(tid, 0)
    pct = _expected_pct(milestones, start, _month_end(*_shift(y, m, -lag)))
    if (y, m) >= (int(task["deadline"][:4]), 12):
        pct = 100.0  # every other task is finished by its deadline month
    return _stage_of(pct), round(pct)


def task_returns(w) -> None:
    """Write the returns through the sample generator's Writer (``w.csv``, ``w.xlsx``)."""
    tasks = _read("tasks.csv")
    units = {u["unit_code"]: u for u in _read("units.csv")}
    ms: dict[str, list[tuple[date, str]]] = {}
    for r in _read("task_milestones.csv"):
        ms.setdefault(r["task_id"], []).append((date.fromisoformat(r["milestone_date"]), r["expected_stage"]))
    for v in ms.values():
        v.sort()
    by_unit: dict[str, list[dict[str, str]]] = {}
    for t in tasks:
        by_unit.setdefault(t["lead_unit_code"], []).append(t)
    finished: set[str] = set()
    for y, m in _months():
        for unit in sorted(by_unit):
            rows = []
            for t in by_unit[unit]:
                tid = t["task_id"]
                if tid in finished or date.fromisoformat(t["start_date"]) > _month_end(y, m):
                    continue
                stage, pct = _plan(t, ms[tid], y, m)
                note = ""
                if (tid, (y, m)) in BACKWARDS:
                    stage, pct, note = BACKWARDS[(tid, (y, m))]
                if stage == "done":
                    finished.add(tid)
                reached = [d for d, s in ms[tid] if NOMINAL[s] <= pct]
                progress = (
                    "" if stage == "not_started" else f"{t['title_zh']}：{STAGE_ZH[stage]}，完成约{pct:g}%（示意）"
                )
                problems = (
                    "要素保障不足，进度滞后（示意）"
                    if LAG.get(tid, 0) > 0 or tid in LATE_TASKS or tid == STUCK_TASK
                    else ""
                )
                evidence = f"{units[unit]['short_name_zh']}台账〔{y}〕{m}号（示意）" if reached else ""
                rows.append([f"{y}-{m:02d}", tid, STAGE_ZH[stage], f"{pct:g}", progress, evidence, problems, note])
            if not rows or (unit, (y, m)) in MISSING:
                continue
            ry, rm = _shift(y, m, 1)
            day = (
                8 + random.Random(f"day-{unit}-{y}-{m}").randrange(10)
                if _late(unit, y, m)
                else 1 + (len(unit) + m) % DUE_DAY
            )
            filed = date(ry, rm, day)
            _write(w, unit, units[unit], y, m, filed, rows, "")
            if (unit, (y, m)) in RESUBMITTED:
                fixed = [list(r) for r in rows]
                stage_now = next(k for k, v in STAGE_ZH.items() if v == fixed[0][2])
                order = list(STAGE_ZH)
                better = order[min(order.index(stage_now) + 1, len(order) - 2)]
                fixed[0][2] = STAGE_ZH[better]
                fixed[0][3] = f"{max(float(fixed[0][3]), NOMINAL[better]):g}"
                fixed[0][7] = "更正：阶段填报有误，重新报送（示意）"
                _write(w, unit, units[unit], y, m, date(ry, rm, 12), fixed, "_v2")


def _write(w, unit: str, u: dict[str, str], y: int, m: int, filed: date, rows: list[list], suffix: str) -> None:
    from openpyxl import Workbook

    folder = f"{filed.year:04d}-{filed.month:02d}"
    full = [r + [u["short_name_zh"], filed.isoformat(), PROVENANCE] for r in rows]
    stem = f"{folder}/task_return_{unit}_{y}-{m:02d}{suffix}"
    if unit in XLSX_UNITS:
        wb = Workbook()
        ws = wb.active
        ws.append(HEADER_ZH)
        for r in full:
            ws.append(r)
        w.xlsx(f"{stem}.xlsx", wb)
    else:
        w.csv(f"{stem}.csv", [HEADER, *full])


def bad_task_return(w) -> None:
    """One deliberately bad return: another unit's task, an unknown stage, a percent above 100."""
    w.csv(
        "bad/task_return_wrong_unit.csv",
        [
            HEADER,
            [
                "2022-05",
                "T22-ST-CHOKEPOINT-T01",
                "推进中",
                "45",
                "攻关项目推进（示意）",
                "",
                "",
                "",
                "工信局",
                "2022-06-03",
                PROVENANCE,
            ],
            [
                "2022-05",
                "T22-ST-BEIDOU-T01",
                "快完成了",
                "120",
                "北斗应用推广（示意）",
                "",
                "",
                "",
                "工信局",
                "2022-06-03",
                PROVENANCE,
            ],
        ],
    )
