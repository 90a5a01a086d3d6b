"""The raw-release suite (expectations/raw_observations.json): a bad release fails the right
expectation; in the ingestion path such a release is quarantined and the good ones are kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from dagster_project.checks.batches import raw_release_batches
from dagster_project.ingest.store import ensure_schema
from tests.checks.conftest import FIXTURES, GOOD_RELEASE, SEEDS, failing, load_raw_fixture
from tests.conftest import REPO, point_settings_at

SUITE = "raw_observations"


@pytest.fixture(scope="module")
def good_batch() -> pd.DataFrame:
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    load_raw_fixture(con)
    (batch,) = raw_release_batches(con, "observations", [GOOD_RELEASE], SEEDS)
    con.close()
    return batch.frame


def _row(frame: pd.DataFrame, indicator: str, measure: str, period: str | None = None) -> pd.Series:
    mask = (frame.indicator_code == indicator) & (frame.measure == measure)
    if period is not None:
        mask &= frame.period_code == period
    assert mask.sum() == 1, (indicator, measure, period)
    return mask


def _set(indicator: str, measure: str, period: str | None = None, **values):
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        mask = _row(frame, indicator, measure, period)
        for column, value in values.items():
            frame.loc[mask, column] = pd.Timestamp(value) if column.startswith(("period_s", "period_e")) else value
        return frame

    return mutate


def _duplicate_key(frame: pd.DataFrame) -> pd.DataFrame:
    twin = frame[_row(frame, "gdp", "value", "2024-01~03")].copy()
    twin["value"] = 901.0
    return pd.concat([frame, twin], ignore_index=True)


def _all(**values):
    def mutate(frame: pd.DataFrame) -> pd.DataFrame:
        for column, value in values.items():
            frame[column] = pd.Timestamp(value) if column == "release_date" else value
        return frame

    return mutate


BAD_RELEASES = [
    # (what is wrong, how, {check_id: severity} that must fail — and nothing else)
    ("level in a unit of another indicator", _set("gdp", "value", "2024-01~03", unit="家"), {"level_unit": "critical"}),
    ("rate above 100%", _set("air_good_ratio", "value", value=135.0), {"rates_0_100": "critical"}),
    ("negative count", _set("listed_companies", "value", value=-3.0), {"levels_not_negative": "critical"}),
    (
        "period after its release",
        _set("air_good_ratio", "value", period_code="2027-03", period_start="2027-03-01", period_end="2027-03-31"),
        {"period_starts_before_release": "critical", "flow_period_ends_before_release": "critical"},
    ),
    (
        "flow released before its period ended",
        _set("gdp", "yoy_pct", release_date=pd.Timestamp("2024-03-20")),
        {"flow_period_ends_before_release": "critical"},
    ),
    ("duplicate key", _duplicate_key, {"unique_key": "critical"}),
    ("unknown indicator", _set("gdp", "rank", indicator_code="gdp_total"), {"known_indicator": "critical"}),
    ("unknown region", _set("gdp", "rank", region_code="430299"), {"known_region": "critical"}),
    ("unknown project", _set("project_stage", "stage", subject_code="P-XYZ-99"), {"known_subject": "critical"}),
    (
        "growth of -120%",
        _set("gdp", "yoy_pct", value=-120.0),
        {"growth_above_minus_100": "critical", "growth_plausible": "warning"},
    ),
    ("water class 7", _set("water_class", "class", value=7.0), {"class_1_6": "critical"}),
    ("rank 15 of 14 cities", _set("gdp", "rank", value=15.0), {"rank_within_peers": "critical"}),
    ("percentage points on an amount", _set("gdp", "yoy_pct", unit="百分点"), {"points_only_for_rates": "critical"}),
    ("growth in 亿元", _set("gdp", "yoy_pct", unit="亿元"), {"growth_unit": "critical"}),
    ("project stage 5", _set("project_stage", "stage", value=5.0), {"stage_0_4": "critical"}),
    ("NaN value", _set("gdp", "rank", value=np.nan), {"value_present": "critical"}),
    ("free-text period", _set("gdp", "rank", period_code="2024年一季度"), {"period_code_format": "critical"}),
    ("released in 2030", _all(release_date="2030-01-01"), {"release_not_in_future": "critical"}),
    (
        "published figure without source",
        _set("gdp", "value", "2023", source_ref=""),
        {"published_has_source": "critical"},
    ),
    ("growth of 250% (a human should look)", _set("gdp", "yoy_pct", value=250.0), {"growth_plausible": "warning"}),
    (
        "a contract column missing",
        lambda f: f.drop(columns=["bound"]),
        {"schema": "critical", "known_bound": "critical"},
    ),
]


def test_the_good_release_passes_every_expectation(validator, parameters, good_batch):
    result = validator.validate(SUITE, good_batch, GOOD_RELEASE, parameters)
    assert result.evaluated == len(validator.suite(SUITE).expectations)
    assert failing(result) == {}


def test_only_the_expectations_that_failed_are_validated_again_for_their_rows(
    validator, parameters, good_batch, monkeypatch
):
    """A batch gets GX's verdicts first; the unexpected rows and counts (a COMPLETE result, most of a passing
    national batch's time) are gathered for the failed expectations alone, on the same rows."""
    calls: list[tuple[str, int]] = []
    results = validator._results

    def spy(suite_name, rows, gx_suite, parameters, result_format):
        calls.append((result_format["result_format"], len(gx_suite.expectations)))
        return results(suite_name, rows, gx_suite, parameters, result_format)

    monkeypatch.setattr(validator, "_results", spy)
    assert not validator.validate(SUITE, good_batch, GOOD_RELEASE, parameters).failures
    assert {kind for kind, _ in calls} == {"BOOLEAN_ONLY"}
    calls.clear()
    bad = _set("gdp", "value", "2024-01~03", region_code="999999")(good_batch.copy())
    result = validator.validate(SUITE, bad, "bad", parameters, attribute_by="release_id")
    assert [(kind, n) for kind, n in calls if kind != "BOOLEAN_ONLY"] == [("COMPLETE", 1)]
    (failure,) = result.failures
    assert failure.unexpected_count == 1 and failure.element_count == len(bad)
    assert [r["region_code"] for r in failure.rows] == ["999999"] and failure.groups == {GOOD_RELEASE}
    assert result.evaluated == len(validator.suite(SUITE).expectations)


