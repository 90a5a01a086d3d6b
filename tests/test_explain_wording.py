"""`pmw explain` says what the figures are: the side a bound puts a gap and a projection on, the formula
the share was computed with, the path the expected share follows, and why "met" cannot be told (audit
S, item 6). The numbers are the model's; only the words around them are checked here."""

from __future__ import annotations

import pandas as pd

from dagster_project.report.terminal import explain_text

TARGET = {
    "target_id": "T-X",
    "title_zh": "测试目标",
    "title_en": "Test target",
    "plan_name_zh": "规划",
    "plan_name_en": "Plan",
    "section_zh": "章",
    "section_en": "Section",
    "quote": "原文",
    "reading_notes": None,
    "target_kind": "level",
    "has_series": True,
    "measure_kind": "flow",
    "comparator": "exceed",
    "target_value": 5000.0,
    "target_unit": "亿元",
    # what the marts say the actual and the target are counted in (fct_target_scorecard.actual_unit)
    "actual_unit": "亿元",
    "deadline": pd.Timestamp("2026-12-31"),
    "start_date": pd.Timestamp("2022-01-01"),
    "indicator_code": "gdp",
    "indicator_name_zh": "地区生产总值",
    "baseline_year": 2021,
    "catalogue_baseline_value": 3420.3,
    "baseline_source": None,
    "is_cumulative": True,
    "scope_type": "city",
    "latest_release_date": pd.Timestamp("2026-01-31"),
    "next_release_due": pd.Timestamp("2027-01-31"),
    "is_next_release_overdue": False,
}

ROW = {
    "target_id": "T-X",
    "period_code": "2025",
    "period_kind": "year",
    "period_end": pd.Timestamp("2025-12-31"),
    "actual_value": 4000.0,
    "actual_bound": "gt",
    "underlying_value": 4000.0,
    # what the mart gives underlying_value (fct_target_progress.underlying_unit): the indicator's unit here
    "underlying_unit": "亿元",
    "actual_quality": "published",
    "source_file": "gb2025.html",
    "source_row": 3,
    "release_date": pd.Timestamp("2026-01-31"),
    "release_id": "gb2025",
    "is_revised": False,
    "derived_from": "",
    "comparator_applied": "exceed",
    "target_level": 5000.0,
    "base_value": 3420.3,
    "is_met": None,
    "is_met_at_bound": False,
    "status_rests_on_bound": True,
    "bound_reading": "at_least",
    "gap": 1000.0,
    "share_achieved": 0.367,
    "expected_share": 0.78,
    "expected_share_method": "geometric",
    "elapsed_share": 0.8,
    "required_cagr": 0.0789,
    "required_cagr_from_now": 0.25,
    "actual_cagr": 0.0399,
    "years_total": 5,
    "years_elapsed": 4,
    "progress_ratio": 0.51,
    "threshold_on_track": 0.95,
    "threshold_acceleration": 0.6,
    "projected_value": 4159.6,
    "projected_gap": 840.4,
    "units_total": None,
    "units_reporting": None,
    "baseline_is_estimated": False,
    "status_code": "off_track",
    "status_reason": "ratio_off_track",
    "status_note": None,
    "calculation_trace": "trace",
}


def explain(target: dict | None = None, **row) -> str:
    t = pd.Series({**TARGET, **(target or {})})
    return explain_text(t, pd.DataFrame([{**ROW, **row}]), history=0)


def test_a_gap_and_a_projection_on_a_lower_bound_of_higher_is_better_are_at_most_short():
    text = explain()
    assert "差距 gap         at most 1,000 short of the target" in text, text
    assert "预测 projection  at least 4,159.6" in text and "(at most 840.4 short)" in text, text


def test_a_multiple_of_published_levels_is_computed_and_a_growth_chain_derived():
    # trial s60b: a multiple of two published levels, labelled 公开 published, printed "推算 derived from" under
    # it; derived is a quality (a level made from growth rates), not every computation
    published = explain(actual_quality="published", derived_from="1043.3 / 1016.11")
    assert "                   计算 computed from: 1043.3 / 1016.11" in published.splitlines(), published
    assert "推算" not in published
    chain = explain(actual_quality="derived", derived_from="chain 2021 x 1.094^5")
    assert "                   推算 derived from: chain 2021 x 1.094^5" in chain.splitlines(), chain


