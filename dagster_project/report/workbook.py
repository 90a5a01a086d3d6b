"""The 序时进度 workbook the office circulates every month, written from the published copy (openpyxl).

One sheet per plan: 序号, 指标, 单位, 目标, 截至N月完成, 数据期, 完成%, 序时%, 超/欠百分点, 状态, 责任单位, 来源,
数据性质 (published / derived / illustrative), grouped by section; red fill where a target is behind,
amber where it needs acceleration; frozen header; A4 landscape, one page wide, header rows repeated.
Then one sheet per regional target (county by period, met / not met) and a 说明 notes sheet.

Text cells never start with = + - @ (or a tab / carriage return): a leading apostrophe keeps a
spreadsheet from running them as formulas (CSV/formula injection), and they are stored as strings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.report.data import ReportData, plan_cities
from dagster_project.report.labels import (
    COMPARATOR_SYMBOLS,
    QUALITIES,
    is_missing,
    num,
    num_as_written,
    read_statuses,
    source_text,
    unit_of,
)

WORKBOOK_FILE_NAME = "xushi_progress.xlsx"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BEHIND = {"off_track", "deteriorating", "not_achieved"}
LAGGING = {"needs_acceleration"}
RED = PatternFill("solid", fgColor="F8D7DA")
AMBER = PatternFill("solid", fgColor="FFF1C2")
GREEN = PatternFill("solid", fgColor="D6F0DC")
GREY = PatternFill("solid", fgColor="EAEEF2")
HEAD = PatternFill("solid", fgColor="0B3D5C")
THIN = Side(style="thin", color="D0D7DE")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNIT_FILLS = {"met": GREEN, "not_met": RED}

# (header, width); the 截至N月完成 header is filled in with the plan's latest data month
PLAN_COLUMNS = [
    ("序号", 6),
    ("指标", 36),
    ("单位", 10),
    ("目标", 14),
    ("截至{n}月完成", 14),
    ("数据期", 12),
    ("完成%", 9),
    ("序时%", 9),
    ("超/欠百分点", 11),
    ("状态", 11),
    ("责任单位", 12),
    ("来源", 40),
    ("数据性质", 10),
]
HEADER_ROW = 3  # title, subtitle, header


@dataclass
class WorkbookResult:
    path: Path
    sheets: list[str]
    rows: int


def safe_text(value: object) -> str:
    """Text for a cell: empty for missing values, and never a formula."""
    if is_missing(value):
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _put(ws: Worksheet, row: int, column: int, value: object, number_format: str | None = None):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str) or value is None:
        cell.value = safe_text(value)
        cell.data_type = "s"  # a string, whatever it starts with
    elif is_missing(value):
        cell.value = None
    else:
        cell.value = float(value) if isinstance(value, float) else value
        if number_format:
            cell.number_format = number_format
    cell.border = BOX
    cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
    return cell


def _sheet_title(text: str, taken: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in text)[:31] or "sheet"
    title, n = clean, 2
    while title in taken:
        suffix = f"~{n}"
        title, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def _print_setup(ws: Worksheet, last_column: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)  # header rows and 序号/指标 stay in view
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(last_column)}{max(ws.max_row, HEADER_ROW)}"


def _titles(ws: Worksheet, title: str, subtitle: str, headers: list[str], widths: list[int]) -> None:
    ws.cell(row=1, column=1, value=safe_text(title)).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=safe_text(subtitle)).font = Font(size=9, color="57606A")
    for column, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=HEADER_ROW, column=column, value=header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEAD
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(column)].width = width


def _target_text(r) -> str:
    level = r.target_level if not is_missing(r.target_level) else r.target_value
    if is_missing(level):
        return str(r.comparator)
    symbol = COMPARATOR_SYMBOLS.get(str(r.comparator_applied), "")
    # a level computed from figures is rounded as they are; the catalogue's value is shown as quoted
    shown = num(level) if not is_missing(r.target_level) else num_as_written(level)
    return f"{symbol} {shown}".strip()


def _quality_text(r) -> str:
    if is_missing(r.actual_quality):
        return ""
    zh, en = QUALITIES.get(str(r.actual_quality), (str(r.actual_quality), ""))
    bound = "" if str(r.actual_bound or "eq") in ("eq", "approx", "None", "nan") else " · 界值 bound"
    return f"{zh} {en}{bound}"


def _plan_sheet(ws: Worksheet, data: ReportData, plan, rows: pd.DataFrame, statuses: dict) -> int:
    month = _data_month(rows)
    headers = [h.format(n=month) for h, _ in PLAN_COLUMNS]
    subtitle = (
        f"评估日期 assessed as of {data.assessed_as_of} · 发布版本 published version {data.version} · "
        "完成%=完成度 share achieved, 序时%=按时间应完成 share expected by now, 超/欠百分点 = 完成% − 序时% · "
        "数据性质：公开=公开发布数据, 推算=由公开数据推算, 示意=样例数据（非真实统计）"
    )
    _titles(ws, f"{plan.plan_name_zh} 序时进度表（截至{month}月）", subtitle, headers, [w for _, w in PLAN_COLUMNS])
    line, number = HEADER_ROW + 1, 0
    for section in data.section_order():
        group = rows[rows["section_zh"] == section]
        if group.empty:
            continue
        cell = ws.cell(row=line, column=1, value=safe_text(f"{section} {group['section_en'].iloc[0]}"))
        cell.font = Font(bold=True)
        for column in range(1, len(PLAN_COLUMNS) + 1):
            ws.cell(row=line, column=column).fill = GREY
        line += 1
        for r in group.sort_values("target_id").itertuples():
            number += 1
            ahead = (
                None
                if is_missing(r.share_achieved) or is_missing(r.expected_share)
                else round((float(r.share_achieved) - float(r.expected_share)) * 100, 1)
            )
            zh = statuses.get(r.status_code, (r.status_code, r.status_code))[0]
            values = [
                (number, "0"),
                (f"{r.title_zh}（{r.target_id}）", None),
                (unit_of(r), None),
                (_target_text(r), None),
                (r.actual_value, "#,##0.####"),
                ("" if is_missing(r.latest_period_code) else str(r.latest_period_code), None),
                (r.share_achieved, "0.0%"),
                (r.expected_share, "0.0%"),
                (ahead, "+0.0;-0.0;0.0"),
                (zh, None),
                (_lead_unit_text(r), None),
                (
                    ""
                    if is_missing(r.source_file)
                    else source_text(
                        r.source_file,
                        r.source_row,
                        r.latest_release_date,
                        getattr(r, "latest_release_date_imputed", False),
                    ),
                    None,
                ),
                (_quality_text(r), None),
            ]
            for column, (value, fmt) in enumerate(values, start=1):
                _put(ws, line, column, value, fmt)
            fill = RED if r.status_code in BEHIND else AMBER if r.status_code in LAGGING else None
            if ahead is not None and ahead < 0 and fill is None and r.status_code != "achieved":
                fill = AMBER
            if fill is not None:
                for column in (7, 8, 9, 10):
                    ws.cell(row=line, column=column).fill = fill
            line += 1
    _print_setup(ws, len(PLAN_COLUMNS))
    return number


def _lead_unit_text(r) -> str:
    """责任单位: the lead unit's short name (seeds/target_units.csv, an illustrative assignment)."""
    name = getattr(r, "lead_unit_name", None)
    return "" if is_missing(name) else str(name)


