"""The progress report: one self-contained HTML file (styles, scripts and plotly.js inlined).

Sections: summary (status counts, plan time elapsed, targets by section), the scorecard table
(sortable, filterable), one chart per quantified target, regional targets county by county, the
listed projects' stages, the qualitative targets, and the sources every figure is traced to.
Reads only the published copy. Illustrative (示意) and derived (推算) figures are badged wherever
they appear; only 公开 (published) figures are real public numbers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pandas as pd

from dagster_project.report import charts
from dagster_project.report.bundle import load_bundle, script_tag
from dagster_project.report.data import ReportData, load_report_data
from dagster_project.report.labels import (
    ATTENTION,
    COMPARATOR_SYMBOLS,
    QUALITIES,
    STAGES,
    STATUSES,
    bound_prefix,
    day,
    is_missing,
    num,
    pct,
    source_text,
    stage_label,
    unit_of,
)
from dagster_project.report.units import units_html
from dagster_project.report.workbook import WORKBOOK_FILE_NAME

REPORT_FILE_NAME = "progress_report.html"
TITLE = "株洲市政府工作报告目标进度报告 / Progress report on the Zhuzhou work-report targets"

# Map-like layout of the nine county-level divisions (row, column), north at the top; schematic.
COUNTY_TILES = {
    "430204": (1, 2),  # 石峰区
    "430202": (1, 3),  # 荷塘区
    "430211": (2, 2),  # 天元区
    "430203": (2, 3),  # 芦淞区
    "430212": (3, 2),  # 渌口区
    "430281": (3, 3),  # 醴陵市
    "430223": (4, 3),  # 攸县
    "430224": (5, 3),  # 茶陵县
    "430225": (5, 4),  # 炎陵县
}
UNIT_STATUS = {
    "met": ("达标", "met", "#d6f0dc"),
    "not_met": ("未达标", "not met", "#f8d7da"),
    "no_data": ("无数据", "no data", "#eeeeee"),
}
STAGE_COLOURS = {0: "#eeeeee", 1: "#fff1c2", 2: "#cfe8d5", 3: "#9fd3ae", 4: "#7cc48f"}


@dataclass
class ReportResult:
    path: Path
    size_bytes: int
    charts: int
    status_counts: dict[str, int]
    version: str
    illustrative_share: float
    targets: int
    notes: list[str] = field(default_factory=list)


def e(value: object) -> str:
    return escape("" if is_missing(value) else str(value), quote=True)


def badge(quality: object) -> str:
    if is_missing(quality) or str(quality) not in QUALITIES:
        return ""
    zh, en = QUALITIES[str(quality)]
    return f'<span class="q q-{quality}" title="{en}">{zh} {en}</span>'


def status_chip(code: str, zh: object = None, en: object = None) -> str:
    szh, sen, colour = STATUSES.get(code, (code, code, "#8c959f"))
    return (
        f'<span class="chip" style="background:{colour}" data-status="{e(code)}">'
        f"{e(zh or szh)} <small>{e(en or sen)}</small></span>"
    )


class Sources:
    """Numbered footnotes: one per release file a figure comes from, with its release date."""

    def __init__(self, vintages: list[dict]):
        self.by_file = {v["source_file"]: v for v in vintages}
        self.numbers: dict[str, int] = {}

    def ref(self, source_file: object, row: object = None, release_date: object = None) -> str:
        if is_missing(source_file) or not str(source_file):
            return '<span class="muted">—</span>'
        key = str(source_file)
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        title = source_text(key, row, release_date)
        row_text = "" if is_missing(row) else f" r{int(row)}"
        return f'<a class="fn" href="#src-{number}" title="{e(title)}">[{number}]{row_text}</a>'

    def html(self) -> str:
        items = []
        for key, number in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            # ratio targets combine files: "a.xlsx#10 / b.csv#5"
            parts = [p.split("#")[0].strip() for p in key.split(" / ")]
            details = []
            for part in parts:
                v = self.by_file.get(part)
                if v:
                    details.append(
                        f"{e(part)} — 发布 released {e(v['release_date'])} · {badge(v['provenance'])}"
                        f" · {v['rows']} rows · <code>{e(v['release_id'])}</code>"
                    )
                else:
                    details.append(f"{e(part)}")
            items.append(f'<li id="src-{number}" value="{number}">' + "<br>".join(details) + "</li>")
        return '<ol class="sources">' + "".join(items) + "</ol>"


# ---------------------------------------------------------------------------------------- sections
def running_and_closed(sc: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Targets of running plans (the headline) and of closed plans (final outcomes, shown apart).
    When every plan is closed, the latest of them is the headline."""
    closed = sc["plan_is_closed"].fillna(False).astype(bool) if "plan_is_closed" in sc else pd.Series(False, sc.index)
    if closed.all() and len(sc):
        latest_end = sc["plan_end_date"].max()
        closed = closed & (sc["plan_end_date"] != latest_end)
    return sc[~closed], sc[closed]