@pytest.mark.parametrize("mutate, expected", [c[1:] for c in BAD_RELEASES], ids=[c[0] for c in BAD_RELEASES])
def test_a_bad_release_fails_the_right_expectation(validator, parameters, good_batch, mutate, expected):
    result = validator.validate(SUITE, mutate(good_batch.copy()), "bad", parameters, attribute_by="release_id")
    assert failing(result) == expected
    for failure in result.failures:
        assert failure.error is None or failure.check_id in ("known_bound",), failure.error  # GX evaluated it
        if failure.rows:  # row-level: the sample rows name the release and the file row
            assert {r["release_id"] for r in failure.rows} == {GOOD_RELEASE} == failure.groups
            assert all(r["source_row"] >= 2 for r in failure.rows)


def _stage_fixture(stage, release_id: str, source_file: str, *, rank: float | None = None) -> None:
    """Stage the good fixture under ``release_id`` (the rank row set to ``rank`` when given)."""
    from dagster_project.ingest.store import ReleaseMeta

    scratch = f"_fixture_{release_id.replace('-', '_')}"
    stage.con.execute(f"create or replace temp table {scratch} as select * from raw.observations limit 0")
    stage.con.execute(f"insert into {scratch} select * from raw.observations where false")
    load_raw_fixture(stage.con, release_id=release_id)  # into raw.observations, then moved to the stage
    stage.con.execute(f"insert into {scratch} select * from raw.observations where release_id = ?", [release_id])
    stage.con.execute("delete from raw.observations where release_id = ?", [release_id])
    if rank is not None:
        stage.con.execute(f"update {scratch} set value = ? where measure = 'rank'", [rank])
    from dagster_project.ingest.models import OBSERVATION_COLUMNS  # the query's columns, in field order

    columns = OBSERVATION_COLUMNS
    meta = ReleaseMeta(source_file, release_id, "long", None, "illustrative")
    stage.add_query(release_id, f"select {', '.join(columns)} from {scratch} order by source_row", [], meta)


