"""Smoke test of the national-scale benchmark (`make bench`) at a tiny scale: no timings asserted.

What must hold at any scale: the dbt marts equal the hand-written SQL floor (after a full build and
after adding a month incrementally), the history the generator loads straight into raw is what the
real ingestion makes of the same month's file, and the comparison itself can tell marts apart.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from bench.compare import compare_marts
from bench.harness import run_benchmark
from bench.scale import Scale
from dagster_project.catalogue_check import check_catalogue

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
    # the month-end snapshots keep their history: the full build wrote (and is compared on) every month
    # from the first plan's start to the as-of month, the new month's run only the month still open
    full = res.checks["full build (10 years)"]["marts"]["fct_scorecard_monthly"]
    new = res.checks["new month on 10 years (incremental)"]["marts"]["fct_scorecard_monthly"]
    assert full["months_compared"] > 100 and new["months_compared"] == 1


def test_the_comparison_covers_every_target_kind_and_a_mix_of_statuses(bench):
    _, res = bench
    check = res.checks["new month on 10 years (incremental)"]
    assert set(check["target_kinds"]) >= KINDS
    assert {"achieved", "on_track", "needs_acceleration", "off_track"} <= set(check["statuses"])


# the rank cases of the synthetic gap months (bench/synth.py bench_rank_gaps), as fct_target_progress rows
RANK_CASES = {
    # an exact rank against a published top group as the baseline (前3位 in 2020): places gained at most so many
    "bound baseline": "actual_bound = 'le' and actual_value is not null",
    # no baseline rank (2020-01~06: not every peer city reported, none published): no actual, not_assessable
    "missing baseline": "actual_value is null and derived_from like '% vs no rank in %'",
    # top groups on both sides (2023, 2025 against 2020): they prove nothing, not_assessable; stated in the
    # synthetic (illustrative) releases, so named illustrative, not published
    "bounds on both sides": "actual_value is null and derived_from like '%(%, illustrative) vs rank at best %'",
}


def test_the_comparison_covers_bound_ranks_and_a_newest_period_that_cannot_be_assessed(bench):
    """The floor comparison proves the rank rules only where the synthetic country has such ranks: the
    gap months give published top groups, missing baseline ranks and a newest period (2025) that cannot
    be assessed, which the scorecard names beside the newest one that can. Each case is present, and
    the pipeline's rows are the floor's."""
    root, _ = bench
    pipeline = duckdb.connect(str(root / "wh10.duckdb"), read_only=True)
    floor = duckdb.connect(str(root / "floor10b.duckdb"), read_only=True)
    try:
        columns = "target_id, period_code, actual_bound, actual_value, status_code, derived_from"
        for case, where in RANK_CASES.items():
            sql = f"select {columns} from {{}}fct_target_progress where target_id like '%-r_top' and {where}"
            sql += " order by all"
            rows = pipeline.execute(sql.format("marts.")).fetchall()
            assert rows, f"no {case} row: the comparison proves nothing about it"
            assert rows == floor.execute(sql.format("")).fetchall(), case
            if case != "bound baseline":
                assert {r[4] for r in rows} == {"not_assessable"}, case
        # the note names what is missing, in the pipeline and in the floor's trace alike
        notes = pipeline.execute(
            """select target_id, period_code, status_note from marts.fct_target_progress
               where target_id like '%-r_top' and actual_value is null order by all"""
        ).fetchall()
        assert {n[2].split(" (")[0] for n in notes} == {"the baseline", "both ranks are top groups, not places"}
        traces = dict(
            ((t, p), trace)
            for t, p, trace in floor.execute(
                "select target_id, period_code, calculation_trace from fct_target_progress"
            ).fetchall()
        )
        assert all(note in traces[(t, p)] for t, p, note in notes)
        # a status resting on a bound (an exact rank against a top group) says so with the bound and the unit of the
        # figure it rests on, in the floor's trace as in the pipeline's: the floor's ended at the status (9 traces
        # unlike the pipeline's at this scale), the pipeline's bound was a bare number ('≤2.0')
        resting = pipeline.execute(
            """select target_id, period_code, calculation_trace from marts.fct_target_progress
               where status_rests_on_bound order by all"""
        ).fetchall()
        assert resting, "no status rests on a bound: the comparison proves nothing about its trace"
        for t, p, trace in resting:
            assert "(rests on the bound ≤" in trace and " 位（全省排位 place among" in trace, trace
            assert traces[(t, p)] == trace, (t, p)
        # a bound on a rank behind a figure that could not be made reads nothing: the trace said
        # "=> at most not_assessable" and the mart bound_reading 'at_most' (bench61: 45 traces unlike the floor's)
        readings = pipeline.execute(
            """select distinct bound_reading, regexp_extract(calculation_trace, '=> (.*)$', 1)
               from marts.fct_target_progress where target_id like '%-r_top' and actual_value is null"""
        ).fetchall()
        assert readings == [(None, "not_assessable")]
        # a row with no actual has no bound on it, in the pipeline and the floor alike: actual_bound null and
        # actual_is_bound false (it was the rank's 'le', so actual_is_bound was true on rows with no figure);
        # the rank's own bound stays in underlying_bound
        sql = "select distinct actual_bound, actual_is_bound from {}fct_target_progress where actual_value is null"
        assert pipeline.execute(sql.format("marts.")).fetchall() == [(None, False)]
        assert floor.execute(sql.format("")).fetchall() == [(None, False)]
        sql = "select distinct underlying_bound from {}fct_target_progress where target_id like '%-r_top'"
        assert {"le", "eq"} <= {r[0] for r in pipeline.execute(sql.format("marts.")).fetchall()}
        for mart in ("fct_target_scorecard", "fct_scorecard_monthly"):
            sql = f"select count(*) from marts.{mart} where actual_value is null and actual_bound is not null"
            assert pipeline.execute(sql).fetchone() == (0,), mart
        # each rank case has its own reason (seeds/status_reasons.csv), not a growth chain's
        reasons = pipeline.execute(
            """select distinct split_part(status_note, ' (', 1), status_reason from marts.fct_target_progress
               where target_id like '%-r_top' and actual_value is null order by all"""
        ).fetchall()
        assert reasons == [
            ("both ranks are top groups, not places", "rank_top_groups_both_sides"),
            ("the baseline", "baseline_rank_missing"),
        ]
        # the newest period (2025, bounds on both sides) cannot be assessed: the scorecard shows 2025-01~11
        sql = """select target_id, latest_period_code, unassessed_period_code, status_code
                 from {}fct_target_scorecard where target_id like '%-r_top' and unassessed_period_code is not null
                 order by all"""
        named = pipeline.execute(sql.format("marts.")).fetchall()
        assert named and {(r[1], r[2]) for r in named} == {("2025-01~11", "2025")}
        assert named == floor.execute(sql.format("")).fetchall()
    finally:
        pipeline.close()
        floor.close()


def test_the_synthetic_catalogue_keeps_the_catalogues_rules(bench):
    # its additions were in 个 on indicators in 家 and its coverage in 个: the full build's unit_of_kind test
    # failed 3,128 targets, which the timings of `make bench` hid (this smoke run skips dbt test)
    root, _ = bench
    assert check_catalogue(root / "seeds") == []


def test_the_new_month_reaches_the_marts(bench):
    _, res = bench
    before = res.checks["full build (10 years)"]["marts"]["fct_target_progress"]["rows_pipeline"]
    after = res.checks["new month on 10 years (incremental)"]["marts"]["fct_target_progress"]["rows_pipeline"]
    assert after > before


def test_the_report_renders_the_measured_table(bench, tmp_path: Path):
    from bench import harness, report, synth

    root, res = bench
    assert harness.AS_OF_DATE == synth.AS_OF_DATE  # duplicated so the launcher need not import duckdb
    text = report.render(res, command="smoke", memory_limit="1GB", workdir=root, analysis="kept text")
    assert "| 1. ingest one national monthly release" in text
    # the whole `pmw ingest` command on a small file, beside the other figures (issue 13)
    assert "| 0. `pmw ingest` of one small file (20 rows), the whole command |" in text
    assert res.steps["cli_ingest"].result["exit_code"] == 0 and res.steps["cli_ingest"].seconds > 0
    assert "| 2. full build of the gap marts" in text
    assert "read_csv storing the rows in a database file (committed, closed)" in text
    assert "month-end snapshots (fct_scorecard_monthly): " in text and " of the floor, the pipeline's" in text
    assert 0 < res.steps["full_floor"].result["snapshot_seconds"] < res.steps["full_floor"].result["seconds"]
    assert "Fast path equals the floor (every comparison) |" in text and "**met**" in text
    assert report.START + "\nkept text\n" + report.END in text
    # the memory aim is the pipeline's: a floor (a reference, given more memory) never decides it
    pipeline_peak = max(r.peak_rss_mb for k, r in res.steps.items() if r is not None and not k.endswith("_floor"))
    assert report.numbers(res)["peak_mb"] == pipeline_peak
    floor = res.steps["full_floor"]
    floor.peak_rss_mb, saved = pipeline_peak + 5000, floor.peak_rss_mb
    try:
        assert report.numbers(res)["peak_mb"] == pipeline_peak
    finally:
        floor.peak_rss_mb = saved
    out = tmp_path / "B.md"
    out.write_text(text, encoding="utf-8")
    assert report.kept_analysis(out).strip() == "kept text"


def test_generated_history_is_what_ingestion_makes_of_the_file(bench):
    _, res = bench
    assert res.generator_matches_ingestion is True
    assert res.steps["ingest"].result["rows"] == res.steps["ingest_floor"].result["rows"] > 0
    assert res.steps["ingest_floor_stored"].result["rows"] == res.steps["ingest_floor"].result["rows"]


def test_a_gap_months_history_with_published_top_groups_is_what_ingestion_makes_of_its_file(bench, tmp_path: Path):
    # the history of the gap months (bench_rank_gaps) carries published ranks (前3位: rank le 3), loaded
    # straight into raw: the real ingestion of that month's file must store the same rows
    from datetime import date

    from bench import synth
    from bench.compare import generator_matches_ingestion
    from dagster_project.ingest.catalog import load_catalog
    from dagster_project.ingest.pipeline import ingest_file

    root, _ = bench
    seeds, scale, month = root / "seeds", Scale.from_fraction(0.01), 59  # 2020-12: the year 2020
    con = duckdb.connect()
    synth.install_macros(con, seeds, scale)
    path = tmp_path / "national_2020-12.csv"
    synth.export_month_csv(con, month, path)
    assert con.execute(f"select count(*) from ({synth.raw_rows_sql(month, month)}) where bound = 'le'").fetchone()[0]
    con.close()
    wh = duckdb.connect(str(tmp_path / "wh.duckdb"))
    result = ingest_file(path, wh, tmp_path / "quarantine", today=date(2026, 2, 28), catalog=load_catalog(seeds))
    wh.close()
    assert result.status == "loaded", result.errors
    assert generator_matches_ingestion(tmp_path / "wh.duckdb", result.release_id, seeds, scale, month=month)


def _tamper(root: Path, copy: Path, sql: str) -> Path:
    """The new month's floor (a copy of it on the first call) after ``sql``."""
    if not copy.exists():
        copy.write_bytes((root / "floor10b.duckdb").read_bytes())
    con = duckdb.connect(str(copy))
    con.execute(sql)
    con.close()
    return copy