def _summary(data: ReportData, sc: pd.DataFrame) -> str:
    running, closed_targets = running_and_closed(sc)
    counts = running["status_code"].value_counts()
    cards = "".join(
        f'<button class="card" data-status="{code}" style="border-top-color:{colour}" '
        f'title="筛选 filter the scorecard"><span class="count">{int(counts.get(code, 0))}</span>'
        f'<span class="lbl">{zh}<br><small>{en}</small></span></button>'
        for code, (zh, en, colour) in STATUSES.items()
    )
    plans = []
    for p in data.plans().itertuples():
        mine = sc[sc["plan_id"] == p.plan_id]
        is_closed = mine["plan_id"].isin(closed_targets["plan_id"]).any()
        outcome = mine["status_code"].value_counts()
        tally = " · ".join(f"{zh} {int(outcome[c])}" for c, (zh, _, _) in STATUSES.items() if c in outcome)
        state = (
            '<span class="closed">已结束 closed — 最终结果 final outcomes</span>'
            if is_closed
            else '<span class="running">进行中 running — 计入概览 counted in the headline</span>'
        )
        plans.append(
            f'<div class="plan" data-plan="{e(p.plan_id)}" data-closed="{str(bool(is_closed)).lower()}">'
            f"<div><b>{e(p.plan_name_zh)}</b> <small>{e(p.plan_name_en)}</small> · "
            f"{day(p.start)} → {day(p.end)} · {p.targets} 项目标 targets · {state}</div>"
            f'<div class="muted">{tally}</div>'
            f'<div class="bar"><div style="width:{p.elapsed_share * 100:.1f}%"></div></div>'
            f'<div class="muted">时间进度 time elapsed <b class="elapsed">{pct(p.elapsed_share)}</b>'
            f" (截至 as of {data.assessed_as_of})</div></div>"
        )
    quantified = sc[~sc["target_kind"].isin(["qualitative"])]
    q = quantified["actual_quality"].value_counts()
    by_section = pd.crosstab(sc["section_zh"], sc["status_code"]).reindex(columns=list(STATUSES), fill_value=0)
    sec_en = sc.groupby("section_zh")["section_en"].first()
    order = data.section_order()
    head = "".join(f'<th title="{en}" style="border-bottom:3px solid {c}">{zh}</th>' for zh, en, c in STATUSES.values())
    body = "".join(
        f"<tr><td>{e(s)}<br><small>{e(sec_en[s])}</small></td>"
        + "".join(f'<td class="n">{v or ""}</td>' for v in by_section.loc[s])
        + f'<td class="n"><b>{by_section.loc[s].sum()}</b></td></tr>'
        for s in order
    )
    return f"""
<section id="summary"><h2>概览 <small>Summary</small></h2>
<p class="muted">概览计数为进行中的规划 the counts are those of the running plan
({len(running)} 项目标 targets)；已结束规划的最终结果另列 closed plans' final outcomes are listed apart
({len(closed_targets)}).</p>
<div class="cards" id="status-cards">{cards}</div>
<p class="muted">共 {len(sc)} 项目标 targets：{len(quantified)} 项量化 quantified
（{int(q.get("published", 0))} 公开 published · {int(q.get("derived", 0))} 推算 derived ·
{int(q.get("illustrative", 0))} 示意 illustrative latest figures），{len(sc) - len(quantified)} 项定性 qualitative.</p>
<div class="plans">{"".join(plans)}</div>
<h3>各章节目标状态 <small>Targets by section and status</small></h3>
<div class="two"><div class="scroll"><table class="matrix"><thead><tr><th>章节 Section</th>{head}<th>合计 Total</th>
</tr></thead><tbody>{body}</tbody></table></div>
<div class="fig">{{summary_figure}}</div></div>
</section>"""


