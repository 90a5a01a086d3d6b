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
from dagster_project.report.html import by_attention, templates
from dagster_project.report.labels import STATUSES

BRIEF_FILE_NAME = "progress_brief.pdf"
BEHIND = ("deteriorating", "off_track", "not_achieved")
MAX_ROWS = 24  # per list: two pages at most


def running_plans(data: ReportData) -> list[pd.Series]:
    """Each city's plan whose window holds the assessment date (the latest-starting one if several), in
    region-code order: one for a one-city warehouse, never one city's plan standing for another's."""
    plans = data.plans()
    as_of = pd.Timestamp(data.assessed_as_of)
    running = plans[(plans["start"] <= as_of) & (plans["end"] >= as_of)]
    return [part.sort_values("start").iloc[-1] for _, part in running.groupby("plan_region_code", sort=True)]


def render_brief(data: ReportData) -> str:
    """The brief's HTML (templates/brief.html.j2, styles in templates/brief.css)."""
    sc = data.scorecard
    quantified = sc[sc["has_series"].astype(bool)]  # the kinds with a figure series (seeds/target_kinds.csv)
    counts = sc["status_code"].value_counts()
    order = data.section_order()
    behind = by_attention(quantified[quantified["status_code"].isin(BEHIND)], order)
    month = changes_since_last_month(data.db_path)
    key_plans = []
    for plan in running_plans(data):
        key_targets = by_attention(quantified[quantified["plan_id"] == plan["plan_id"]], order)
        key_plans.append(
            {
                "plan": plan.to_dict(),
                "key_targets": list(key_targets.head(MAX_ROWS).itertuples()),
                "more_key": len(key_targets) - MAX_ROWS,
            }
        )
    quality = quantified["actual_quality"].value_counts()
    return (
        templates()
        .get_template("brief.html.j2")
        .render(
            title=data.title("进度简报", "Progress brief"),
            heading=data.title("进度简报", "Progress brief").split(" / ")[0],
            assessed_as_of=data.assessed_as_of,
            version=data.version,
            total=len(sc),
            quantified=len(quantified),
            counts={code: int(counts.get(code, 0)) for code in STATUSES},
            quality={k: int(quality.get(k, 0)) for k in ("published", "derived", "illustrative")},
            month=month,
            changes=month.changes[:MAX_ROWS],
            behind=list(behind.head(MAX_ROWS).itertuples()),
            behind_total=len(behind),
            more_behind=len(behind) - MAX_ROWS,
            key_plans=key_plans,
        )
    )


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