def test_a_growth_targets_expected_share_is_geometric_not_linear():
    # the mart names the path (int_target_assessment.expected_share_method); explain only says what it means
    text = explain(expected_share_method="geometric")
    assert "(geometric: compound growth at the required rate" in text, text
    assert "linear" not in text
    assert "(linear: straight line over the window)" in explain(expected_share_method="linear", required_cagr=None)


def test_at_most_share_is_target_over_actual_and_its_projection_from_a_bound_below_is_at_most():
    # PM2.5 at most 42 read from a published "<45": the share is 42/45, the projection at most
    row = dict(
        comparator_applied="at_most",
        actual_value=45.0,
        actual_bound="lt",
        underlying_value=45.0,
        target_level=42.0,
        base_value=None,
        gap=3.0,
        share_achieved=42 / 45,
        expected_share=None,
        required_cagr=None,
        actual_cagr=None,
        required_cagr_from_now=None,
        progress_ratio=None,
        projected_value=45.0,
        projected_gap=3.0,
        bound_reading="at_least",
    )
    text = explain({"comparator": "at_most", "target_value": 42.0, "is_cumulative": False}, **row)
    assert "= target / actual = 42 / 45" in text, text
    assert "actual / target" not in text
    assert "预测 projection  at most 45" in text, text
    assert "at least 45" not in text


def _no_figure_row(note: str, **fields) -> dict:
    """A not_assessable row whose actual could not be made: nothing computed, only the note says why."""
    nothing = dict.fromkeys(
        (
            "actual_value",
            "is_met",
            "is_met_at_bound",
            "bound_reading",
            "gap",
            "share_achieved",
            "expected_share",
            "required_cagr",
            "progress_ratio",
            "projected_value",
            "projected_gap",
        )
    )
    return {
        **nothing,
        "status_rests_on_bound": False,
        "status_code": "not_assessable",
        "status_reason": "growth_chain_broken",
        "status_note": note,
        **fields,
    }


def test_met_cannot_be_told_names_what_is_missing_not_a_bound():
    note = "the baseline (2021) level is not published: 290.5 (2025) cannot be made a multiple of it"
    text = explain({"target_kind": "multiple"}, **_no_figure_row(note, actual_bound="eq"))
    assert f"met: cannot tell: no comparable figure — {note}" in text, text
    assert "(a bound)" not in text


def test_a_rank_without_a_baseline_rank_is_not_assessable_and_says_the_baseline_rank_is_missing():
    # int_target_series__ranks: a published 前三 (le 3) in 2025 and no 2021 rank, published or computed
    note = (
        "the baseline (2021) rank is neither published nor computable (not every peer city reported): "
        "rank at best 3 (2025) cannot be made places gained"
    )
    # no actual, so no bound on it (int_target_series); the rank's own bound is the underlying one's
    row = _no_figure_row(
        note,
        actual_bound=None,
        underlying_bound="le",
        status_reason="baseline_rank_missing",
        underlying_value=3.0,
        underlying_unit="位（全省排位 place among the province's cities, 1 = best）",
        comparator_applied="at_least",
        target_level=1.0,
        base_value=0.0,
        derived_from="rank at best 3 of 14 cities by gdp (2025, published) vs no rank in 2021",
    )
    rank = {
        "target_kind": "rank",
        "comparator": "rank_gain",
        "target_value": 1.0,
        "target_unit": "位",
        "actual_unit": "位",
    }
    text = explain({**rank, "is_cumulative": False, "catalogue_baseline_value": None}, **row)
    lines = text.splitlines()
    # no places gained to show, and no bound sign on the missing figure; the bound is the rank's
    assert "  实际 actual      —  [公开 published]" in lines, text
    # with the mart's unit: a place among the cities, not a bare 3 (nor 3 places gained)
    assert (
        "                   indicator value behind it: ≤3 位（全省排位 place among the province's cities, 1 = best）"
        in lines
    ), text
    assert f"met: cannot tell: no comparable figure — {note}" in text, text
    assert f"状态 status      无法评估 Not assessable — {note}" in text, text
    assert "≤—" not in text