def _target_cell(r) -> str:
    sym = COMPARATOR_SYMBOLS.get(str(r.comparator_applied), "")
    if is_missing(r.target_level):
        stated = f"{e(r.comparator)} {num(r.target_value)} {e(r.target_unit)}"
        value = stated if not is_missing(r.target_value) else "—"
    else:
        value = f"{sym} {num(r.target_level)} {e(unit_of(r))}"
    return f'<td data-v="{e(r.target_level)}">{value}<br><small class="muted">截止 by {day(r.deadline)}</small></td>'


def by_attention(sc: pd.DataFrame, sections: list[str]) -> pd.DataFrame:
    """What needs attention first: deteriorating, off track … achieved; then by section."""
    rank = {code: i for i, code in enumerate(ATTENTION)}
    section_rank = {s: i for i, s in enumerate(sections)}
    keyed = sc.assign(_a=sc["status_code"].map(rank).fillna(99), _s=sc["section_zh"].map(section_rank).fillna(99))
    return keyed.sort_values(["_a", "_s", "target_id"]).drop(columns=["_a", "_s"])


def _scorecard(sc: pd.DataFrame, sources: Sources, closed: pd.DataFrame | None = None) -> str:
    """The running plan's scorecard (filters, sorting), then closed plans' final outcomes apart."""
    table = _scorecard_table(sc, sources, "scorecard-table")
    sections = "".join(f'<option value="{e(s)}">{e(s)}</option>' for s in sc["section_zh"].drop_duplicates())
    statuses = "".join(f'<option value="{c}">{zh} {en}</option>' for c, (zh, en, _) in STATUSES.items())
    apart = ""
    if closed is not None and len(closed):
        apart = f"""
<h3 id="closed-plans">已结束规划的最终结果 <small>Closed plans: final outcomes (已完成 achieved / 未完成 not achieved at
the deadline)</small></h3>
{_scorecard_table(closed, sources, "scorecard-closed")}"""
    return f"""
<section id="scorecard"><h2>目标计分卡 <small>Scorecard</small></h2>
<p class="muted">点击表头排序 click a heading to sort · 完成度条：蓝色为已完成份额，竖线为序时进度 the bar is the share
achieved, the tick the share expected by now · 差 = 距目标还差 short of the target, 超 = 已超出 beyond it ·
“至少” at least: the status rests on a published bound (突破…) and can only be better.</p>
<div class="filters">状态 Status <select id="f-status"><option value="">全部 all</option>{statuses}</select>
章节 Section <select id="f-section"><option value="">全部 all</option>{sections}</select>
<input id="f-text" placeholder="搜索 search"> <span id="f-count" class="muted"></span></div>
{table}{apart}</section>"""


