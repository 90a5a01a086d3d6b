"""End-to-end ingestion into DuckDB: store, quarantine, idempotency, vintages, hostile names."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.models import Observation
from dagster_project.ingest.pipeline import ingest_file, ingest_payload
from dagster_project.ingest.store import ReleaseMeta, load_release, make_release_id

from .helpers import FIXTURES, copy_fixture, write_long_csv, write_monthly_xlsx

TODAY = date(2026, 1, 1)


def count(con: duckdb.DuckDBPyConnection, sql: str = "SELECT count(*) FROM raw.observations") -> int:
    [(n,)] = con.execute(sql).fetchall()  # fetchall: duckdb 2 keeps a fetchone() result open
    return int(n)


def test_ingest_all_fixture_formats(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    expected = {
        "long_format_bom.csv": ("long_format", 9),
        "monthly_zhuzhou_2022-05_gbk.csv": ("monthly_table", 15),
        "province_2022-05.csv": ("province_table", 12),
        "air_2022-05.html": ("env_bulletin", 13),
        "water_2022-05.html": ("env_bulletin", 4),
        "api_2022-05.json": ("http_api", 3),
    }
    for name, (adapter, rows) in expected.items():
        res = ingest_file(copy_fixture(name, landing), con, qdir, TODAY, catalog=catalog)
        assert (res.status, res.adapter, res.row_count) == ("loaded", adapter, rows), res.errors
    assert count(con) == sum(n for _, n in expected.values())
    assert count(con, "SELECT count(*) FROM raw.releases WHERE status = 'loaded'") == 6
    # contract columns round-trip
    row = con.execute(
        "SELECT value, unit, source_value, source_unit, source_row, release_date, provenance "
        "FROM raw.observations WHERE indicator_code = 'budget_revenue' AND period_code = '2022-05' "
        "AND measure = 'value'"
    ).fetchall()
    assert row == [(pytest.approx(15.2345), "亿元", "152 345", "万元", 8, date(2022, 6, 20), "published")]
    assert not qdir.exists() or not any(qdir.iterdir())


def test_same_file_twice_is_idempotent(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    path = copy_fixture("monthly_zhuzhou_2022-05_gbk.csv", landing)
    first = ingest_file(path, con, qdir, TODAY, catalog=catalog)
    second = ingest_file(path, con, qdir, TODAY, catalog=catalog)
    assert first.release_id == second.release_id
    assert count(con) == 15
    assert count(con, "SELECT count(*) FROM raw.releases") == 1


def test_revised_file_is_a_new_vintage(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    line = "地区生产总值,株洲市,,2021,value,{v},亿元,{d},published,http://www.tjcn.org/tjgb/18hn/37015.html,"
    path = landing / "gdp_2021.csv"
    write_long_csv(path, [line.format(v="3420.3", d="2022-03-20")])
    first = ingest_file(path, con, qdir, TODAY, catalog=catalog)
    write_long_csv(path, [line.format(v="3415.8", d="2023-01-30")])  # 初步核算 revised, same file name
    second = ingest_file(path, con, qdir, TODAY, catalog=catalog)
    assert first.release_id != second.release_id
    rows = con.execute(
        "SELECT release_id, value, release_date FROM raw.observations WHERE indicator_code='gdp' ORDER BY release_date"
    ).fetchall()
    assert rows == [
        (first.release_id, 3420.3, date(2022, 3, 20)),
        (second.release_id, 3415.8, date(2023, 1, 30)),
    ]


def test_bad_file_is_quarantined_and_earlier_rows_stay(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    good = ingest_file(copy_fixture("province_2022-05.csv", landing), con, qdir, TODAY, catalog=catalog)
    assert good.status == "loaded"
    before = con.execute("SELECT * FROM raw.observations ORDER BY ALL").fetchall()

    bad = write_long_csv(
        landing / "bad.csv",
        [
            "地区生产总值,株洲市,,2021,value,3420.3,亿元,2022-03-20,published,,",  # a good row
            "地区生产总值,火星市,,2021,yoy_pct,8.3,%,2022-03-20,published,,",  # unknown region
            "上市公司,株洲市,,2022-01,value,11,亿元,2022-02-10,published,,",  # unit contradicts 家
            "空气优良率,株洲市,,2030,value,83,%,2022-03-16,published,,",  # future period
        ],
    )
    res = ingest_file(bad, con, qdir, TODAY, catalog=catalog)
    assert res.status == "quarantined" and res.row_count == 0
    assert {(e.row, e.column) for e in res.errors} == {(3, "region"), (4, "value"), (5, "period")}
    # nothing of the bad file stored; every earlier row intact
    assert con.execute("SELECT * FROM raw.observations ORDER BY ALL").fetchall() == before
    assert not bad.exists()
    assert res.quarantine_path is not None and res.quarantine_path.parent == qdir
    assert res.quarantine_path.name.endswith("_bad.csv")
    with open(str(res.quarantine_path) + ".errors.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["file"], r["row"], r["column"]) for r in rows} == {
        ("bad.csv", "3", "region"),
        ("bad.csv", "4", "value"),
        ("bad.csv", "5", "period"),
    }
    assert all(r["reason"] for r in rows)
    md = Path(str(res.quarantine_path) + ".errors.md").read_text(encoding="utf-8")
    assert "火星市" in md and "| 5 | period |" in md
    status = con.execute(
        "SELECT status, error_count, row_count FROM raw.releases WHERE release_id = ?", [res.release_id]
    ).fetchall()
    assert status == [("quarantined", 3, 0)]
    assert count(con, "SELECT count(*) FROM raw.quarantine") == 3


def test_undecodable_file_is_quarantined(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    path = landing / "broken.csv"
    path.write_bytes(b"\x81\x20\xff\xfe\x80")
    res = ingest_file(path, con, qdir, TODAY, catalog=catalog)
    assert res.status == "quarantined"
    [err] = res.errors
    assert err.row is None and "cannot decode" in err.reason


def test_formula_cells_quarantine_the_file(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    csv_path = write_long_csv(landing / "f.csv", ["gdp,株洲市,,2021,value,\"=cmd|' /C calc'!A0\",亿元,,,,"])
    res = ingest_file(csv_path, con, qdir, TODAY, catalog=catalog)
    assert res.status == "quarantined"
    assert [(e.row, e.column) for e in res.errors] == [(2, "value")]
    assert "formula" in res.errors[0].reason
    xlsx = write_monthly_xlsx(landing / "f.xlsx", formula=True)
    res = ingest_file(xlsx, con, qdir, TODAY, catalog=catalog)
    assert res.status == "quarantined" and "formula" in res.errors[0].reason
    assert count(con) == 0


@pytest.mark.parametrize("hostile", ["../../etc/passwd.csv", "evil\nname\r\x00.csv", "..\\..\\x.csv"])
def test_hostile_names_never_escape_quarantine(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, tmp_path: Path, qdir: Path, hostile: str
) -> None:
    from dagster_project.ingest.models import IngestError
    from dagster_project.ingest.quarantine import quarantine_bytes

    dest = quarantine_bytes(b"x", hostile, [IngestError(hostile, 1, "value", "bad")], qdir)
    assert dest.parent == qdir
    assert "\n" not in dest.name and "/" not in dest.name and ".." not in dest.name
    assert sorted(p.name for p in qdir.iterdir()) == sorted(
        [dest.name, dest.name + ".errors.csv", dest.name + ".errors.md"]
    )
    rid = make_release_id(hostile, "ab" * 32)
    assert "/" not in rid and "\n" not in rid and ".." not in rid


def test_hostile_landing_file_name(con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path) -> None:
    path = landing / "bad\nname ..csv"  # a newline is legal in a POSIX file name
    path.write_bytes(b"not,a,known\nlayout,at,all\n")
    res = ingest_file(path, con, qdir, TODAY, catalog=catalog)
    assert res.status == "quarantined"
    assert res.quarantine_path is not None and res.quarantine_path.parent == qdir
    assert "\n" not in res.quarantine_path.name
    assert "\n" not in res.release_id


def test_load_release_rolls_back_on_failure(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    res = ingest_file(copy_fixture("water_2022-05.html", landing), con, qdir, TODAY, catalog=catalog)
    before = count(con)
    o = Observation(
        "gdp",
        "430200",
        "",
        "2022",
        "year",
        date(2022, 1, 1),
        date(2022, 12, 31),
        "value",
        1.0,
        "eq",
        "亿元",
        "1",
        "亿元",
        "published",
        "",
        "",
        "x.csv",
        2,
        date(2023, 1, 1),
    )
    meta = ReleaseMeta("water_2022-05.html", "0" * 64, "env_bulletin", date(2022, 6, 15), "illustrative")
    with pytest.raises(duckdb.ConstraintException):
        load_release(con, res.release_id, [o, o], meta)  # a duplicate key is refused
    assert count(con) == before  # the earlier rows of that very release survived the failed reload


def test_ingest_payload(con: duckdb.DuckDBPyConnection, catalog: Catalog, qdir: Path) -> None:
    payload = json.loads((FIXTURES / "api_2022-05.json").read_text(encoding="utf-8"))
    url = "http://stats.example/api/v1/releases?month=2022-05"
    res = ingest_payload(payload, con, qdir, TODAY, source_url=url, catalog=catalog)
    again = ingest_payload(payload, con, qdir, TODAY, source_url=url, catalog=catalog)
    assert res.status == again.status == "loaded" and res.release_id == again.release_id
    assert res.release_id.startswith("api-2022-05-")
    assert count(con) == 3
    assert count(con, f"SELECT count(*) FROM raw.observations WHERE source_file = '{url}'") == 3
    payload["observations"].append(
        {"indicator": "GDP", "region": "株洲市", "period": "2022年5月", "value": "abc", "unit": "亿元"}
    )
    bad = ingest_payload(payload, con, qdir, TODAY, catalog=catalog)
    assert bad.status == "quarantined" and [(e.row, e.column) for e in bad.errors] == [(4, "value")]
    assert bad.quarantine_path is not None and bad.quarantine_path.exists()
    assert count(con) == 3


def test_an_api_pull_restating_stored_points_is_named_as_a_file_is(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, qdir: Path
) -> None:
    """A pull was stored without the notes a file gets from what raw holds (_what_is_stored): the same points
    served again under another address said nothing. (A pull always states its date: one without is refused.)"""
    payload = json.loads((FIXTURES / "api_2022-05.json").read_text(encoding="utf-8"))
    first = ingest_payload(
        payload, con, qdir, TODAY, source_url="http://stats.example/v1?month=2022-05", catalog=catalog
    )
    mirror = ingest_payload(
        {**payload, "release_id": "mirror"}, con, qdir, TODAY, source_url="http://mirror.example/v1", catalog=catalog
    )
    assert mirror.status == "loaded", mirror.errors
    assert [n for n in mirror.notes if n.startswith("restates")] == [
        f"restates release {first.release_id} (http://stats.example/v1?month=2022-05) figure for figure: its 3 "
        "figures have the values already stored, not revisions; it looks like a re-sent file (other bytes, the same "
        "figures)"
    ], mirror.notes


def test_release_key_keeps_subfolders_apart(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    results = []
    for sub in ("2022-06", "county"):
        (landing / sub).mkdir()
        path = copy_fixture("province_2022-05.csv", landing / sub)
        path.write_bytes(path.read_bytes() + b"\n" * len(sub))  # other bytes: the same bytes are one release
        results.append(ingest_file(path, con, qdir, TODAY, catalog=catalog, release_key=f"{sub}/{path.name}"))
    a, b = results
    assert a.release_id != b.release_id and a.release_id.startswith("2022-06__province_2022-05-")
    assert con.execute("SELECT DISTINCT source_file FROM raw.observations ORDER BY 1").fetchall() == [
        ("2022-06/province_2022-05.csv",),
        ("county/province_2022-05.csv",),
    ]


def test_api_rows_can_go_to_their_own_table(con: duckdb.DuckDBPyConnection, catalog: Catalog, qdir: Path) -> None:
    payload = json.loads((FIXTURES / "api_2022-05.json").read_text(encoding="utf-8"))
    res = ingest_payload(payload, con, qdir, TODAY, catalog=catalog, table="api_observations")
    assert res.row_count == 3
    assert count(con, "SELECT count(*) FROM raw.api_observations") == 3
    assert count(con) == 0
    with pytest.raises(ValueError, match="unknown observation table"):
        ingest_payload(payload, con, qdir, TODAY, catalog=catalog, table="releases; DROP TABLE x")


def test_a_warehouse_made_with_the_old_primary_key_keeps_every_row(
    tmp_path: Path, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    """Earlier versions declared a PRIMARY KEY on raw.observations (costly at national scale). Opening
    such a warehouse rebuilds the table without it and keeps its rows; the key is still enforced."""
    from dagster_project.ingest.store import ensure_schema

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    ensure_schema(con)
    res = ingest_file(copy_fixture("water_2022-05.html", landing), con, qdir, TODAY, catalog=catalog)
    rows = con.execute("SELECT * FROM raw.observations ORDER BY ALL").fetchall()
    assert rows
    for table in ("observations", "api_observations"):  # as the earlier DDL made them
        con.execute(f"CREATE TABLE raw.{table}_old AS SELECT * FROM raw.{table} LIMIT 0")
        key = "release_id, indicator_code, region_code, subject_code, period_code, measure"
        con.execute(f"ALTER TABLE raw.{table}_old ADD PRIMARY KEY ({key})")
        con.execute(f"INSERT INTO raw.{table}_old SELECT * FROM raw.{table}")
        con.execute(f"DROP TABLE raw.{table}")
        con.execute(f"ALTER TABLE raw.{table}_old RENAME TO {table}")
    keyed = "SELECT count(*) FROM duckdb_constraints() WHERE schema_name = 'raw' AND constraint_type = 'PRIMARY KEY'"
    assert count(con, keyed) == 3  # releases keeps its own key
    con.close()

    con = duckdb.connect(str(path))
    ensure_schema(con)
    assert count(con, keyed) == 1
    assert con.execute("SELECT * FROM raw.observations ORDER BY ALL").fetchall() == rows
    o = con.execute("SELECT * EXCLUDE (release_id, ingested_at) FROM raw.observations LIMIT 1").fetchall()[0]
    meta = ReleaseMeta("water_2022-05.html", "0" * 64, "env_bulletin", date(2022, 6, 15), "illustrative")
    with pytest.raises(duckdb.ConstraintException, match="duplicate key"):
        load_release(con, res.release_id, [Observation(*o), Observation(*o)], meta)
    assert con.execute("SELECT * FROM raw.observations ORDER BY ALL").fetchall() == rows
    con.close()


def test_a_warehouse_built_before_the_imputed_date_flag_upgrades_keeping_every_row(
    tmp_path: Path, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    """raw.releases, raw.observations, raw.api_observations and the withdrawn rows' tables gained
    release_date_imputed (the release date is the landing day). A warehouse built before opens with it added,
    false on every row it held, nothing lost; a withdrawn release comes back; an undated file then stores true."""
    import os

    from dagster_project.ingest.store import ensure_schema, restore_release, upgrade_schema, withdraw_release

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    ensure_schema(con)
    kept = ingest_file(copy_fixture("water_2022-05.html", landing), con, qdir, TODAY, catalog=catalog)
    gone = ingest_file(copy_fixture("air_2022-05.html", landing), con, qdir, TODAY, catalog=catalog)
    assert (kept.status, gone.status) == ("loaded", "loaded")
    withdraw_release(con, gone.release_id, "a test")
    tables = ("releases", "observations", "api_observations", "withdrawn_observations", "withdrawn_api_observations")
    before = {
        t: con.execute(f"SELECT * EXCLUDE (release_date_imputed) FROM raw.{t} ORDER BY ALL").fetchall() for t in tables
    }
    assert before["observations"] and before["withdrawn_observations"]
    for table in tables:  # as the earlier DDL made them
        con.execute(f"ALTER TABLE raw.{table} DROP COLUMN release_date_imputed")
    con.close()

    con = duckdb.connect(str(path))
    upgrade_schema(con)  # what the dbt build runs first, on whatever warehouse it is given
    upgrade_schema(con)  # and again: nothing more to add
    for table in tables:
        assert (
            con.execute(f"SELECT * EXCLUDE (release_date_imputed) FROM raw.{table} ORDER BY ALL").fetchall()
            == before[table]
        ), table
        assert count(con, f"SELECT count(*) FROM raw.{table} WHERE release_date_imputed") == 0, table
        assert con.execute(
            "SELECT is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = ? AND column_name = 'release_date_imputed'",
            [table],
        ).fetchall() == [("NO", "false")], table
    ensure_schema(con)
    restore_release(con, gone.release_id)  # rows withdrawn before the column came back with it, false
    assert count(con, f"SELECT count(*) FROM raw.observations WHERE release_id = '{gone.release_id}'") == len(
        before["withdrawn_observations"]
    )
    undated = landing / "m.csv"
    undated.write_text(
        "株洲市统计月报（2022年8月）\n指标,单位,本月,同比增长(%)\n进出口总额,亿元,28.7,35.2\n数据来源：株洲市统计局\n",
        encoding="utf-8",
    )
    os.utime(undated, (1_700_000_000, 1_700_000_000))
    res = ingest_file(undated, con, qdir, TODAY, catalog=catalog)
    assert res.status == "loaded"
    landed = date.fromtimestamp(1_700_000_000)
    assert con.execute(
        "SELECT DISTINCT release_date, release_date_imputed FROM raw.observations WHERE release_id = ?",
        [res.release_id],
    ).fetchall() == [(landed, True)]
    assert con.execute(
        "SELECT release_date, release_date_imputed FROM raw.releases WHERE release_id = ?", [res.release_id]
    ).fetchall() == [(landed, True)]
    assert count(con, "SELECT count(*) FROM raw.releases WHERE release_date_imputed") == 1
    con.close()


def test_the_notes_shown_after_an_ingest_name_figures_left_out_and_vintages_not_conversions(
    landing: Path, qdir: Path, con: duckdb.DuckDBPyConnection, catalog: Catalog
) -> None:
    """Only sheet and untracked-indicator notes were shown: a review's sentence left out for its period and a
    cell labelled 初步 (a later release revises it) were loaded or dropped without a word to the user."""
    from dagster_project.ingest.pipeline import notes_to_show

    from .test_real_deliveries import MONTHLY_CSV

    table = landing / "tjyb_2022-05.csv"
    table.write_text(MONTHLY_CSV.replace("62.3,12.1", "62.3(初步),12.1"), encoding="utf-8")
    review = landing / "review.html"
    review.write_text(
        "<html><head><title>2021年一季度株洲市经济运行情况</title></head><body><p>发布时间：2021年4月28日"
        "　来源：株洲市统计局</p><p>一季度，全市地方一般公共预算收入623 000万元。"
        "3月份以来，全市规模工业增加值增长9.0%。</p></body></html>",
        encoding="utf-8",
    )
    shown = []
    for path in (table, review):
        result = ingest_file(path, con, qdir, date(2022, 7, 1), catalog=catalog)
        assert result.status == "loaded", result.errors
        assert any("万元" in n for n in result.notes)  # a conversion note exists: it is not for people
        shown += notes_to_show(result.notes)
    assert any(n.startswith("row 6 本月") and "preliminary (初步)" in n for n in shown), shown
    assert any("not read, its opening names a period not understood: 3月份以来" in n for n in shown), shown
    assert not any("万元" in n for n in shown), shown
    many = [f"row {i} 本月: preliminary (初步): a later release revises it" for i in range(30)]
    assert notes_to_show(["sheet '5月': read", *many], limit=5)[-1] == "… and 25 more such notes"
    assert len(notes_to_show(many, limit=5)) == 6


def test_a_workbook_re_sent_with_the_same_figures_is_named_a_restatement(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    """A 统计月报 re-saved and sent again (other bytes, so not 'already loaded') was stored as one more release
    without a word: every figure got a second vintage and read as revised (trial s59a)."""
    from openpyxl import load_workbook

    from dagster_project.ingest.pipeline import notes_to_show

    path = write_monthly_xlsx(landing / "醴陵统计月报.xlsx")
    first = ingest_file(path, con, qdir, TODAY, catalog=catalog)
    assert first.status == "loaded", first.errors
    assert not any("restates" in n for n in first.notes), first.notes  # nothing stored before it
    wb = load_workbook(path)
    wb.properties.title = "重新保存"  # re-saved: the same cells, other bytes
    wb.save(path)
    again = ingest_file(path, con, qdir, TODAY, catalog=catalog)
    assert again.status == "loaded" and again.release_id != first.release_id, again
    note = (
        f"restates release {first.release_id} (醴陵统计月报.xlsx) figure for figure: its {first.row_count} figures "
        "have the values already stored, not revisions; it looks like a re-sent file (other bytes, the same figures)"
    )
    assert note in notes_to_show(again.notes)[:3], again.notes


def test_a_release_restating_every_figure_counts_them_by_the_release_it_restates(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    # the vectorised path (a long-format CSV): GDP 2021 revised, the budget revenue repeated as stored; then a
    # release repeating two, each last stored by another release
    def load(name: str, day: str, **values: str):
        line = "{},株洲市,,2021,value,{},亿元,{},published,http://www.tjcn.org/tjgb/18hn/37015.html,"
        lines = [line.format(indicator, v, day) for indicator, v in values.items()]
        return ingest_file(write_long_csv(landing / name, lines), con, qdir, TODAY, catalog=catalog)

    first = load("a.csv", "2022-03-20", 地区生产总值="3420.3", 地方一般公共预算收入="200", 进出口总额="450.1")
    second = load("b.csv", "2023-01-30", 地区生产总值="3415.8", 地方一般公共预算收入="200")
    assert second.fast_path and second.row_count == 2, second
    # one figure revised: the release adds a value, and repeating the other is how offices publish (no note)
    assert not [n for n in second.notes if n.startswith("restates")], second.notes
    third = load("c.csv", "2023-02-28", 地区生产总值="3415.8", 进出口总额="450.1")
    restated = [n for n in third.notes if n.startswith("restates")]
    assert restated == [
        "restates every one of its 2 figures with the values already stored, not revisions: "
        f"1 of release {first.release_id} (a.csv); 1 of release {second.release_id} (b.csv)"
    ], third.notes


def test_figures_dated_by_arrival_that_a_stated_date_outranks_are_named(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landing: Path, qdir: Path
) -> None:
    """A file that states no date is dated by the day it landed, which only bounds when its figures were
    published: a stated date outranks it (store.vintage_recency, int_observations__latest). Where that keeps
    another value, the figure of this file is not used, and the note says which and what gives it its date."""
    from dagster_project.ingest.pipeline import notes_to_show

    def load(name: str, day: str, **values: str):
        line = "{},株洲市,,2021,value,{},亿元,{},published,http://www.tjcn.org/tjgb/18hn/37015.html,"
        lines = [line.format(indicator, v, day) for indicator, v in values.items()]
        return ingest_file(write_long_csv(landing / name, lines), con, qdir, TODAY, catalog=catalog)

    final = load("final.csv", "2023-01-16", 地区生产总值="3435.6", 地方一般公共预算收入="200")
    assert not [n for n in final.notes if "landed" in n], final.notes
    # the preliminary GDP, quoted with no date: below the revision; the budget revenue as stored; trade is new
    undated = load("quotes.csv", "", 地区生产总值="3420.3", 地方一般公共预算收入="200", 进出口总额="450.1")
    assert undated.status == "loaded", undated.errors
    outranked = [n for n in notes_to_show(undated.notes, limit=0) if "outranked" in n]
    assert outranked == [
        "outranked by stated dates: 1 figure dated only by the day the file landed ranks below releases that "
        "state their date and hold other values, which stay the latest: row 2 gdp/430200/2021/value 3420.3 "
        f"(release {final.release_id}, 2023-01-16: 3435.6); if this file is the later publication, `pmw withdraw "
        f"{undated.release_id}` and load it again under another name with its release date (`pmw ingest --as NAME "
        "--release-date YYYY-MM-DD`, or a release_date column, or the date in the file)"
    ], undated.notes
    # stated, the same figures are ranked by their dates: nothing to say
    dated = load("dated.csv", "2023-03-01", 地区生产总值="3420.3")
    assert not [n for n in dated.notes if "outranked" in n], dated.notes
    # a real figure dated by arrival outranks an illustrative one of any date (the sample's made-up revision): used
    made_up = ingest_file(
        write_long_csv(
            landing / "sample.csv",
            ["进出口总额,株洲市,,2021,value,460.0,亿元,2024-01-01,illustrative,,示意数据"],
        ),
        con,
        qdir,
        TODAY,
        catalog=catalog,
    )
    assert made_up.status == "loaded", made_up.errors
    real = load("ledger.csv", "", 进出口总额="450.1")
    assert not [n for n in real.notes if "outranked" in n], real.notes


def test_the_restatement_check_reads_the_releases_rows_and_periods_not_the_history(tmp_path: Path) -> None:
    """The note on restated figures joins the release's rows with raw: by release id alone it read every row of
    a 10-year raw (ids share their first bytes, all DuckDB keeps of a string's min/max; 0.5-0.9 s for a national
    release). Its own rows are read by the time they were stamped from, raw by the release's periods."""
    from dagster_project.ingest import pipeline, store
    from dagster_project.ingest.pipeline import IngestResult

    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    store.ensure_schema(con)
    insert = """INSERT INTO raw.observations (release_id, indicator_code, region_code, subject_code, period_code,
                    period_kind, period_start, period_end, measure, value, bound, unit, provenance, ingested_at)
                SELECT ?, 'gdp', i::VARCHAR, '', ?, 'month', DATE '2025-01-01', DATE '2025-01-31', 'value', 1.0,
                       'eq', '亿元', 'published', ?::TIMESTAMP FROM range(?) r(i)"""
    con.execute(insert, ["national_2024-history", "2024-12", "2025-01-20 08:00", 300_000])  # other periods
    con.execute(insert, ["national_2025-12-a", "2025-12", "2026-01-20 08:00", 10])  # restated below
    since = store.stamp_time()
    con.execute(insert, ["national_2026-01-b", "2025-12", store.stamp_time(), 10])
    con.execute("CHECKPOINT")
    profile = tmp_path / "restated.json"
    profiled: list[str] = []

    class Profiled:  # the restatement query profiled (DuckDB writes the last query's profile)
        def __getattr__(self, name: str) -> object:
            return getattr(con, name)

        def execute(self, sql: str, *args: object) -> object:
            if "arg_max(" not in sql:
                return con.execute(sql, *args)
            profiled.append(sql)
            con.execute(f"PRAGMA enable_profiling = 'json'; SET profiling_output = '{profile}'")
            rows = con.execute(sql, *args).fetchall()
            con.execute("PRAGMA disable_profiling")
            return type("Result", (), {"fetchall": lambda _: rows})()

    result = IngestResult("national_2026-01-b", "b.csv", "loaded", "long_format", 10)
    new = pipeline._release_rows("observations", None, since)
    pipeline._restated(Profiled(), result, "observations", None, new)  # type: ignore[arg-type]
    assert profiled and any("restates release national_2025-12-a" in n for n in result.notes), result.notes

    def scanned(node: dict) -> int:
        return node.get("rows_scanned", 0) + sum(scanned(c) for c in node.get("children", []))

    assert 20 <= sum(scanned(n) for n in json.loads(profile.read_text())["operator"]) < 300_000
