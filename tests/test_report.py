"""The HTML progress report: built by the Dagster asset after publishing, self-contained, with every
figure marked (illustrative / derived / published) and traced to its release file, row and date."""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from dagster_project.report import NoPublishedCopy, build_report
from dagster_project.report.charts import _trajectory
from dagster_project.report.labels import STATUSES, bound_prefix, num

REPO = Path(__file__).resolve().parents[1]
REPORT_KEY = dg.AssetKey(["report", "progress_html"])


@pytest.fixture(scope="module")
def published(sample_pipeline_run) -> Path:
    assert sample_pipeline_run.published.exists(), "the sample run published nothing"
    return sample_pipeline_run.published


@pytest.fixture(scope="module")
def scorecard(published) -> pd.DataFrame:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(
            "select s.*, p.source_row from fct_target_scorecard s left join fct_target_progress p "
            "on p.target_id = s.target_id and p.period_code = s.latest_period_code"
        ).df()


@pytest.fixture(scope="module")
def report(published, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "progress_report.html"
    result = build_report(published, out)
    return result, out.read_text(encoding="utf-8")


def test_the_pipeline_materialized_the_report_asset_from_the_published_copy(sample_pipeline_run, published):
    report_file = sample_pipeline_run.home / "reports" / "progress_report.html"
    assert report_file.exists() and report_file.stat().st_size > 1_000_000
    instance = dg.DagsterInstance.from_config(str(sample_pipeline_run.home / "dagster_home"))
    event = instance.get_latest_materialization_event(REPORT_KEY)
    assert event is not None, "build_and_publish did not run the report asset"
    metadata = event.asset_materialization.metadata
    with duckdb.connect(str(published), read_only=True) as con:
        version = con.execute("select version from publish_manifest").fetchone()[0]
    # the report names the version it was built from: the one that was just published
    assert metadata["published_version"].value == version
    assert f'<meta name="pmw-version" content="{version}">' in report_file.read_text(encoding="utf-8")
    assert metadata["charts"].value > 40


def test_report_is_self_contained_with_one_plotly_copy(report):
    result, html = report
    assert "<script src" not in html.lower() and "<link" not in html.lower()
    # no tag loads anything from elsewhere (plotly.js mentions its CDN in code it never runs here)
    assert not re.search(r"<(script|link|img|iframe|object)\b[^>]*\b(src|href|data)=[\"']?(https?:)?//", html, re.I)
    # plotly.js's own banner appears once: one inlined copy (the partial build) shared by every figure
    assert len(re.findall(r"plotly\.js(?: \([^)]*\))? v\d+\.\d+\.\d+", html)) == 1
    assert html.count("Plotly.newPlot(") == result.charts
    assert result.size_bytes < 2_000_000, "one partial plotly.js (~1.2 MB) and small figures"


def test_the_report_is_titled_with_the_cities_of_its_plans(report):
    # the title was a constant naming 株洲 whatever city's seeds were loaded; it is read from the plans' data
    _, report = report
    assert "<h1>株洲市政府工作报告目标进度报告</h1>" in report
    assert (
        "<title>株洲市政府工作报告目标进度报告 / Progress report of the Zhuzhou City work-report targets</title>"
        in report
    )
    from dagster_project.report.data import ReportData

    two = ReportData(
        scorecard=pd.DataFrame({"plan_region_code": ["430200", "430300", "430200"]}),
        progress=pd.DataFrame(),
        by_region=pd.DataFrame(),
        regions=pd.DataFrame(
            {
                "region_code": ["430200", "430300"],
                "region_name_zh": ["株洲市", "湘潭市"],
                "region_name_en": ["Zhuzhou City", "Xiangtan City"],
            }
        ),
        version="",
        published_at="",
        manifest={},
        db_path=Path("."),
    )
    assert two.title("序时进度", "Progress against schedule") == (
        "株洲市、湘潭市政府工作报告目标序时进度 / Progress against schedule of the Zhuzhou City, Xiangtan City "
        "work-report targets"
    )


def test_status_counts_and_plan_time_are_shown(report, scorecard):
    _, html = report
    cards = dict(re.findall(r'<button class="card" data-status="(\w+)"[^>]*><span class="count">(\d+)</span>', html))
    assert set(cards) == set(STATUSES)
    # issue 12: the headline counts the running plan; the closed 2022 plan's final outcomes are apart
    running = scorecard[~scorecard["plan_is_closed"]]
    assert 0 < len(running) < len(scorecard)
    expected = running["status_code"].value_counts()
    assert {k: int(v) for k, v in cards.items()} == {k: int(expected.get(k, 0)) for k in STATUSES}
    closed_table = re.search(r'<table id="scorecard-closed".*?</table>', html, re.S)
    assert closed_table, "closed plans are listed apart"
    closed_ids = set(re.findall(r'id="row-([^"]+)"', closed_table.group(0)))
    quantified = scorecard[scorecard["target_kind"] != "qualitative"]
    assert closed_ids == set(quantified.loc[quantified["plan_is_closed"], "target_id"])
    assert 'data-closed="true"' in html and "已结束 closed" in html
    # each plan's elapsed time, as of the assessment date of the marts
    as_of = pd.Timestamp(scorecard["assessed_as_of"].iloc[0]).date()
    five_year = (as_of - date(2022, 1, 1)).days + 1
    assert f"{min(five_year / ((date(2026, 12, 31) - date(2022, 1, 1)).days + 1), 1) * 100:.1f}%" in html


def test_scorecard_rows_are_badged_and_traced_to_their_source(report, scorecard):
    _, html = report
    sources = dict(re.findall(r'<li id="src-(\d+)" value="\d+">(.*?)</li>', html))
    quantified = scorecard[(scorecard["target_kind"] != "qualitative") & scorecard["actual_value"].notna()]
    assert len(quantified) > 40
    for r in quantified.itertuples():
        row = re.search(rf'<tr [^>]*id="row-{re.escape(r.target_id)}">(.*?)</tr>', html, re.S)
        assert row, r.target_id
        cells = row.group(1)
        # the figure's quality is badged in its own row
        assert f'class="q q-{r.actual_quality}"' in cells, r.target_id
        # a footnote names the file (hover: file, row, release date) and points at the sources list
        note = re.search(r'<a class="fn" href="#src-(\d+)" title="([^"]*)">', cells)
        assert note, r.target_id
        assert str(r.source_file).split(" / ")[0].split("#")[0] in note.group(2)
        assert f"released {pd.Timestamp(r.latest_release_date).date()}" in note.group(2)
        if not pd.isna(r.source_row):
            assert f"row {int(r.source_row)}" in note.group(2)
        assert "released" in sources[note.group(1)]


def test_each_actual_is_shown_in_the_unit_the_marts_give(report, scorecard, published):
    # the unit after an actual was decided in Python (labels.unit_of: 个县市区 for every every-county target, else
    # the target's unit); the marts give it now (fct_target_scorecard and fct_target_progress actual_unit, one
    # macro: dbt/macros/target_series.sql actual_unit) and the report only shows it
    _, html = report
    with duckdb.connect(str(published), read_only=True) as con:
        differing = con.execute(
            "select count(*) from fct_target_progress as p join fct_target_scorecard as s using (target_id) "
            "where p.actual_unit is distinct from s.actual_unit"
        ).fetchone()[0]
    assert differing == 0  # one unit per target, for every period
    units = scorecard.set_index("target_id")
    # T22-AIR-COUNTIES quotes the ratio each county is judged by (%), and its actual counts the counties
    air = units.loc["T22-AIR-COUNTIES"]
    assert (air["target_unit"], air["actual_unit"]) == ("%", "个县市区")
    assert set(units.loc[units["scope_type"] == "every_county", "actual_unit"]) == {"个县市区"}
    quantified = scorecard[(scorecard["target_kind"] != "qualitative") & scorecard["actual_value"].notna()]
    for r in quantified.itertuples():
        cells = re.search(rf'<tr [^>]*id="row-{re.escape(r.target_id)}">(.*?)</tr>', html, re.S).group(1)
        shown = f"{bound_prefix(r.actual_bound)}{num(r.actual_value)} {r.actual_unit}"
        assert shown in re.sub(r"<[^>]+>", "", cells), (r.target_id, shown)


def test_every_chart_point_hovers_with_its_source(report, published):
    _, html = report
    with duckdb.connect(str(published), read_only=True) as con:
        derived = con.execute(
            "select target_id from fct_target_progress where actual_quality = 'derived' limit 1"
        ).fetchone()
    figures = re.findall(r'Plotly\.newPlot\(\s*"(fig-[^"]+)",\s*(\[.*?\]),\s*\{', html, re.S)
    assert len(figures) > 40
    for div_id, traces_json in figures:
        if div_id == "fig-summary":
            continue
        traces = json.loads(traces_json)
        points = [t for t in traces if str(t.get("name", "")).startswith("实际")]
        assert points, div_id
        for trace in points:
            assert any(q in trace["name"] for q in ("illustrative", "derived", "published")), div_id
            for custom in trace["customdata"]:
                assert "released" in custom[3], (div_id, custom)
    # a derived figure gets its own legend entry and the chart's DERIVED mark
    if derived:
        block = html[html.index(f'id="chart-{derived[0]}"') :]
        block = block[: block.index("</p></div>")]
        assert "实际（推算 derived）actual" in block and "含推算 DERIVED" in block


def test_a_hovers_value_behind_the_actual_carries_the_marts_unit(report, published):
    # "指标值 indicator value 9.4" did not say whether 9.4 was a level, a growth rate, a rank or a count of
    # sections (audit s57b): each hover shows fct_target_progress.underlying_unit after the number
    _, html = report
    with duckdb.connect(str(published), read_only=True) as con:
        units = dict(
            con.execute(
                "select target_id || ' ' || period_code, underlying_unit from fct_target_progress "
                "where underlying_value is not null"
            ).fetchall()
        )
    shown = 0
    for div_id, traces_json in re.findall(r'Plotly\.newPlot\(\s*"(fig-[^"]+)",\s*(\[.*?\]),\s*\{', html, re.S):
        for trace in json.loads(traces_json):
            if not str(trace.get("name", "")).startswith("实际"):
                continue
            for custom in trace["customdata"]:
                if not custom[4]:
                    continue
                unit = units[f"{div_id.removeprefix('fig-')} {custom[0]}"]
                assert re.fullmatch(r"<br>指标值 indicator value [<>≤≥≈]?[-\d.,]+ " + re.escape(unit), custom[4]), (
                    div_id,
                    custom,
                )
                shown += 1
    assert shown, "no hover shows a value behind the actual: the sample has growth chains, ranks and river classes"


def test_illustrative_data_is_flagged_up_front(report, published):
    _, html = report
    with duckdb.connect(str(published), read_only=True) as con:
        n_ill, total = con.execute(
            "select count(*) filter (where actual_quality = 'illustrative'), count(*) from fct_target_progress"
        ).fetchone()
    header = html[: html.index("</header>")]
    assert "示意数据 Illustrative data" in header and f"{n_ill}/{total}" in header


def test_regional_targets_and_projects_are_tabulated(report, published):
    _, html = report
    with duckdb.connect(str(published), read_only=True) as con:
        regional = [
            r[0] for r in con.execute("select distinct target_id from fct_target_progress_by_region").fetchall()
        ]
        projects = [
            r[0] for r in con.execute("select target_id from dim_targets where target_kind = 'milestone'").fetchall()
        ]
        counties = con.execute(
            "select count(distinct region_code) from fct_target_progress_by_region where target_id = 'T5Y-COVER-LISTED'"
        ).fetchone()[0]
    for target_id in regional:
        assert f'id="region-{target_id}"' in html
    # every-county targets get the map-like grid with one tile per county
    block = html[html.index('id="region-T5Y-COVER-LISTED"') :]
    assert block[: block.index("</table>")].count('class="tile ') == counties == 9
    stages = html[html.index('<section id="projects">') : html.index('<section id="qualitative">')]
    for target_id in projects:
        assert target_id in stages
    assert "竣工投产" in stages and "开工/在建" in stages


def test_target_path_reaches_the_target_at_the_deadline():
    target = pd.Series(
        {"start_date": pd.Timestamp("2022-01-01"), "deadline": pd.Timestamp("2026-12-31"), "baseline_year": 2021}
    )
    rows = pd.DataFrame(
        {
            "period_end": pd.to_datetime(["2022-12-31", "2023-12-31"]),
            "base_value": [3420.3, 3420.3],
            "target_level": [5000.0, 5000.0],
            "expected_share": [0.17, 0.355],
            "expected_share_method": ["linear"] * 2,
            "required_cagr": [0.0789, 0.0789],
        }
    )
    dates, values, label = _trajectory(target, rows)
    assert "compound" in label
    assert values[0] == pytest.approx(3420.3) and values[-1] == pytest.approx(5000.0)
    assert dates[0] == pd.Timestamp("2021-12-31") and dates[-1] == pd.Timestamp("2026-12-31")
    # geometric: one year in, base × (5000/3420.3)^(1/5) — the model's expected share 0.1708 of the way
    one_year = values[list(dates).index(pd.Timestamp("2022-12-31"))]
    assert (one_year - 3420.3) / (5000 - 3420.3) == pytest.approx(0.1708, abs=0.002)

    annual = pd.Series(
        {"start_date": pd.Timestamp("2022-01-01"), "deadline": pd.Timestamp("2022-12-31"), "baseline_year": None}
    )
    seasonal = pd.DataFrame(
        {
            "period_end": pd.to_datetime(["2022-03-31", "2022-06-30"]),
            "base_value": [0.0, 0.0],
            "target_level": [300.0, 300.0],
            "expected_share": [0.2, 0.45],
            "expected_share_method": ["seasonal"] * 2,
            "required_cagr": [None, None],
        }
    )
    dates, values, label = _trajectory(annual, seasonal)
    assert "seasonal" in label and values == [0.0, 60.0, 135.0, 300.0]
    # a state target (no baseline path) gets no trajectory at all
    assert _trajectory(annual, seasonal.assign(expected_share=None)) is None


def test_status_colours_follow_the_seed():
    with open(REPO / "seeds" / "statuses.csv", encoding="utf-8") as handle:
        seed = {r["status_code"]: (r["status_zh"], r["status_en"], r["colour"]) for r in csv.DictReader(handle)}
    assert seed == STATUSES


def test_no_report_without_a_published_copy(tmp_path):
    with pytest.raises(NoPublishedCopy, match="pmw run"):
        build_report(tmp_path / "published" / "marts.duckdb", tmp_path / "out.html")
    assert not (tmp_path / "out.html").exists()


def test_the_report_lists_files_quarantined_since_the_last_clean_ingestion(sample_pipeline_run):
    """Issue 13: the run's report says which deliveries were quarantined (their figures are missing)."""
    html = (sample_pipeline_run.home / "reports" / "progress_report.html").read_text(encoding="utf-8")
    banner = html[html.index('id="quarantined"') :]
    banner = banner[: banner.index("</div>")]
    bad = len(list((REPO / "data" / "sample" / "bad").iterdir()))  # 4 statistics files, one unit return
    assert f"{bad} 个文件被隔离" in banner and "task_return_wrong_unit.csv" in banner
    for name in ("air_2022-07_impossible_ratio.html", "long_duplicate_key.csv", "long_future_period.csv"):
        assert name in banner
    assert "rate 135% above its limit 100%" in banner


def test_the_sources_list_names_each_release_file_of_a_figure():
    # a derived ratio names each input by file and row; a workbook's sheet follows '#': the sources list must
    # find each release file (it split on '#' only, so 'a.csv row 5' was no release and had no date)
    from dagster_project.report.labels import source_files

    assert source_files("2026-10/budget.csv row 5 / 2026-10/gdp.xlsx#5月 row 5") == [
        "2026-10/budget.csv",
        "2026-10/gdp.xlsx",
    ]
    assert source_files("2026-10/月报.xlsx#5月") == ["2026-10/月报.xlsx"]
    assert source_files("2026-10/air.html") == ["2026-10/air.html"]


def test_a_release_date_no_file_stated_is_shown_as_the_day_it_arrived(published, tmp_path):
    """The scorecard's 发布 cell and footnote and a county's tile showed the landing day of a file stating no
    release date as a printed one: fct_target_scorecard and fct_target_progress_by_region had no flag. Marked
    now as the charts' notes and the sources list are: '(到达日 arrival day, not stated by the file)'."""
    copy = tmp_path / "marts.duckdb"
    shutil.copy(published, copy)
    target, county_target = "T5Y-GDP-5000", "T5Y-COVER-LISTED"
    with duckdb.connect(str(copy)) as con:
        (released,) = con.execute(
            "select latest_release_date from fct_target_scorecard where target_id = ?", [target]
        ).fetchone()
        con.execute("update fct_target_scorecard set latest_release_date_imputed = true where target_id = ?", [target])
        county, county_released = con.execute(
            "select region_name_zh, release_date from fct_target_progress_by_region where target_id = ? "
            "and release_date is not null order by period_end desc, region_code limit 1",
            [county_target],
        ).fetchone()
        con.execute(
            "update fct_target_progress_by_region set release_date_imputed = true where target_id = ? "
            "and region_name_zh = ? and release_date = ?",
            [county_target, county, county_released],
        )
    out = tmp_path / "report.html"
    build_report(copy, out)
    html = out.read_text(encoding="utf-8")
    arrival = "(到达日 arrival day, not stated by the file)"
    row = re.search(rf'<tr [^>]*id="row-{target}">(.*?)</tr>', html, re.S).group(1)
    assert f"发布 {released} {arrival}<br>" in row, row
    assert re.search(rf'<a class="fn" href="#src-\d+" title="[^"]*released {released} {re.escape(arrival)}"', row)
    block = html[html.index(f'id="region-{county_target}"') :]
    block = block[: block.index("</table>")]
    assert f"released {county_released} {arrival}" in block, block[:2000]
    # the other rows' dates are as before
    other = re.search(r'<tr [^>]*id="row-T5Y-(?!GDP-5000)[^"]*">(.*?)</tr>', html, re.S).group(1)
    assert "到达日" not in other


def test_a_year_to_dates_expected_multiple_is_charted_as_the_model_compares_it():
    # trial 60b, real figures: 规模工业增加值倍增 (T5Y-DBL-INDVA), 2022 1-3月 +11.8% = 1.118 times 2021 1-3月. The
    # model compares it with one year of the required growth, 2^(1/5) = 1.1487 (years_elapsed counts the
    # same months a year apart): R 0.79, needs acceleration. The chart's compound path, in calendar time,
    # stood at 1.0348 on 2022-03-31, so the point was drawn well above the path: "ahead" beside a status
    # saying behind. The chart marks the expected multiple the model used for such a period.
    from dagster_project.report.charts import target_figure

    target = pd.Series(
        {"target_id": "T5Y-DBL-INDVA", "start_date": "2022-01-01", "deadline": "2026-12-31", "baseline_year": 2021,
         "target_unit": "倍", "actual_unit": "倍", "comparator": "multiple_of_baseline"}
    )  # fmt: skip
    common = {
        "target_level": 2.0, "base_value": 1.0, "required_cagr": 0.1487, "expected_share_method": "geometric",
        "actual_bound": "eq", "actual_quality": "derived", "comparator_applied": "at_least", "underlying_value": None,
        "derived_from": "chained real growth", "source_file": "published_facts.csv", "source_row": 46,
    }  # fmt: skip
    rows = pd.DataFrame(
        [
            {**common, "period_code": "2022-01~03", "period_kind": "ytd", "period_end": pd.Timestamp("2022-03-31"),
             "actual_value": 1.118, "expected_share": 0.1487, "projected_value": 1.7467,
             "release_date": pd.Timestamp("2022-05-31")},
            {**common, "period_code": "2025", "period_kind": "year", "period_end": pd.Timestamp("2025-12-31"),
             "actual_value": 1.4029, "expected_share": 0.7411, "projected_value": 1.5268,
             "release_date": pd.Timestamp("2026-02-13")},
        ]
    )  # fmt: skip
    expected = {}
    for trace in target_figure(target, rows).data:
        if str(trace.name).startswith(("所需", "序时")):
            for x, y in zip(trace.x, trace.y, strict=True):
                expected.setdefault(pd.Timestamp(x), []).append((str(trace.name), y))
    at_q1 = [y for _, y in expected[pd.Timestamp("2022-03-31")]]
    assert any(y == pytest.approx(1.1487) for y in at_q1), at_q1  # the model's 1 + 0.1487 × (2 − 1)
    [marker] = [name for name, y in expected[pd.Timestamp("2022-03-31")] if y == pytest.approx(1.1487)]
    assert marker.startswith("序时")
    # a full year is on the path already: no second mark there
    assert [name for name, _ in expected[pd.Timestamp("2025-12-31")]] == [
        "所需路径（复合增长）required path (compound)"
    ]