def test_the_comparison_notices_a_changed_status(bench, tmp_path: Path):
    root, _ = bench
    tampered = _tamper(
        root,
        tmp_path / "floor.duckdb",
        """UPDATE fct_target_progress SET status_code = 'deteriorating'
           WHERE rowid = (SELECT min(rowid) FROM fct_target_progress WHERE status_code <> 'deteriorating')""",
    )
    result = compare_marts(root / "wh10.duckdb", tampered)
    assert not result.equal
    assert result.marts["fct_target_progress"].differing == {"status_code": 1}


def test_the_comparison_notices_a_changed_month_end_snapshot(bench, tmp_path: Path):
    root, _ = bench
    tampered = _tamper(
        root,
        tmp_path / "floor.duckdb",
        """UPDATE fct_scorecard_monthly SET actual_value = actual_value + 1
           WHERE rowid = (SELECT min(rowid) FROM fct_scorecard_monthly
                          WHERE NOT is_month_closed AND actual_value IS NOT NULL)""",
    )
    result = compare_marts(root / "wh10.duckdb", tampered).marts["fct_scorecard_monthly"]
    assert result.differing == {"actual_value": 1} and not result.equal
    _tamper(
        root,
        tampered,
        """DELETE FROM fct_scorecard_monthly WHERE NOT is_month_closed
           AND target_id = (SELECT max(target_id) FROM fct_scorecard_monthly)""",
    )
    result = compare_marts(root / "wh10.duckdb", tampered).marts["fct_scorecard_monthly"]
    assert (result.only_pipeline, result.only_floor) == (1, 0)


