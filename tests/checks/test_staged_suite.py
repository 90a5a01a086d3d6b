"""The staged-observation suite (expectations/stg_raw__observations.json) on the sample warehouse:
clean data raises only the known warning, and each kind of bad series fails the right expectation."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.checks.batches import staged_batches

SUITE = "stg_raw__observations"
CITY = "430200"


def _validate(validator, parameters, warehouse: Path) -> dict[str, tuple[str, set[tuple[str, str]]]]:
    """check_id -> (severity, {(indicator, period) of the unexpected rows}) over every batch."""
    found: dict[str, tuple[str, set[tuple[str, str]]]] = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for batch in staged_batches(con):
            for failure in validator.validate(SUITE, batch.frame, batch.label, parameters).failures:
                rows = {(r["indicator_code"], r["period_code"]) for r in failure.rows}
                severity, seen = found.setdefault(failure.check_id, (failure.severity, set()))
                seen |= rows
    finally:
        con.close()
    return found


def _edit(warehouse: Path, sql: str) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        for table in ("raw.observations", "raw.api_observations"):  # the staged view unions both
            con.execute(sql.format(table=table))
    finally:
        con.close()


# The only finding on the sample data: published real growth of 高新技术产业增加值 (13.5% in 2022,
# 22.1% in 2021) against published nominal levels (+2.7%, +16.3%) — a warning for a human, not a block.
KNOWN_WARNING = {
    "growth_matches_levels": ("warning", {("hightech_value_added", "2021"), ("hightech_value_added", "2022")})
}


def test_sample_data_raises_only_the_known_growth_warning(validator, parameters, sample_pipeline_run):
    assert _validate(validator, parameters, sample_pipeline_run.warehouse) == KNOWN_WARNING


BAD_SERIES = [
    (
        "year-to-date total falls (1-5月 below 1-4月)",
        f"update {{table}} set value = 0.5 where indicator_code = 'new_urban_jobs' and region_code = '{CITY}' "
        "and period_code = '2024-01~05' and measure = 'value'",
        # the month after it then jumps by far more than the usual step: flagged too (a warning)
        {
            "ytd_not_decreasing": ("critical", {("new_urban_jobs", "2024-01~05")}),
            "ytd_step_usual": ("warning", {("new_urban_jobs", "2024-01~06")}),
        },
    ),
    (
        "a month missing from a series a target needs",
        f"delete from {{table}} where indicator_code = 'trade_total' and region_code = '{CITY}' "
        "and period_code = '2024-01~07'",
        {"no_missing_month": ("warning", {("trade_total", "2024-01~08")})},
    ),
    (
        # issue 12: a year-to-date trade total typed 720 instead of its real size one month still grows,
        # passes the blocking checks, and made the doubling target jump to "achieved"
        "a hand-typed jump in a year-to-date total",
        f"update {{table}} set value = value * 1.9 where indicator_code = 'trade_total' and region_code = '{CITY}' "
        "and period_code = '2026-01~10' and measure = 'value'",
        {"ytd_step_usual": ("warning", {("trade_total", "2026-01~10")})},
    ),
    (
        "a monthly level that jumps far beyond its usual move (a slipped decimal)",
        "update {table} set value = value * 10 where indicator_code = 'pm25' and region_code = '430202' "
        "and period_code = '2024-05' and measure = 'value'",
        {"level_move_usual": ("warning", {("pm25", "2024-05"), ("pm25", "2024-06")})},
    ),
    (
        "reported growth far from the levels",
        f"update {{table}} set value = 40 where indicator_code = 'trade_total' and region_code = '{CITY}' "
        "and period_code = '2024-01~06' and measure = 'yoy_pct'",
        {"growth_matches_levels": ("warning", {("trade_total", "2024-01~06")})},
    ),
]


@pytest.mark.parametrize("sql, expected", [c[1:] for c in BAD_SERIES], ids=[c[0] for c in BAD_SERIES])
def test_a_bad_series_fails_the_right_expectation(validator, parameters, warehouse_copy, sql, expected):
    _edit(warehouse_copy, sql)
    found = _validate(validator, parameters, warehouse_copy)
    for check_id, (severity, rows) in expected.items():
        assert found[check_id][0] == severity
        assert rows <= found[check_id][1], found[check_id]
        if check_id != "growth_matches_levels":
            assert found[check_id][1] == rows  # nothing else flagged by it
    assert set(found) - set(expected) <= set(KNOWN_WARNING)


def test_a_real_figure_below_the_samples_year_to_date_does_not_block(validator, parameters, warehouse_copy):
    """Issue 12: a real H1 trade total lower than the sample's illustrative Jan-May total supersedes the
    illustrative levels of its series-year, so the blocking "year-to-date never falls" check judges the
    resulting series and passes (before, nothing could be published)."""
    _edit(
        warehouse_copy,
        f"update {{table}} set provenance = 'published', value = value * 0.5 where indicator_code = 'trade_total' "
        f"and region_code = '{CITY}' and period_code = '2024-01~06' and measure = 'value'",
    )
    found = _validate(validator, parameters, warehouse_copy)
    assert "ytd_not_decreasing" not in found, found["ytd_not_decreasing"]
    # the months the real figure replaced are gone from the cumulative series: a warning, not a block
    assert {severity for severity, _ in found.values()} == {"warning"}