def test_the_store_commits_the_good_release_and_quarantines_the_bad_one_in_one_transaction(tmp_path):
    """A packed stage of a good and a bad release: the suite judges both inside the commit; the good
    one is written, the bad one never reaches raw and is quarantined with file, row and reason; what
    was stored before stays."""
    from dagster_project.checks.raw import RawScreen
    from dagster_project.ingest.store import ReleaseStage

    con = duckdb.connect(":memory:")
    ensure_schema(con)
    _stage_fixture(earlier := ReleaseStage(con), "fixture-earlier", "earlier.csv")
    assert earlier.commit() == {}
    stage = ReleaseStage(con)
    _stage_fixture(stage, GOOD_RELEASE, "good.csv")
    _stage_fixture(stage, "fixture-bad", "bad.csv", rank=15.0)
    assert con.execute("select count(*) from raw.observations where release_id <> 'fixture-earlier'").fetchall() == [
        (0,)
    ]  # staged is not stored
    screen = RawScreen(SEEDS)
    rejected = stage.commit(screen)

    assert len(screen.outcome.run.batches) == 1  # both releases fit one packed batch
    assert set(rejected) == {"fixture-bad"} and set(screen.outcome.rejected) == {"fixture-bad"}
    assert [e.row for e in rejected["fixture-bad"]] == [4] and "位次" in rejected["fixture-bad"][0].reason
    counts = dict(con.execute("select release_id, count(*) from raw.observations group by 1").fetchall())
    assert counts == {"fixture-earlier": 12, GOOD_RELEASE: 12}
    assert dict(con.execute("select release_id, status from raw.releases").fetchall()) == {
        "fixture-earlier": "loaded",
        GOOD_RELEASE: "loaded",
        "fixture-bad": "quarantined",
    }
    assert con.execute('select release_id, source_file, "row", "column" from raw.quarantine').fetchall() == [
        ("fixture-bad", "bad.csv", 4, "value")
    ]
    assert con.execute(f"select count(*) from {stage.relation}").fetchall() == [(0,)]


def test_when_the_suite_cannot_run_the_commit_writes_nothing(tmp_path):
    """Fail closed: a screen that raises rolls the whole commit back (the files stay for the next run)."""
    from dagster_project.ingest.store import ReleaseStage

    con = duckdb.connect(":memory:")
    ensure_schema(con)
    stage = ReleaseStage(con)
    _stage_fixture(stage, GOOD_RELEASE, "good.csv")

    def broken(_con, _relation, _sources):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        stage.commit(broken)
    assert con.execute("select count(*) from raw.observations").fetchall() == [(0,)]
    assert con.execute("select count(*) from raw.releases").fetchall() == [(0,)]
    assert stage.commit() == {} and con.execute("select count(*) from raw.observations").fetchall() == [(12,)]


def test_validate_releases_judges_stored_rows_without_writing(tmp_path):
    from dagster_project.checks.raw import errors_for, validate_releases

    con = duckdb.connect(":memory:")
    ensure_schema(con)
    load_raw_fixture(con)
    load_raw_fixture(con, release_id="fixture-bad")
    con.execute("update raw.observations set value = 15 where release_id = 'fixture-bad' and measure = 'rank'")
    outcome = validate_releases(
        con,
        "observations",
        [GOOD_RELEASE, "fixture-bad"],
        seeds_dir=SEEDS,
        validation_dir=tmp_path,
        run_id="test-run",
        asset="raw/observations",
    )
    assert set(outcome.rejected) == {"fixture-bad"} and outcome.warned == {}
    assert [f.check_id for f in outcome.rejected["fixture-bad"]] == ["rank_within_peers"]
    report = (tmp_path / "raw_observations" / "latest.md").read_text()
    assert "rank_within_peers" in report and "fixture-bad" in report and "test-run" in report
    assert errors_for(outcome, GOOD_RELEASE, "good.csv") == []
    # the failing value, then its figure, as a person reads them (a dict of the row's columns was shown)
    reasons = {e.reason.split("]: ", 1)[1] for e in errors_for(outcome, "fixture-bad", "bad.csv")}
    assert any(r.startswith("value 15 (") and r.endswith(")") and "{" not in r for r in reasons), reasons
    assert con.execute("select count(*) from raw.observations").fetchall() == [(24,)]


