"""A plan's city is data (issue 14): a second city's small illustrative plan (tests/fixtures/second_city/)
is assessed beside 株洲's with no code change. The fixture's plan, targets, units, tasks, figures and one
unit return are added to copies of the seeds and of the sample run's warehouse, the dbt project is built
there, and

- 湘潭's targets get statuses from their own figures (its rank target ranks 湘潭, its plan's city);
- 湘潭 has its own 商务局 and 发改委 (same short names and codes as 株洲's: a unit belongs to a city,
  units.csv city_code), its return is matched to its own unit, and an ambiguous name is refused;
- the unit scorecard ranks each city's units among themselves, and the headline counts each city apart;
- 株洲's rows are exactly those of the sample run.

The sample run (the session fixture) is reused; only the dbt build of the target and task models runs here."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from dagster_project import cli
from dagster_project.alerts import outbox
from dagster_project.catalogue_check import check_catalogue
from dagster_project.ingest import task_returns
from dagster_project.ingest.catalog import load_catalog
from dagster_project.ingest.document import load_documents
from dagster_project.ingest.pipeline import ingest_file
from dagster_project.report.data import load_report_data
from dagster_project.report.html import _summary
from dagster_project.report.units import find_unit, load_unit_data, unit_text
from dagster_project.report.workbook import lead_unit_names
from dagster_project.resources import dbt_executable
from tests.conftest import REPO, PipelineRun

FIXTURE = REPO / "tests" / "fixtures" / "second_city"
SECOND_CITY = "430300"  # 湘潭市, a peer city of seeds/regions.csv
ZHUZHOU = "430200"
# the fixture's rows appended to the seed of the same name
SEEDS = ("plans.csv", "targets.csv", "units.csv", "target_units.csv", "tasks.csv", "task_milestones.csv")
MARTS = (
    "+fct_target_progress",
    "+fct_target_scorecard",
    "+fct_target_progress_by_region",
    "+dim_targets",
    "+fct_unit_scorecard",
    "+fct_task_returns",
    "+fct_alert_events",
)


def two_city_seeds(seeds: Path) -> Path:
    """A copy of the seeds with the second city's plan, targets, units and tasks appended."""
    shutil.copytree(REPO / "seeds", seeds)  # dbt_project.yml reads ../seeds
    for name in SEEDS:
        append_rows(seeds / name, FIXTURE / name)
    return seeds