def _scorecard_table(sc: pd.DataFrame, sources: Sources, table_id: str) -> str:
    rows = []
    for r in sc.itertuples():
        if r.target_kind == "qualitative":
            continue
        unit = e(unit_of(r))
        has = not is_missing(r.actual_value)
        actual = (
            (
                f'{bound_prefix(r.actual_bound)}{num(r.actual_value)} {unit}<br><small class="muted">'
                f"{e(r.latest_period_code)}</small> {badge(r.actual_quality)}"
            )
            if has
            else '<span class="muted">—</span>'
        )
        gap = (
            "—"
            if is_missing(r.gap)
            else (
                f'<span class="short">差 {num(r.gap)}</span>'
                if r.gap > 0
                else f'<span class="ok">超 {num(-r.gap)}</span>'
                if r.gap < 0
                else '<span class="ok">0</span>'
            )
        )
        share = "—"
        if not is_missing(r.share_achieved):
            done = max(min(float(r.share_achieved), 1.0), 0.0) * 100
            marker = (
                ""
                if is_missing(r.expected_share)
                else (
                    f'<i style="left:{min(max(float(r.expected_share), 0), 1) * 100:.1f}%" title="序时 expected"></i>'
                )
            )
            share = (
                f'<div class="mini"><div style="width:{done:.1f}%"></div>{marker}</div>'
                f'{pct(r.share_achieved)} <small class="muted">/ 序时 {pct(r.expected_share)}</small>'
            )
        proj = "—"
        if not is_missing(r.projected_value):
            cls = "short" if not is_missing(r.projected_gap) and r.projected_gap > 0 else "ok"
            proj = f'<span class="{cls}">{num(r.projected_value)}</span> {unit}'
        overdue = '<span class="overdue">逾期 overdue</span>' if r.is_next_release_overdue else ""
        fresh = (
            f'发布 {day(r.latest_release_date)}<br><small class="muted">下期应发 next due {day(r.next_release_due)}'
            f"</small> {overdue}"
        )
        short_quote = str(r.quote)[:40] + ("…" if len(str(r.quote)) > 40 else "")
        rows.append(
            f'<tr data-status="{e(r.status_code)}" data-section="{e(r.section_zh)}" id="row-{e(r.target_id)}">'
            f'<td data-v="{r.status_sort_order}">{_bound_qualifier(r)}'
            f"{status_chip(r.status_code, r.status_zh, r.status_en)}{_status_note(r)}</td>"
            f'<td data-v="{e(r.title_zh)}"><b>{e(r.title_zh)}</b><br><small>{e(r.title_en)}</small><br>'
            f'<small class="muted"><a href="#chart-{e(r.target_id)}">{e(r.target_id)}</a> · '
            f"{e(r.section_zh)}</small></td>"
            f'<td class="quote" title="{e(r.quote)}">“{e(short_quote)}”</td>'
            f'<td data-v="{e(r.actual_value)}">{actual}</td>'
            f"{_target_cell(r)}"
            f'<td data-v="{e(r.gap)}">{gap}</td>'
            f'<td data-v="{e(r.share_achieved)}">{share}</td>'
            f'<td data-v="{e(r.projected_value)}">{proj}</td>'
            f'<td data-v="{day(r.latest_release_date)}">{fresh}</td>'
            f"<td>{sources.ref(r.source_file, r.source_row, r.latest_release_date)}</td></tr>"
        )
    return f"""
<div class="scroll"><table id="{table_id}" class="sortable"><thead><tr>
<th data-type="num">状态<br><small>Status</small></th><th>目标<br><small>Target</small></th>
<th>原文<br><small>Quote</small></th><th data-type="num">最新实际<br><small>Latest actual</small></th>
<th data-type="num">目标值<br><small>Target</small></th><th data-type="num">差距<br><small>Gap</small></th>
<th data-type="num">完成度/序时<br><small>Achieved vs expected</small></th>
<th data-type="num">期末预测<br><small>Projection</small></th><th>数据时效<br><small>Freshness</small></th>
<th>来源<br><small>Source</small></th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>"""


def _bound_qualifier(r) -> str:
    """'至少 at least' before a status that rests on a published bound (突破4000 for 'above 5000')."""
    if is_missing(getattr(r, "status_rests_on_bound", None)) or not bool(r.status_rests_on_bound):
        return ""
    word = "至少 at least" if getattr(r, "bound_reading", None) == "at_least" else "至多 at most"
    return f'<small class="bound" title="the status rests on a published bound">{word}</small> '


