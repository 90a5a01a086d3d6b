"""The report's HTML comes from Jinja2 templates (dagster_project/report/templates/), autoescaped."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from importlib import resources
from pathlib import Path

from dagster_project.ingest.quarantine import QuarantinedFile
from dagster_project.report.html import Sources, templates


def test_the_templates_ship_with_the_package_and_escape_what_they_are_given():
    folder = resources.files("dagster_project.report") / "templates"
    assert {"report.html.j2", "report.css", "report.js", "history.js"} <= {p.name for p in folder.iterdir()}
    env = templates()
    assert env.autoescape("report.html.j2") is True


def test_the_quarantine_banner_names_each_file_and_escapes_its_reason():
    files = [
        QuarantinedFile("20261101T000000Z_a.csv", "row 2, value: <b>bad</b> & worse", 3, datetime(2026, 11, 1, 8, 5)),
        QuarantinedFile("20261102T000000Z_b.html", "no header", 1, datetime(2026, 11, 2, 9, 0)),
    ]
    html = templates().get_template("quarantined.html.j2").render(quarantined=files)
    assert html.startswith('<div class="banner" id="quarantined"><b>⚠ 2 个文件被隔离 quarantined')
    assert (
        "<li><code>20261101T000000Z_a.csv</code> (2026-11-01 08:05 UTC): row 2, value: &lt;b&gt;bad&lt;/b&gt; "
        "&amp; worse (+2 more)</li><li><code>20261102T000000Z_b.html</code> (2026-11-02 09:00 UTC): no header</li>"
    ) in html
    assert "<b>bad</b>" not in html
    assert templates().get_template("quarantined.html.j2").render(quarantined=[]) == ""


# The page's HTML lives in the templates (issue 14); report/charts.py is left out: its strings are
# plotly hover templates (plotly's own <br>/<b> markup inside the chart's JSON), not the page's HTML.
HTML_TAG = re.compile(
    r"<(?:html|head|body|section|div|span|table|thead|tbody|tr|td|th|ul|ol|li|p|h[1-6]|a|details|summary"
    r"|small|code|script|style|select|option|button|input|nav|main|header|footer)\b"
)
NOT_PAGE_HTML = {"charts.py"}


def html_in_python(source: str) -> list[int]:
    """Lines of string literals (f-strings included) that hold an HTML tag."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and HTML_TAG.search(node.value)
        # a docstring or comment may name a tag in prose: only code strings count
        and not _is_docstring(node, source)
    )


def _is_docstring(node: ast.Constant, source: str) -> bool:
    line = source.splitlines()[node.lineno - 1].lstrip()
    return line.startswith(('"""', "'''"))


def test_no_module_of_the_report_writes_html_itself():
    folder = Path(resources.files("dagster_project.report"))
    found = {
        path.name: lines
        for path in sorted(folder.glob("*.py"))
        if path.name not in NOT_PAGE_HTML and (lines := html_in_python(path.read_text(encoding="utf-8")))
    }
    assert not found, f"HTML written in Python (put it in report/templates/): {found}"


def test_the_scan_sees_html_in_an_f_string():
    assert html_in_python('x = 1\ny = f"<td class=\\"n\\">{x}</td>"\n') == [2]
    assert html_in_python('"""A <section> named in a docstring."""\nx = "a < b"\n') == []


def test_the_data_banner_warns_of_illustrative_figures_only_when_there_are_some():
    # trial 56b: the report of a home with real figures only (4 published, 5 derived, 0 illustrative) was
    # headed "⚠ 示意数据 Illustrative data … 仅 4 个为公开数据": a warning that its figures are sample data
    banner = templates().get_template("illustrative_banner.html.j2")
    real = banner.render(quality={"illustrative": 0, "derived": 5, "published": 4, "total": 9})
    assert "示意数据 Illustrative data" not in real and "仅" not in real, real
    assert "9 个进度数值中 4 个为公开数据，5 个由公开数据推算，无示意数据" in real, real
    assert "4 of 9 progress figures are published, 5 derived from published figures, none illustrative" in real
    sample = banner.render(quality={"illustrative": 575, "derived": 1, "published": 2, "total": 578})
    head = '<div class="banner"><b>⚠ 示意数据 Illustrative data.</b> 575/578 个进度数值为示意'
    assert sample.startswith(head), sample