def _unit_names(db_path: Path) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """Short Chinese names from the published dim_units, by (city, unit code), and by code alone for a row
    whose plan has no city or a copy published before units had a city (a code two cities share: none)."""
    from dagster_project.report.published import open_published

    con = open_published(db_path)
    try:
        columns = {
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() where table_name = 'dim_units'"
            ).fetchall()
        }
        if not columns:
            return {}, {}
        city = "city_code" if "city_code" in columns else "null"
        rows = con.execute(f"select {city}, unit_code, unit_short_zh from dim_units").fetchall()
    finally:
        con.close()
    by_city = {(str(c), u): name for c, u, name in rows if c is not None}
    cities_of: dict[str, set] = {}
    for c, u, _ in rows:
        cities_of.setdefault(u, set()).add(c)
    by_code = {u: name for c, u, name in rows if len(cities_of[u]) == 1}
    return by_city, by_code


def lead_unit_names(sc: pd.DataFrame, db_path: Path) -> pd.Series:
    """责任单位 of each scorecard row: its lead unit's short name in the city of its plan (a unit's code is
    unique within its city only: 株洲's and 湘潭's 商务局 are both SWJ)."""
    by_city, by_code = _unit_names(db_path)
    cities = plan_cities(sc)
    names = [
        (by_city.get((str(city), code)) if by_city and city else by_code.get(code)) if isinstance(code, str) else None
        for city, code in zip(cities, sc["lead_unit_code"], strict=True)
    ]
    return pd.Series(names, index=sc.index, dtype=object)


def _data_month(rows: pd.DataFrame) -> int:
    ends = pd.to_datetime(rows["latest_period_end"]).dropna()
    return int(ends.max().month) if len(ends) else 12