def _status_note(r) -> str:
    note = getattr(r, "status_note", None)
    return "" if is_missing(note) or not note else f'<br><small class="muted">{e(note)}</small>'


def _chart_cards(data: ReportData, sources: Sources, figures: list, progress: Callable[[int, int], None]) -> str:
    sc = data.scorecard
    charted = sc[~sc["target_kind"].isin(["qualitative", "milestone"]) & sc["actual_value"].notna()]
    total = len(charted)
    out = []
    for section in data.section_order():
        group = by_attention(charted[charted["section_zh"] == section], [section])
        cards = []
        for _, target in group.iterrows():
            rows = data.progress[data.progress["target_id"] == target["target_id"]]
            if rows.empty:
                continue
            fig = charts.target_figure(target, rows)
            div_id = f"fig-{target['target_id']}"
            figures.append(div_id)
            html = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=charts.PLOT_CONFIG)
            progress(len(figures) - 1, total)
            latest = rows.sort_values("period_end").iloc[-1]
            n_files = rows["source_file"].nunique()
            qualities = " ".join(badge(q) for q in rows["actual_quality"].dropna().unique())
            cards.append(
                f'<div class="chart" id="chart-{e(target["target_id"])}"><h4>{status_chip(target["status_code"])} '
                f"{e(target['title_zh'])}<br><small>{e(target['title_en'])} · {e(target['target_id'])}</small></h4>"
                f'{html}<p class="fnote">{qualities} 最新 latest {e(latest["period_code"])}: '
                f"{sources.ref(latest['source_file'], latest['source_row'], latest['release_date'])} "
                f"发布 released {day(latest['release_date'])}"
                f"{f' · 共 {n_files} 个发布文件 files (悬停查看 hover a point)' if n_files > 1 else ''}</p></div>"
            )
        if cards:
            out.append(
                f"<h3>{e(section)} <small>{e(group['section_en'].iloc[0])}</small></h3>"
                f'<div class="charts">{"".join(cards)}</div>'
            )
    return (
        '<section id="charts"><h2>各目标进度图 <small>Progress by target</small></h2>'
        '<p class="muted">每图：实际值（空心=示意，菱形=推算，实心=公开）、目标线（红虚线）、'
        "从基期到截止日的所需路径（灰点线）、"
        "按当前速度的期末预测（紫线）。Each chart: the actual (hollow = illustrative, diamond = derived, solid = "
        "published), the target (red dashes), the path needed from the baseline to the deadline (grey dots) and "
        "the projection at the current pace (purple).</p>" + "".join(out) + "</section>"
    )


def _tile_map(latest: pd.DataFrame, sources: Sources) -> str:
    tiles = []
    for r in latest.itertuples():
        pos = COUNTY_TILES.get(str(r.region_code))
        if pos is None:
            continue
        zh, en, colour = UNIT_STATUS.get(r.unit_status, UNIT_STATUS["no_data"])
        tiles.append(
            f'<div class="tile q-cell-{e(r.value_quality)}" style="grid-row:{pos[0]};grid-column:{pos[1]};'
            f'background:{colour}" title="{e(source_text(r.source_file, r.source_row, r.release_date))}">'
            f"<b>{e(r.region_name_zh)}</b><span>{bound_prefix(r.bound)}{num(r.value)}</span>"
            f"<small>{zh} {en}</small></div>"
        )
    return f'<div class="tiles">{"".join(tiles)}</div>' if tiles else ""


