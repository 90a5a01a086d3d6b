"""The printable brief: one to two A4 pages for the office's paper file (`pmw report --pdf`).

Headline status counts, what changed since last month, the off-track list, and the key targets of
the plan running at the assessment date. An HTML page made for print (@page A4), printed to PDF by
headless Chromium (the settings' chromium_path: Debian's /usr/bin/chromium; PMW_CHROMIUM points
elsewhere), loopback only.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from dagster_project.report.changes import changes_since_last_month
from dagster_project.report.data import ReportData
from dagster_project.report.html import TITLE, by_attention, e
from dagster_project.report.labels import COMPARATOR_SYMBOLS, STATUSES, is_missing, num, pct, quality_label, unit_of

BRIEF_FILE_NAME = "progress_brief.pdf"
BEHIND = ("deteriorating", "off_track", "not_achieved")
MAX_ROWS = 24  # per list: two pages at most

CSS = """
@page{size:A4 portrait;margin:12mm 11mm}
*{box-sizing:border-box}
body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif;font-size:9.5px;
  color:#1f2328;margin:0;line-height:1.35}
h1{font-size:15px;margin:0 0 2px}
h2{font-size:11.5px;margin:10px 0 3px;border-bottom:1px solid #0b3d5c;color:#0b3d5c}
.meta,.note,small{color:#57606a}
.note{font-size:8.5px}
.counts{display:flex;gap:4px;margin:6px 0}
.counts div{flex:1;border:1px solid #d0d7de;border-top:4px solid;padding:2px 4px}
.counts b{font-size:15px;display:block}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #eaeef2;padding:2px 3px;text-align:left;vertical-align:top}
th{background:#f0f3f6;white-space:nowrap}
td.n{text-align:right;white-space:nowrap}
tr{break-inside:avoid}
.chip{color:#fff;border-radius:6px;padding:0 4px;white-space:nowrap}
"""


def _chip(code: str) -> str:
    zh, en, colour = STATUSES.get(code, (code, code, "#8c959f"))
    return f'<span class="chip" style="background:{colour}">{e(zh)}</span>'


def _target(r) -> str:
    level = r.target_level if not is_missing(r.target_level) else r.target_value
    return f"{COMPARATOR_SYMBOLS.get(str(r.comparator_applied), '')} {num(level)} {e(unit_of(r))}".strip()


def _rows(frame: pd.DataFrame) -> str:
    out = []
    for r in frame.itertuples():
        actual = "—" if is_missing(r.actual_value) else f"{num(r.actual_value)} {e(unit_of(r))}"
        out.append(
            f"<tr><td>{_chip(r.status_code)}</td><td><b>{e(r.title_zh)}</b> <small>{e(r.target_id)}</small></td>"
            f'<td class="n">{actual}<br><small>{e(r.latest_period_code)} '
            f"{e(quality_label(r.actual_quality).split(' ')[0])}</small></td>"
            f'<td class="n">{_target(r)}</td><td class="n">{pct(r.share_achieved)}</td>'
            f'<td class="n">{pct(r.expected_share)}</td></tr>'
        )
    return (
        "<table><thead><tr><th>状态</th><th>目标 target</th><th>最新实际 actual</th><th>目标值 target</th>"
        f"<th>完成%</th><th>序时%</th></tr></thead><tbody>{''.join(out)}</tbody></table>"
    )


def running_plan(data: ReportData) -> pd.Series | None:
    """The plan whose window holds the assessment date (the latest-starting one if several)."""
    plans = data.plans()
    as_of = pd.Timestamp(data.assessed_as_of)
    running = plans[(plans["start"] <= as_of) & (plans["end"] >= as_of)]
    return running.sort_values("start").iloc[-1] if len(running) else None


def render_brief(data: ReportData) -> str:
    sc = data.scorecard
    quantified = sc[sc["target_kind"] != "qualitative"]
    counts = sc["status_code"].value_counts()
    cards = "".join(
        f'<div style="border-top-color:{colour}"><b>{int(counts.get(code, 0))}</b>{e(zh)} <small>{e(en)}</small></div>'
        for code, (zh, en, colour) in STATUSES.items()
    )
    order = data.section_order()
    behind = by_attention(quantified[quantified["status_code"].isin(BEHIND)], order)
    month = changes_since_last_month(data.db_path)
    changes = "".join(
        f"<li><b>{e(c.target_id)}</b> {e(c.title_zh)}：{e(STATUSES.get(c.before, (c.before,))[0])} → "
        f"{e(STATUSES.get(c.after, (c.after,))[0])}</li>"
        for c in month.changes[:MAX_ROWS]
    )
    changed = (
        f"<h2>较上月变化 Changed since last month ({e(month.previous)} → {e(month.month)})</h2>"
        + (f"<ul>{changes}</ul>" if changes else '<p class="note">无变化 no status changed.</p>')
        if month.previous
        else ""
    )
    plan = running_plan(data)
    key = ""
    if plan is not None:
        targets = by_attention(quantified[quantified["plan_id"] == plan["plan_id"]], order)
        more = len(targets) - MAX_ROWS
        key = (
            f"<h2>在期规划重点目标 Key targets of the running plan: {e(plan['plan_name_zh'])} "
            f"<small>(时间进度 time elapsed {pct(plan['elapsed_share'])})</small></h2>"
            + _rows(targets.head(MAX_ROWS))
            + (f'<p class="note">另有 {more} 项见完整报告 {more} more in the full report.</p>' if more > 0 else "")
        )
    more_behind = len(behind) - MAX_ROWS
    quality = quantified["actual_quality"].value_counts()
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{TITLE}</title>
<style>{CSS}</style></head><body>
<h1>株洲市政府工作报告目标进度简报 <small>Progress brief</small></h1>
<div class="meta">评估日期 as of <b>{data.assessed_as_of}</b> · 发布版本 version {e(data.version)} ·
{len(sc)} 项目标 targets ({len(quantified)} 量化 quantified)</div>
<div class="counts">{cards}</div>
<p class="note">最新数据性质 latest figures: {int(quality.get("published", 0))} 公开 published ·
{int(quality.get("derived", 0))} 推算 derived · {int(quality.get("illustrative", 0))} 示意 illustrative
(示意 = 生成的样例数据，非真实统计 generated sample data, not real statistics).</p>
{changed}
<h2>进度滞后与逆向变化 Off track and deteriorating ({len(behind)})</h2>
{_rows(behind.head(MAX_ROWS))}
{f'<p class="note">另有 {more_behind} 项 {more_behind} more.</p>' if more_behind > 0 else ""}
{key}
<p class="note">完整报告与每个数字的来源见 progress_report.html；计算过程 `pmw explain TARGET`。</p>
</body></html>"""


class PdfError(RuntimeError):
    """Chromium is missing or could not print the page."""


def print_pdf(html_path: Path, pdf_path: Path, chromium: Path, timeout: float = 120) -> Path:
    """Print an HTML file to PDF with headless Chromium (``chromium``: the settings' chromium_path; no
    network, no header/footer lines)."""
    if not Path(chromium).exists():
        raise PdfError(f"{chromium} is missing: install Chromium (`make browser`) or set PMW_CHROMIUM")
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf_path.with_name(f".{pdf_path.name}.incoming")
    with tempfile.TemporaryDirectory(prefix="pmw-pdf-") as profile:
        command = [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--proxy-server=http://127.0.0.1:9",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            Path(html_path).resolve().as_uri(),
        ]
        try:
            completed = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"Chromium did not print {html_path} within {timeout:.0f} s") from exc
    if completed.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        raise PdfError(f"Chromium could not print {html_path} (exit {completed.returncode})")
    os.replace(tmp, pdf_path)
    return pdf_path


def pdf_page_count(pdf_path: Path) -> int:
    """Pages in a PDF Chromium wrote (its page objects; no PDF library needed)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", Path(pdf_path).read_bytes()))


def write_brief(data: ReportData, pdf_path: Path, chromium: Path) -> tuple[Path, int]:
    """The brief's HTML beside the PDF, and the PDF printed by ``chromium``; returns (pdf, pages)."""
    pdf_path = Path(pdf_path)
    html_path = pdf_path.with_suffix(".html")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(render_brief(data), encoding="utf-8")
    print_pdf(html_path, pdf_path, chromium)
    return pdf_path, pdf_page_count(pdf_path)
