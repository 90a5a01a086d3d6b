"""Status history: fct_scorecard_monthly is the scorecard as it stood at each month end (from the
figures released by then), a closed month is never rewritten by a later revision, dim_period has one
row per period, and `pmw status --as-of` reads the snapshot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from dagster_project.cli import main
from dagster_project.resources import dbt_executable
from tests.conftest import REPO
from tests.mart_tables import make_mart_writable


@pytest.fixture(scope="module")
def home(sample_pipeline_run) -> Path:
    return sample_pipeline_run.home


def query(db: Path, sql: str, params: list | None = None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_snapshot_shows_what_was_released_by_each_month_end(sample_pipeline_run):
    db = sample_pipeline_run.published
    # every target from its start, every month from the first plan's start to the assessment month
    months = [r[0] for r in query(db, "select distinct snapshot_month from fct_scorecard_monthly order by 1")]
    assert months[0] == "2022-01" and len(months) == len(set(months)) > 50
    assert (
        query(db, "select count(*) from fct_scorecard_monthly group by snapshot_month, target_id having count(*) > 1")
        == []
    )
    # at every month end a target shows its latest period released by then that can be assessed (else its
    # latest), with that period's status, naming a newer one that cannot (the reference: every month joined
    # with every row known by its end, the latest kept), unless its deadline had passed by then (by the
    # as-of date for the month still running) with no figure for the deadline period: then no pace status,
    # not_assessable (methodology §4)
    expected = query(
        db,
        """
        with latest as (
            select m.snapshot_month, m.month_end, p.target_id,
                arg_max(p.period_code, (p.is_assessable, p.period_end, p.period_kind)) as period_code,
                arg_max(p.period_end, (p.is_assessable, p.period_end, p.period_kind)) as period_end,
                arg_max(p.status_code, (p.is_assessable, p.period_end, p.period_kind)) as status_code,
                arg_max(p.period_code, (p.period_end, p.period_kind)) as newest_period_code
            from (select distinct snapshot_month, month_end from fct_scorecard_monthly) as m
            inner join fct_target_progress as p on p.release_date <= m.month_end and p.period_end <= m.month_end
            group by 1, 2, 3
        )
        select l.snapshot_month, l.target_id, l.period_code,
            case
                when t.deadline < least(l.month_end, t.assessed_as_of) and l.period_end < t.deadline
                    and l.status_code in ('on_track', 'needs_acceleration', 'off_track', 'deteriorating')
                    then 'not_assessable'
                else l.status_code
            end,
            nullif(l.newest_period_code, l.period_code)
        from latest as l
        inner join fct_target_scorecard as t on l.target_id = t.target_id
        """,
    )
    at = {
        (r[0], r[1]): (r[2], r[3], r[4])
        for r in query(
            db,
            "select snapshot_month, target_id, latest_period_code, status_code, unassessed_period_code "
            "from fct_scorecard_monthly where target_kind <> 'qualitative'",
        )
    }
    assert len({r[1] for r in expected if r[0] == "2026-06"}) > 40
    assert {(r[0], r[1]): r[2:] for r in expected} == {k: v for k, v in at.items() if v[0] is not None}
    # nothing released (or returned by a unit) after the month end is seen in it
    assert query(db, "select count(*) from fct_scorecard_monthly where latest_release_date > month_end") == [(0,)]
    # the latest month is today's scorecard, for every target: the statistics targets and the qualitative
    # ones rolled up from the task ledger
    columns = (
        "target_id, status_code, latest_period_code, latest_period_end, latest_release_date, unassessed_period_code"
    )
    now = {r[0]: r[1:] for r in query(db, f"select {columns} from fct_target_scorecard")}
    last = {
        r[0]: r[1:]
        for r in query(db, f"select {columns} from fct_scorecard_monthly where snapshot_month = ?", [months[-1]])
    }
    assert len(now) == 130 and last == now


def test_qualitative_targets_roll_up_the_returns_filed_by_each_month_end(sample_pipeline_run):
    db = sample_pipeline_run.published
    qualitative = query(
        db,
        "select snapshot_month, status_code, count(*) from fct_scorecard_monthly "
        "where target_kind = 'qualitative' group by all order by all",
    )
    by_month: dict[str, dict[str, int]] = {}
    for month, status, n in qualitative:
        by_month.setdefault(month, {})[status] = n
    # every month end gives the 54 qualitative targets a status from their tasks, none left unassessed
    assert all(sum(s.values()) == 54 and "not_assessable" not in s for s in by_month.values()), by_month
    # during 2022 (the tasks' year) they move: in-year statuses first, final outcomes after the deadline
    assert {"on_track", "needs_acceleration"} & set(by_month["2022-06"]), by_month["2022-06"]
    assert set(by_month["2023-06"]) <= {"achieved", "not_achieved"}, by_month["2023-06"]
    assert by_month["2022-06"] != by_month["2023-06"]
    # achieved at a month end only when every task of the target had a return saying 已完成 filed by then
    # (from the returns as filed, fct_task_returns, every vintage)
    early = query(
        db,
        """
        select m.snapshot_month, m.target_id
        from fct_scorecard_monthly m
        where m.target_kind = 'qualitative' and m.status_code = 'achieved'
          and exists (
            select 1 from (select distinct task_id, target_id from fct_task_progress) as tasks
            where tasks.target_id = m.target_id and not exists (
                select 1 from fct_task_returns r
                where r.task_id = tasks.task_id and r.stage_rank = 4 and r.report_date <= m.month_end))
        """,
    )
    assert early == []
    achieved = [m for m, s in by_month.items() if s.get("achieved")]
    assert achieved and min(achieved) < "2023-01"


def test_dim_period_names_every_period_of_the_marts(sample_pipeline_run):
    db = sample_pipeline_run.published
    missing = query(
        db,
        "select distinct period_code from fct_target_progress where period_code not in "
        "(select period_code from dim_period)",
    )
    assert missing == []
    assert query(
        db, "select period_kind, period_label_zh, period_label_en from dim_period where period_code = '2022-01~05'"
    ) == [("ytd", "2022年1-5月", "Jan-May 2022")]
    # the wide BI view: one row per target and month, one grain
    assert query(db, "select count(*) = count(distinct (target_id, snapshot_month)) from fct_target_month_wide") == [
        (True,)
    ]


def test_pmw_status_as_of_a_month(home):
    db = home / "published" / "marts.duckdb"
    env = {"PMW_HOME": str(home), "PMW_PUBLISHED_DIR": str(home / "published")}
    # --all: the qualitative targets too, as their tasks stood at that month end
    result = CliRunner().invoke(main, ["status", "--as-of", "2026-06", "--all", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    rows = {r["target_id"]: r for r in json.loads(result.stdout)}
    expected = dict(
        query(
            db,
            "select target_id, status_code from fct_scorecard_monthly where snapshot_month = '2026-06'",
        )
    )
    assert {t: r["status_code"] for t, r in rows.items()} == expected
    # the same month written the office's way, with a Chinese status name
    table = CliRunner().invoke(main, ["status", "--as-of", "2026年6月", "--status", "进度滞后"], env=env)
    assert table.exit_code == 0 and "at the end of 2026-06" in table.output
    assert table.output.count("进度滞后") >= sum(1 for s in expected.values() if s == "off_track")
    bad = CliRunner().invoke(main, ["status", "--as-of", "2031-01"], env=env)
    assert bad.exit_code == 2 and "months recorded" in bad.output


def _dbt(warehouse: Path, target_path: Path, *args: str) -> None:
    env = {**os.environ, "PMW_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    argv = [dbt_executable(), *args, "--profiles-dir", ".", "--target-path", str(target_path)]
    done = subprocess.run(argv, cwd=REPO / "dbt", env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


def test_a_revision_does_not_rewrite_months_that_have_ended(sample_pipeline_run, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_pipeline_run.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        target, month = con.execute(
            "select target_id, max(snapshot_month) filter (where is_month_closed) from marts.fct_scorecard_monthly "
            "where status_code = 'achieved' and snapshot_month = '2026-06' "
            # a statistics target: its status comes from its figures (a qualitative one's from its tasks)
            "and target_kind <> 'qualitative' group by 1 order by 1 limit 1"
        ).fetchone()
        before = con.execute(
            "select snapshot_month, status_code from marts.fct_scorecard_monthly where target_id = ? "
            "and is_month_closed order by 1",
            [target],
        ).fetchall()
        # a later release revises every figure of the target: it is now deteriorating in every period
        make_mart_writable(con, "fct_target_progress")
        con.execute("update marts.fct_target_progress set status_code = 'deteriorating' where target_id = ?", [target])
        # a warehouse whose history was recorded before the snapshots held the task roll-up: its closed months
        # show the qualitative targets not_assessable; those rows (only) are filled once, as a first build would
        rolled_up = con.execute(
            "select snapshot_month, target_id, status_code, latest_period_code, latest_release_date "
            "from marts.fct_scorecard_monthly where target_kind = 'qualitative' and is_month_closed order by 1, 2"
        ).fetchall()
        con.execute(
            "update marts.fct_scorecard_monthly set status_code = 'not_assessable', latest_period_code = null, "
            "latest_release_date = null, snapshot_basis = 'recorded' "
            "where target_kind = 'qualitative' and is_month_closed"
        )
    _dbt(warehouse, tmp_path / "target", "run", "-s", "fct_scorecard_monthly")
    _dbt(warehouse, tmp_path / "target", "run", "-s", "fct_scorecard_monthly", "--full-refresh")  # kept even so
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute(
            "select snapshot_month, status_code from marts.fct_scorecard_monthly where target_id = ? "
            "and is_month_closed order by 1",
            [target],
        ).fetchall()
        current = con.execute(
            "select status_code from marts.fct_scorecard_monthly where target_id = ? and not is_month_closed",
            [target],
        ).fetchall()
        filled = con.execute(
            "select snapshot_month, target_id, status_code, latest_period_code, latest_release_date "
            "from marts.fct_scorecard_monthly where target_kind = 'qualitative' and is_month_closed order by 1, 2"
        ).fetchall()
        filled_basis = con.execute(
            "select distinct snapshot_basis from marts.fct_scorecard_monthly "
            "where target_kind = 'qualitative' and is_month_closed"
        ).fetchall()
    assert month == "2026-06" and ("2026-06", "achieved") in before
    assert after == before  # history as it was recorded
    assert current == [("deteriorating",)]  # the month still open shows the revision
    assert len(rolled_up) > 54 * 50 and filled == rolled_up and filled_basis == [("reconstructed",)]


def test_a_new_month_and_a_full_build_flag_the_same_arrival_days(sample_pipeline_run, tmp_path):
    """fct_scorecard_monthly.latest_release_date_imputed: the month shown by a new month's run (incremental: the
    open month only) carries the flag of the figure it shows, as the same month does in a build of all months;
    the closed months recorded before keep their rows (history), while a build of all reconstructs them flagged."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_pipeline_run.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        (target,) = con.execute(
            "select target_id from marts.fct_scorecard_monthly where not is_month_closed "
            "and target_kind <> 'qualitative' and latest_release_date is not null order by 1 limit 1"
        ).fetchone()
        assert not con.execute(
            "select count(*) from marts.fct_scorecard_monthly where latest_release_date_imputed"
        ).fetchone()[0]
        recorded = con.execute(
            "select * exclude (recorded_at) from marts.fct_scorecard_monthly where is_month_closed order by all"
        ).fetchall()
        # every figure of the target came in files stating no release date
        make_mart_writable(con, "fct_target_progress")
        con.execute("update marts.fct_target_progress set release_date_imputed = true where target_id = ?", [target])
    _dbt(warehouse, tmp_path / "target", "run", "-s", "fct_scorecard_monthly")
    columns = "snapshot_month, target_id, latest_period_code, latest_release_date, latest_release_date_imputed"
    with duckdb.connect(str(warehouse)) as con:
        new_month = con.execute(
            f"select {columns} from marts.fct_scorecard_monthly where not is_month_closed order by all"
        ).fetchall()
        kept = con.execute(
            "select * exclude (recorded_at) from marts.fct_scorecard_monthly where is_month_closed order by all"
        ).fetchall()
        con.execute("drop table marts.fct_scorecard_monthly")  # the first build of all: every month reconstructed
    _dbt(warehouse, tmp_path / "target", "run", "-s", "fct_scorecard_monthly")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        full_open = con.execute(
            f"select {columns} from marts.fct_scorecard_monthly where not is_month_closed order by all"
        ).fetchall()
        flagged = con.execute(
            "select distinct target_id, latest_release_date is not null from marts.fct_scorecard_monthly "
            "where latest_release_date_imputed"
        ).fetchall()
        shown = con.execute(
            "select count(*) from marts.fct_scorecard_monthly where target_id = ? and latest_release_date is not null "
            "and not latest_release_date_imputed",
            [target],
        ).fetchone()[0]
    assert new_month == full_open
    assert [r for r in new_month if r[4]] == [r for r in new_month if r[1] == target] != []
    assert kept == recorded  # closed months are history
    assert flagged == [(target, True)] and shown == 0