def test_a_release_that_passes_the_contract_but_not_the_suite_is_quarantined_by_ingestion(tmp_path, monkeypatch):
    """The rank file passes ingest/validate.py and the suite rejects it (rank beyond 14 cities), so
    ingestion takes it out again and quarantines it. A published figure without its source, which only
    the suite used to catch, is now refused by the contract itself (issue 13), naming `--source`; the
    suite's published_has_source expectation stays as a second guard."""
    from dagster_project.runner import ingest_landing, prepare_environment
    from dagster_project.settings import load_settings

    point_settings_at(tmp_path, monkeypatch)
    settings = prepare_environment(load_settings())
    good = "2021-02/zhuzhou_tjyb_2021-01.csv"
    bad = ["checks/long_rank_beyond_peers.csv", "checks/long_published_without_source.csv"]
    (settings.landing_dir / "2021-02").mkdir(parents=True)
    shutil.copy(REPO / "data" / "sample" / good, settings.landing_dir / good)
    (settings.landing_dir / "checks").mkdir()
    for name in bad:
        shutil.copy(FIXTURES / Path(name).name, settings.landing_dir / name)

    with dg.instance_for_test() as instance:
        summary = ingest_landing(instance, load_settings(), log=lambda _m: None)
        evaluations = {
            e.check_name: e
            for e in instance.get_records_for_run(
                run_id=instance.get_runs(limit=1)[0].run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            ).records
            for e in [e.event_log_entry.dagster_event.event_specific_data]
        }

    assert summary.files_loaded == [good] and sorted(summary.files_quarantined) == sorted(bad)
    assert "raw/observations:release_files_pass_contract" in summary.failed_checks
    # a suite's check says what it found and where its report is, not its name alone (trial s57: a blocked
    # publish named `…staged_observations_meet_expectations` and nothing of why)
    [batches] = [c for c in summary.failed_checks if c.startswith("raw/observations:release_batches_meet_expectations")]
    assert " — 未通过 / failed: " in batches and "; report " in batches, batches
    assert Path(batches.split("; report ")[1]).is_file(), batches
    sibling = evaluations["release_batches_meet_expectations"]
    assert not sibling.passed and sibling.severity == dg.AssetCheckSeverity.ERROR
    assert "rank_within_peers" in sibling.metadata["failed_expectations"].value
    assert "published_has_source" not in sibling.metadata["failed_expectations"].value  # never stored
    assert "| gdp |" in sibling.metadata["sample_rows"].value

    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        stored = con.execute("select distinct source_file from raw.observations").fetchall()
        statuses = dict(con.execute("select source_file, status from raw.releases").fetchall())
    finally:
        con.close()
    assert stored == [(good,)]
    assert statuses == {good: "loaded", **{name: "quarantined" for name in bad}}
    assert (settings.archive_dir / good).exists() and not any((settings.landing_dir / n).exists() for n in bad)
    reports = sorted(p.read_text() for p in settings.quarantine_dir.glob("*.errors.md"))
    assert len(reports) == 2 and any("位次在1到市州数之间" in r for r in reports)
    assert any("--source" in r and "long_published_without_source.csv" in r for r in reports)
    assert (settings.validation_dir / "raw_observations" / "latest.md").exists()


# bad releases of BAD_RELEASES that change different rows, so they can all be made at once
_ROWS_APART = {
    "level in a unit of another indicator",
    "rate above 100%",
    "negative count",
    "growth of -120%",
    "water class 7",
    "rank 15 of 14 cities",
    "project stage 5",
    "published figure without source",
}