def test_the_status_now_says_it_is_read_off_the_newest_period_that_can_be_assessed():
    # methodology §4: 2026-01~09 cannot be made a multiple of 2021 1-9月; the scorecard shows 2025's status
    note = "the baseline (2021) level of 2021-01~09 is not published"
    newer = {
        **ROW,
        "period_code": "2026-01~09",
        "period_kind": "ytd",
        "period_end": pd.Timestamp("2026-09-30"),
        "actual_value": None,
        "is_met": None,
        "is_met_at_bound": None,
        "status_rests_on_bound": False,
        "bound_reading": None,
        "status_code": "not_assessable",
        "status_reason": "growth_chain_broken",
        "status_note": note,
    }
    scorecard = {**TARGET, **{k: v for k, v in ROW.items() if k not in TARGET}, "latest_period_code": "2025"}
    text = explain_text(pd.Series(scorecard), pd.DataFrame([ROW, newer]), history=0)
    assert "期 period 2026-01~09 (ytd, ends 2026-09-30) — the latest with data" in text, text
    now = next(li for li in text.splitlines() if li.strip().startswith("今日 status now"))
    assert "(read off 2025, the newest period that can be assessed)" in now and "R 0.51" in now, now


def test_a_bound_is_called_published_only_when_it_is():
    # an illustrative bound was explained as "the published figure is a lower bound" (trial s55h)
    assert "the status rests on the published bound >4,000" in explain()
    assert "the published figure is a lower bound" in explain()
    text = explain(actual_quality="illustrative")
    assert "published" not in text.replace("not a published figure", ""), text
    assert "the status rests on the bound >4,000" in text and "the figure is a lower bound" in text, text


def test_a_revised_figure_is_the_latest_vintage_not_one_a_later_release_replaced():
    # is_revised marks the latest of several vintages that differ (int_observations__latest; a restatement is
    # not a revision): the release shown is the newest, whatever revised the earlier ones. "revised by a later release"
    # sent a reader looking for a newer release than the one shown (trial 56b: GDP 2025 4,662.3 of
    # hunan_gdp_cities_2025Q4.xlsx, released 2026-01-28, the newest of its two releases)
    text = explain(is_revised=True)
    assert "revised by a later release" not in text, text
    assert "release gb2025 (the latest of several releases of this figure; every vintage:" in text, text


def test_the_value_behind_a_growth_chain_is_shown_as_the_growth_rate_it_is():
    # int_target_series__growth_index (ut_series_growth_a_share_of_a_multi_year_rate_names_the_rate_it_used):
    # 规模工业增加值 2025 is 1.4029 倍 of 2021, from 2021-2025 年均 +9.4%; the value behind it is that rate, and
    # "indicator value behind it: 9.4" did not say so (audit s57b)
    row = dict(
        actual_value=1.4029,
        actual_bound="eq",
        underlying_value=9.4,
        underlying_unit="%（年均增速 average annual growth rate）",
        actual_quality="derived",
        status_rests_on_bound=False,
        bound_reading=None,
        comparator_applied="at_least",
        target_level=2.0,
        base_value=1.0,
    )
    multiple = {
        "target_kind": "multiple",
        "comparator": "multiple_of_baseline",
        "target_value": 2.0,
        "target_unit": "倍",
        "actual_unit": "倍",
    }
    lines = explain(multiple, **row).splitlines()
    assert "  实际 actual      1.4 倍  [推算 derived]" in lines, lines
    assert "                   indicator value behind it: 9.4 %（年均增速 average annual growth rate）" in lines, lines


def test_the_bound_a_status_rests_on_carries_its_unit():
    # 突破 5000: a published ">4000" (亿元) read as at least 4000; the bound is said with its unit
    text = explain()
    assert "the status rests on the published bound >4,000 亿元: it is computed at the bound" in text, text


