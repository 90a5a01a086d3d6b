"""Dagster decides when the dbt build needs --full-refresh (dagster_project/dbt_build.py).

An operator upgrades with `git pull` and runs `pmw run`: a seed that gained columns, an edited model or
macro, another var must not break the build nor leave rows computed by the old code in the incremental
models; the raw figures stay.
"""

from __future__ import annotations

import shutil
from datetime import datetime
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
    for _ in dbt_build(dbt, DuckDBResource(database=str(warehouse)), project, runs_dir=warehouse.parent / "dbt_runs"):
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


def test_a_warehouse_built_before_raw_gained_a_column_upgrades_on_the_next_build(
    sample_pipeline_run, tmp_path: Path, monkeypatch
):
    """raw gained release_date_imputed (the release date is the day the file arrived): a warehouse built before
    it, its raw tables without the column, builds with this code's models (which read it) without losing a row;
    the column is added false for every older row and the marts' columns keep their values."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_pipeline_run.warehouse, warehouse)
    monkeypatch.setenv("PMW_WAREHOUSE_PATH", str(warehouse))
    tables = ("releases", "observations", "api_observations", "withdrawn_observations", "withdrawn_api_observations")
    with duckdb.connect(str(warehouse)) as con:
        for table in tables:  # as the earlier DDL made them
            con.execute(f"alter table raw.{table} drop column release_date_imputed")
        raw_before = {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in tables}
        marts_before = con.execute(
            "select * exclude (release_date_imputed) from marts.fct_target_progress order by all"
        ).fetchall()
    assert raw_before["observations"] and marts_before

    _build(_copy_of_the_project(tmp_path), warehouse)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in tables:
            got = con.execute(f"select * exclude (release_date_imputed) from raw.{table} order by all").fetchall()
            assert got == raw_before[table], table
            assert not con.execute(f"select count(*) from raw.{table} where release_date_imputed").fetchone()[0]
        assert (
            con.execute(
                "select * exclude (release_date_imputed) from marts.fct_target_progress order by all"
            ).fetchall()
            == marts_before
        )
        assert con.execute(
            "select count(*) from staging.stg_raw__observations where not release_date_imputed"
        ).fetchone()[0] == len(raw_before["observations"]) + len(raw_before["api_observations"])


# the tables the release-date flag was added to (the incremental models carrying it, the snapshots) and the
# marts that gained it, as the code before it had them
_FLAGGED_TABLES = {
    "intermediate": {
        "int_indicator_values__incremental": "release_date_imputed",
        "int_target_region_values": "release_date_imputed",
        "int_target_series__levels": "release_date_imputed",
        "int_target_series__growth_index": "release_date_imputed",
        "int_target_series__ranks": "release_date_imputed",
        "int_target_series__regional": "release_date_imputed",
        "int_target_series__projects": "release_date_imputed",
        "int_target_series": "release_date_imputed",
        "int_target_assessment": "release_date_imputed",
    },
    "marts": {"fct_scorecard_monthly": "latest_release_date_imputed"},
}
_FLAGGED_MARTS = {
    "fct_target_progress": ["release_date_imputed"],
    "fct_target_scorecard": ["latest_release_date_imputed", "unassessed_release_date_imputed"],
    "fct_target_progress_by_region": ["release_date_imputed"],
    "fct_scorecard_monthly": ["latest_release_date_imputed"],
    "fct_target_month_wide": ["latest_release_date_imputed"],
}


def test_a_warehouse_built_before_the_marts_carried_the_date_flag_upgrades(
    sample_pipeline_run, tmp_path: Path, monkeypatch
):
    """The release-date flag (the day a file stating no date arrived) travels with each figure through the
    incremental models to the scorecards. A warehouse built by the code before (its tables without the column,
    its last build another fingerprint) builds with this code: every flagged mart gets the column among its last,
    laid out as a build of this code lays it; its other columns keep their values; the month snapshots recorded
    before keep their rows, the new column null there (history is not rewritten), while the open month is written
    with it."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_pipeline_run.warehouse, warehouse)
    monkeypatch.setenv("PMW_WAREHOUSE_PATH", str(warehouse))
    with duckdb.connect(str(warehouse)) as con:
        before = {
            mart: con.execute(f"select * exclude ({', '.join(columns)}) from marts.{mart} order by all").fetchall()
            for mart, columns in _FLAGGED_MARTS.items()
            if mart not in ("fct_scorecard_monthly", "fct_target_month_wide")  # history: compared below
        }
        # the layout a build of this code gives (its new columns after those the marts had before it)
        fresh_layout = {
            mart: [r[0] for r in con.execute(f"describe marts.{mart}").fetchall()] for mart in _FLAGGED_MARTS
        }
        snapshots = con.execute(
            "select * exclude (latest_release_date_imputed, recorded_at, recorded_as_of, snapshot_basis) "
            "from marts.fct_scorecard_monthly where is_month_closed order by all"
        ).fetchall()
        # as the code before built them (the views over them, rebuilt by the build, are read first)
        for schema, tables in _FLAGGED_TABLES.items():
            for table, column in tables.items():
                con.execute(f"alter table {schema}.{table} drop column {column}")
        con.execute("update orchestration.dbt_builds set fingerprint = 'the code before the flag'")
    assert all(before.values()) and snapshots

    _build(_copy_of_the_project(tmp_path), warehouse)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        for mart, columns in _FLAGGED_MARTS.items():
            names = [r[0] for r in con.execute(f"describe marts.{mart}").fetchall()]
            assert names == fresh_layout[mart], mart
            assert set(columns) <= set(names[-3:]), (mart, names[-3:])
            if mart in before:
                got = con.execute(f"select * exclude ({', '.join(columns)}) from marts.{mart} order by all").fetchall()
                assert got == before[mart], mart
                for column in columns:
                    nulls = con.execute(f"select count(*) from marts.{mart} where {column} is null").fetchone()[0]
                    assert nulls == 0, (mart, column)
        assert (
            con.execute(
                "select * exclude (latest_release_date_imputed, recorded_at, recorded_as_of, snapshot_basis) "
                "from marts.fct_scorecard_monthly where is_month_closed order by all"
            ).fetchall()
            == snapshots
        )
        open_months = con.execute(
            "select count(*), count(latest_release_date_imputed) from marts.fct_scorecard_monthly "
            "where not is_month_closed"
        ).fetchone()
        assert open_months[0] > 0 and open_months[0] == open_months[1]


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
    # only data can have changed: the unit tests (the code) and the seeds (their files) are the last build's
    incremental = ["build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "seed"]
    assert build_args(con, project_fingerprint(project)) == incremental
    (tmp_path / "dbt" / "tests" / "t.sql").write_text("select 2 where false")  # a data test: no refresh
    assert build_args(con, project_fingerprint(project)) == incremental
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
    # on Spark the seeds are loaded every build: its tables are not where the record of the last build is
    record_build(con, project_fingerprint(project, engine="spark"), full_refresh=True)
    on_spark = build_args(con, project_fingerprint(project, engine="spark"), engine="spark")
    assert on_spark == ["build", "--exclude-resource-type", "unit_test"]


def _node(kind: str, name: str, parents: list[str], code: str = "", macros: list[str] | None = None) -> dict:
    return {
        "resource_type": kind,
        "name": name,
        "raw_code": code,
        "depends_on": {"nodes": parents, "macros": macros or []},
    }


def test_catalogue_tests_are_those_reading_only_seeds_and_models_of_seeds_with_no_clock():
    """What an incremental build may skip: a test whose every input is a seed or a model of seeds alone.
    Not a test that also reads loaded data, nor one over a model that reads the clock, a var or the
    environment (directly or through a macro), nor one over a model with no inputs at all."""
    from dagster_project.dbt_build import build_args, catalogue_tests, record_build

    manifest = {
        "nodes": {
            "seed.p.regions": _node("seed", "regions", []),
            "model.p.stg_regions": _node("model", "stg_regions", ["seed.p.regions"], "select * from {{ ref('r') }}"),
            "model.p.stg_obs": _node("model", "stg_obs", ["source.p.raw.obs"]),
            "model.p.months": _node("model", "months", ["seed.p.regions"], "{{ as_of() }}", ["macro.p.as_of"]),
            "model.p.today": _node("model", "today", ["seed.p.regions"], "select current_date"),
            "model.p.constant": _node("model", "constant", [], "select 1"),
            "test.p.unique_regions": _node("test", "unique_regions", ["seed.p.regions"]),
            "test.p.not_null_stg_regions": _node("test", "not_null_stg_regions", ["model.p.stg_regions"]),
            "test.p.rel_obs_regions": _node("test", "rel_obs_regions", ["model.p.stg_regions", "model.p.stg_obs"]),
            "test.p.not_null_months": _node("test", "not_null_months", ["model.p.months"]),
            "test.p.not_null_today": _node("test", "not_null_today", ["model.p.today"]),
            "test.p.not_null_constant": _node("test", "not_null_constant", ["model.p.constant"]),
        },
        "macros": {
            "macro.p.as_of": {
                "unique_id": "macro.p.as_of",
                "macro_sql": "{{ when() }}",
                "depends_on": {"macros": ["macro.p.when"]},
            },
            "macro.p.when": {
                "unique_id": "macro.p.when",
                "macro_sql": "{{ var('as_of_date', '') or 'current_date' }}",
                "depends_on": {"macros": []},
            },
        },
    }
    assert catalogue_tests(manifest) == ["not_null_stg_regions", "unique_regions"]
    con = duckdb.connect()
    assert build_args(con, "f1", manifest) == ["build", "--full-refresh"]  # never built: everything
    record_build(con, "f1", full_refresh=True)
    # the catalogue's tests and the catalogue's model are left out; the model's tests are not dropped with it
    assert build_args(con, "f1", manifest)[-4:] == [
        "--indirect-selection",
        "empty",
        "--exclude",
        "not_null_stg_regions stg_regions unique_regions",
    ]


def test_an_incremental_build_leaves_out_the_models_that_would_come_out_the_same():
    """The catalogue's models (their rows are the seeds' and the code's) and views whose code reads nothing
    outside the fingerprint (a view stores its query; it reads the new figures when it is queried); not a
    table over loaded data, nor a view or a model of seeds reading the clock, nor a part of the project
    chosen in Dagster (a subset names what it wants built)."""
    from dagster_project.dbt_build import plan_build, record_build, unchanged_models

    def view(name: str, parents: list[str], code: str = "select 1") -> dict:
        return {**_node("model", name, parents, code), "config": {"materialized": "view"}}

    manifest = {
        "nodes": {
            "seed.p.regions": _node("seed", "regions", []),
            "model.p.stg_regions": view("stg_regions", ["seed.p.regions"]),
            "model.p.dim_regions": _node("model", "dim_regions", ["model.p.stg_regions"]),
            "model.p.stg_obs": view("stg_obs", ["source.p.raw.obs"]),
            "model.p.obs_today": view("obs_today", ["source.p.raw.obs"], "select * where day <= current_date"),
            "model.p.values": _node("model", "values", ["model.p.stg_obs", "model.p.dim_regions"]),
            "model.p.months": _node("model", "months", ["seed.p.regions"], "select current_date"),
            "test.p.not_null_stg_obs": _node("test", "not_null_stg_obs", ["model.p.stg_obs"]),
        },
        "macros": {},
    }
    assert unchanged_models(manifest) == ["dim_regions", "stg_obs", "stg_regions"]
    con = duckdb.connect()
    record_build(con, "f1", full_refresh=True)
    plan = plan_build(con, "f1", manifest)
    assert plan.unchanged == ["dim_regions", "stg_obs", "stg_regions"]
    assert plan.args[-1] == "dim_regions stg_obs stg_regions"
    subset = plan_build(con, "f1", manifest, subset=True)
    assert subset.unchanged == [] and "--indirect-selection" not in subset.args
    assert plan_build(con, "f2", manifest).unchanged == []  # a full refresh builds everything


def test_a_plan_reads_the_manifests_catalogue_once(monkeypatch):
    """plan_build's two lists (the unchanged models, the catalogue's tests) come from one walk of the
    manifest's code and macros, not one each: the walk is the costly part of planning a build."""
    from dagster_project import dbt_build

    made = []
    real_init = dbt_build._Catalogue.__init__

    def counting_init(self, manifest):
        made.append(manifest)
        real_init(self, manifest)

    monkeypatch.setattr(dbt_build._Catalogue, "__init__", counting_init)
    manifest = {
        "nodes": {
            "seed.p.regions": _node("seed", "regions", []),
            "model.p.dim_regions": _node("model", "dim_regions", ["seed.p.regions"]),
            "test.p.unique_regions": _node("test", "unique_regions", ["seed.p.regions"]),
        },
        "macros": {},
    }
    con = duckdb.connect()
    dbt_build.record_build(con, "f1", full_refresh=True)
    plan = dbt_build.plan_build(con, "f1", manifest)
    assert plan.unchanged == ["dim_regions"] and plan.args[-1] == "dim_regions unique_regions"
    assert len(made) == 1


def test_an_incremental_build_of_the_project_skips_the_catalogue_but_tests_new_data_against_it(tmp_path: Path):
    """The real project, as dbt selects it: an incremental build neither reloads the seeds nor repeats
    the tests of the catalogue, and still runs every test that reads loaded data, the relationships from
    the staged releases to the catalogue among them; a full refresh runs everything."""
    import json
    import os
    import subprocess

    from dagster_project.dbt_build import (
        build_args,
        catalogue_tests,
        project_fingerprint,
        record_build,
        unchanged_models,
    )
    from dagster_project.resources import dbt_executable

    project = REPO_ROOT / "dbt"
    env = {**os.environ, "PMW_WAREHOUSE_PATH": str(tmp_path / "wh.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}

    def dbt(*args: str) -> list[str]:
        argv = [dbt_executable(), *args, "--profiles-dir", ".", "--target-path", str(tmp_path / "target"), "--quiet"]
        done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, check=True)
        return done.stdout.split()

    dbt("parse")
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(tmp_path / "builds.duckdb"))
    fingerprint = project_fingerprint(project)
    assert build_args(con, fingerprint, manifest) == ["build", "--full-refresh"]  # everything, seeds first
    record_build(con, fingerprint, full_refresh=True)
    incremental = build_args(con, fingerprint, manifest)
    selected = set(dbt("ls", "--output", "name", *incremental[1:]))

    seeds = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "seed"}
    skipped = set(catalogue_tests(manifest))
    assert seeds and not seeds & selected
    assert len(skipped) > 100 and not skipped & selected
    reading_data = {
        n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "test" and n["name"] not in skipped
    }
    assert {"relationships_stg_raw__observations_region_code__region_code__ref_stg_seeds__regions_"} <= reading_data
    assert reading_data <= selected  # the tests of the views left out among them
    assert {
        "accepted_values_fct_target_progress_actual_quality__published__derived__illustrative",
        "not_null_stg_raw__observations",
    } <= reading_data
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    left_out = set(unchanged_models(manifest))
    assert {"fct_target_progress", "stg_raw__observations", "stg_seeds__targets", "dim_targets"} <= left_out
    assert models - left_out <= selected and not left_out & selected
    assert {"int_target_assessment", "fct_target_scorecard", "fct_scorecard_monthly", "dim_period"} <= selected


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
        def cli(self, args, context=None, target_path=None):
            calls.append(" ".join(args))
            return _Invocation(calls, fails)

    warehouse = tmp_path / "wh.duckdb"
    events = dbt_build(
        _Dbt(),
        DuckDBResource(database=str(warehouse)),
        _tiny_project(tmp_path),
        engine="spark",
        hooks=_Hooks(calls),
        runs_dir=tmp_path / "dbt_runs",
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


def test_old_dbt_run_folders_are_deleted_beyond_the_newest_and_nothing_else(tmp_path: Path):
    """A schedule that runs for years must not fill the disk: each build's dbt folder (about 20 MB of
    compiled SQL and dbt.log) is kept for the newest builds only."""
    from dagster_project.dbt_build import new_run_folder, prune_run_folders

    runs = tmp_path / "dbt_runs"
    made = [runs / f"20261201T0000{i:02d}000000Z-run{i:05d}" for i in range(25)]
    for folder in made:
        (folder / "run").mkdir(parents=True)
        (folder / "dbt.log").write_text("log", encoding="utf-8")
    (runs / "notes").mkdir()  # not a run folder
    (runs / "README.txt").write_text("kept", encoding="utf-8")
    newest = new_run_folder(runs, "3f2a9c1e-0b1d-4c6e-9d7a-5e8f1a2b3c4d")
    assert newest.is_dir() and newest.name.endswith("-3f2a9c1e"), newest
    assert newest.name > made[-1].name, "a new folder's name must sort after the older ones"

    deleted = prune_run_folders(runs, keep=5)

    assert deleted == made[:21]
    assert sorted(p.name for p in runs.iterdir()) == sorted(
        [*(p.name for p in made[21:]), newest.name, "notes", "README.txt"]
    )


def test_a_dagster_build_keeps_dbts_folder_under_the_home_without_the_json_nothing_reads(sample_pipeline_run):
    """The pipeline's dbt build writes its folder under the home (not into the code's dbt/target), with
    its log and compiled SQL but without manifest.json and run_results.json (written twice per build,
    read by nothing: about 1 s of every dbt command)."""
    import dagster as dg

    runs_dir = sample_pipeline_run.home / "dagster_home" / "dbt_runs"
    assert runs_dir.is_dir(), "no dbt folder under the home"
    runs = sorted(runs_dir.iterdir())
    assert runs, "no dbt folder under the home"
    instance = dg.DagsterInstance.from_config(str(sample_pipeline_run.home / "dagster_home"))
    run_ids = {run.run_id[:8] for run in instance.get_runs()}
    assert {folder.name.rsplit("-", 1)[1] for folder in runs} <= run_ids, "a dbt folder names its Dagster run"
    for folder in runs:
        assert (folder / "dbt.log").is_file(), folder
        assert any((folder / "compiled").rglob("*.sql")), folder
        assert not (folder / "run_results.json").exists(), folder
        assert not (folder / "manifest.json").exists(), folder


def test_a_new_build_through_dagster_publishes_with_the_unchanged_models_current_not_rebuilt(
    sample_pipeline_run, tmp_path, monkeypatch
):
    """The build job after the sample's: nothing changed in the code, so dbt leaves out the catalogue's models
    and the views. Dagster still sees each as current (an output saying it was not rebuilt), so the checks
    and the publish that wait for the marts run, the views' tests run, and the marts are those of before."""
    import dagster as dg

    from dagster_project.assets.publish import PUBLISHED_KEY
    from dagster_project.runner import build_and_publish, prepare_environment
    from dagster_project.settings import load_settings
    from tests.conftest import point_settings_at
    from tests.test_publish import copy_home, served

    home = copy_home(sample_pipeline_run, tmp_path)
    point_settings_at(home, monkeypatch)
    prepare_environment(load_settings())
    before_version, _ = served(home / "published")
    scorecard = "select target_id, status_code, actual_value, gap from marts.fct_target_scorecard order by 1"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        before = con.execute(scorecard).fetchall()
    with dg.instance_for_test() as instance:
        ok, failed = build_and_publish(instance, load_settings(), print)
        assert ok and not failed
        (run,) = instance.get_runs()
        events = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
        materialized = {e.event_log_entry.asset_materialization.asset_key: e.event_log_entry for e in events}
        checks = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    assert PUBLISHED_KEY in materialized
    assert served(home / "published")[0] != before_version
    progress = materialized[dg.AssetKey(["marts", "fct_target_progress"])].asset_materialization.metadata
    assert progress["rebuilt"].value is False and "unchanged" in progress["why"].value
    rebuilt = materialized[dg.AssetKey(["marts", "fct_target_scorecard"])].asset_materialization.metadata
    assert "rebuilt" not in rebuilt
    checked = {c.event_log_entry.dagster_event.event_specific_data.asset_key for c in checks}
    assert dg.AssetKey(["marts", "fct_target_progress"]) in checked  # its dbt tests ran
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(scorecard).fetchall() == before


def _stored(kind: str, name: str, parents: list[str], schema: str = "seeds", materialized: str = "table") -> dict:
    return {**_node(kind, name, parents), "schema": schema, "alias": name, "config": {"materialized": materialized}}


def test_a_part_of_the_project_alone_names_the_inputs_the_warehouse_lacks():
    """A seed chosen alone runs its relationship test to another seed, and dbt's indirect selection the tests of
    other seeds that read it: in a new warehouse they read tables that do not exist. A model chosen alone
    reads its inputs: it cannot be built without them. Inputs chosen too, or stored, are not missing; an
    ephemeral model is looked through."""
    from dagster_project.dbt_build import not_built_inputs

    manifest = {
        "nodes": {
            "seed.p.units": _stored("seed", "units", []),
            "seed.p.plans": _stored("seed", "plans", []),
            "seed.p.regions": _stored("seed", "regions", []),
            "test.p.units_in_plans": _stored("test", "units_in_plans", ["seed.p.units", "seed.p.plans"]),
            "test.p.units_nn": _stored("test", "units_nn", ["seed.p.units"]),
            "test.p.tasks_units": _stored("test", "tasks_units", ["seed.p.tasks", "seed.p.units"]),
            "seed.p.tasks": _stored("seed", "tasks", []),
            "model.p.eph": _stored("model", "eph", ["seed.p.plans"], "staging", "ephemeral"),
            "model.p.stg": _stored("model", "stg", ["model.p.eph", "seed.p.regions", "source.p.raw.obs"], "staging"),
        },
        "sources": {"source.p.raw.obs": {"schema": "raw", "identifier": "observations", "name": "obs"}},
    }
    need, tests = not_built_inputs(manifest, ["seed.p.units"], set())
    assert need == {}
    assert tests == {"units_in_plans": ["seeds.plans"], "tasks_units": ["seeds.tasks"]}
    # stored, or chosen too: nothing is missing
    assert not_built_inputs(manifest, ["seed.p.units"], {("seeds", "plans"), ("seeds", "tasks")}) == ({}, {})
    assert not_built_inputs(manifest, ["seed.p.units", "seed.p.plans", "seed.p.tasks"], set()) == ({}, {})
    need, _ = not_built_inputs(manifest, ["model.p.stg"], {("raw", "observations")})
    assert need == {"stg": ["seeds.plans", "seeds.regions"]}


def test_a_subset_leaves_out_the_tests_of_what_is_not_built_in_every_plan(tmp_path: Path):
    from dagster_project.dbt_build import plan_build, record_build

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    full = plan_build(con, "f1", {}, subset=True, not_built=["b_test", "a_test"])
    assert full.args == ["build", "--full-refresh", "--exclude", "a_test b_test"]
    record_build(con, "f1", True)
    incremental = plan_build(con, "f1", {}, subset=True, not_built=["a_test"])
    assert incremental.args[-2:] == ["--exclude", "a_test"]


def test_one_seed_materialized_alone_in_a_new_warehouse(tmp_path: Path, monkeypatch):
    """The `units` seed chosen alone in Dagster, into a warehouse never built, failed: dbt ran its
    relationship test to `plans` and the tests of `target_units` and `tasks` that read it ("Table with name
    plans does not exist"). Now the seed loads and those tests are left out, named in the run's log; a model
    chosen alone fails before dbt runs, naming the relations it reads that the warehouse lacks."""
    import dagster as dg

    from dagster_project.dbt_build import MissingInputs
    from dagster_project.runner import RUN_CONFIG, definitions, prepare_environment
    from dagster_project.settings import load_settings
    from tests.conftest import point_settings_at

    point_settings_at(tmp_path, monkeypatch)
    settings = prepare_environment(load_settings())
    job = definitions(settings).get_implicit_global_asset_job_def()

    def alone(key: list[str]) -> tuple[dg.ExecuteInProcessResult, list[str]]:
        """The job of that one asset, and what its run logged."""
        with dg.instance_for_test() as instance:
            result = job.get_subset(asset_selection={dg.AssetKey(key)}).execute_in_process(
                run_config=RUN_CONFIG, instance=instance, raise_on_error=False
            )
            return result, [entry.user_message for entry in instance.all_logs(result.run_id)]

    result, logged = alone(["seeds", "units"])
    assert result.success
    left_out = [m for m in logged if "not run: it reads seeds.plans" in m]
    assert any("relationships_units_city_code__region_code__ref_plans_" in m for m in left_out), logged
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from seeds.units").fetchone()[0] > 0
        assert (
            con.execute("select count(*) from information_schema.tables where table_schema = 'marts'").fetchone()[0]
            == 0
        )

    model, _ = alone(["intermediate", "int_targets__enriched"])
    assert not model.success
    [failure] = [e for e in model.all_events if e.is_step_failure]
    error = failure.step_failure_data.error.cause  # Dagster wraps what the step raised
    assert error.cls_name == MissingInputs.__name__
    assert "int_targets__enriched reads" in error.message and "staging.stg_seeds__targets" in error.message


def test_an_incremental_run_writes_the_comments_only_when_they_differ_from_the_yml(tmp_path: Path):
    """dbt-duckdb commented every column of every incremental model after every run, four statements a
    model (dbt/macros/persist_docs.sql): a new month's run leaves comments that are already the yml's alone,
    keeps them, and still writes an edited description, on the table as on a column."""
    import os
    import subprocess

    from dagster_project.resources import dbt_executable

    project = tmp_path / "dbt"
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    shutil.copy(REPO_ROOT / "dbt" / "macros" / "persist_docs.sql", project / "macros" / "persist_docs.sql")
    (project / "dbt_project.yml").write_text(
        "name: p\nprofile: p\nmodels:\n  p:\n    +persist_docs:\n      relation: true\n      columns: true\n"
    )
    (project / "profiles.yml").write_text(
        "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('WH') }}\"\n"
    )
    (project / "models" / "m.sql").write_text(
        "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='k') }}\n"
        "select 1 as k, 'a' as v"
    )
    yml = project / "models" / "m.yml"
    docs = (
        "version: 2\nmodels:\n  - name: m\n    description: {t}\n"
        "    columns:\n      - name: k\n        description: {k}\n"
    )
    yml.write_text(docs.format(t="表 / The table.", k="键 / The key."))
    warehouse = tmp_path / "wh.duckdb"
    env = {**os.environ, "WH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    log = tmp_path / "logs" / "dbt.log"

    def run() -> str:
        log.unlink(missing_ok=True)
        argv = [dbt_executable(), "run", "--profiles-dir", ".", "--log-path", str(log.parent), "--quiet"]
        subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, check=True)
        return log.read_text(encoding="utf-8").lower()

    def comments() -> tuple[str, str]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            table = con.execute("select comment from duckdb_tables() where table_name = 'm'").fetchone()[0]
            key = con.execute("select comment from duckdb_columns() where table_name = 'm' and column_name = 'k'")
            return table, key.fetchone()[0]

    assert "comment on" in run()  # created: commented
    assert comments() == ("表 / The table.", "键 / The key.")
    assert "comment on" not in run()  # incremental, comments already the yml's: none written
    assert comments() == ("表 / The table.", "键 / The key.")
    yml.write_text(docs.format(t="表 / The table.", k="键 / The key, edited."))
    assert "comment on column" in run()
    assert comments() == ("表 / The table.", "键 / The key, edited.")
    yml.write_text(docs.format(t="表 / The table, edited.", k="键 / The key, edited."))
    assert "comment on table" in run()
    assert comments() == ("表 / The table, edited.", "键 / The key, edited.")


def _tiny_incremental_project(root: Path, macros: list[str], model: str, config: str = "") -> tuple[Path, dict]:
    """A one-model dbt project with some of the project's macros, on a warehouse at root/wh.duckdb."""
    import os

    project = root / "dbt"
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    for name in macros:
        shutil.copy(REPO_ROOT / "dbt" / "macros" / name, project / "macros" / name)
    (project / "dbt_project.yml").write_text("name: p\nprofile: p\n" + config)
    (project / "profiles.yml").write_text(
        "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"{{ env_var('WH') }}\"\n"
    )
    (project / "models" / "m.sql").write_text(model)
    env = {**os.environ, "WH": str(root / "wh.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return project, env


def _dbt_run_log(project: Path, env: dict) -> str:
    """`dbt run` of the project; its debug log (every statement dbt sent), lower case."""
    import subprocess

    from dagster_project.resources import dbt_executable

    log = project.parent / "logs" / "dbt.log"
    log.unlink(missing_ok=True)
    argv = [dbt_executable(), "run", "--profiles-dir", ".", "--log-path", str(log.parent), "--quiet"]
    subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, check=True)
    return log.read_text(encoding="utf-8").lower()


def test_an_incremental_model_reads_its_high_water_mark_once_a_run(tmp_path: Path):
    """A model that filters on its mark in several places (int_target_series: five) read it from the
    table once per place, each a query and round trip (dbt/macros/high_water_mark.sql): 37 queries for
    12 models in a new month. It is read once per run now, and the filters get the same mark."""
    model = (
        "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='k') }}\n"
        "select k, loaded_at from main.raw_rows\n"
        "{% if is_incremental() %}where loaded_at > {{ high_water_mark('loaded_at') }}\n"
        "    and k not in (select k from main.raw_rows where loaded_at <= {{ high_water_mark('loaded_at') }})\n"
        "{% endif %}"
    )
    project, env = _tiny_incremental_project(tmp_path, ["high_water_mark.sql"], model)
    warehouse = tmp_path / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table raw_rows as select * from (values (1, timestamp '2026-01-31')) t(k, loaded_at)")
    read_mark = "select cast(max(loaded_at) as"
    assert read_mark not in _dbt_run_log(project, env)  # the first run builds the table: no mark
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into raw_rows values (2, timestamp '2026-02-28')")
    log = _dbt_run_log(project, env)
    assert log.count(read_mark) == 1
    compiled = (project / "target" / "compiled" / "p" / "models" / "m.sql").read_text(encoding="utf-8")
    assert compiled.count("cast('2026-01-31 00:00:00' as timestamp)") == 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select k, loaded_at from m order by k").fetchall() == [
            (1, datetime(2026, 1, 31)),
            (2, datetime(2026, 2, 28)),
        ]


def test_an_incremental_runs_schema_check_is_one_statement_and_still_appends_a_new_column(tmp_path: Path):
    """dbt's on_schema_change check described the new rows' temp table and the target one after the other,
    and persist_docs then read the table's comments: three statements a model in every new month
    (dbt/macros/schema_changes.sql, persist_docs.sql): one now. A column the model gained without a full
    refresh is still appended with its values, and an edited description still written."""
    model = (
        "{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='k',"
        " on_schema_change='append_new_columns') }}\n"
        "select k, v__extra__ from main.raw_rows"
    )
    docs = "models:\n  p:\n    +persist_docs:\n      relation: true\n      columns: true\n"
    project, env = _tiny_incremental_project(
        tmp_path, ["schema_changes.sql", "persist_docs.sql"], model.replace("__extra__", ""), docs
    )
    yml = project / "models" / "m.yml"
    described = (
        "version: 2\nmodels:\n  - name: m\n    description: 表 / The table.\n"
        "    columns:\n      - name: k\n        description: 键 / The key.\n"
        "      - name: v\n        description: {v}\n"
    )
    yml.write_text(described.format(v="值 / The value."))
    warehouse = tmp_path / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table raw_rows as select * from (values (1, 'a', 10)) t(k, v, w)")

    def reading_columns_or_comments(log: str) -> int:
        return sum("(describe" in sql or "duckdb_tables()" in sql for sql in log.split("sql status"))

    _dbt_run_log(project, env)  # created
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into raw_rows values (2, 'b', 20)")
    log = _dbt_run_log(project, env)
    assert reading_columns_or_comments(log) == 1
    assert "comment on" not in log
    (project / "models" / "m.sql").write_text(model.replace("__extra__", ", w"))  # a column gained, no full refresh
    yml.write_text(described.format(v="值 / The value, edited."))
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into raw_rows values (3, 'c', 30)")
    _dbt_run_log(project, env)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select k, v, w from m order by k").fetchall() == [
            (1, "a", 10),
            (2, "b", 20),
            (3, "c", 30),
        ]
        comments = con.execute("select column_name, comment from duckdb_columns() where table_name = 'm'")
        assert comments.fetchall() == [("k", "键 / The key."), ("v", "值 / The value, edited."), ("w", None)]
        table = con.execute("select comment from duckdb_tables() where table_name = 'm'").fetchone()
        assert table == ("表 / The table.",)


