"""Dagster decides when the dbt build needs --full-refresh (dagster_project/dbt_build.py).

An operator upgrades with `git pull` and runs `pmw run`: a seed that gained columns, an edited model or
macro, another var must not break the build nor leave rows computed by the old code in the incremental
models; the raw figures stay.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.settings import REPO_ROOT


def _copy_of_the_project(root: Path) -> Path:
    """dbt/ and seeds/ side by side (dbt_project.yml reads ../seeds), as a checkout has them."""
    project = root / "dbt"
    for part in ("models", "macros", "tests"):
        shutil.copytree(REPO_ROOT / "dbt" / part, project / part)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO_ROOT / "dbt" / name, project / name)
    shutil.copytree(REPO_ROOT / "seeds", root / "seeds")
    return project


def _build(project: Path, warehouse: Path) -> None:
    from dagster_dbt import DbtCliResource
    from dagster_duckdb import DuckDBResource

    from dagster_project.dbt_build import dbt_build
    from dagster_project.resources import dbt_executable

    dbt = DbtCliResource(project_dir=str(project), profiles_dir=str(project), dbt_executable=dbt_executable())
    for _ in dbt_build(dbt, DuckDBResource(database=str(warehouse)), project):
        pass


def _add_seed_column(root: Path) -> None:
    """What a `git pull` brought on 2026-12-03: seeds/indicators.csv gained columns (and their types)."""
    csv_path = root / "seeds" / "indicators.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    csv_path.write_text(
        "\n".join([lines[0] + ",review_note", *(line + ",复核" for line in lines[1:])]) + "\n", encoding="utf-8"
    )
    props = root / "seeds" / "properties.yml"
    text = props.read_text(encoding="utf-8")
    anchor = "        publisher: varchar\n"
    assert text.count(anchor) >= 1
    props.write_text(text.replace(anchor, anchor + "        review_note: varchar\n", 1), encoding="utf-8")


def test_a_seed_that_gained_columns_upgrades_a_built_warehouse(sample_pipeline_run, tmp_path: Path, monkeypatch):
    """The defect of 2026-12-03: dbt-duckdb loads a seed into the existing table's columns, so a seed
    with new columns failed ("... 13 columns. It does not match the number of columns found by the
    sniffer: 16"). The build must pass, the seed get its new column and the raw figures stay."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_pipeline_run.warehouse, warehouse)
    monkeypatch.setenv("PMW_WAREHOUSE_PATH", str(warehouse))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw_before = con.execute("select count(*) from raw.observations").fetchone()[0]
        marts_before = con.execute("select * from marts.fct_target_progress order by all").fetchall()
    assert raw_before > 0 and marts_before

    project = _copy_of_the_project(tmp_path)
    _add_seed_column(tmp_path)
    _build(project, warehouse)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = [r[0] for r in con.execute("describe seeds.indicators").fetchall()]
        assert columns[-1] == "review_note"
        assert con.execute("select count(*) from raw.observations").fetchone()[0] == raw_before
        assert con.execute("select * from marts.fct_target_progress order by all").fetchall() == marts_before


def _tiny_project(root: Path) -> Path:
    project = root / "dbt"
    for folder in ("models", "macros", "tests"):
        (project / folder).mkdir(parents=True)
    (root / "seeds").mkdir()
    (project / "dbt_project.yml").write_text('name: p\nseed-paths: ["../seeds"]\nvars:\n  as_of_date: ""\n')
    (project / "models" / "m.sql").write_text("select 1 as x")
    (project / "macros" / "k.sql").write_text("{% macro k() %}1{% endmacro %}")
    (project / "tests" / "t.sql").write_text("select 1 where false")
    (root / "seeds" / "s.csv").write_text("a\n1\n")
    return project


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("dbt/models/m.sql", "select 2 as x"),
        ("dbt/macros/k.sql", "{% macro k() %}2{% endmacro %}"),
        ("seeds/s.csv", "a,b\n1,2\n"),
        ("seeds/properties.yml", "version: 2\n"),
        ("dbt/dbt_project.yml", 'name: p\nseed-paths: ["../seeds"]\nvars:\n  as_of_date: "2025-06-30"\n'),
    ],
)
def test_a_changed_model_macro_seed_or_var_makes_the_next_build_a_full_refresh(tmp_path: Path, path, content):
    from dagster_project.dbt_build import build_args, project_fingerprint, record_build

    project = _tiny_project(tmp_path)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    assert build_args(con, project_fingerprint(project)) == ["build", "--full-refresh"]  # never built
    record_build(con, project_fingerprint(project), full_refresh=True)
    # only data can have changed: the unit tests, which test the code, passed with the last build
    assert build_args(con, project_fingerprint(project)) == ["build", "--exclude-resource-type", "unit_test"]
    (tmp_path / "dbt" / "tests" / "t.sql").write_text("select 2 where false")  # a data test: no refresh
    assert build_args(con, project_fingerprint(project)) == ["build", "--exclude-resource-type", "unit_test"]
    (tmp_path / path).write_text(content)
    assert build_args(con, project_fingerprint(project)) == ["build", "--full-refresh"]