def test_a_release_date_the_file_did_not_state_is_shown_as_the_day_it_arrived():
    # a file stating no release date was dated the day it landed, and explain showed "released 2026-12-07" as if
    # the office had printed it: the note said so at ingestion only
    text = explain(release_date=pd.Timestamp("2026-12-07"), release_date_imputed=True)
    assert "source: gb2025.html row 3, released 2026-12-07 (到达日 arrival day, not stated by the file)" in text, text
    dated = explain()
    assert "source: gb2025.html row 3, released 2026-01-31; release gb2025" in dated and "到达日" not in dated
    # the recent periods list marks it too, and says what the mark means
    t = pd.Series(TARGET)
    rows = pd.DataFrame(
        [
            {**ROW, "period_code": "2024", "period_end": pd.Timestamp("2024-12-31"), "release_date_imputed": False},
            {**ROW, "release_date": pd.Timestamp("2026-12-07"), "release_date_imputed": True},
        ]
    )
    listed = explain_text(t, rows, history=6)
    assert "2026-12-07 到达日" in listed and "2026-01-31 到达日" not in listed, listed
    assert "到达日: 到达日 arrival day, not stated by the file" in listed, listed
    # a published copy made before the flag (no such column) reads as before
    assert "released 2026-01-31; release gb2025" in explain_text(t, pd.DataFrame([ROW]), history=0)


# -------------------------------------------------------------- what a revision changed (trial s58e)
def _published_vintages(path, vintages: list[tuple]) -> None:
    """A published copy holding only observation_vintages: (observation_key, release_id, release_date,
    value, measure, source_row[, release_date_imputed]) of published GDP 2025 in 亿元, loaded in list order."""
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table observation_vintages (observation_key varchar, release_id varchar, indicator_code varchar, "
            "period_code varchar, measure varchar, value double, bound varchar, unit varchar, source_row integer, "
            "release_date date, release_date_imputed boolean, ingested_at timestamp, provenance varchar)"
        )
        for i, (key, release, released, value, measure, row, *imputed) in enumerate(vintages):
            con.execute(
                "insert into observation_vintages values (?, ?, 'gdp', '2025', ?, ?, 'eq', ?, ?, ?, ?, "
                "timestamp '2026-01-01' + to_seconds(?), 'published')",
                [key, release, measure, value, "亿元" if measure == "value" else "%", row, released, any(imputed), i],
            )


# the row explained reads GDP 2025 of release gb2025 row 3, the latest of its releases
REVISED_ROW = dict(
    indicator_code="gdp",
    actual_value=3631.2,
    underlying_value=3631.2,
    actual_bound="eq",
    bound_reading=None,
    status_rests_on_bound=False,
    release_date=pd.Timestamp("2024-01-15"),
    is_revised=True,
)


def _explained_with(path, **row) -> str:
    from dagster_project.report.data import figure_vintages

    t = pd.Series(TARGET)
    rows = pd.DataFrame([{**ROW, **REVISED_ROW, **row}])
    return explain_text(t, rows, history=0, vintages_of=lambda p: figure_vintages(path, p))


def test_a_revision_says_what_it_changed_and_a_restatement_that_nothing_changed(tmp_path):
    # trial s58e: GDP published 初步核算 3,616.8 (2023-03-30), revised to 3,631.2 (2024-01-15): explain said only
    # "the latest of several releases", the words it used when a later release merely repeated the figure
    revised = tmp_path / "revised.duckdb"
    _published_vintages(
        revised,
        [
            ("k-gdp", "r-first", "2023-03-30", 3616.8, "value", 3),
            ("k-yoy", "r-first", "2023-03-30", 3631.2, "yoy_pct", 3),  # another measure of another key: not it
            ("k-gdp", "gb2025", "2024-01-15", 3631.2, "value", 3),
            ("k-yoy", "gb2025", "2024-01-15", 4.5, "yoy_pct", 3),
            ("k-gdp", "r-later", "2024-06-30", 3640.0, "value", 3),  # after the row's release: not its story
        ],
    )
    text = _explained_with(revised)
    line = (
        "                   修订 revised: 3,616.8 亿元 (release r-first, released 2023-03-30) -> 3,631.2 "
        "(release gb2025, released 2024-01-15)"
    )
    assert line in text.splitlines(), text
    assert "released 2024-01-15; release gb2025\n" in text and "the latest of several releases" not in text, text
    assert "3,640" not in text

    restated = tmp_path / "restated.duckdb"
    _published_vintages(
        restated,
        [("k-gdp", "r-first", "2023-03-30", 3631.2, "value", 3), ("k-gdp", "gb2025", "2024-01-15", 3631.2, "value", 3)],
    )
    text = _explained_with(restated)
    line = "                   重发 restated: the same value in 2 releases (r-first 2023-03-30, gb2025 2024-01-15)"
    assert line in text.splitlines(), text
    assert "revised:" not in text


