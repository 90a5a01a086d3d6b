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
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from dagster_project.report import charts
from dagster_project.report.bundle import inline_source, load_bundle
from dagster_project.report.data import ReportData, city_headlines, load_report_data, running_and_closed
from dagster_project.report.labels import (
    ARRIVAL_DAY,
    ATTENTION,
    COMPARATOR_SYMBOLS,
    QUALITIES,
    STAGES,
    STATUSES,
    bound_prefix,
    bound_qualifier,
    bounded_gap_prefix,
    bounded_value_prefix,
    day,
    is_missing,
    num,
    num_as_written,
    pct,
    quality_label,
    release_day,
    source_files,
    source_text,
    stage_label,
    unit_of,
)
from dagster_project.report.units import TASK_STATUSES, gap_text, units_section
from dagster_project.report.workbook import WORKBOOK_FILE_NAME

REPORT_FILE_NAME = "progress_report.html"

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


def text(value: object) -> str:
    """A value as the templates show it: missing (NULL, NaN) is empty; the templates escape it."""
    return "" if is_missing(value) else str(value)


@dataclass(frozen=True)
class Note:
    """A footnote reference: its number, what it points at (file, row, release date) and the row."""

    number: int
    title: str
    row_text: str


@dataclass(frozen=True)
class SourceItem:
    number: int
    parts: list[tuple[str, dict | None]]  # each release file (ratio targets combine two) and its vintage


class Sources:
    """Numbered footnotes: one per release file a figure comes from, with its release date. Numbers are
    given in the order the page shows the figures (the templates ask for them as they render)."""

    def __init__(self, vintages: list[dict]):
        self.by_file = {v["source_file"]: v for v in vintages}
        self.numbers: dict[str, int] = {}

    def note(
        self, source_file: object, row: object = None, release_date: object = None, imputed: object = False
    ) -> Note | None:
        """The footnote of a figure; ``imputed``: its release_date is the day the file arrived."""
        if is_missing(source_file) or not str(source_file):
            return None
        key = str(source_file)
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        row_text = "" if is_missing(row) else f" r{int(row)}"
        return Note(number, source_text(key, row, release_date, imputed), row_text)

    def items(self) -> list[SourceItem]:
        items = []  # ratio targets combine files (labels.source_files)
        for key, number in sorted(self.numbers.items(), key=lambda kv: kv[1]):
            parts = source_files(key)
            items.append(SourceItem(number, [(part, self.by_file.get(part)) for part in parts]))
        return items


# ---------------------------------------------------------------------------------------- sections
# Each function below gathers what one section shows; its HTML is the template of the same name
# (dagster_project/report/templates/<section>.html.j2).
def _summary(data: ReportData, sc: pd.DataFrame) -> dict:
    running, closed_targets = running_and_closed(sc)
    counts = running["status_code"].value_counts()
    plans = []
    for p in data.plans().itertuples():
        mine = sc[sc["plan_id"] == p.plan_id]
        outcome = mine["status_code"].value_counts()
        plans.append(
            {
                "plan_id": p.plan_id,
                "plan_name_zh": p.plan_name_zh,
                "plan_name_en": p.plan_name_en,
                "start": p.start,
                "end": p.end,
                "targets": p.targets,
                "is_closed": bool(mine["plan_id"].isin(closed_targets["plan_id"]).any()),
                "tally": [f"{zh} {int(outcome[c])}" for c, (zh, _, _) in STATUSES.items() if c in outcome],
                "elapsed_share": p.elapsed_share,
            }
        )
    quantified = sc[sc["has_series"].astype(bool)]  # the kinds with a figure series (seeds/target_kinds.csv)
    q = quantified["actual_quality"].value_counts()
    by_section = pd.crosstab(sc["section_zh"], sc["status_code"]).reindex(columns=list(STATUSES), fill_value=0)
    sec_en = sc.groupby("section_zh")["section_en"].first()
    return {
        "running": len(running),
        "closed": len(closed_targets),
        "counts": {code: int(counts.get(code, 0)) for code in STATUSES},
        "total": len(sc),
        "quantified": len(quantified),
        "quality": {k: int(q.get(k, 0)) for k in ("published", "derived", "illustrative")},
        "plans": plans,
        # more than one city: each city's headline is shown apart (summary.html.j2)
        "cities": [{k: v for k, v in h.items() if k != "targets"} for h in city_headlines(data, sc)],
        "sections": [
            {
                "section_zh": s,
                "section_en": sec_en[s],
                "counts": [int(v) for v in by_section.loc[s]],
                "total": int(by_section.loc[s].sum()),
            }
            for s in data.section_order()
        ],
    }


def by_attention(sc: pd.DataFrame, sections: list[str]) -> pd.DataFrame:
    """What needs attention first: deteriorating, off track … achieved; then by section."""
    rank = {code: i for i, code in enumerate(ATTENTION)}
    section_rank = {s: i for i, s in enumerate(sections)}
    keyed = sc.assign(_a=sc["status_code"].map(rank).fillna(99), _s=sc["section_zh"].map(section_rank).fillna(99))
    return keyed.sort_values(["_a", "_s", "target_id"]).drop(columns=["_a", "_s"])