def _regional(data: ReportData, sources: Sources) -> str:
    reg = data.by_region
    if reg.empty:
        return ""
    sc = data.scorecard.set_index("target_id")
    out = []
    for target_id, rows in reg.groupby("target_id", sort=False):
        t = sc.loc[target_id]
        periods = list(dict.fromkeys(rows.sort_values("period_end")["period_code"]))
        units = rows.drop_duplicates(["region_code", "subject_code"])
        head = "".join(f"<th>{e(p)}</th>" for p in periods)
        body = []
        for u in units.itertuples():
            cells = rows[(rows["region_code"] == u.region_code) & (rows["subject_code"] == u.subject_code)]
            by_period = {c.period_code: c for c in cells.itertuples()}
            tds = []
            for p in periods:
                c = by_period.get(p)
                if c is None:
                    tds.append('<td class="n muted">·</td>')
                    continue
                zh, en, colour = UNIT_STATUS.get(c.unit_status, UNIT_STATUS["no_data"])
                tds.append(
                    f'<td class="n q-cell-{e(c.value_quality)}" style="background:{colour}" '
                    f'title="{e(zh + " " + en + " · " + source_text(c.source_file, c.source_row, c.release_date))}">'
                    f"{bound_prefix(c.bound)}{num(c.value)}</td>"
                )
            name = u.unit_name_zh if u.subject_code else u.region_name_zh
            body.append(f"<tr><td>{e(name)}<br><small>{e(u.region_name_en)}</small></td>{''.join(tds)}</tr>")
        latest = rows[rows["period_code"] == periods[-1]]
        met = int((latest["unit_status"] == "met").sum())
        qualities = " ".join(badge(q) for q in rows["value_quality"].dropna().unique())
        tile_map = _tile_map(latest, sources) if t["scope_type"] == "every_county" else ""
        src = latest.iloc[0]
        out.append(
            f'<div class="regional" id="region-{e(target_id)}"><h4>{status_chip(t["status_code"])} {e(t["title_zh"])}'
            f"<br><small>{e(t['title_en'])} · {e(target_id)}</small></h4>"
            f"<p>{qualities} 最新期 latest {e(periods[-1])}: <b>{met}/{len(latest)}</b> 达标 met · "
            f"{sources.ref(src['source_file'], None, src['release_date'])}</p>"
            f'<div class="{"twomap" if tile_map else ""}">{tile_map}<div class="scroll">'
            f'<table class="grid"><thead><tr><th>单位 Unit</th>{head}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table></div></div></div>"
        )
    legend = " ".join(
        f'<span class="legend" style="background:{c}">{zh} {en}</span>' for zh, en, c in UNIT_STATUS.values()
    )
    return (
        f'<section id="regional"><h2>分地区目标 <small>Regional targets, county by county</small></h2>'
        f'<p class="muted">{legend} · 悬停单元格查看来源 hover a cell for its source · '
        "县市区方块按大致地理位置排列（示意）"
        f"tiles are placed roughly as on a map (schematic).</p>{''.join(out)}</section>"
    )


def _projects(data: ReportData, sources: Sources) -> str:
    sc = data.scorecard[data.scorecard["target_kind"] == "milestone"]
    if sc.empty:
        return ""
    prog = data.progress[data.progress["target_id"].isin(sc["target_id"])]
    periods = sorted(prog["period_code"].unique())
    head = "".join(f"<th>{e(p)}</th>" for p in periods)
    groups = []
    for section, group in sc.groupby("section_zh", sort=False):
        body = []
        for t in group.sort_values("target_id").itertuples():
            rows = {r.period_code: r for r in prog[prog["target_id"] == t.target_id].itertuples()}
            tds = []
            for p in periods:
                r = rows.get(p)
                if r is None or is_missing(r.actual_value):
                    tds.append('<td class="muted">—</td>')
                    continue
                stage = int(r.actual_value)
                title = (
                    STAGES.get(stage, ("", ""))[1] + " · " + source_text(r.source_file, r.source_row, r.release_date)
                )
                tds.append(
                    f'<td class="stage q-cell-{e(r.actual_quality)}" '
                    f'style="background:{STAGE_COLOURS.get(stage, "#fff")}" title="{e(title)}">'
                    f"{e(stage_label(stage))}</td>"
                )
            body.append(
                f'<tr data-status="{e(t.status_code)}"><td><b>{e(t.quote)}</b><br>'
                f"<small>{e(t.title_en)} · {e(t.target_id)}"
                f"</small></td><td>≥ {e(stage_label(t.target_level))}</td>{''.join(tds)}"
                f"<td>{status_chip(t.status_code, t.status_zh, t.status_en)}</td>"
                f"<td>{badge(t.actual_quality)} "
                f"{sources.ref(t.source_file, t.source_row, t.latest_release_date)}</td></tr>"
            )
        groups.append(
            f'<tr class="group"><th colspan="{len(periods) + 4}">{e(section)} <small>'
            f"{e(group['section_en'].iloc[0])}</small></th></tr>" + "".join(body)
        )
    legend = " ".join(
        f'<span class="legend" style="background:{STAGE_COLOURS[k]}">{k} {zh} {en}</span>'
        for k, (zh, en) in STAGES.items()
    )
    return (
        f'<section id="projects"><h2>重点项目进展 <small>Listed projects by stage</small></h2>'
        f'<p class="muted">{legend}</p><div class="scroll"><table class="grid projects"><thead><tr>'
        "<th>项目 Project</th>"
        f"<th>承诺阶段 Committed</th>{head}<th>状态 Status</th><th>数据 Data</th></tr></thead>"
        f"<tbody>{''.join(groups)}</tbody></table></div></section>"
    )


