"""The report's HTML comes from Jinja2 templates (dagster_project/report/templates/), autoescaped."""

from __future__ import annotations

from datetime import datetime
from importlib import resources

from dagster_project.ingest.quarantine import QuarantinedFile
from dagster_project.report.html import templates


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