def _scorecard(sc: pd.DataFrame, closed: pd.DataFrame | None = None) -> dict:
    """The running plan's scorecard (filters, sorting), then closed plans' final outcomes apart."""
    return {
        "running": _scorecard_rows(sc),
        "sections": list(sc["section_zh"].drop_duplicates()),
        "closed": _scorecard_rows(closed) if closed is not None and len(closed) else [],
    }


def _scorecard_rows(sc: pd.DataFrame) -> list[dict]:
    rows = []
    for r in sc.itertuples():
        if not r.has_series:
            continue
        done = expected_left = None
        if not is_missing(r.share_achieved):
            done = max(min(float(r.share_achieved), 1.0), 0.0) * 100
            if not is_missing(r.expected_share):
                expected_left = min(max(float(r.expected_share), 0), 1) * 100
        note = getattr(r, "status_note", None)
        bound_word = bound_qualifier(getattr(r, "status_rests_on_bound", None), getattr(r, "bound_reading", None))
        rows.append(
            {
                "row": r,
                "bound_word": bound_word.strip(),  # the status rests on a published bound (突破4000 for 'above 5000')
                "status_note": "" if is_missing(note) or not note else note,
                "short_quote": str(r.quote)[:40] + ("…" if len(str(r.quote)) > 40 else ""),
                "done": done,
                "expected_left": expected_left,
                "projection_class": "short" if not is_missing(r.projected_gap) and r.projected_gap > 0 else "ok",
                # the gap and projection of a bound are bounds too: 突破300 is at least 0 beyond 300
                "gap_prefix": bounded_gap_prefix(getattr(r, "bound_reading", None)),
                "surplus_prefix": bounded_gap_prefix(getattr(r, "bound_reading", None), surplus=True),
                "projection_prefix": bounded_value_prefix(getattr(r, "actual_bound", None)),
                "overdue": bool(r.is_next_release_overdue),
            }
        )
    return rows


def _chart_cards(data: ReportData, figures: list, progress: Callable[[int, int], None]) -> list[dict]:
    sc = data.scorecard
    # a figure series of numbers: not a qualitative target's (none) nor a project's stages (measure kind stage)
    charted = sc[sc["has_series"].astype(bool) & (sc["measure_kind"] != "stage") & sc["actual_value"].notna()]
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
            cards.append(
                {
                    "target": target.to_dict(),
                    "figure": Markup(html),  # plotly's own HTML
                    "qualities": list(rows["actual_quality"].dropna().unique()),
                    "latest": rows.sort_values("period_end").iloc[-1].to_dict(),
                    "files": rows["source_file"].nunique(),
                }
            )
        if cards:
            out.append({"section_zh": section, "section_en": group["section_en"].iloc[0], "cards": cards})
    return out


def _tiles(latest: pd.DataFrame) -> list[dict]:
    """The county tiles of an every-county target, placed roughly as on a map."""
    tiles = []
    for r in latest.itertuples():
        pos = COUNTY_TILES.get(str(r.region_code))
        if pos is not None:
            tiles.append({"row": r, "position": pos, "status": UNIT_STATUS.get(r.unit_status, UNIT_STATUS["no_data"])})
    return tiles


def _regional(data: ReportData) -> list[dict]:
    reg = data.by_region
    if reg.empty:
        return []
    sc = data.scorecard.set_index("target_id")
    out = []
    for target_id, rows in reg.groupby("target_id", sort=False):
        t = sc.loc[target_id]
        periods = list(dict.fromkeys(rows.sort_values("period_end")["period_code"]))
        units = []
        for u in rows.drop_duplicates(["region_code", "subject_code"]).itertuples():
            cells = rows[(rows["region_code"] == u.region_code) & (rows["subject_code"] == u.subject_code)]
            by_period = {c.period_code: c for c in cells.itertuples()}
            units.append(
                {
                    "name": u.unit_name_zh if u.subject_code else u.region_name_zh,
                    "region_name_en": u.region_name_en,
                    "cells": [
                        None
                        if (c := by_period.get(p)) is None
                        else {"row": c, "status": UNIT_STATUS.get(c.unit_status, UNIT_STATUS["no_data"])}
                        for p in periods
                    ],
                }
            )
        latest = rows[rows["period_code"] == periods[-1]]
        out.append(
            {
                "target_id": target_id,
                "target": t.to_dict(),
                "periods": periods,
                "units": units,
                "met": int((latest["unit_status"] == "met").sum()),
                "units_latest": len(latest),
                "qualities": list(rows["value_quality"].dropna().unique()),
                "tiles": _tiles(latest) if t["scope_type"] == "every_county" else [],
                "source": latest.iloc[0].to_dict(),
            }
        )
    return out