def test_a_quote_dated_by_arrival_comes_before_the_stated_revision_it_does_not_outrank(tmp_path):
    # a ledger's undated quote of the preliminary figure, loaded after the stated revision and dated by the day it
    # landed: a stated date outranks a day of arrival (store.vintage_recency), so the story ends on the revision
    path = tmp_path / "ledger.duckdb"
    _published_vintages(
        path,
        [
            ("k-gdp", "gb2025", "2024-01-15", 3631.2, "value", 3),
            ("k-gdp", "ledger", "2026-11-25", 3616.8, "value", 2, True),
        ],
    )
    line = next(li for li in _explained_with(path).splitlines() if "revised:" in li)
    assert line.strip() == (
        "修订 revised: 3,616.8 亿元 (release ledger, released 2026-11-25 (到达日 arrival day, not stated by the file)) "
        "-> 3,631.2 (release gb2025, released 2024-01-15)"
    ), line


def test_a_figure_released_often_lists_its_first_vintage_how_many_more_and_its_newest_four(tmp_path):
    # the first five were listed, then "… 2 more": the newest value, the one the status reads, was left out
    path = tmp_path / "many.duckdb"
    values = [3600.0, 3610.0, 3620.0, 3600.0, 3625.0, 3630.0, 3631.2]
    _published_vintages(
        path,
        [
            ("k-gdp", "gb2025" if i == 6 else f"r{i}", f"2023-0{i + 1}-15", value, "value", 3)
            for i, value in enumerate(values)
        ],
    )
    line = next(li for li in _explained_with(path).splitlines() if "revised:" in li)
    first = "修订 revised: 3,600 亿元 (release r0, released 2023-01-15) -> … 2 more -> 3,600 (release r3"
    assert line.strip().startswith(first), line
    assert line.count("(release ") == 5 and line.endswith("-> 3,631.2 (release gb2025, released 2023-07-15)"), line


def test_a_figure_whose_vintages_cannot_be_found_for_certain_reads_as_before(tmp_path):
    before = explain(**REVISED_ROW)  # what explain printed of a revised figure before its vintages were read
    assert "release gb2025 (the latest of several releases of this figure; every vintage:" in before, before
    path = tmp_path / "one.duckdb"
    _published_vintages(
        path,
        [
            # one vintage of its own (the flag came from another input, or a release after the as-of date)
            ("k-gdp", "gb2025", "2024-01-15", 3631.2, "value", 3),
            ("k-two", "r-first", "2023-03-30", 5.0, "value", 7),
            ("k-two", "gb2025", "2024-01-15", 5.0, "value", 7),
            ("k-three", "gb2025", "2024-01-15", 5.0, "yoy_pct", 7),  # the same value in two measures of row 7
        ],
    )
    assert _explained_with(path) == before
    # no row to find it by (a figure made of two files' rows), and a row whose value two of its figures share
    no_row = explain(**{**REVISED_ROW, "source_row": None})
    assert _explained_with(path, source_row=None) == no_row
    ambiguous = explain(**{**REVISED_ROW, "source_row": 7, "actual_value": 5.0, "underlying_value": 5.0})
    assert _explained_with(path, source_row=7, actual_value=5.0, underlying_value=5.0) == ambiguous
    # a figure not revised, released once, reads as before
    unrevised = {**REVISED_ROW, "is_revised": False}
    assert _explained_with(path, is_revised=False) == explain(**unrevised)