def test_vars_on_the_command_line_are_part_of_the_fingerprint(tmp_path: Path):
    from dagster_project.dbt_build import project_fingerprint

    project = _tiny_project(tmp_path)
    assert project_fingerprint(project, {"as_of_date": "2025-06-30"}) != project_fingerprint(project)


def test_a_switch_of_engine_makes_the_next_build_a_full_refresh(tmp_path: Path):
    """The incremental rows on one engine say nothing of the other's: PMW_ENGINE=spark after a DuckDB
    build (or back) rebuilds everything; DuckDB's fingerprint is the one recorded before engines existed."""
    from dagster_project.dbt_build import build_args, project_fingerprint, record_build

    project = _tiny_project(tmp_path)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    record_build(con, project_fingerprint(project), full_refresh=True)
    assert project_fingerprint(project, engine="duckdb") == project_fingerprint(project)
    assert build_args(con, project_fingerprint(project, engine="spark")) == ["build", "--full-refresh"]


class _Invocation:
    def __init__(self, calls: list[str], fail: bool):
        self.calls, self.fail = calls, fail

    def stream_raw_events(self):
        self.calls.append("dbt")
        yield "event"
        if self.fail:
            raise RuntimeError("dbt build failed")


class _Hooks:
    def __init__(self, calls: list[str]):
        self.calls = calls

    def before(self):
        self.calls.append("before")

    def after(self):
        self.calls.append("after")


@pytest.mark.parametrize("fails", [False, True])
def test_engine_hooks_run_around_dbt_and_nothing_comes_back_from_a_failed_build(tmp_path: Path, fails: bool):
    """On Spark the raw tables go out before dbt and the checked relations come back after it, only when
    dbt succeeded (a failed build must not replace what the checks and the publish read); on DuckDB the
    hooks are None."""
    from dagster_duckdb import DuckDBResource

    from dagster_project.dbt_build import BUILDS_TABLE, dbt_build
    from dagster_project.engine import SparkBuild, build_hooks

    calls: list[str] = []

    class _Dbt:
        def cli(self, args, context=None):
            calls.append(" ".join(args))
            return _Invocation(calls, fails)

    warehouse = tmp_path / "wh.duckdb"
    events = dbt_build(
        _Dbt(), DuckDBResource(database=str(warehouse)), _tiny_project(tmp_path), engine="spark", hooks=_Hooks(calls)
    )
    if fails:
        with pytest.raises(RuntimeError, match="dbt build failed"):
            list(events)
        assert calls == ["before", "build --full-refresh", "dbt"]
    else:
        assert list(events) == ["event"]
        assert calls == ["before", "build --full-refresh", "dbt", "after"]
    with duckdb.connect(str(warehouse)) as con:
        recorded = con.execute(f"select count(*) from {BUILDS_TABLE}").fetchone()[0] if not fails else 0
    assert recorded == (0 if fails else 1)
    assert build_hooks("duckdb", warehouse, tmp_path, ["marts.x"], tmp_path / "m.json") is None
    assert isinstance(build_hooks("spark", warehouse, tmp_path, ["marts.x"], tmp_path / "m.json"), SparkBuild)