def append_rows(seed: Path, fixture: Path) -> None:
    """The fixture's rows under the seed's header (same columns, any order)."""
    with open(seed, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with open(fixture, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(seed, "a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writerows(rows)


@pytest.fixture(scope="module")
def two_cities(sample_pipeline_run: PipelineRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("two_cities")
    shutil.copytree(REPO / "dbt", work / "dbt", ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    two_city_seeds(work / "seeds")
    warehouse = work / "warehouse.duckdb"
    shutil.copy2(sample_pipeline_run.warehouse, warehouse)
    # the second city's figures come in as a release does, through the ingestion library
    with duckdb.connect(str(warehouse)) as con:
        result = ingest_file(
            FIXTURE / "xiangtan_illustrative_2025.csv",
            con,
            work / "quarantine",
            catalog=load_catalog(work / "seeds"),
            release_key="fixtures/xiangtan_illustrative_2025.csv",
        )
    assert result.status == "loaded" and result.row_count == 3, result
    # and 湘潭's 商务局 files its return, as a unit's return comes in (matched by its task's plan)
    return_file = FIXTURE / "xiangtan_return_2025-06.csv"
    with duckdb.connect(str(warehouse)) as con:
        loaded = task_returns.ingest_document(
            load_documents(return_file.read_bytes(), return_file.name)[0],
            con,
            name=return_file.name,
            sha="fixture",
            release_id="fixture-xiangtan-return-2025-06",
            today=date(2026, 1, 1),
            quarantine=lambda errors: pytest.fail(f"the fixture's return is refused: {errors}"),
            seeds=work / "seeds",
        )
    assert (loaded.status, loaded.row_count) == ("loaded", 1), loaded
    env = {**os.environ, "PMW_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    build = subprocess.run(
        [dbt_executable(), "build", "--full-refresh", "--quiet", "--profiles-dir", ".", "--exclude",
         "resource_type:unit_test", "--select", *MARTS],
        cwd=work / "dbt", env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    yield warehouse


def rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_second_citys_targets_are_assessed_from_its_own_figures(two_cities):
    scored = {
        r[0]: r[1:]
        for r in rows(
            two_cities,
            "select target_id, status_code, status_reason, actual_value, actual_quality "
            "from marts.fct_target_scorecard where plan_id = 'xt_demo_2025'",
        )
    }
    assert set(scored) == {"XT-DEMO-GDP", "XT-DEMO-RANK-GDP", "XT-DEMO-LISTED", "XT-DEMO-OPEN"}
    # 8 listed companies at the end of 2025 against 5 at the end of 2024: 3 added, the target met
    assert scored["XT-DEMO-LISTED"] == ("achieved", "met_cumulative", 3.0, "illustrative")
    gdp_2025 = rows(
        two_cities,
        "select value from intermediate.int_indicator_values where indicator_code = 'gdp' "
        f"and region_code = '{SECOND_CITY}' and period_code = '2025' and measure = 'value'",
    )[0][0]
    status, reason, actual, _ = scored["XT-DEMO-GDP"]
    assert actual == pytest.approx(gdp_2025)  # 湘潭's own GDP, not 株洲's
    assert status == ("achieved" if gdp_2025 > 3300 else "not_achieved") and reason is not None


def test_the_rank_target_ranks_the_plans_city(two_cities):
    # the rank of 湘潭 among every peer city, computed here from the values the marts read
    ranks = dict(
        rows(
            two_cities,
            "select v.period_code, rank() over (partition by v.period_code order by v.value desc) "
            "from intermediate.int_indicator_values as v inner join staging.stg_seeds__regions as r "
            "on v.region_code = r.region_code and r.is_peer_city "
            "where v.indicator_code = 'gdp' and v.measure = 'value' and v.subject_code = '' "
            "qualify v.region_code = '" + SECOND_CITY + "'",
        )
    )
    progress = rows(
        two_cities,
        "select period_code, underlying_value, baseline_level, actual_value from marts.fct_target_progress "
        "where target_id = 'XT-DEMO-RANK-GDP' order by period_end",
    )
    assert progress, "the rank target has no period"
    for period, rank_now, rank_base, gained in progress:
        assert rank_now == ranks[period]
        assert rank_base == ranks["2024" + period[4:]]
        assert gained == rank_base - rank_now


def test_zhuzhous_rows_are_unchanged(two_cities, sample_pipeline_run):
    # when the figures were loaded is the one thing two warehouses built apart cannot share
    load_time = "'inputs_loaded_through'"
    # a missing return's alert key names the unit's city whether the warehouse holds one city or two, so the
    # alert keys are compared too: adding 湘潭 changes none of 株洲's (its outbox would send them again)
    one_city = rows(
        sample_pipeline_run.warehouse,
        "select event_key from marts.fct_alert_events where event_type = 'return_missing'",
    )
    assert one_city and all(key.startswith(f"return:{ZHUZHOU}:") for (key,) in one_city), one_city
    zhuzhou_rows = {
        "fct_target_progress": "where target_id not like 'XT-DEMO-%'",
        "fct_target_scorecard": "where target_id not like 'XT-DEMO-%'",
        "fct_task_progress": "where task_id not like 'XT-DEMO-%'",
        "fct_task_returns": "where task_id not like 'XT-DEMO-%'",
        "dim_units": f"where city_code = '{ZHUZHOU}'",
        "fct_unit_scorecard": f"where city_code = '{ZHUZHOU}'",
        "fct_alert_events": f"where city_code = '{ZHUZHOU}'",
    }
    for mart, zhuzhou in zhuzhou_rows.items():
        with duckdb.connect() as con:
            con.execute(f"attach '{two_cities}' as two (read_only)")
            con.execute(f"attach '{sample_pipeline_run.warehouse}' as one (read_only)")
            columns = ", ".join(
                f'"{c}"'
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_catalog = 'one' "
                    f"and table_schema = 'marts' and table_name = '{mart}' "
                    f"and column_name not in ({load_time}) "
                    "order by ordinal_position"
                ).fetchall()
            )
            for a, b in (("one", "two"), ("two", "one")):
                extra = con.execute(
                    f"select count(*) from (select {columns} from {a}.marts.{mart} {zhuzhou} "
                    f"except all select {columns} from {b}.marts.{mart} {zhuzhou})"
                ).fetchone()[0]
                assert extra == 0, (mart, a, b)
            assert con.execute(f"select count(*) from one.marts.{mart} {zhuzhou}").fetchone()[0] > 0, mart


def test_each_city_has_its_own_units_with_the_same_short_names(two_cities):
    # 湘潭's 商务局 and 发改委 carry the codes and short names of 株洲's: a unit's key is unique within its city
    units = rows(
        two_cities,
        "select city_code, unit_code, unit_short_zh, unit_name_zh, targets_led, tasks_led, tasks_shared "
        "from marts.dim_units where unit_code in ('SWJ', 'FGW') order by city_code, unit_code",
    )
    assert [u[:4] for u in units] == [
        (ZHUZHOU, "FGW", "发改委", "株洲市发展和改革委员会"),
        (ZHUZHOU, "SWJ", "商务局", "株洲市商务局"),
        (SECOND_CITY, "FGW", "发改委", "湘潭市发展和改革委员会"),
        (SECOND_CITY, "SWJ", "商务局", "湘潭市商务局"),
    ]
    # 湘潭's counts are its own: FGW leads two targets and shares a task, SWJ leads two targets and a task and
    # shares the other
    assert units[2][4:] == (2, 0, 1) and units[3][4:] == (2, 1, 1)
    task = rows(
        two_cities,
        "select city_code, lead_unit_code, lead_unit_zh, lead_unit_en, count(*) over () from marts.fct_task_progress "
        "where task_id = 'XT-DEMO-OPEN-T01' and is_latest",
    )
    assert task == [(SECOND_CITY, "SWJ", "商务局", "Commerce Bureau (Xiangtan; illustrative)", 1)]
    alerts = rows(
        two_cities,
        "select distinct city_code, unit_code, alert_email from marts.fct_alert_events "
        "where subject_id like 'XT-DEMO-%' or city_code = '" + SECOND_CITY + "' order by unit_code",
    )
    assert alerts and {a[0] for a in alerts} == {SECOND_CITY}
    assert all(a[2].endswith("@xiangtan.example.invalid") for a in alerts), alerts
    # both cities' 科技局 (KJJ) miss the return of 2026-09: two alerts, each keyed with its city
    missing = rows(
        two_cities,
        "select event_key, city_code, alert_email from marts.fct_alert_events "
        "where event_type = 'return_missing' and unit_code = 'KJJ' and event_key like '%:2026-09' order by 1",
    )
    assert missing == [
        (f"return:{ZHUZHOU}:KJJ:2026-09", ZHUZHOU, "kjj@zhuzhou.example.invalid"),
        (f"return:{SECOND_CITY}:KJJ:2026-09", SECOND_CITY, "kjj@xiangtan.example.invalid"),
    ]


def test_the_second_citys_return_is_its_own_units(two_cities):
    returned = rows(
        two_cities,
        "select task_id, city_code, reporting_unit, lead_unit_code, stage_zh from marts.fct_task_returns "
        "where task_id like 'XT-DEMO-%'",
    )
    assert returned == [("XT-DEMO-OPEN-T01", SECOND_CITY, "SWJ", "SWJ", "推进中")]


def test_the_unit_scorecard_ranks_units_within_their_city(two_cities, sample_pipeline_run):
    ranked = rows(
        two_cities, "select city_code, unit_code, attention_count, attention_rank from marts.fct_unit_scorecard"
    )
    assert len({(c, u) for c, u, _, _ in ranked}) == len(ranked)
    for city in (ZHUZHOU, SECOND_CITY):
        mine = [(count, rank) for c, _, count, rank in ranked if c == city]
        assert mine, city
        # rank 1 is the city's own unit with the most to chase, whatever the other city's units have
        assert min(rank for _, rank in mine) == 1
        assert all((a < b) <= (ra > rb) for a, ra in mine for b, rb in mine), city
    # 株洲's ranks are those of the one-city sample
    alone = dict(rows(sample_pipeline_run.warehouse, "select unit_code, attention_rank from marts.fct_unit_scorecard"))
    assert {u: r for c, u, _, r in ranked if c == ZHUZHOU} == alone


def test_a_stored_return_naming_another_citys_unit_fails_the_marts_unit_test(two_cities, tmp_path):
    # ingestion refuses it; a row stored another way (an older loader, a hand edit) is caught by the build: the
    # reporting unit is matched on city + code, so 株洲's 工信局 GXJ on 湘潭's task fails, though 株洲 has a GXJ
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(two_cities, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into raw.releases select * replace ('wrong-unit' as release_id) from raw.releases "
            "where release_id = 'fixture-xiangtan-return-2025-06'"
        )
        con.execute(
            "insert into raw.task_returns select * replace ('wrong-unit' as release_id, 'GXJ' as reporting_unit) "
            "from raw.task_returns where release_id = 'fixture-xiangtan-return-2025-06'"
        )
    dbt = two_cities.parent / "dbt"
    env = {**os.environ, "PMW_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    target = tmp_path / "target"
    subprocess.run(
        [dbt_executable(), "build", "--quiet", "--profiles-dir", ".", "--target-path", str(target), "--exclude",
         "resource_type:unit_test", "--select", "stg_raw__task_returns+,fct_task_returns"],
        cwd=dbt, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    unit_tests = [
        r for r in results if nodes[r["unique_id"]].get("test_metadata", {}).get("name") == "unit_in_plan_city"
    ]
    assert [(nodes[r["unique_id"]]["column_name"], r["status"], r["failures"]) for r in unit_tests] == [
        ("reporting_unit", "fail", 1)
    ], [(r["unique_id"], r["status"], r.get("message")) for r in results]


def _return(seeds: Path, tmp_path: Path, header: list[str], *cells: list[str]) -> task_returns.ParsedReturn:
    path = tmp_path / "return.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *cells])
    doc = load_documents(path.read_bytes(), path.name)[0]
    return task_returns.parse(doc, task_returns.load_task_catalog(seeds), date(2026, 1, 1))


RETURN = ["month", "task_id", "stage", "percent", "progress", "reporting_unit", "report_date", "provenance"]
XT_ROW = ["2025-06", "XT-DEMO-OPEN-T01", "推进中", "50", "示意", "商务局", "2025-07-03", "illustrative"]
ZZ_ROW = ["2022-05", "T22-COUNTY-COMMERCE-T01", "推进中", "50", "示意", "商务局", "2022-06-03", "illustrative"]


def test_a_return_is_matched_to_its_citys_unit(tmp_path):
    seeds = two_city_seeds(tmp_path / "seeds")
    # the same short name, each city's task: each city's own 商务局 (its task's plan says which)
    for row, city in ((XT_ROW, SECOND_CITY), (ZZ_ROW, ZHUZHOU)):
        parsed = _return(seeds, tmp_path, RETURN, row)
        assert parsed.errors == [] and [(r.reporting_unit, r.city_code) for r in parsed.rows] == [("SWJ", city)]
    # a return may name its city: in the unit's name, or in a city column (城市)
    named = _return(seeds, tmp_path, RETURN, XT_ROW[:5] + ["湘潭市商务局"] + XT_ROW[6:])
    assert named.errors == [] and named.rows[0].city_code == SECOND_CITY
    column = _return(seeds, tmp_path, [*RETURN, "城市"], [*XT_ROW, "湘潭市"])
    assert column.errors == [] and column.rows[0].city_code == SECOND_CITY


def test_a_return_naming_another_citys_unit_or_an_ambiguous_one_is_refused(tmp_path):
    seeds = two_city_seeds(tmp_path / "seeds")
    wrong_city = _return(seeds, tmp_path, RETURN, ZZ_ROW[:5] + ["湘潭市商务局"] + ZZ_ROW[6:])
    [error] = wrong_city.errors
    assert (error.file, error.row, error.column) == ("return.csv", 2, "reporting_unit")
    assert "湘潭市" in error.reason and "株洲市" in error.reason and "T22-COUNTY-COMMERCE-T01" in error.reason
    column = _return(seeds, tmp_path, [*RETURN, "城市"], [*XT_ROW, "株洲市"])
    assert [(e.row, e.column) for e in column.errors] == [(2, "city")], column.errors
    assert "XT-DEMO-OPEN-T01" in column.errors[0].reason and "湘潭市" in column.errors[0].reason
    # no task to say which city: 商务局 is two cities' unit, and the return is refused by name
    unknown = _return(seeds, tmp_path, RETURN, ["2025-06", "XT-NO-SUCH-TASK", *XT_ROW[2:]])
    ambiguous = [e for e in unknown.errors if e.column == "reporting_unit"]
    assert [e.row for e in ambiguous] == [2]
    assert "ambiguous" in ambiguous[0].reason and "株洲市" in ambiguous[0].reason and "湘潭市" in ambiguous[0].reason
    # and 湘潭's 发改委 may not report on the task its 商务局 leads
    other = _return(seeds, tmp_path, RETURN, XT_ROW[:5] + ["发改委"] + XT_ROW[6:])
    assert [e.column for e in other.errors] == ["reporting_unit"] and "own tasks" in other.errors[0].reason


@pytest.fixture(scope="module")
def two_cities_published(two_cities, sample_pipeline_run, tmp_path_factory) -> Path:
    """A published copy (as `pmw run` publishes) of the two-city marts; what they do not hold, the sample's."""
    path = tmp_path_factory.mktemp("two_cities_published") / "published.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(f"attach '{two_cities}' as two (read_only)")
        con.execute(f"attach '{sample_pipeline_run.published}' as one (read_only)")
        built = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'two' and table_schema = 'marts'"
            ).fetchall()
        }
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'one' and table_schema = 'main'"
        ).fetchall():
            source = f"two.marts.{table}" if table in built else f"one.main.{table}"
            con.execute(f"create table published.main.{table} as select * from {source}")
    return path


def test_the_headline_counts_each_city_apart(two_cities_published):
    data = load_report_data(two_cities_published)
    sc = data.scorecard
    summary = _summary(data, sc)
    heads = {c["region_code"]: c for c in summary["cities"]}
    assert [c["name_zh"] for c in summary["cities"]] == ["株洲市", "湘潭市"]
    # 株洲's headline is its running plan; 湘潭's plan (2025) has closed, so its final outcomes are its headline
    # (as for a city whose every plan is closed) instead of being counted as 株洲's closed plans
    zz_running = sc[(sc["plan_region_code"] == ZHUZHOU) & ~sc["plan_is_closed"].astype(bool)]
    assert heads[ZHUZHOU]["running"] == len(zz_running) > 0
    assert heads[SECOND_CITY]["running"] == 4 and heads[SECOND_CITY]["closed"] == 0
    for code, head in heads.items():
        mine = sc[sc["plan_region_code"] == code]
        assert head["running"] + head["closed"] == len(mine)
    assert summary["running"] == sum(h["running"] for h in heads.values())
    assert sum(summary["counts"].values()) == summary["running"]


class _Recorder:
    """An alert channel that keeps what it is sent (the outbox's side is what is tested here)."""

    name = "recorder"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, alert: dict) -> None:
        self.sent.append(alert["event_key"])


def test_adding_a_second_city_sends_none_of_the_first_citys_alerts_again(
    two_cities_published, sample_pipeline_run, tmp_path
):
    con = outbox.connect(tmp_path / "alerts.duckdb")
    channel = _Recorder()
    try:
        for published in (sample_pipeline_run.published, two_cities_published):  # 株洲 alone, then with 湘潭
            events = outbox.read_published_events(published)
            latest = max(e["event_date"] for e in events)
            outbox.queue_events(con, events, as_of=latest, lookback_days=100_000)  # every event, none stale
            outbox.deliver(con, [(channel, lambda _unit, _city=None: True)], backoff_seconds=0)
            if published == sample_pipeline_run.published:
                first = list(channel.sent)
    finally:
        con.close()
    assert first and all(e["city_code"] == ZHUZHOU for e in outbox.read_published_events(sample_pipeline_run.published))
    second = channel.sent[len(first) :]
    xiangtan = {
        e["event_key"] for e in outbox.read_published_events(two_cities_published) if e["city_code"] == SECOND_CITY
    }
    assert xiangtan and sorted(second) == sorted(xiangtan), sorted(set(second) - xiangtan)
    assert len(set(channel.sent)) == len(channel.sent)  # no key twice


def test_pmw_status_gives_each_citys_headline(two_cities_published, monkeypatch):
    monkeypatch.setattr(cli, "_load_published", lambda: load_report_data(two_cities_published))
    out = CliRunner().invoke(cli.main, ["status"], catch_exceptions=False).output
    heads = [line for line in out.splitlines() if line.startswith("headline")]
    assert len(heads) == 2, out
    assert "株洲市" in heads[0] and "湘潭市" in heads[1], heads
    assert "3 targets" in heads[1], heads  # 湘潭's quantified targets (status leaves the qualitative one out)


def _units_csv(seeds: Path, rows: list[dict[str, str]], drop: str = "") -> None:
    header = [c for c in rows[0] if c != drop]
    with open(seeds / "units.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_an_older_units_csv_without_the_city_is_refused_by_name(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    with open(seeds / "units.csv", encoding="utf-8", newline="") as fh:
        units = list(csv.DictReader(fh))
    _units_csv(seeds, units, drop="city_code")
    [problem] = [str(p) for p in check_catalogue(seeds)]
    assert problem.startswith("seeds/units.csv row 1, column city_code: column missing from the header"), problem
    assert "plans.csv region_code" in problem  # the reason: what the column is, and where its value comes from


def test_a_short_name_twice_in_one_city_is_refused_and_across_cities_is_not(tmp_path):
    seeds = two_city_seeds(tmp_path / "seeds")
    assert check_catalogue(seeds) == []  # 湘潭's 商务局 beside 株洲's
    with open(seeds / "units.csv", encoding="utf-8", newline="") as fh:
        units = list(csv.DictReader(fh))
    [swj] = [u for u in units if (u["city_code"], u["unit_code"]) == (SECOND_CITY, "SWJ")]
    first = units.index(swj) + 2  # the header is row 1
    twice = {**swj, "unit_code": "SWJ2"}  # a second 商务局 in 湘潭
    _units_csv(seeds, [*units, twice])
    problems = [str(p) for p in check_catalogue(seeds)]
    assert problems == [
        f"seeds/units.csv row {len(units) + 2} (SWJ2), column city_code, short_name_zh: "
        f"('{SECOND_CITY}', '商务局') is a duplicate of row {first}"
    ], problems


def test_a_return_against_an_older_units_csv_is_refused_by_name(tmp_path, monkeypatch):
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    with open(seeds / "units.csv", encoding="utf-8", newline="") as fh:
        units = list(csv.DictReader(fh))
    _units_csv(seeds, units, drop="city_code")
    landing = tmp_path / "landing"
    landing.mkdir()
    path = landing / "swj_2022-05.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([RETURN, ZZ_ROW])
    with duckdb.connect() as con:
        monkeypatch.setenv("PMW_SEEDS_DIR", str(seeds))  # the seeds the pipeline reads returns against
        result = ingest_file(path, con, tmp_path / "quarantine", date(2026, 1, 1))
        stored = con.execute("select count(*) from raw.task_returns").fetchone()[0]
    assert (result.status, stored) == ("quarantined", 0)
    [error] = result.errors
    assert "seeds/units.csv has no column city_code" in error.reason, error


def test_pmw_status_unit_is_the_named_citys_unit(two_cities_published, monkeypatch):
    monkeypatch.setattr(cli, "_settings", lambda: SimpleNamespace(published_db_path=two_cities_published))
    ambiguous = CliRunner().invoke(cli.main, ["status", "--unit", "商务局"], catch_exceptions=False)
    assert ambiguous.exit_code == 2 and "several cities" in ambiguous.output and "湘潭市商务局" in ambiguous.output
    one = CliRunner().invoke(cli.main, ["status", "--unit", "湘潭市商务局"], catch_exceptions=False).output
    assert "XT-DEMO-OPEN-T01" in one and "T22-" not in one, one  # its own task and targets, none of 株洲's
    assert any(f"attention rank {n} of 3" in one for n in (1, 2, 3)), one  # ranked among 湘潭's three units


def test_pmw_status_unit_takes_the_city_unit_form_the_alert_channels_use(two_cities_published, monkeypatch):
    # both cities have a 科技局 KJJ: the bare code asked for the full name, and 430300:KJJ (the form a channel's
    # `units` needs, alerts/config.py split_unit_key) was read as a unit called "430300:KJJ" and refused
    monkeypatch.setattr(cli, "_settings", lambda: SimpleNamespace(published_db_path=two_cities_published))
    run = CliRunner()
    bare = run.invoke(cli.main, ["status", "--unit", "KJJ"], catch_exceptions=False)
    assert bare.exit_code == 2 and f"{SECOND_CITY}:KJJ" in bare.output and f"{ZHUZHOU}:KJJ" in bare.output, bare.output
    for text in (f"{SECOND_CITY}:KJJ", f"{SECOND_CITY}:科技局"):
        one = run.invoke(cli.main, ["status", "--unit", text], catch_exceptions=False)
        assert one.exit_code == 0 and "湘潭市科学技术局" in one.output and "株洲市" not in one.output, one.output
    zhuzhou = run.invoke(cli.main, ["status", "--unit", f"{ZHUZHOU}:KJJ"], catch_exceptions=False).output
    assert "株洲市科学技术局" in zhuzhou and "湘潭市" not in zhuzhou, zhuzhou
    unknown_city = run.invoke(cli.main, ["status", "--unit", "439999:KJJ"], catch_exceptions=False)
    assert unknown_city.exit_code == 2, unknown_city.output
    assert "unknown city '439999' in '439999:KJJ'" in unknown_city.output and SECOND_CITY in unknown_city.output
    unknown_unit = run.invoke(cli.main, ["status", "--unit", f"{SECOND_CITY}:GAJ"], catch_exceptions=False)
    assert unknown_unit.exit_code == 2 and f"unknown unit 'GAJ' of city {SECOND_CITY}" in unknown_unit.output


def test_a_copy_published_before_units_had_a_city_still_reads(sample_pipeline_run, tmp_path):
    # the report and `pmw status --unit` read a published copy until the next run replaces it
    old = tmp_path / "published.duckdb"
    shutil.copy2(sample_pipeline_run.published, old)
    with duckdb.connect(str(old)) as con:
        for mart in ("fct_unit_scorecard", "fct_task_progress"):
            con.execute(f"alter table {mart} drop column city_code")
    data = load_unit_data(old)
    text = unit_text(data, find_unit(data.units, "商务局"))
    assert "attention rank" in text and f"of {len(data.units)}" in text and "T22-COUNTY-COMMERCE-T01" in text


def _published_units(path: Path, rows: list[tuple], with_city: bool = True) -> Path:
    con = duckdb.connect(str(path))
    if with_city:
        con.execute("create table dim_units (city_code varchar, unit_code varchar, unit_short_zh varchar)")
        con.executemany("insert into dim_units values (?, ?, ?)", rows)
    else:
        con.execute("create table dim_units (unit_code varchar, unit_short_zh varchar)")
        con.executemany("insert into dim_units values (?, ?)", [r[1:] for r in rows])
    con.close()
    return path


def test_the_workbooks_lead_unit_is_the_targets_citys_unit(tmp_path):
    # two cities' SWJ under different short names: the workbook named 湘潭's for both (looked up by code alone)
    db = _published_units(
        tmp_path / "marts.duckdb",
        [(ZHUZHOU, "SWJ", "商务局"), (SECOND_CITY, "SWJ", "商务和粮食局"), (ZHUZHOU, "FGW", "发改委")],
    )
    sc = pd.DataFrame(
        {"lead_unit_code": ["SWJ", "SWJ", "FGW", None], "plan_region_code": [ZHUZHOU, SECOND_CITY, ZHUZHOU, ZHUZHOU]}
    )
    assert list(lead_unit_names(sc, db)) == ["商务局", "商务和粮食局", "发改委", None]
    # a copy published before units had a city: by code, as before
    older = _published_units(tmp_path / "older.duckdb", [(ZHUZHOU, "SWJ", "商务局")], with_city=False)
    assert list(lead_unit_names(sc.drop(columns="plan_region_code"), older)) == ["商务局", "商务局", None, None]