def _county_sheet(ws: Worksheet, data: ReportData, target_id: str, rows: pd.DataFrame) -> None:
    t = data.scorecard.set_index("target_id").loc[target_id]
    periods = list(dict.fromkeys(rows.sort_values("period_end")["period_code"]))
    headers = ["单位 unit", *periods]
    widths = [18, *([11] * len(periods))]
    subtitle = (
        f"{t['title_en']} · 绿=达标 met, 红=未达标 not met · 斜体=示意 illustrative sample data · "
        f"评估日期 as of {data.assessed_as_of}"
    )
    _titles(ws, f"{t['title_zh']}（{target_id}）分县市区", subtitle, headers, widths)
    units = rows.drop_duplicates(["region_code", "subject_code"])
    for line, u in enumerate(units.itertuples(), start=HEADER_ROW + 1):
        _put(ws, line, 1, u.unit_name_zh if u.subject_code else u.region_name_zh)
        cells = rows[(rows["region_code"] == u.region_code) & (rows["subject_code"] == u.subject_code)]
        by_period = {c.period_code: c for c in cells.itertuples()}
        for column, period in enumerate(periods, start=2):
            c = by_period.get(period)
            cell = _put(ws, line, column, None if c is None else c.value, "#,##0.####")
            if c is not None:
                if c.unit_status in UNIT_FILLS:
                    cell.fill = UNIT_FILLS[c.unit_status]
                if c.value_quality == "illustrative":
                    cell.font = Font(italic=True)
    _print_setup(ws, len(headers))


def _notes_sheet(ws: Worksheet, data: ReportData, statuses: dict, qualitative: int) -> None:
    lines = [
        (data.title("序时进度", "Progress against schedule"), True),
        (f"评估日期 assessed as of {data.assessed_as_of} · 发布版本 published version {data.version}", False),
        ("来源：已发布的数据集市 (published marts)；每个数字的来源文件、行号和发布日期见“来源”列。", False),
        ("数据性质：公开 = 公开发布数据；推算 = 由公开数据推算；示意 = 生成的样例数据，非真实统计。", False),
        (f"定性目标 {qualitative} 项（人工评估）未列入。Qualitative targets ({qualitative}) are not listed.", False),
        (
            "责任单位：牵头单位取自 seeds/target_units.csv，为示意分工，"
            "城市以本地任务分解方案替换（docs/task_ledger.md）。"
            "Responsible unit: the lead unit of seeds/target_units.csv, an illustrative assignment a city replaces "
            "with its own.",
            False,
        ),
        ("状态 statuses:", True),
        *((f"{zh} {en} ({code})", False) for code, (zh, en) in statuses.items()),
        ("底色 fills: 红 = 滞后/逆向 behind · 黄 = 需加力 needs acceleration", False),
    ]
    for row, (text, bold) in enumerate(lines, start=1):
        ws.cell(row=row, column=1, value=safe_text(text)).font = Font(bold=bold)
    ws.column_dimensions["A"].width = 100


def write_workbook(data: ReportData, path: Path) -> WorkbookResult:
    """Write the workbook atomically (a reader never opens half a file)."""
    statuses = read_statuses()
    wb = Workbook()
    taken: set[str] = set()
    notes = wb.active
    notes.title = _sheet_title("说明 notes", taken)
    # the targets with a figure series (seeds/target_kinds.csv has_series, on dim_targets); the others are counted
    with_series = data.scorecard["has_series"].astype(bool)
    sc = data.scorecard[with_series]
    if "lead_unit_code" in sc:
        sc = sc.assign(lead_unit_name=lead_unit_names(sc, data.db_path))
    total = 0
    for plan in data.plans().itertuples():
        rows = sc[sc["plan_id"] == plan.plan_id]
        if rows.empty:
            continue
        ws = wb.create_sheet(_sheet_title(str(plan.plan_name_zh), taken))
        total += _plan_sheet(ws, data, plan, rows, statuses)
    for target_id, rows in data.by_region.groupby("target_id", sort=False):
        ws = wb.create_sheet(_sheet_title(f"分县 {target_id}", taken))
        _county_sheet(ws, data, str(target_id), rows)
    _notes_sheet(notes, data, statuses, int((~with_series).sum()))
    wb.move_sheet(notes, offset=len(wb.sheetnames) - 1)  # the plans first, the notes last
    wb.active = 0
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.incoming")
    wb.save(tmp)
    os.replace(tmp, path)
    return WorkbookResult(path=path, sheets=list(wb.sheetnames), rows=total)
