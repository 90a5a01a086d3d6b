"""A plan's city is data (issue 14): a second city's small illustrative plan (tests/fixtures/second_city/)
is assessed beside 株洲's with no code change. The fixture's plan, targets and figures are added to
copies of the seeds and of the sample run's warehouse, the dbt project is built there, and

- 湘潭's targets get statuses from their own figures (its rank target ranks 湘潭, its plan's city);
- 株洲's rows are exactly those of the sample run.

The sample run (the session fixture) is reused; only the dbt build of the target models runs here."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.catalog import load_catalog
from dagster_project.ingest.pipeline import ingest_file
from dagster_project.resources import dbt_executable
from tests.conftest import REPO, PipelineRun

FIXTURE = REPO / "tests" / "fixtures" / "second_city"
SECOND_CITY = "430300"  # 湘潭市, a peer city of seeds/regions.csv


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
    shutil.copytree(REPO / "seeds", work / "seeds")  # dbt_project.yml reads ../seeds
    for name in ("plans.csv", "targets.csv"):
        append_rows(work / "seeds" / name, FIXTURE / name)
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
    env = {**os.environ, "PMW_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    build = subprocess.run(
        [dbt_executable(), "build", "--full-refresh", "--quiet", "--profiles-dir", ".", "--exclude",
         "resource_type:unit_test", "--select", "+fct_target_progress", "+fct_target_scorecard"],
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
    assert set(scored) == {"XT-DEMO-GDP", "XT-DEMO-RANK-GDP", "XT-DEMO-LISTED"}
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
    for mart in ("fct_target_progress", "fct_target_scorecard"):
        with duckdb.connect() as con:
            con.execute(f"attach '{two_cities}' as two (read_only)")
            con.execute(f"attach '{sample_pipeline_run.warehouse}' as one (read_only)")
            columns = ", ".join(
                f'"{c}"'
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_catalog = 'one' "
                    f"and table_schema = 'marts' and table_name = '{mart}' and column_name <> {load_time} "
                    "order by ordinal_position"
                ).fetchall()
            )
            zhuzhou = "where target_id not like 'XT-DEMO-%'"
            for a, b in (("one", "two"), ("two", "one")):
                extra = con.execute(
                    f"select count(*) from (select {columns} from {a}.marts.{mart} {zhuzhou} "
                    f"except all select {columns} from {b}.marts.{mart} {zhuzhou})"
                ).fetchone()[0]
                assert extra == 0, (mart, a, b)
