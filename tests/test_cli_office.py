"""Issue 16 on the command line: Chinese status names wherever codes are accepted, `pmw status --as-of`,
`pmw export --xlsx`, and no 'nan' / 'None' / 'NaT' in any text a user reads."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from dagster_project.cli import main

MISSING_WORDS = re.compile(r"\b(nan|NaN|None|NaT|<NA>)\b")


@pytest.fixture(scope="module")
def home(sample_pipeline_run) -> Path:
    return sample_pipeline_run.home


def pmw(args: list[str], home: Path):
    env = {"PMW_HOME": str(home), "PMW_PUBLISHED_DIR": str(home / "published")}
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def query(home: Path, sql: str, params: list | None = None):
    with duckdb.connect(str(home / "published" / "marts.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_status_accepts_chinese_and_english_status_names(home):
    by_code = pmw(["status", "--status", "off_track", "--format", "csv"], home)
    assert by_code.exit_code == 0 and by_code.stdout.count("\n") > 2
    for name in ("进度滞后", "Off track", "off track", "OFF_TRACK"):
        result = pmw(["status", "--status", name, "--format", "csv"], home)
        assert result.exit_code == 0, (name, result.output)
        assert result.stdout == by_code.stdout, name
    wrong = pmw(["status", "--status", "滞后很多"], home)
    assert wrong.exit_code == 2 and "进度滞后" in wrong.output  # the error lists the names it accepts


def test_no_missing_value_words_in_explain_or_status(home):
    from dagster_project.report.data import load_report_data
    from dagster_project.report.terminal import explain_text

    data = load_report_data(home / "published" / "marts.duckdb")  # what `pmw explain` reads, once
    for _, target in data.scorecard.iterrows():
        text = explain_text(target, data.progress[data.progress["target_id"] == target["target_id"]])
        assert not MISSING_WORDS.search(text), (target["target_id"], MISSING_WORDS.search(text).group(0))
    for args in (["status", "--all"], ["status", "--region", "醴陵"], ["explain", "T5Y-COVER-LISTED"]):
        text = pmw(args, home).output
        assert not MISSING_WORDS.search(text), args