def test_a_rebuilt_tables_comments_are_written_in_one_statement_after_one_look(tmp_path: Path):
    """A table rebuilt whole (14 in a new month) was commented in four statements: its comment, two
    `describe`s and its columns' comments (dbt/macros/persist_docs.sql). Two now: one look at its columns
    and one statement of comments; a documented column the table lacks is still left out."""
    project, env = _tiny_incremental_project(
        tmp_path,
        ["persist_docs.sql"],
        "{{ config(materialized='table') }}\nselect 1 as k, 'a' as v",
        "models:\n  p:\n    +persist_docs:\n      relation: true\n      columns: true\n",
    )
    (project / "models" / "m.yml").write_text(
        "version: 2\nmodels:\n  - name: m\n    description: 表 / The table.\n    columns:\n"
        "      - name: k\n        description: 键 / The key.\n      - name: v\n        description: 值 / The value.\n"
        "      - name: gone\n        description: 无 / Not in the table.\n"
    )
    for _ in range(2):  # created, then rebuilt whole
        statements = _dbt_run_log(project, env).split("sql status")
        assert sum("(describe" in sql for sql in statements) == 1
        assert sum("comment on" in sql for sql in statements) == 1
        with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
            table = con.execute("select comment from duckdb_tables() where table_name = 'm'").fetchone()
            columns = con.execute("select column_name, comment from duckdb_columns() where table_name = 'm'")
            assert (table, columns.fetchall()) == (
                ("表 / The table.",),
                [("k", "键 / The key."), ("v", "值 / The value.")],
            )


