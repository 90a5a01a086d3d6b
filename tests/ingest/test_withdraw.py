"""Withdrawing a release loaded by mistake (store.withdraw_release, `pmw withdraw`): its rows leave raw for a
table beside it, the reason is kept, the next build is a full refresh, and a restore puts them back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.dbt_build import full_refresh_due, record_build
from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.pipeline import ingest_file
from dagster_project.ingest.store import WithdrawalError, restore_release, withdraw_release, withdrawn_releases

from .helpers import copy_fixture

TODAY = date(2026, 1, 1)


def _rows(con: duckdb.DuckDBPyConnection, table: str, release_id: str) -> int:
    return con.execute(f"SELECT count(*) FROM raw.{table} WHERE release_id = ?", [release_id]).fetchall()[0][0]


def test_a_withdrawn_release_leaves_raw_with_its_reason_and_a_restore_brings_it_back(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    # there was no way to take back a file loaded by mistake: a corrected file supersedes a wrong figure, but
    # a figure that should not be there at all stayed, and a rule it broke blocked every publication
    kept = ingest_file(copy_fixture("air_2022-05.html", landing), con, qdir, TODAY, catalog=catalog)
    wrong = ingest_file(copy_fixture("monthly_zhuzhou_2022-05_gbk.csv", landing), con, qdir, TODAY, catalog=catalog)
    before = _rows(con, "observations", wrong.release_id)
    assert before == wrong.row_count > 0

    done = withdraw_release(con, "monthly_zhuzhou_2022-05_gbk.csv", "the office sent last year's table")  # by file
    assert (done.release_id, done.row_count) == (wrong.release_id, before)
    assert _rows(con, "observations", wrong.release_id) == 0
    assert _rows(con, "withdrawn_observations", wrong.release_id) == before  # kept, as they were
    assert _rows(con, "observations", kept.release_id) == kept.row_count  # the other release untouched
    assert withdrawn_releases(con) == {wrong.release_id}
    assert con.execute("SELECT reason, row_count, restored_at FROM raw.withdrawals").fetchall() == [
        ("the office sent last year's table", before, None)
    ]

    # the same bytes sent again do not undo it: it says how to
    again = ingest_file(copy_fixture("monthly_zhuzhou_2022-05_gbk.csv", landing), con, qdir, TODAY, catalog=catalog)
    assert again.row_count == 0 and "withdrawn" in again.notes[0] and "--restore" in again.notes[0]
    assert _rows(con, "observations", wrong.release_id) == 0

    back = restore_release(con, wrong.release_id)  # by release id
    assert back.row_count == before
    assert _rows(con, "observations", wrong.release_id) == before
    assert _rows(con, "withdrawn_observations", wrong.release_id) == 0
    assert withdrawn_releases(con) == set()
    [(restored,)] = con.execute("SELECT restored_at FROM raw.withdrawals").fetchall()
    assert restored is not None  # the withdrawal stays on record


def test_a_unit_return_can_be_withdrawn_too(con, landing: Path, qdir: Path, seeds_dir: Path) -> None:
    path = landing / "kjj_2022-05.csv"
    path.write_text(
        "month,task_id,stage,percent,progress,evidence,problems,note,reporting_unit,report_date,provenance\n"
        "2022-05,T22-ST-CHOKEPOINT-T01,推进中,45,按计划推进（测试）,,,,科技局,2022-06-03,illustrative\n",
        encoding="utf-8",
    )
    res = ingest_file(path, con, qdir, TODAY)
    assert res.status == "loaded"
    assert withdraw_release(con, res.release_id, "a draft").row_count == 1
    assert _rows(con, "task_returns", res.release_id) == 0
    assert _rows(con, "withdrawn_task_returns", res.release_id) == 1


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda con, rid: withdraw_release(con, rid, "  "), "say why"),
        (lambda con, rid: withdraw_release(con, "no_such_file.csv", "x"), "no release 'no_such_file.csv'"),
        # a file is named as written: _ and % are no wildcards (2022-05/air_2022-05.html is loaded)
        (lambda con, rid: withdraw_release(con, "air%2022_05.html", "x"), "no release 'air%2022_05.html'"),
        (lambda con, rid: restore_release(con, rid), "is not withdrawn"),
    ],
)
def test_a_withdrawal_that_cannot_be_done_says_why_and_changes_nothing(
    con, catalog: Catalog, landing: Path, qdir: Path, action, message: str
) -> None:
    path = copy_fixture("air_2022-05.html", landing)
    res = ingest_file(path, con, qdir, TODAY, catalog=catalog, release_key="2022-05/air_2022-05.html")
    with pytest.raises(WithdrawalError, match=message):
        action(con, res.release_id)
    assert _rows(con, "observations", res.release_id) == res.row_count
    assert con.execute("SELECT count(*) FROM raw.withdrawals").fetchall() == [(0,)]


def test_a_quarantined_release_has_nothing_to_withdraw(con, catalog: Catalog, landing: Path, qdir: Path) -> None:
    bad = landing / "bad.csv"
    bad.write_text(
        "indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note\n"
        "gdp,430200,,2022,value,abc,亿元,2023-01-20,published,x,\n",
        encoding="utf-8",
    )
    res = ingest_file(bad, con, qdir, TODAY, catalog=catalog)
    assert res.status == "quarantined"
    with pytest.raises(WithdrawalError, match="was quarantined, not loaded"):
        withdraw_release(con, "bad.csv", "x")


def test_a_withdrawal_or_a_restore_makes_the_next_build_a_full_refresh(
    con, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    res = ingest_file(copy_fixture("air_2022-05.html", landing), con, qdir, TODAY, catalog=catalog)
    record_build(con, "f1", full_refresh=True)
    assert not full_refresh_due(con, "f1")
    withdraw_release(con, res.release_id, "wrong month")
    assert full_refresh_due(con, "f1")  # the incremental models' marks cannot see rows leave
    record_build(con, "f1", full_refresh=True)
    assert not full_refresh_due(con, "f1")
    restore_release(con, res.release_id)
    assert full_refresh_due(con, "f1")
    record_build(con, "f1", full_refresh=True)
    assert not full_refresh_due(con, "f1")


def test_a_release_read_again_giving_fewer_figures_makes_the_next_build_a_full_refresh(con) -> None:
    # read again by a newer version of the code (same name, same bytes) that no longer reads a figure: its row
    # left raw below every incremental model's mark, and the marts kept it until some other full refresh
    from dagster_project.ingest.models import Observation
    from dagster_project.ingest.store import ReleaseMeta, load_release

    def figure(year: int) -> Observation:
        return Observation(
            "gdp", "430200", "", str(year), "year", date(year, 1, 1), date(year, 12, 31), "value", 1.0, "eq",
            "亿元", "1", "亿元", "published", "", "", "x.csv", 2, date(year + 1, 1, 1),
        )  # fmt: skip

    meta = ReleaseMeta("x.csv", "0" * 64, "long_format", date(2023, 1, 1), "published")
    load_release(con, "x-000", [figure(2021), figure(2022)], meta)
    record_build(con, "f1", full_refresh=True)
    load_release(con, "x-000", [figure(2021), figure(2022)], meta)  # the same figures: nothing left raw
    assert not full_refresh_due(con, "f1")
    load_release(con, "x-000", [figure(2022)], meta)  # 2021 is no longer read
    assert con.execute("SELECT release_id, rows_dropped FROM raw.rereads").fetchall() == [("x-000", 1)]
    assert full_refresh_due(con, "f1")
    record_build(con, "f1", full_refresh=True)
    assert not full_refresh_due(con, "f1")
