"""The report on a phone and on paper: at 390 px (WeChat) nothing is wider than the screen and table
headers do not wrap one character per line; the month picker shows any month end; the file is well
under 2 MB with the partial plotly.js build (the 1400 px test checks every chart still draws
offline); `pmw report --pdf` prints a one-to-two-page A4 brief."""

from __future__ import annotations

import re

import duckdb
import pytest
from click.testing import CliRunner

from dagster_project.cli import main
from dagster_project.report.brief import pdf_page_count
from tests.browser import test_report_in_browser
from tests.browser.cdp import Chromium

pytestmark = pytest.mark.browser
report_file = test_report_in_browser.report_file  # the fixture: the report the Dagster asset wrote


def test_report_is_well_under_2_mb_with_the_partial_bundle(report_file):
    html = report_file.read_text(encoding="utf-8")
    assert report_file.stat().st_size < 1_900_000, report_file.stat().st_size
    assert "plotly.js (basic - minified) v" in html  # not the full 4.8 MB bundle
    assert "<script src" not in html  # everything inline: it draws offline
    assert 'href="xushi_progress.xlsx"' in html  # the Excel workbook, written beside it by the same asset
    assert (report_file.parent / "xushi_progress.xlsx").exists()


def test_report_at_390_px_on_a_phone(sample_pipeline_run, report_file):
    db = sample_pipeline_run.published
    with duckdb.connect(str(db), read_only=True) as con:
        june = dict(
            con.execute(
                "select status_code, count(*) from fct_scorecard_monthly where snapshot_month = '2026-06' group by 1"
            ).fetchall()
        )
        changed = {
            r[0]
            for r in con.execute(
                """select now.target_id from fct_scorecard_monthly now join fct_scorecard_monthly before
                   on before.target_id = now.target_id and before.snapshot_month = '2026-05'
                   where now.snapshot_month = '2026-06' and now.status_code <> before.status_code"""
            ).fetchall()
        }
    shots = sample_pipeline_run.home / "screenshots"
    with Chromium(width=390, height=844) as browser:
        page = browser.new_page()
        page.goto(report_file.as_uri())
        page.wait_for("document.querySelectorAll('.js-plotly-plot .main-svg').length > 40", timeout=90)
        widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
        assert widths[2] == 390 and max(widths[:2]) <= 390, widths  # no horizontal scrolling of the page
        wide = page.evaluate(
            """Array.from(document.querySelectorAll('main *')).filter(el => {
                 const r = el.getBoundingClientRect();
                 return r.width > 0 && r.right > 391 && !el.closest('.scroll');
               }).map(el => el.tagName + '.' + el.className).slice(0, 5)"""
        )
        assert wide == []  # only wide tables scroll, inside their own box
        headers = page.evaluate(
            """Array.from(document.querySelectorAll('#scorecard-table thead th, table.matrix thead th'))
                 .map(th => [th.textContent.trim(), th.getBoundingClientRect().width,
                             th.getBoundingClientRect().height])"""
        )
        assert len(headers) > 15
        for text, width, height in headers:
            assert height < 60 and width > 30, (text, width, height)  # not one character per line
        page.screenshot(shots / "report_390_top.png", full_page=False)

        # the month picker: the scorecard as it stood at the end of June 2026
        page.evaluate(
            "var s=document.getElementById('h-month'); s.value='2026-06'; s.dispatchEvent(new Event('change'))"
        )
        cards = dict(
            page.evaluate(
                "Array.from(document.querySelectorAll('#h-cards .hcard'))"
                ".map(c => [c.dataset.status, Number(c.querySelector('.count').textContent)])"
            )
        )
        assert {k: v for k, v in cards.items() if v} == june
        shown = set(
            page.evaluate(
                "Array.from(document.querySelectorAll('#h-changes li[data-target]')).map(li => li.dataset.target)"
            )
        )
        assert shown == changed
        assert page.evaluate("document.getElementById('h-period').textContent") == "2026-05 → 2026-06"
        page.evaluate("document.getElementById('history').scrollIntoView()")
        page.screenshot(shots / "report_390_history.png", full_page=False)
        assert page.errors() == []


def test_pdf_brief_is_one_or_two_a4_pages(sample_pipeline_run, tmp_path):
    home = sample_pipeline_run.home
    out = tmp_path / "brief.pdf"
    env = {"PMW_HOME": str(home), "PMW_PUBLISHED_DIR": str(home / "published")}
    result = CliRunner().invoke(main, ["report", "--pdf", "-o", str(out)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    pages = pdf_page_count(out)
    assert 1 <= pages <= 2 and f"({pages} A4 page" in result.output
    data = out.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes)  # A4 portrait
    brief = out.with_suffix(".html").read_text(encoding="utf-8")
    with duckdb.connect(str(sample_pipeline_run.published), read_only=True) as con:
        off = [
            r[0]
            for r in con.execute(
                "select target_id from fct_target_scorecard where status_code in ('off_track', 'deteriorating') "
                "and target_kind <> 'qualitative'"
            ).fetchall()
        ]
    assert off and all(t in brief for t in off[:24])  # the off-track list
    assert "在期规划重点目标" in brief and "T5Y-GDP-5000" in brief  # the running plan's key targets