def test_a_baseline_revised_by_a_new_release_gives_the_same_marts_incrementally_as_a_full_build(
    sample_pipeline_run, tmp_path: Path, monkeypatch
):
    """A release revising a target's baseline year (最终核实: 2021 GDP 3420.3 in the report, 3435.6 published)
    arrives after the marts were built: the next build (incremental, the code unchanged) uses the published
    baseline for the target (fct_target_progress.baseline_origin, int_target_baselines) and its marts equal those
    of a full build on the same data."""
    from dagster_project.ingest.catalog import load_catalog
    from dagster_project.ingest.pipeline import ingest_file

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_pipeline_run.warehouse, warehouse)
    monkeypatch.setenv("PMW_WAREHOUSE_PATH", str(warehouse))
    final = tmp_path / "landing" / "2021年地区生产总值最终核实.csv"
    final.parent.mkdir()
    final.write_text(
        "indicator,region,subject,period,measure,value,unit,release_date,provenance,source_ref,note\n"
        # dated before the sample's ledger landed (2026-11-25), whose undated quote of the preliminary 3420.3 is
        # dated by that day: a stated date outranks a day of arrival, so this is the latest vintage
        "地区生产总值,株洲市,,2021年,value,3435.6,亿元,2023-01-16,published,"
        "株洲市统计局《关于2021年地区生产总值最终核实结果的公告》(test),\n",
        encoding="utf-8",
    )
    with duckdb.connect(str(warehouse)) as con:
        loaded = ingest_file(
            final, con, tmp_path / "quarantine", datetime.now().date(), catalog=load_catalog(REPO_ROOT / "seeds")
        )
    assert loaded.status == "loaded", loaded.errors
    project = _copy_of_the_project(tmp_path)
    _build(project, warehouse)
    columns = "* exclude (inputs_loaded_through)"
    with duckdb.connect(str(warehouse)) as con:
        (full_refresh,) = con.execute(
            "select full_refresh from orchestration.dbt_builds order by finished_at desc limit 1"
        ).fetchone()
        incremental = con.execute(f"select {columns} from marts.fct_target_progress order by all").fetchall()
        origins = con.execute(
            "select distinct baseline_origin, baseline_level, "
            "calculation_trace like '%revised from the report''s 3420.3%' "
            "from marts.fct_target_progress where target_id = 'T5Y-GDP-5000'"
        ).fetchall()
        con.execute("update orchestration.dbt_builds set fingerprint = 'another code'")
    _build(project, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        full = con.execute(f"select {columns} from marts.fct_target_progress order by all").fetchall()
    assert full_refresh is False
    assert origins == [("published", 3435.6, True)]
    assert incremental == full