def _qualitative(sc: pd.DataFrame) -> str:
    q = sc[sc["target_kind"] == "qualitative"]
    items = "".join(
        f"<li>{status_chip(r.status_code, r.status_zh, r.status_en)} <b>{e(r.title_zh)}</b> "
        f"<small>{e(r.title_en)} · {e(r.target_id)} · {e(r.section_zh)}</small>"
        f'<br><span class="muted">“{e(r.quote)}”</span></li>'
        for r in q.itertuples()
    )
    return (
        f'<section id="qualitative"><h2>定性目标 <small>Qualitative targets ({len(q)}) — status rolled up from '
        f'their tasks and the units\' monthly returns (<a href="#units">责任单位 by unit</a>)</small></h2>'
        f"<details><summary>展开 show all {len(q)}</summary><ul>{items}</ul></details></section>"
    )


def _history(data: ReportData) -> str:
    """月末状态 with a month picker: the status counts at any month end (fct_scorecard_monthly) and
    the targets whose status changed since the month before. Drawn by HISTORY_JS from a compact
    payload: one letter per target per month."""
    from dagster_project.report.changes import status_history

    months, targets, at = status_history(data.db_path)
    if not months:
        return ""
    codes = list(STATUSES) + sorted({c for c in at.values() if c not in STATUSES})
    letters = {code: chr(ord("a") + i) for i, code in enumerate(codes)}
    payload = {
        "months": months,
        "targets": targets,
        "titles": dict(zip(data.scorecard["target_id"], data.scorecard["title_zh"], strict=True)),
        "codes": codes,
        "labels": {c: list(STATUSES.get(c, (c, c, "#8c959f"))) for c in codes},
        "m": {m: "".join(letters.get(at.get(f"{m}|{t}", ""), "-") for t in targets) for m in months},
    }
    options = "".join(
        f'<option value="{m}"{" selected" if m == months[-1] else ""}>{m}</option>' for m in reversed(months)
    )
    blob = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f"""
<section id="history"><h2>月末状态 <small>Status at each month end</small></h2>
<p class="muted">选择月份查看当月末的计分卡（按当时已发布的数据；已结束月份的记录不因后来的修订而改写）。
Pick a month: the scorecard as it stood at that month end, from the figures released by then (months that
have ended are kept as recorded; later revisions do not rewrite them).</p>
<div class="filters">月份 Month <select id="h-month">{options}</select></div>
<div class="cards" id="h-cards"></div>
<h3>较上月变化 <small>Changed since last month</small> <span id="h-period" class="muted"></span></h3>
<ul id="h-changes" class="changes"></ul>
<script type="application/json" id="h-data">{blob}</script>
</section>"""


def _no_progress(done: int, total: int) -> None:
    return None


_TEMPLATES = None


