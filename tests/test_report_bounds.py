"""A bound's gap and projection are bounds too, wherever the scorecard is shown (`pmw status`, the HTML report).

Trial 55e: 突破300亿元 against "above 300", 高新技术企业1000家以上 against "above 1000" and one county of nine
covered (the others unknown) showed their projections (300, 1,000, 1) and gaps (0, 8) as exact figures beside
the actual's >300 / ≥1,000 / ≥1 (docs/methodology.md §2: "The gap and the projection are bounds on the figure's
side")."""

from __future__ import annotations

import re

import pandas as pd

from dagster_project.report.html import Sources, _scorecard_rows, templates
from dagster_project.report.terminal import scorecard_rows


def _row(target_id, actual, bound, reading, target, gap, projected, **extra):
    row = {
        "target_id": target_id,
        "plan_id": "zz_2022",
        "title_zh": target_id,
        "title_en": target_id,
        "section_zh": "s",
        "quote": "q",
        "target_kind": "level",
        "has_series": True,
        "scope_type": "city",
        "status_code": "achieved",
        "status_zh": "已完成",
        "status_en": "Achieved",
        "status_sort_order": 1,
        "status_note": None,
        "status_rests_on_bound": reading is not None and gap != 0,
        "bound_reading": reading,
        "latest_period_code": "2022",
        "actual_value": actual,
        "actual_bound": bound,
        "actual_quality": "illustrative",
        "target_value": target,
        "target_level": target,
        "target_unit": "亿元",
        # what the marts say the actual, the target and the projection are counted in (fct_target_scorecard)
        "actual_unit": "亿元",
        "comparator": "exceed",
        "comparator_applied": "exceed",
        "deadline": pd.Timestamp("2022-12-31"),
        "gap": gap,
        "share_achieved": 1.0,
        "expected_share": 1.0,
        "projected_value": projected,
        "projected_gap": gap,
        "latest_release_date": pd.Timestamp("2023-03-28"),
        "next_release_due": pd.Timestamp("2024-02-29"),
        "is_next_release_overdue": False,
        "source_file": "bulletin_2022.html",
        "source_row": 10,
    }
    row.update(extra)
    return row


SCORECARD = pd.DataFrame(
    [
        # 突破300亿元 against "above 300": met, at least 0 beyond, projection at least 300
        _row("T-TRADE", 300.0, "gt", "at_least", 300.0, 0.0, 300.0),
        # one county of nine covered, the others unknown: at most 8 short, at least 1 at the deadline
        _row(
            "T-COVER",
            1.0,
            "ge",
            "at_least",
            9.0,
            8.0,
            1.0,
            scope_type="every_county",
            target_unit="个县市区",
            actual_unit="个县市区",
        ),
        # PM2.5 "<45" against at most 42: at least 3 short, at most 45 projected
        _row("T-PM25", 45.0, "lt", "at_most", 42.0, 3.0, 45.0, target_unit="微克/立方米", actual_unit="微克/立方米"),
        # a surplus on a lower bound (突破650 against 600): at least 50 beyond
        _row("T-MORE", 650.0, "gt", "at_least", 600.0, -50.0, 650.0),
        # an exact figure keeps its bare numbers
        _row("T-EXACT", 3786.2, "eq", None, 5000.0, 1213.8, 4409.7),
    ]
)


def test_pmw_status_shows_the_gap_and_projection_of_a_bound_as_bounds():
    headers, rows = scorecard_rows(SCORECARD)
    shown = {r[headers.index("目标 target")]: r for r in rows}
    gap, projection = headers.index("差距 gap"), headers.index("预测 projection")
    assert (shown["T-TRADE"][gap], shown["T-TRADE"][projection]) == ("≤0", "≥300")
    assert (shown["T-COVER"][gap], shown["T-COVER"][projection]) == ("≤8", "≥1")
    assert (shown["T-PM25"][gap], shown["T-PM25"][projection]) == ("≥3", "≤45")
    assert (shown["T-MORE"][gap], shown["T-MORE"][projection]) == ("≤-50", "≥650")
    assert (shown["T-EXACT"][gap], shown["T-EXACT"][projection]) == ("1,213.8", "4,409.7")