def test_the_sql_floor_of_the_suite_counts_broken_rows():
    """The validation floor must flag what GX flags, including GX 1.x structured row conditions."""
    from bench.gx_batch import expectation_sql

    con = duckdb.connect()
    con.execute(
        """CREATE TABLE batch AS SELECT * FROM (VALUES
               ('value', 'ind_a', -1.0, '亿元', 'stock', 'month'),
               ('value', 'ind_a', 5.0, '亿元', 'flow', 'ytd'),
               ('yoy_pct', 'ind_a', -3.0, '%', NULL, 'month'),
               ('value', 'ind_a', 5.0, '亿元', 'flow', 'ytd')
           ) AS t(measure, indicator_code, value, unit, indicator_measure_kind, period_kind)"""
    )
    on_value = {"type": "comparison", "column": {"name": "measure"}, "operator": "==", "parameter": "value"}
    not_stock_month = {
        "type": "or",
        "conditions": [
            {
                "type": "comparison",
                "column": {"name": "indicator_measure_kind"},
                "operator": "!=",
                "parameter": "stock",
            },
            {"type": "comparison", "column": {"name": "period_kind"}, "operator": "!=", "parameter": "month"},
        ],
    }
    cases = [
        (
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "value", "min_value": 0, "row_condition": on_value},
            },
            1,
        ),
        (
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "unit", "value_set": ["%"], "row_condition": not_stock_month},
            },
            2,
        ),
        (
            {
                "type": "expect_compound_columns_to_be_unique",
                "kwargs": {"column_list": ["measure", "indicator_code", "value"]},
            },
            2,
        ),
        (
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "measure", "value_set": ["value", "yoy_pct"]},
            },
            0,
        ),
    ]
    for exp, broken in cases:
        sql = expectation_sql(exp, {})
        assert sql is not None, exp["type"]
        assert con.execute(sql).fetchone()[0] == broken, exp
    assert expectation_sql({"type": "expect_column_kl_divergence_to_be_less_than", "kwargs": {}}, {}) is None