def test_the_catalogues_baseline_and_target_read_as_quoted_with_the_baselines_unit():
    # a quoted baseline of 1016.11 read "2021 = 1,016.1", rounded as a computed figure, and with no unit: a
    # multiple's baseline is a level (亿元) while the target and the actual are in 倍
    text = explain(
        {
            "target_kind": "multiple",
            "comparator": "at_least",
            "target_value": 2.0,
            "target_unit": "倍",
            "actual_unit": "倍",
            "catalogue_baseline_value": 1016.11,
            "catalogue_baseline_unit": "亿元",
        },
        actual_value=1.65,
        actual_bound="eq",
        target_level=2.0,
    )
    assert "基期 baseline   2021 = 1,016.11 亿元" in text, text
    assert "目标 target     at_least 2 倍" in text and "实际 actual      1.65 倍" in text, text
    assert "2021 = 3,420.3 亿元" in explain({"catalogue_baseline_unit": "亿元"})


def test_a_restated_figure_not_flagged_revised_still_says_it_was_restated(tmp_path):
    # trial s59a: a file re-sent with the same figures is not a revision (int_observations__latest: is_revised
    # false now); explain looked the vintages up only of a revised figure, so the restatement went unsaid
    path = tmp_path / "restated.duckdb"
    _published_vintages(
        path,
        [("k-gdp", "r-first", "2023-03-30", 3631.2, "value", 3), ("k-gdp", "gb2025", "2024-01-15", 3631.2, "value", 3)],
    )
    text = _explained_with(path, is_revised=False)
    line = "                   重发 restated: the same value in 2 releases (r-first 2023-03-30, gb2025 2024-01-15)"
    assert line in text.splitlines(), text
    assert "revised:" not in text and "the latest of several releases" not in text, text


def test_a_baseline_a_later_release_revised_is_said_beside_the_reports():
    # s59b: the calculation uses a baseline a later release revised (fct_target_progress.baseline_origin); explain
    # showed only the report's figure in its header, so a reader could not tell which one the share was taken from
    text = explain({"catalogue_baseline_unit": "亿元"}, baseline_origin="published", baseline_level=3631.2)
    line = (
        "  基期 baseline    修订 revised: 3,631.2 亿元 as a later release published it, in place of the report's "
        "3,420.3 (the calculation trace names the release)"
    )
    assert line in text.splitlines(), text
    assert "修订 revised:" not in explain(baseline_origin="catalogue", baseline_level=3420.3)


def test_an_about_targets_gap_is_said_to_be_to_the_bands_edge():
    # trial 60b, real figures: 市区空气优良率83%左右 (tolerance 1), 2022-10 at 71.0. The mart's gap is 11, the way
    # to 82, where the band begins (int_target_assessment: target − actual − tolerance); explain said "11 short
    # of the target" under "目标 target ≈ 83 %", where a reader counts 12
    air = dict(
        comparator_applied="about", target_level=83.0, tolerance_abs=1.0, actual_value=71.0, actual_bound="eq",
        underlying_value=71.0, underlying_unit="%", base_value=None, gap=11.0, share_achieved=71 / 83,
        expected_share=None, required_cagr=None, actual_cagr=None, required_cagr_from_now=None, progress_ratio=None,
        projected_value=71.0, projected_gap=11.0, bound_reading=None, status_rests_on_bound=False, is_met=False,
        status_code="deteriorating", status_reason="worse_than_year_before",
    )  # fmt: skip
    target = {"comparator": "about", "target_value": 83.0, "target_unit": "%", "actual_unit": "%",
              "direction_sign": 1, "is_cumulative": False}  # fmt: skip
    text = explain(target, **air)
    assert "差距 gap         11 short of the band's edge 82 (≈ 83 ± 1)" in text, text
    # beyond it: 83.9 is 1.9 above 82; lower is better (PM2.5 about 42 ± 1): the edge is 43
    assert "1.9 beyond the band's edge 82 (≈ 83 ± 1)" in explain(target, **{**air, "actual_value": 83.9, "gap": -1.9})
    pm25 = {**air, "target_level": 42.0, "actual_value": 45.0, "gap": 2.0}
    assert "2 short of the band's edge 43 (≈ 42 ± 1)" in explain({**target, "direction_sign": -1}, **pm25)
    # without a tolerance the band is the target itself
    assert "12 short of the target" in explain(target, **{**air, "tolerance_abs": 0.0, "gap": 12.0})