def _as_gx_judges_it(suite, frame: pd.DataFrame, parameters: dict) -> dict[str, tuple]:
    """The oracle: GX itself on the whole batch, row conditions left in the expectations."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.enable_analytics(False)
    spec = suite.to_gx_dict()
    for exp in spec["expectations"]:
        exp.pop("description", None)
    batch = (
        context.data_sources.add_pandas("oracle")
        .add_dataframe_asset("release")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    ids = list(suite.row_id_columns)
    outcome = batch.validate(
        context.suites.add(gx.ExpectationSuite(**spec)),
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ids},
        expectation_parameters=parameters,
    )
    return {
        r.expectation_config.meta["check_id"]: (
            (r.result or {}).get("unexpected_count"),
            (r.result or {}).get("element_count"),
            _unexpected_ids((r.result or {}).get("unexpected_index_list") or [], ids),
        )
        for r in outcome.results
        if not r.success
    }


def _unexpected_ids(rows: list, ids: list[str]) -> list[tuple]:
    """The row ids of the unexpected rows GX listed, in order (what attribution and samples are made of)."""
    return sorted(tuple(str(row.get(c)) for c in ids) for row in rows if isinstance(row, dict))


@pytest.mark.parametrize(
    ("mutations", "rows_named"),
    [
        ([m for what, m, _ in BAD_RELEASES if what in _ROWS_APART], True),
        ([lambda f: f.drop(columns=["measure"])], False),  # the column most row conditions read: not evaluated
    ],
    ids=["many rules broken at once", "the condition column missing"],
)
def test_expectations_sharing_a_row_condition_judge_the_rows_gx_would(
    validator, parameters, good_batch, mutations, rows_named
):
    """The validator filters a batch once per row condition (GX would filter it for every metric of every
    expectation) and gives each filtered batch only the columns its expectations read and the row ids;
    the expectations that fail, their unexpected and element counts and the rows named are GX's own."""
    frame = good_batch.copy()
    for mutate in mutations:
        frame = mutate(frame)
    result = validator.validate(SUITE, frame, "bad", parameters, attribute_by="release_id")
    expected = _as_gx_judges_it(validator.suite(SUITE), frame, parameters)
    assert len(expected) > 8
    ids = list(validator.suite(SUITE).row_id_columns)
    assert {
        f.check_id: (f.unexpected_count, f.element_count, _unexpected_ids(f.rows, ids)) for f in result.failures
    } == expected
    assert any(rows for _, _, rows in expected.values()) == rows_named  # rows compared, not only counts
    assert result.evaluated == len(validator.suite(SUITE).expectations)


@pytest.mark.parametrize("with_nulls", [True, False])
def test_batches_read_through_arrow_are_the_frames_duckdb_makes(with_nulls):
    """Batches are read through Arrow (query_frame), several times faster than DuckDB's .df() on a national
    batch; the expectations must see the same frame: types, NULLs, dates, decimals, parameters."""
    from dagster_project.checks.batches import query_frame

    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values "
        "('a', date '2024-01-31', timestamp '2024-02-01 10:00:00', 3::integer, 1.25::decimal(10, 2), true, 7::bigint,"
        " 2.5::double, 'x'),"
        "(null, null, null, null, null, null, 8::bigint, null, 'y')) v(s, d, ts, i, dec, b, big, x, k)"
    )
    sql = "select * exclude (k) from t where list_contains(?, k) order by big"
    keys = ["x", "y"] if with_nulls else ["x"]
    pd.testing.assert_frame_equal(query_frame(con, sql, [keys]), con.execute(sql, [keys]).df())
    named = "select * exclude (k) from t where list_contains($keys, k) order by big"
    pd.testing.assert_frame_equal(query_frame(con, named, {"keys": keys}), con.execute(named, {"keys": keys}).df())


@pytest.mark.parametrize("large", [False, True])
def test_reading_a_batch_leaves_the_connections_arrow_setting_as_it_was(large):
    """query_frame has DuckDB hand strings over as Arrow large_string for that query only: the connection
    may be the store's, inside its commit, and other readers of it keep their setting."""
    from dagster_project.checks.batches import query_frame

    con = duckdb.connect()
    con.execute(f"set arrow_large_buffer_size = {str(large).lower()}")
    frame = query_frame(con, "select '株洲' as s union all select null")
    assert frame["s"].tolist()[0] == "株洲" and frame["s"].isna().tolist() == [False, True]
    assert con.execute("select current_setting('arrow_large_buffer_size')").fetchone()[0] is large