def test_a_source_whose_rows_carry_their_own_dates_shows_the_span_not_one_date():
    # a ledger of figures copied from releases of 2018-2026 was listed "released 2026-12-07", its latest row's date
    ledger = {"source_file": "published_facts.csv", "release_date": "2026-12-07", "first_release_date": "2018-03-20"}
    bulletin = {"source_file": "gb.html", "release_date": "2023-03-20", "first_release_date": "2023-03-20"}
    sources = Sources([{**v, "provenance": "published", "rows": 1, "release_id": "r"} for v in (ledger, bulletin)])
    sources.note("published_facts.csv", 3)
    sources.note("gb.html", 1)
    html = templates().get_template("sources.html.j2").render(sources=sources)
    assert "published_facts.csv — 发布 released 2018-03-20 – 2026-12-07 (各行各有日期 each row its own date)" in html
    assert "gb.html — 发布 released 2023-03-20 · " in html
    # a manifest published before the span was recorded still renders, with the one date
    sources = Sources([{**ledger, "first_release_date": None, "provenance": "published", "rows": 1, "release_id": "r"}])
    sources.note("published_facts.csv", 3)
    legacy = {k: v for k, v in sources.by_file["published_facts.csv"].items() if k != "first_release_date"}
    sources.by_file["published_facts.csv"] = legacy
    html = templates().get_template("sources.html.j2").render(sources=sources)
    assert "published_facts.csv — 发布 released 2026-12-07 · " in html


def test_a_source_the_file_did_not_date_is_listed_with_the_day_it_arrived():
    # a file stating no release date was listed "released 2026-12-07", the day it landed, as if published then
    undated = {"source_file": "m.csv", "release_date": "2026-12-07", "first_release_date": "2026-12-07"}
    dated = {"source_file": "gb.html", "release_date": "2023-03-20", "first_release_date": "2023-03-20"}
    # a long-format file some of whose rows left release_date blank: its own date stated, those rows' the arrival day
    mixed = {"source_file": "long.csv", "release_date": "2023-02-01", "first_release_date": "2023-02-01"}
    flags = [(undated, True, "2026-12-07"), (dated, False, None), (mixed, False, "2026-12-07")]
    sources = Sources(
        [
            {**v, "provenance": "published", "rows": 1, "release_id": "r", "release_date_imputed": imputed}
            | {"arrival_date": arrival}
            for v, imputed, arrival in flags
        ]
    )
    for name in ("m.csv", "gb.html", "long.csv"):
        sources.note(name, 1)
    html = templates().get_template("sources.html.j2").render(sources=sources)
    assert "m.csv — 发布 released 2026-12-07 (到达日 arrival day, not stated by the file) · " in html, html
    assert "gb.html — 发布 released 2023-03-20 · " in html, html
    assert (
        "long.csv — 发布 released 2023-02-01 (未注明日期的行 rows stating no date: 2026-12-07 (到达日 arrival day, "
        "not stated by the file)) · " in html
    ), html
    # the footnote's hover text says it too
    note = sources.note("m.csv", 1, "2026-12-07", True)
    assert note.title == "m.csv row 1, released 2026-12-07 (到达日 arrival day, not stated by the file)"


def test_a_target_with_no_level_yet_shows_the_catalogues_value_as_quoted():
    # before a figure gives a level, the scorecard showed the quoted 1016.11 rounded as a computed figure: 1,016.1
    from types import SimpleNamespace

    cell = templates().from_string('{% from "scorecard.html.j2" import target_cell with context %}{{ target_cell(r) }}')
    r = SimpleNamespace(
        target_level=None,
        target_value=1016.11,
        comparator="exceed",
        target_unit="亿元",
        deadline=datetime(2026, 12, 31),
    )
    scorecard = SimpleNamespace(sections=[], running=[], closed=[])  # the section around the cell: empty
    assert "exceed 1,016.11 亿元" in cell.render(r=r, scorecard=scorecard)