def _projects(data: ReportData) -> dict | None:
    # the listed projects: the targets read off a stage series (milestones)
    sc = data.scorecard[data.scorecard["measure_kind"] == "stage"]
    if sc.empty:
        return None
    prog = data.progress[data.progress["target_id"].isin(sc["target_id"])]
    periods = sorted(prog["period_code"].unique())
    groups = []
    for section, group in sc.groupby("section_zh", sort=False):
        projects = []
        for t in group.sort_values("target_id").itertuples():
            rows = {r.period_code: r for r in prog[prog["target_id"] == t.target_id].itertuples()}
            cells = [None if (r := rows.get(p)) is None or is_missing(r.actual_value) else r for p in periods]
            projects.append({"target": t, "cells": cells})
        groups.append({"section_zh": section, "section_en": group["section_en"].iloc[0], "projects": projects})
    return {"periods": periods, "groups": groups}


def _qualitative(sc: pd.DataFrame) -> list:
    return list(sc[~sc["has_series"].astype(bool)].itertuples())


def _history(data: ReportData) -> dict | None:
    """月末状态 with a month picker: the status counts at any month end (fct_scorecard_monthly) and
    the targets whose status changed since the month before. Drawn by HISTORY_JS from a compact
    payload: one letter per target per month."""
    from dagster_project.report.changes import status_history

    months, targets, at = status_history(data.db_path)
    if not months:
        return None
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
    # JSON inside <script>: "</" cannot end it early
    blob = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return {"months": months, "blob": Markup(blob)}


def _no_progress(done: int, total: int) -> None:
    return None


_TEMPLATES = None


def field(row: object, name: str) -> object:
    """A column of a row (a dict, or a namedtuple of itertuples) that a copy published before it lacks: None
    there (the templates' undefined is strict). Used for the release-date flags (release_day shows None as
    before: unmarked)."""
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def templates():
    """The report's Jinja2 templates (package data, dagster_project/report/templates/), autoescaped:
    a value is escaped unless it is already HTML (``Markup``: plotly's figures and script).
    The sections' templates get the labels (statuses, qualities, stages) and the number formats of
    report/labels.py as globals and filters."""
    global _TEMPLATES
    if _TEMPLATES is None:
        from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

        env = Environment(
            loader=PackageLoader("dagster_project.report", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2", "j2"), default=True),
            undefined=StrictUndefined,
            keep_trailing_newline=True,  # the included CSS and JS keep their last line break
        )
        env.filters.update(
            text=text,
            missing=is_missing,
            num=num,
            num_as_written=num_as_written,
            pct=pct,
            day=day,
            release_day=release_day,
            bound_prefix=bound_prefix,
            stage_label=stage_label,
            unit_of=unit_of,
            gap=gap_text,
            quality_label=quality_label,
        )
        env.globals.update(
            STATUSES=STATUSES,
            QUALITIES=QUALITIES,
            STAGES=STAGES,
            STAGE_COLOURS=STAGE_COLOURS,
            UNIT_STATUS=UNIT_STATUS,
            COMPARATOR_SYMBOLS=COMPARATOR_SYMBOLS,
            TASK_STATUSES=TASK_STATUSES,
            source_text=source_text,
            ARRIVAL_DAY=ARRIVAL_DAY,
            field=field,
        )
        _TEMPLATES = env
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
    bundle = load_bundle(plotly_js)
    summary_fig = charts.summary_figure(sc, data.section_order()).to_html(
        full_html=False, include_plotlyjs=False, div_id="fig-summary", config=charts.PLOT_CONFIG
    )
    figures = ["fig-summary"]
    running, closed = running_and_closed(sc)
    quality = data.progress["actual_quality"].value_counts()
    n_ill, n_der, n_pub = (int(quality.get(q, 0)) for q in ("illustrative", "derived", "published"))
    html = (
        templates()
        .get_template("report.html.j2")
        .render(
            title=data.title("进度报告", "Progress report"),
            heading=data.title("进度报告", "Progress report").split(" / ")[0],
            version=data.version,
            assessed_as_of=data.assessed_as_of,
            published_at=data.published_at,
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            workbook=WORKBOOK_FILE_NAME,
            quality={"illustrative": n_ill, "derived": n_der, "published": n_pub, "total": int(quality.sum()) or 1},
            quarantined=quarantined or [],
            # the sections, in the page's order (templates/<section>.html.j2)
            summary=_summary(data, sc),
            # the one inlined copy of plotly.js (the partial build, bundle.py); every other figure reuses it
            plotly_js=Markup(inline_source(bundle)),
            summary_figure=Markup(summary_fig),  # plotly's own HTML
            history=_history(data),
            scorecard=_scorecard(
                by_attention(running, data.section_order()), by_attention(closed, data.section_order())
            ),
            charts=_chart_cards(data, figures, progress),
            regional=_regional(data),
            projects=_projects(data),
            qualitative=_qualitative(sc),
            units=units_section(data.db_path),  # 责任单位: the task ledger's unit view (report/units.py)
            # footnotes are numbered as the sections render, in the page's order, then listed at the end
            sources=Sources(data.manifest.get("source_vintages", [])),
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