def templates():
    """The report's Jinja2 templates (package data, dagster_project/report/templates/), autoescaped:
    a value is escaped unless it is already HTML (``Markup``, e.g. a section built by this module)."""
    global _TEMPLATES
    if _TEMPLATES is None:
        from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

        _TEMPLATES = Environment(
            loader=PackageLoader("dagster_project.report", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2", "j2"), default=True),
            undefined=StrictUndefined,
            keep_trailing_newline=True,  # the included CSS and JS keep their last line break
        )
    return _TEMPLATES


def render_report(
    data: ReportData,
    progress: Callable[[int, int], None] = _no_progress,
    quarantined: list | None = None,
    plotly_js: Path | None = None,
) -> tuple[str, list[str]]:
    """The HTML text and the ids of the chart divs. ``quarantined``: files quarantined since the last
    clean ingestion (:func:`dagster_project.ingest.quarantine.quarantined_since_clean`), shown at the top;
    ``plotly_js``: another copy of the partial plotly.js (the settings' plotly_js_path)."""
    sc = data.scorecard
    sources = Sources(data.manifest.get("source_vintages", []))
    bundle = load_bundle(plotly_js)
    summary_fig = script_tag(bundle) + charts.summary_figure(sc, data.section_order()).to_html(
        full_html=False, include_plotlyjs=False, div_id="fig-summary", config=charts.PLOT_CONFIG
    )  # the one inlined copy of plotly.js (the partial build, bundle.py); every other figure reuses it
    figures = ["fig-summary"]
    summary = _summary(data, sc).replace("{summary_figure}", summary_fig)
    running, closed = running_and_closed(sc)
    scorecard = _scorecard(
        by_attention(running, data.section_order()), sources, by_attention(closed, data.section_order())
    )
    chart_html = _chart_cards(data, sources, figures, progress)
    regional = _regional(data, sources)
    projects = _projects(data, sources)
    qualitative = _qualitative(sc)
    units = units_html(data.db_path)  # 责任单位: the task ledger's unit view
    history = _history(data)
    from markupsafe import Markup

    quality = data.progress["actual_quality"].value_counts()
    n_ill, n_der, n_pub = (int(quality.get(q, 0)) for q in ("illustrative", "derived", "published"))
    sections = [summary, history, scorecard, chart_html, regional, projects, qualitative, units]
    html = (
        templates()
        .get_template("report.html.j2")
        .render(
            title=TITLE,
            version=data.version,
            assessed_as_of=data.assessed_as_of,
            published_at=data.published_at,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            workbook=WORKBOOK_FILE_NAME,
            quality={"illustrative": n_ill, "derived": n_der, "published": n_pub, "total": int(quality.sum()) or 1},
            badges=Markup(" ".join(badge(q) for q in ("published", "derived", "illustrative"))),
            quarantined=quarantined or [],
            sections=[Markup(section) for section in sections],  # built by this module, values escaped by e()
            sources=Markup(sources.html()),
            db_name=data.db_path.name,
        )
    )
    return html, figures


def build_report(
    db_path: Path,
    out_path: Path,
    progress: Callable[[int, int], None] = _no_progress,
    quarantine_dir: Path | None = None,
    plotly_js: Path | None = None,
) -> ReportResult:
    """Render the report from the published copy and write it atomically (readers never see half a file).
    With ``quarantine_dir``, files quarantined since the last clean ingestion are listed at the top."""
    from dagster_project.ingest.quarantine import quarantined_since_clean

    data = load_report_data(db_path)
    quarantined = quarantined_since_clean(quarantine_dir) if quarantine_dir else []
    html, figures = render_report(data, progress, quarantined, plotly_js)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.incoming")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out_path)
    quality = data.progress["actual_quality"].value_counts(normalize=True)
    return ReportResult(
        path=out_path,
        size_bytes=out_path.stat().st_size,
        charts=len(figures),
        status_counts={k: int(v) for k, v in data.scorecard["status_code"].value_counts().items()},
        version=data.version,
        illustrative_share=float(quality.get("illustrative", 0.0)),
        targets=len(data.scorecard),
    )