def _copy_of_the_benchmark(bench, tmp_path: Path):
    """The 10-year warehouse, its seeds and dbt project copied, so the module's other tests keep theirs."""
    import shutil

    from bench.harness import Workspace, copy_dbt_project

    ws = Workspace(bench[0])
    wh, seeds, project = tmp_path / "wh.duckdb", tmp_path / "seeds", tmp_path / "dbt"
    shutil.copy(ws.wh10, wh)
    shutil.copytree(ws.seeds, seeds)
    copy_dbt_project(project, "1GB")
    return wh, seeds, project


def _dbt(project: Path, wh: Path, *command: str) -> None:
    import subprocess

    from bench.harness import _DBT_VARS, dbt_executable

    env = {**os.environ, "PMW_WAREHOUSE_PATH": str(wh), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    argv = [dbt_executable(), *command, "--project-dir", str(project), "--profiles-dir", str(project)]
    done = subprocess.run([*argv, "--vars", _DBT_VARS], env=env, cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]


def _orchestrated_build(project: Path, wh: Path) -> list[str]:
    """`dbt build` as Dagster runs it: --full-refresh when the project's fingerprint changed since the
    last recorded build (dagster_project/dbt_build.py), recorded once dbt succeeded."""
    import json

    from bench.harness import _DBT_VARS
    from dagster_project.dbt_build import build_args, project_fingerprint, record_build

    fingerprint = project_fingerprint(project, json.loads(_DBT_VARS))
    with duckdb.connect(str(wh)) as con:
        args = build_args(con, fingerprint)
    _dbt(project, wh, *args, "--exclude-resource-type", "test", "unit_test")  # dbt adds up repeated exclusions
    with duckdb.connect(str(wh)) as con:
        record_build(con, fingerprint, "--full-refresh" in args)
    return args


def test_a_target_added_later_gets_the_whole_history_of_what_it_reads(bench, tmp_path: Path):
    """int_observations__latest holds only the series targets read (int_target_inputs). A target added
    to the catalogue reads a series it never held: the orchestrator sees the catalogue changed and runs
    a full refresh, which loads that series' whole history, the latest vintages of every key."""
    import csv
    import json

    from bench.harness import _DBT_VARS

    wh, seeds, project = _copy_of_the_benchmark(bench, tmp_path)

    con = duckdb.connect(str(wh), read_only=True)
    indicator, county = con.execute(
        """select o.indicator_code, o.region_code
           from raw.observations as o
           inner join seeds.regions as r on o.region_code = r.region_code and r.region_type = 'county'
           where not exists (
               select 1 from intermediate.int_target_inputs as i
               where i.indicator_code = o.indicator_code and i.region_code = o.region_code
           )
           group by all order by all limit 1"""
    ).fetchone()
    held = "select count(*) from intermediate.int_observations__latest where indicator_code = ? and region_code = ?"
    assert con.execute(held, [indicator, county]).fetchone()[0] == 0
    expected = con.execute(
        """select period_code, measure, arg_max(value, (release_date, ingested_at, release_id)), count(*)
           from staging.stg_raw__observations
           where indicator_code = ? and region_code = ? and release_date <= ?
           group by all order by all""",
        [indicator, county, json.loads(_DBT_VARS)["as_of_date"]],
    ).fetchall()
    con.close()
    assert len(expected) > 100  # ten years of monthly figures

    with open(seeds / "targets.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    new = dict(next(r for r in rows if r["target_kind"] == "level" and r["scope_type"] == "county"))
    new.update(target_id="T-ADDED-LATER", indicator_code=indicator, scope_code=county)
    with open(seeds / "targets.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, new])

    assert "--full-refresh" in _orchestrated_build(project, wh)  # the catalogue changed
    con = duckdb.connect(str(wh), read_only=True)
    loaded = con.execute(
        """select period_code, measure, value, vintage_count from intermediate.int_observations__latest
           where indicator_code = ? and region_code = ? order by all""",
        [indicator, county],
    ).fetchall()
    assert loaded == expected
    assert (
        con.execute("select count(*) from marts.fct_target_progress where target_id = 'T-ADDED-LATER'").fetchone()[0]
        > 0
    )


def test_a_revised_figure_recomputes_the_targets_it_concerns_and_no_others(bench, tmp_path: Path):
    """After an incremental run the marts must equal a from-scratch computation (the floor), having
    recomputed only the targets that read the revised number for a period up to their deadline."""
    from bench.harness import AS_OF_DATE
    from bench.steps import floor

    wh, seeds, project = _copy_of_the_benchmark(bench, tmp_path)
    con = duckdb.connect(str(wh))
    # a figure an early annual target is measured by
    target_id, indicator, region, period, before = con.execute(
        """select p.target_id, t.indicator_code, t.scope_code, p.period_code, p.actual_value
           from marts.fct_target_progress as p
           inner join intermediate.int_targets__enriched as t on p.target_id = t.target_id
           where t.scope_type = 'city' and t.target_kind = 'level' and t.deadline < date '2018-01-01'
             and p.period_kind in ('ytd', 'year')
           order by p.target_id, p.period_code limit 1"""
    ).fetchone()
    con.execute(
        """insert into raw.observations by name
           select * replace (
               'revision-test' as release_id, value * 1.5 as value, cast(? as date) as release_date,
               current_timestamp as ingested_at
           )
           from raw.observations
           where indicator_code = ? and region_code = ? and period_code = ? and measure = 'value'
           order by release_date desc limit 1""",
        [AS_OF_DATE, indicator, region, period],
    )
    con.close()

    # nothing but data changed: incremental, without the unit tests (they test the code) nor reloading the seeds
    assert _orchestrated_build(project, wh) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--exclude-resource-type",
        "seed",
    ]

    con = duckdb.connect(str(wh), read_only=True)
    # the rows written by this run carry its high-water mark, the newest figure it knew of
    rebuilt = {
        r[0]
        for r in con.execute(
            """select distinct target_id from intermediate.int_target_assessment
               where inputs_loaded_through = (
                   select max(inputs_loaded_through) from intermediate.int_target_assessment
               )"""
        ).fetchall()
    }
    total = con.execute("select count(*) from intermediate.int_targets__enriched").fetchone()[0]
    after = con.execute(
        "select actual_value from marts.fct_target_progress where target_id = ? and period_code = ?",
        [target_id, period],
    ).fetchone()[0]
    readers = {
        r[0]
        for r in con.execute(
            """select distinct i.target_id from intermediate.int_target_inputs as i
               inner join intermediate.int_targets__enriched as t on i.target_id = t.target_id
               where i.indicator_code = ? and i.region_code = ? and t.deadline >= cast(? as date)""",
            [indicator, region, f"{period[:4]}-01-01"],
        ).fetchall()
    }
    con.close()
    assert target_id in rebuilt
    assert rebuilt <= readers  # only targets reading that series, with a deadline after the period
    assert 0 < len(rebuilt) < total / 10
    assert after != before

    out = tmp_path / "floor.duckdb"
    floor({"warehouse": str(wh), "seeds_dir": str(seeds), "as_of": AS_OF_DATE, "out": str(out)})
    result = compare_marts(wh, out)
    assert result.equal, result.summary()


def test_a_target_removed_from_the_catalogue_leaves_no_rows(bench, tmp_path: Path):
    """Editing the catalogue changes the project's fingerprint, so the orchestrator runs a full refresh;
    a target no longer in it must lose its rows in every incremental model, not keep its last figures."""
    import csv

    wh, seeds, project = _copy_of_the_benchmark(bench, tmp_path)
    con = duckdb.connect(str(wh), read_only=True)
    [(gone,)] = con.execute(
        """select p.target_id from marts.fct_target_progress as p
           inner join marts.fct_target_progress_by_region as r on p.target_id = r.target_id
           group by all order by all limit 1"""
    ).fetchall()
    con.close()
    with open(seeds / "targets.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(seeds / "targets.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in rows if r["target_id"] != gone)

    assert "--full-refresh" in _orchestrated_build(project, wh)

    con = duckdb.connect(str(wh), read_only=True)
    for table in (
        "intermediate.int_target_series",
        "intermediate.int_target_region_values",
        "intermediate.int_target_assessment",
        "marts.fct_target_progress",
        "marts.fct_target_progress_by_region",
        "marts.fct_target_scorecard",
    ):
        assert con.execute(f"select count(*) from {table} where target_id = ?", [gone]).fetchone()[0] == 0, table
    assert con.execute("select count(*) from marts.fct_target_progress").fetchone()[0] > 0
