"""`pmw run` ingests exactly the files waiting in the landing folder, never the releases whose partitions
happen to lie between them (issue found on files the repo had not made).

Its one Dagster run covers a partition range, first key to last; a corrected file under an early name
(a revision) landing with a new file stretched the range over every release in between: archived files
were read and stored again (restamped as the newest vintage, so an older figure beat the revision), and
partitions quarantined earlier, whose files are gone, were reported as quarantined again.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import point_settings_at

HEADER = "indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note\n"
SRC = "测试数据（编造，非真实）"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    from dagster_project.runner import prepare_environment

    point_settings_at(tmp_path, monkeypatch)
    prepare_environment(_settings())
    return tmp_path


def _settings():
    from dagster_project.settings import load_settings

    return load_settings()


def _land(home: Path, name: str, region: str, value: str) -> None:
    line = f"gdp,{region},,2023,value,{value},亿元,2024-03-25,published,{SRC},\n"
    (home / "landing" / name).write_text(HEADER + line, encoding="utf-8")


def _ingest(instance: dg.DagsterInstance):
    from dagster_project.runner import ingest_landing

    return ingest_landing(instance, _settings(), log=lambda _m: None)


def _latest(home: Path) -> tuple[float, str]:
    """The figure the marts take (int_observations__latest's order) and its file."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        [row] = con.execute(
            """SELECT value, source_file FROM raw.observations WHERE indicator_code = 'gdp' AND region_code = '430200'
               ORDER BY release_date DESC, ingested_at DESC, release_id DESC LIMIT 1"""
        ).fetchall()
        return row
    finally:
        con.close()


def test_a_revision_landing_with_a_new_file_reads_only_the_waiting_files(home):
    with dg.instance_for_test() as instance:
        _land(home, "a.csv", "430200", "3700.1")
        _land(home, "b_bad.csv", "430299", "99.9")  # an unknown region: quarantined
        first = _ingest(instance)
        assert first.files_quarantined == ["b_bad.csv"] and first.files_loaded == ["a.csv"]

        _land(home, "c.csv", "430200", "3710.0")  # the same figure in another release of the same day
        assert _ingest(instance).files_loaded == ["c.csv"]
        assert _latest(home) == (3710.0, "c.csv")

        _land(home, "a.csv", "430200", "3720.5")  # a.csv corrected: the newest vintage
        _land(home, "d.csv", "430281", "1000.2")
        third = _ingest(instance)
        # b_bad.csv was reported quarantined again ("neither in landing nor in archive") and c.csv read again
        assert third.files_quarantined == [], third.quarantine_reasons
        assert sorted(third.files_loaded) == ["a.csv", "d.csv"]
        assert _latest(home) == (3720.5, "a.csv")
