from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.models import Observation
from dagster_project.ingest.validate import validate_observations

TODAY = date(2026, 1, 1)


def obs(**kw: object) -> Observation:
    base = Observation(
        indicator_code="gdp",
        region_code="430200",
        subject_code="",
        period_code="2022",
        period_kind="year",
        period_start=date(2022, 1, 1),
        period_end=date(2022, 12, 31),
        measure="value",
        value=3616.8,
        bound="eq",
        unit="亿元",
        source_value="3616.8",
        source_unit="亿元",
        provenance="published",
        derived_from="",
        source_ref="",
        source_file="f.csv",
        source_row=2,
        release_date=date(2023, 3, 20),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def check(catalog: Catalog, *rows: Observation) -> list[tuple[int | None, str, str]]:
    errs = validate_observations(list(rows), catalog, source_file="f.csv", today=TODAY)
    return [(e.row, e.column, e.reason) for e in errs]


def test_valid_row_passes(catalog: Catalog) -> None:
    assert check(catalog, obs()) == []


@pytest.mark.parametrize(
    ("change", "column", "fragment"),
    [
        ({"indicator_code": "gdp_x"}, "indicator", "unknown indicator"),
        ({"region_code": "999999"}, "region", "unknown region"),
        ({"subject_code": "NOPE"}, "subject", "unknown subject"),
        ({"unit": "家"}, "unit", "contradicts"),
        ({"value": -1.0}, "value", "negative level"),
        ({"indicator_code": "air_good_ratio", "unit": "%", "value": 101.0}, "value", "above its limit"),
        (
            {"indicator_code": "water_class", "measure": "class", "unit": "类", "value": 7.0},
            "value",
            "outside 1..6",
        ),
        (
            {"indicator_code": "project_stage", "measure": "stage", "unit": "级", "value": 5.0},
            "value",
            "outside 0..4",
        ),
        ({"measure": "rank", "unit": "位", "value": 0.0}, "value", "rank"),
        ({"measure": "rank", "unit": "位", "value": 1.5}, "value", "whole number"),
        ({"measure": "yoy_pct", "unit": "%", "value": -120.0}, "value", "impossible"),
        ({"source_value": "=A1+1"}, "value", "formula-like"),
        ({"release_date": date(2022, 12, 1)}, "period", "after the release date"),
        (
            {
                "release_date": None,
                "period_code": "2026",
                "period_start": date(2026, 1, 1),
                "period_end": date(2026, 12, 31),
            },
            "period",
            "in the future",
        ),
        ({"provenance": "derived"}, "derived_from", "must say"),
        ({"measure": "class", "unit": "类"}, "measure", "non-class indicator"),
    ],
)
def test_contract_violations(catalog: Catalog, change: dict[str, object], column: str, fragment: str) -> None:
    errors = check(catalog, obs(**change))
    assert any(c == column and fragment in r for _, c, r in errors), errors


def test_a_published_top_group_rank_is_a_bound_but_about_a_place_is_no_rank(catalog: Catalog) -> None:
    # 居全省前三 (rank 3 or better, le) was refused as "not an exact whole number"; 3左右 and a stage's bound stay out
    assert check(catalog, obs(measure="rank", unit="位", value=3.0, bound="le", source_value="全省前三")) == []
    assert check(catalog, obs(measure="yoy_rank", unit="位", value=5.0, bound="lt", source_value="前五")) == []
    for measure, bound in (("rank", "approx"), ("yoy_rank", "ge")):
        [(_, column, reason)] = check(catalog, obs(measure=measure, unit="位", value=3.0, bound=bound))
        assert column == "value" and "exact whole number or a top group" in reason
    stage = obs(indicator_code="project_stage", measure="stage", unit="级", value=2.0, bound="le")
    assert any("exact whole number" in r for _, _, r in check(catalog, stage))


def test_duplicate_keys_within_a_file(catalog: Catalog) -> None:
    errors = check(catalog, obs(source_row=2), obs(source_row=5, value=3600.0, source_value="3600"))
    assert errors == [
        (
            5,
            "key",
            "duplicate of row 2: gdp/430200//2022/value, another value: 3616.8 there, 3600 here; which is right?",
        )
    ]


def test_negative_growth_and_pp_change_are_fine(catalog: Catalog) -> None:
    assert check(catalog, obs(measure="yoy_pct", unit="%", value=-3.3)) == []
    assert check(catalog, obs(indicator_code="air_good_ratio", measure="yoy_pct", unit="百分点", value=-12.9)) == []


def test_point_in_time_stock_counts_may_be_stated_during_their_month(catalog: Catalog) -> None:
    # "获评国家级专精特新小巨人企业达38家", released 2022-02-15 as the February count
    count = obs(
        indicator_code="little_giants_national",
        unit="家",
        value=38.0,
        period_code="2022-02",
        period_kind="month",
        period_start=date(2022, 2, 1),
        period_end=date(2022, 2, 28),
        release_date=date(2022, 2, 15),
    )
    assert check(catalog, count) == []
    early = replace(count, release_date=date(2022, 1, 20))
    assert [c for _, c, _ in check(catalog, early)] == ["period"]
    flow = replace(count, indicator_code="new_above_scale_units")  # a flow must have ended
    assert [c for _, c, _ in check(catalog, flow)] == ["period"]


def test_a_count_of_firms_or_households_is_a_whole_number(catalog: Catalog) -> None:
    # 15.5 listed companies loaded without a word; 1.25万户 (12,500 households) still loads
    firms = obs(indicator_code="listed_companies", unit="家", value=15.5, period_code="2023", period_kind="year")
    whole = "a count in 家 must be a whole number, got 15.5"
    assert [(c, r) for _, c, r in check(catalog, firms)] == [("value", whole)]
    households = obs(indicator_code="rent_subsidy_households", unit="户", value=12500.0)
    assert check(catalog, households) == []


def test_the_sql_twin_of_the_value_rules_agrees_with_python(catalog: Catalog) -> None:
    """value_problem_sql (used by the vectorised long-format path) flags exactly what _check_value flags."""
    import duckdb

    from dagster_project.ingest.validate import _check_value, rate_limit, value_problem_sql

    cases = []
    for code, measure, unit in [
        ("gdp", "value", "亿元"),
        ("air_good_ratio", "value", "%"),
        ("pm25", "value", "微克/立方米"),
        ("gdp", "yoy_pct", "%"),
        ("air_good_ratio", "yoy_pct", "百分点"),
        ("industrial_value_added", "rank", "位"),
        ("industrial_value_added", "yoy_rank", "位"),
        ("major_project_investment", "plan_share_pct", "%"),
        ("water_class", "class", "类"),
        ("project_stage", "stage", "级"),
        ("listed_companies", "value", "家"),  # a count: whole numbers only
        ("rent_subsidy_households", "value", "户"),
    ]:
        for v in (-1e300, -100.5, -100, -99.9, -1, -0.0, 0, 0.5, 1, 2.5, 4, 5, 6, 6.5, 99.9, 100, 100.5, 1e300):
            cases.append((code, measure, unit, float(v)))
        for v in (float("nan"), float("inf"), float("-inf")):
            cases.append((code, measure, unit, v))
    con = duckdb.connect()
    sql = value_problem_sql("v", "m", "u", "lim")
    for code, measure, unit, v in cases:
        limit = rate_limit(catalog.indicator(code)) if measure == "value" else None
        [(got,)] = con.execute(
            f"SELECT {sql} FROM (SELECT ?::DOUBLE AS v, ? AS m, ? AS u, ?::DOUBLE AS lim)", [v, measure, unit, limit]
        ).fetchall()
        want = _check_value(obs(indicator_code=code, measure=measure, unit=unit, value=v), catalog) is not None
        assert got == want, (code, measure, unit, v)
