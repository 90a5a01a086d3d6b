"""The progress report opened in headless Chromium, as a reader would: every chart drew, the status
counts are on screen, filtering and sorting work, nothing is fetched from the network and no script
fails. Screenshots go to <PMW_HOME>/screenshots."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.browser.cdp import Chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_file(sample_pipeline_run) -> Path:
    # the file the Dagster asset wrote during the pipeline run: the real artifact, not a test copy
    path = sample_pipeline_run.home / "reports" / "progress_report.html"
    assert path.exists(), "the report asset did not run"
    return path


def test_report_draws_every_chart_and_shows_the_counts(sample_pipeline_run, report_file):
    html = report_file.read_text(encoding="utf-8")
    expected_charts = html.count("Plotly.newPlot(")
    with duckdb.connect(str(sample_pipeline_run.published), read_only=True) as con:
        # the headline counts the running plan; closed plans' final outcomes are listed apart
        counts = dict(
            con.execute(
                "select status_code, count(*) from fct_target_scorecard where not plan_is_closed group by 1"
            ).fetchall()
        )
        quantified_off = con.execute(
            "select count(*) from fct_target_scorecard where status_code = 'off_track' "
            "and target_kind <> 'qualitative' and not plan_is_closed"
        ).fetchone()[0]
    shots = sample_pipeline_run.home / "screenshots"

    with Chromium(width=1400, height=1000) as browser:
        page = browser.new_page()
        browser.send("Network.enable", session=page.session)
        page.goto(report_file.as_uri())
        # plotly draws after load: wait until every figure has its SVG
        page.wait_for(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {expected_charts}", timeout=60)
        plots = page.evaluate(
            """Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => ({
                 id: d.id, width: d.getBoundingClientRect().width,
                 traces: d.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length,
                 marks: d.querySelectorAll('path.point, .bars path, .scatterlayer .js-line').length}))"""
        )
        assert len(plots) == expected_charts > 40
        for plot in plots:
            assert plot["width"] > 200 and plot["traces"] > 0 and plot["marks"] > 0, plot

        cards = dict(
            page.evaluate(
                """Array.from(document.querySelectorAll('#status-cards .card'))
                   .filter(c => c.offsetHeight > 0)
                   .map(c => [c.dataset.status, Number(c.querySelector('.count').textContent)])"""
            )
        )
        assert cards == {code: counts.get(code, 0) for code in cards} and len(cards) == 8  # statuses.csv
        page.screenshot(shots / "report_top.png", full_page=False)

        # a reader clicks "off track": the scorecard shows exactly those targets
        page.evaluate("document.querySelector('.card[data-status=off_track]').click()")
        visible = page.evaluate(
            "Array.from(document.querySelectorAll('#scorecard-table tbody tr'))"
            ".filter(r => r.style.display !== 'none').map(r => r.dataset.status)"
        )
        assert visible == ["off_track"] * quantified_off
        assert page.evaluate("document.getElementById('f-count').textContent") == f"{quantified_off} 项 rows"
        page.screenshot(shots / "report_scorecard_off_track.png", full_page=False)
        page.evaluate("document.querySelector('.card[data-status=off_track]').click()")  # and back to all

        # sorting by the gap column orders the rows by the number behind each cell
        page.evaluate("document.querySelectorAll('#scorecard-table thead th')[5].click()")
        gaps = page.evaluate(
            "Array.from(document.querySelectorAll('#scorecard-table tbody tr'))"
            ".map(r => parseFloat(r.cells[5].dataset.v)).filter(v => !isNaN(v))"
        )
        assert len(gaps) >= 5 and gaps == sorted(gaps)  # the running plan's table (closed plans apart)

        # hovering a point shows where the figure came from
        page.evaluate("document.getElementById('charts').scrollIntoView()")
        hover = page.evaluate(
            """(() => { const d = document.querySelector('#charts .js-plotly-plot');
                 const i = d.data.findIndex(t => (t.name || '').startsWith('实际'));
                 Plotly.Fx.hover(d, [{curveNumber: i, pointNumber: 0}]);
                 return d.querySelector('.hoverlayer').textContent; })()"""
        )
        assert "来源 source" in hover and "released" in hover
        page.screenshot(shots / "report_chart_hover.png", full_page=False)
        page.screenshot(shots / "report_full.png", full_page=True)

        assert page.errors() == []
        requested = [
            e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"
        ]
        assert requested and all(url.startswith(("file:", "data:", "blob:", "about:")) for url in requested), requested
    print(f"screenshots: {shots}")
    assert (shots / "report_full.png").stat().st_size > 100_000
