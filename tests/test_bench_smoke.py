"""Smoke test of the national-scale benchmark (`make bench`) at a tiny scale: no timings asserted.

What must hold at any scale: the dbt marts equal the hand-written SQL floor (after a full build and
after adding a month incrementally), the history the generator loads straight into raw is what the
real ingestion makes of the same month's file, and the comparison itself can tell marts apart.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dagster_project.bench.compare import compare_marts
from dagster_project.bench.harness import run_benchmark
from dagster_project.bench.scale import Scale

KINDS = {"level", "multiple", "additions", "improvement", "coverage", "rank"}


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("bench")
    # 1% of the national default: 28 counties in 4 cities (peers for rank targets), 200 indicators,
    # ten years of history; every target kind of the synthetic catalogue has rows.
    scale = Scale.from_fraction(0.01)
    res = run_benchmark(
        scale,
        root,
        memory_limit="1GB",
        with_tests=False,
        with_short_history=False,
        with_validation=False,
        with_parse=False,
        log=lambda _line: None,
    )
    return root, res


def test_marts_equal_the_floor_after_a_full_build_and_after_a_new_month(bench):
    _, res = bench
    assert set(res.checks) == {"full build (10 years)", "new month on 10 years (incremental)"}
    for label, check in res.checks.items():
        assert check["equal"], f"{label}: {check['summary']}"
        for mart, m in check["marts"].items():
            assert m["rows_pipeline"] > 0, f"{label}: {mart} is empty, the comparison proves nothing"


def test_the_comparison_covers_every_target_kind_and_a_mix_of_statuses(bench):
    _, res = bench
    check = res.checks["new month on 10 years (incremental)"]
    assert set(check["target_kinds"]) >= KINDS
    assert {"achieved", "on_track", "needs_acceleration", "off_track"} <= set(check["statuses"])


def test_the_new_month_reaches_the_marts(bench):
    _, res = bench
    before = res.checks["full build (10 years)"]["marts"]["fct_target_progress"]["rows_pipeline"]
    after = res.checks["new month on 10 years (incremental)"]["marts"]["fct_target_progress"]["rows_pipeline"]
    assert after > before


def test_generated_history_is_what_ingestion_makes_of_the_file(bench):
    _, res = bench
    assert res.generator_matches_ingestion is True
    assert res.steps["ingest"].result["rows"] == res.steps["ingest_floor"].result["rows"] > 0


def test_the_comparison_notices_a_changed_status(bench, tmp_path: Path):
    root, _ = bench
    tampered = tmp_path / "floor.duckdb"
    tampered.write_bytes((root / "floor10b.duckdb").read_bytes())
    con = duckdb.connect(str(tampered))
    con.execute(
        """UPDATE fct_target_progress SET status_code = 'deteriorating'
           WHERE rowid = (SELECT min(rowid) FROM fct_target_progress WHERE status_code <> 'deteriorating')"""
    )
    con.close()
    result = compare_marts(root / "wh10.duckdb", tampered)
    assert not result.equal
    assert result.marts["fct_target_progress"].differing == {"status_code": 1}