def test_the_html_scorecard_shows_the_gap_and_projection_of_a_bound_as_bounds():
    module = (
        templates()
        .get_template("scorecard.html.j2")
        .make_module(
            {
                "scorecard": {"running": _scorecard_rows(SCORECARD), "closed": [], "sections": ["s"]},
                "sources": Sources([]),
            }
        )
    )
    html = str(module)
    cells = {
        target: re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        for target, body in re.findall(r'<tr [^>]*id="row-([^"]+)">(.*?)</tr>', html, re.S)
    }

    def gap_and_projection(target):
        row = cells[target]
        return re.sub(r"<[^>]+>", "", row[5]), re.sub(r"<[^>]+>", "", row[7]).strip()

    assert gap_and_projection("T-TRADE") == ("≤0", "≥300 亿元")
    assert gap_and_projection("T-COVER") == ("差 ≤8", "≥1 个县市区")
    assert gap_and_projection("T-PM25") == ("差 ≥3", "≤45 微克/立方米")
    assert gap_and_projection("T-MORE") == ("超 ≥50", "≥650 亿元")
    assert gap_and_projection("T-EXACT") == ("差 1,213.8", "4,409.7 亿元")


def test_a_status_resting_on_a_bound_reads_the_same_words_in_the_terminal_and_the_html_report():
    # the words were written twice (terminal.bound_qualifier and html's own); one function gives both now
    headers, rows = scorecard_rows(SCORECARD)
    status = {r[headers.index("目标 target")]: r[headers.index("状态 status")] for r in rows}
    html = {r["row"].target_id: r["bound_word"] for r in _scorecard_rows(SCORECARD)}
    assert html == {
        "T-COVER": "至少 at least",
        "T-PM25": "至多 at most",
        "T-MORE": "至少 at least",
        "T-TRADE": "",
        "T-EXACT": "",
    }
    assert status["T-COVER"].startswith("至少 ") and status["T-PM25"].startswith("至多 ")
    assert not status["T-EXACT"].startswith(("至少", "至多"))


def test_the_targets_chart_shows_a_projection_from_a_bound_as_a_bound():
    # the chart's projection trace read "预测 projection 300" beside the actual's >300 (trial 55e)
    from dagster_project.report.charts import target_figure

    target = pd.Series(
        {"target_id": "T-TRADE", "start_date": "2022-01-01", "deadline": "2022-12-31", "baseline_year": 2021,
         "target_unit": "亿元", "actual_unit": "亿元", "comparator": "exceed"}
    )  # fmt: skip
    rows = pd.DataFrame(
        [
            {"period_code": "2022-01~06", "period_kind": "ytd", "period_end": pd.Timestamp("2022-06-30"),
             "actual_value": 150.0, "actual_bound": bound, "actual_quality": "illustrative", "target_level": 300.0,
             "expected_share": None, "expected_share_method": None, "base_value": 0.0, "required_cagr": None,
             "projected_value": 300.0, "comparator_applied": "exceed", "underlying_value": 150.0,
             "derived_from": None, "source_file": "t.csv", "source_row": 2, "release_date": pd.Timestamp("2022-07-20")}
            for bound in ("gt",)
        ]
    )  # fmt: skip
    [projection] = [t for t in target_figure(target, rows).data if str(t.name).startswith("预测")]
    assert projection.name == "预测 projection ≥300" and "≥%{y" in projection.hovertemplate
    exact = target_figure(target, rows.assign(actual_bound="eq")).data
    assert [t.name for t in exact if str(t.name).startswith("预测")] == ["预测 projection 300"]


def test_the_actual_is_shown_in_the_marts_unit_never_one_made_up_here():
    # labels.unit_of decided the actual's unit itself: 个县市区 for every every-county target, else the target's
    # unit; the marts give it now (fct_target_scorecard.actual_unit, macros/target_series.sql actual_unit), and
    # what they do not give is not shown (a published copy without the column: no unit, not a guessed one)
    from dagster_project.report.labels import unit_of

    air = {"scope_type": "every_county", "target_unit": "%"}  # T22-AIR-COUNTIES quotes the ratio, counts counties
    assert unit_of(pd.Series({**air, "actual_unit": "个县市区"})) == "个县市区"
    assert unit_of(pd.Series(air)) == ""
    assert unit_of(pd.Series({"scope_type": "city", "target_unit": "亿元", "actual_unit": None})) == ""
    headers, rows = scorecard_rows(
        SCORECARD.assign(
            actual_unit=SCORECARD["actual_unit"].where(SCORECARD["target_id"] != "T-COVER", "个县（市、区）")
        )
    )
    [cover] = [r for r in rows if r[headers.index("目标 target")] == "T-COVER"]
    assert cover[headers.index("实际 actual")] == "≥1 个县（市、区）", cover
