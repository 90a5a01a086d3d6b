"""A flow's sums must agree (当月 ≤ 1-N月累计, and 1-N月累计 never falls within a year): within one release
the raw suite refuses the release, naming the file's row (expectations/raw_observations.json
month_within_year_to_date, ytd_not_falling_in_release); a month in one release above its year to date in
another is a dbt warning (month_not_above_year_to_date), which does not block publication and reads only
the rows of this run."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.checks.batches import raw_release_batches
from dagster_project.dbt_build import BUILDS_TABLE
from dagster_project.ingest.store import ensure_schema
from dagster_project.resources import dbt_executable
from tests.checks.conftest import GOOD_RELEASE, SEEDS, failing, load_raw_fixture
from tests.conftest import REPO, point_settings_at

SUITE = "raw_observations"


def _exports(period: str, kind: str, start: str, end: str, value: float, row: int, bound: str = "eq") -> tuple:
    """A raw row of the good release: exports (a flow) of 株洲 for ``period``."""
    return (
        *(GOOD_RELEASE, "exports", "430200", "", period, kind, start, end, "value", value, bound, "亿元"),
        *(str(value), "亿元", "illustrative", "", "", "fixture.csv", row, "2024-04-28", "2024-04-29 08:00:00", False),
    )


MONTH_MAR = ("2024-03", "month", "2024-03-01", "2024-03-31")
YTD_FEB = ("2024-01~02", "ytd", "2024-01-01", "2024-02-29")
YTD_MAR = ("2024-01~03", "ytd", "2024-01-01", "2024-03-31")
QUARTER_3 = ("2023-Q3", "quarter", "2023-07-01", "2023-09-30")
YTD_SEP = ("2023-01~09", "ytd", "2023-01-01", "2023-09-30")

CASES = [
    # (what, the exports rows added to the good release, {check_id: severity} failing, the row named)
    ("consistent sums", [(*MONTH_MAR, 30.0, 20), (*YTD_FEB, 50.0, 21), (*YTD_MAR, 80.0, 22)], {}, None),
    ("the month above its year to date", [(*MONTH_MAR, 50.0, 20), (*YTD_MAR, 40.0, 21)],
     {"month_within_year_to_date": "critical"}, 20),
    ("the year to date falling from February to March", [(*YTD_FEB, 90.0, 20), (*YTD_MAR, 80.0, 21)],
     {"ytd_not_falling_in_release": "critical"}, 21),
    # a 统计季报's quarter (本季度) is part of its year to date (1-本季度) as a month is (it was not judged)
    ("a quarter above its year to date", [(*QUARTER_3, 90.0, 20), (*YTD_SEP, 80.0, 21)],
     {"month_within_year_to_date": "critical"}, 20),
    ("a quarter within its year to date", [(*QUARTER_3, 50.0, 20), (*YTD_SEP, 80.0, 21)], {}, None),
    # a bound (以上) can lie either side of the other figure: not judged
    ("a month given as a bound", [(*MONTH_MAR, 50.0, 20, "ge"), (*YTD_MAR, 40.0, 21)], {}, None),
]  # fmt: skip


@pytest.mark.parametrize("rows, expected, named", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_within_a_release_the_sums_of_a_flow_must_agree(validator, parameters, rows, expected, named):
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    load_raw_fixture(con)
    for row in map(lambda r: _exports(*r), rows):
        con.execute(f"insert into raw.observations values ({', '.join('?' * len(row))})", list(row))
    (batch,) = raw_release_batches(con, "observations", [GOOD_RELEASE], SEEDS)
    result = validator.validate(SUITE, batch.frame, GOOD_RELEASE, parameters, attribute_by="release_id")
    assert failing(result) == expected
    for failure in result.failures:
        assert [r["source_row"] for r in failure.rows] == [named]
        assert failure.groups == {GOOD_RELEASE}


def test_ingestion_refuses_a_release_whose_month_exceeds_its_year_to_date(tmp_path, monkeypatch):
    """The file passes the contract (each row is a valid figure) and is refused by the raw suite: nothing of it
    is stored, and the quarantine report names its row and the reason. The sample release beside it loads."""
    from dagster_project.runner import ingest_landing, prepare_environment
    from dagster_project.settings import load_settings

    point_settings_at(tmp_path, monkeypatch)
    settings = prepare_environment(load_settings())
    good = "2021-02/zhuzhou_tjyb_2021-01.csv"
    (settings.landing_dir / "2021-02").mkdir(parents=True)
    shutil.copy(REPO / "data" / "sample" / good, settings.landing_dir / good)
    bad = "checks/exports_month_above_ytd.csv"
    (settings.landing_dir / "checks").mkdir()
    (settings.landing_dir / bad).write_text(
        "indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note\n"
        "exports,430200,,2024-01~03,value,40.5,亿元,2024-04-20,illustrative,,示意数据\n"
        "exports,430200,,2024-03,value,52.3,亿元,2024-04-20,illustrative,,示意数据；错误：当月大于1-3月累计\n",
        encoding="utf-8",
    )
    with dg.instance_for_test() as instance:
        summary = ingest_landing(instance, load_settings(), log=lambda _m: None)
    assert summary.files_loaded == [good] and summary.files_quarantined == [bad]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.observations where source_file = ?", [bad]).fetchone() == (0,)
    (report,) = [p.read_text(encoding="utf-8") for p in settings.quarantine_dir.glob("*.errors.md")]
    assert "exports_month_above_ytd.csv" in report
    # the month's row (row 3 of the file), the reason and the figures
    line = next(li for li in report.splitlines() if "当月(当季)值不超过同期累计值" in li)
    assert line.startswith("| 3 |") and "chk_ytd_minus_month -11.8" in line and "2024-03" in line, line


def _dbt(warehouse: Path, target_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PMW_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    argv = [dbt_executable(), *args, "--profiles-dir", ".", "--target-path", str(target_path)]
    return subprocess.run(argv, cwd=REPO / "dbt", env=env, capture_output=True, text=True, check=False)


def test_a_month_above_its_year_to_date_from_another_release_is_a_warning(warehouse_copy, tmp_path):
    """Two pairs of latest vintages of one series, each figure from its own release: 2019-05's month above
    1-5月 loaded since the last build is reported (indicator, region, periods, files), without failing the
    build; 2018-05's, tested by an earlier build, is not read again."""
    with duckdb.connect(str(warehouse_copy)) as con:
        mark = con.execute(f"select max(raw_loaded_through) from {BUILDS_TABLE}").fetchone()[0]
        assert mark is not None
        template = (
            "select * from intermediate.int_observations__latest "
            "where indicator_code = 'trade_total' and region_code = '430200' limit 1"
        )
        assert con.execute(template).fetchall()
        pairs = [
            ("2018-05", "month", "2018-05-01", 60.0, "old-month.csv", mark - timedelta(days=1)),
            ("2018-01~05", "ytd", "2018-01-01", 50.0, "old-ytd.csv", mark - timedelta(days=1)),
            ("2019-05", "month", "2019-05-01", 60.0, "new-month.csv", mark + timedelta(seconds=1)),
            ("2019-01~05", "ytd", "2019-01-01", 50.0, "ytd.csv", mark - timedelta(days=1)),
        ]
        for period, kind, start, value, source, loaded in pairs:
            end = f"{period[:4]}-05-31"
            con.execute(
                "insert into intermediate.int_observations__latest select * replace ("
                "? as observation_key, ? as release_id, '430200' as region_code, '' as subject_code, "
                "? as period_code, ? as period_kind, cast(? as date) as period_start, cast(? as date) as period_end, "
                "'value' as measure, ? as value, 'eq' as bound, ? as source_file, 2 as source_row, "
                f"cast(? as timestamp) as ingested_at) from ({template})",
                [f"k-{period}", f"r-{source}", period, kind, start, end, value, source, loaded],
            )
    test = "month_not_above_year_to_date_int_observations__latest"
    done = _dbt(warehouse_copy, tmp_path / "target", "test", "-s", test, "--store-failures")
    assert done.returncode == 0, done.stdout[-3000:]
    assert f"Warning in test {test}" in done.stdout and "Got 1 result" in done.stdout, done.stdout[-3000:]
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        (schema,) = con.execute(
            "select table_schema from information_schema.tables where table_name = ?", [test]
        ).fetchone()
        reported = con.execute(
            f"select indicator_code, region_code, month_period_code, month_value, ytd_period_code, ytd_value, "
            f"month_source_file, ytd_source_file from {schema}.{test}"
        ).fetchall()
    assert reported == [("trade_total", "430200", "2019-05", 60.0, "2019-01~05", 50.0, "new-month.csv", "ytd.csv")]
