"""The suites in expectations/: one per checked asset, each expectation explained, all loadable by GX."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from dagster_project.checks.suites import SuiteError, load_suite, suite_names

CHECKED = {
    "raw_observations",
    "stg_raw__observations",
    "fct_target_progress",
    "fct_target_progress_by_region",
    "fct_target_scorecard",
}


def test_one_suite_per_checked_asset_each_expectation_explained(validator):
    assert set(suite_names()) >= CHECKED
    for name in CHECKED:
        suite = load_suite(name)
        severities = {e["severity"] for e in suite.expectations}
        assert "critical" in severities, f"{name}: nothing would block"
        assert all(len(e["notes"]) > 30 for e in suite.expectations), f"{name}: a note too short to say why"
        assert all(" / " in e["description"] for e in suite.expectations), f"{name}: 中文 / English names"
        assert suite.row_id_columns, f"{name}: reports need columns that identify a row"
        # GX built every expectation of the suite (the validator fixture holds all suites)
        built = [exp for part in validator._parts[name] for exp in part.gx_suite.expectations]
        assert sorted(exp.meta["pmw_index"] for exp in built) == list(range(len(suite.expectations)))


def test_a_suite_without_a_why_is_refused(tmp_path):
    shutil.copy(load_suite("fct_target_scorecard").path, tmp_path / "fct_target_scorecard.json")
    data = json.loads((tmp_path / "fct_target_scorecard.json").read_text())
    data["expectations"][0]["notes"] = " "
    (tmp_path / "fct_target_scorecard.json").write_text(json.dumps(data))
    with pytest.raises(SuiteError, match="notes must say why"):
        load_suite("fct_target_scorecard", tmp_path)


def test_a_run_with_no_batch_still_reports(tmp_path):
    """An ingestion run whose files were all quarantined by the contract validates nothing."""
    from dagster_project.checks.gx_runner import SuiteRun
    from dagster_project.checks.report import check_metadata, write_markdown

    run = SuiteRun(load_suite("raw_observations"))
    write_markdown(run, tmp_path, asset="raw/observations", run_id="r1")
    metadata = check_metadata(run)
    assert run.passed and metadata["batches"].value == 0 and metadata["validation_seconds"].value == 0.0
    assert "0 batches" in (tmp_path / "raw_observations" / "latest.md").read_text()


def test_only_the_newest_reports_are_kept_with_latest_md_the_newest(tmp_path):
    """Every validation writes a report: a schedule running for years keeps the newest KEEP_REPORTS."""
    from dagster_project.checks.gx_runner import SuiteRun
    from dagster_project.checks.report import KEEP_REPORTS, write_markdown

    folder = tmp_path / "raw_observations"
    written = [
        write_markdown(
            SuiteRun(load_suite("raw_observations")), tmp_path, asset="raw/observations", run_id=f"run{i:05d}"
        )
        for i in range(KEEP_REPORTS + 4)
    ]
    assert sorted(p.name for p in written) == [p.name for p in written], "report names must sort by time"
    assert sorted(folder.glob("*.md")) == sorted([*written[4:], folder / "latest.md"])
    assert (folder / "latest.md").read_text(encoding="utf-8") == written[-1].read_text(encoding="utf-8")


def test_each_suite_gets_the_catalogue_parameters_it_names_and_only_those(tmp_path):
    """The raw suite validates every release: it must not read the target list it never uses (155,000 ids
    at national scale); a suite naming a parameter the catalogue does not define is refused by name."""
    from dagster_project.checks.batches import catalogue_parameters

    from .conftest import SEEDS

    everything = catalogue_parameters(SEEDS)
    for name in suite_names():
        wanted = load_suite(name).parameter_names
        assert catalogue_parameters(SEEDS, names=wanted) == {key: everything[key] for key in wanted}, name
    assert "catalogue_target_ids" in load_suite("fct_target_scorecard").parameter_names

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "targets.csv").write_text("not,a,target,list\n")  # reading it would fail: no target_id column
    raw = catalogue_parameters(seeds, names=load_suite("raw_observations").parameter_names)
    assert raw["known_indicator_codes"] == everything["known_indicator_codes"]
    with pytest.raises(ValueError):
        catalogue_parameters(seeds, names=["catalogue_target_ids"])

    with pytest.raises(KeyError, match="'known_region_kodes'"):
        catalogue_parameters(SEEDS, names=["known_region_kodes"])


def test_a_part_reads_the_columns_its_expectations_and_condition_name_or_every_column_when_that_cannot_be_told():
    from dagster_project.checks.gx_runner import _columns_read

    between = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "value", "min_value": 0}}
    pair = {"type": "expect_column_pair_values_to_be_equal", "kwargs": {"column_A": "unit", "column_B": "source_unit"}}
    unique = {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["release_id", "measure"]}}
    condition = {
        "row_condition": {
            "type": "and",
            "conditions": [
                {"type": "comparison", "column": {"name": "measure"}, "operator": "==", "parameter": "value"},
                {"type": "nullity", "column": {"name": "bound"}, "is_null": False},
            ],
        }
    }
    assert _columns_read([between, pair, unique], None) == {"value", "unit", "source_unit", "release_id", "measure"}
    assert _columns_read([between], condition) == {"value", "measure", "bound"}
    table = {"type": "expect_table_columns_to_match_ordered_list", "kwargs": {"column_list": None}}
    assert _columns_read([between, {"type": "expect_table_row_count_to_be_between", "kwargs": {}}], None) is None
    assert _columns_read([table], None) is None
    # a pandas query string: which columns it reads is not parsed here, so the part gets them all
    assert _columns_read([between], {"row_condition": 'measure == "value"', "condition_parser": "pandas"}) is None


def _python(code: str) -> str:

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_gx_is_imported_without_the_engines_and_modules_it_would_not_use_which_work_after():
    """pyspark (installed for dbt-spark) and SQLAlchemy (for Dagster's storage) are no engines of this
    project's validation: GX meets them as not installed, validates a pandas batch, and a later import
    (the Spark engine, Dagster) still finds the real packages. scipy.stats and altair, which GX imports
    for an expectation the suites do not use, are imported at their first use, and work then."""
    out = _python(
        "import sys\n"
        "import pandas as pd\n"
        "from dagster_project.checks.gx_runner import GXValidator\n"
        "from dagster_project.checks.suites import load_suite\n"
        "from dagster_project.checks.batches import catalogue_parameters\n"
        "suite = load_suite('raw_observations')\n"
        "validator = GXValidator([suite])\n"
        "print('pyspark' in sys.modules, 'sqlalchemy' in sys.modules)\n"
        "print('scipy.stats._stats_py' in sys.modules, 'altair.vegalite' in sys.modules)\n"
        "from great_expectations.compatibility import pyspark as gx_spark, sqlalchemy as gx_sa\n"
        "print(bool(gx_spark.pyspark), bool(gx_sa.sqlalchemy))\n"
        "from dagster_project.settings import REPO_ROOT\n"
        "parameters = catalogue_parameters(REPO_ROOT / 'seeds', names=suite.parameter_names)\n"
        "result = validator.validate(suite.name, pd.DataFrame({'value': [1.0]}), 'one row', parameters)\n"
        "print(result.evaluated > 0, result.passed)\n"
        "import pyspark.sql, sqlalchemy\n"
        "print(hasattr(pyspark.sql, 'SparkSession'), hasattr(sqlalchemy, 'create_engine'))\n"
        # GX's own module for the KL divergence holds the stand-ins: they answer from the real modules
        "from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl\n"
        "print(round(kl.stats.entropy([0.5, 0.5], [0.9, 0.1]), 6), kl.alt.Chart.__name__)\n"
        "import scipy.stats, altair\n"
        "real = type(sys.modules['scipy.stats']) is type(sys) and sys.modules['altair'] is altair\n"
        "print(real, hasattr(scipy.stats, 'entropy'), hasattr(altair, 'Chart'))\n"
    )
    assert out.splitlines() == [
        "False False",
        "False False",
        "False False",
        "True False",
        "True True",
        "0.510826 Chart",
        "True True True",
    ]


def test_a_module_that_is_not_installed_gets_no_stand_in():
    """GX's own import must be the one to say a module is missing, not a stand-in that fails later."""
    from dagster_project.checks.gx_runner import _import_at_first_use

    for name in ("pmw_no_such_package.stats", "pmw_no_such_package"):
        _import_at_first_use(name)
        assert name not in sys.modules


def test_a_process_that_imported_pyspark_first_gives_it_to_gx():
    out = _python(
        "import pyspark\n"
        "from dagster_project.checks.gx_runner import _import_gx\n"
        "_import_gx()\n"
        "from great_expectations.compatibility import pyspark as gx_spark\n"
        "print(gx_spark.pyspark is pyspark)\n"
    )
    assert out == "True"


def test_batches_are_not_fingerprinted(monkeypatch):
    """GX hashes every row of a batch for a marker nothing reads (0.2 s of each part of a national batch):
    the validator switches it off, and the batch is still judged."""
    import pandas as pd
    from great_expectations.execution_engine import pandas_execution_engine

    from dagster_project.checks.batches import catalogue_parameters
    from dagster_project.checks.gx_runner import GXValidator
    from dagster_project.settings import REPO_ROOT

    suite = load_suite("raw_observations")
    validator = GXValidator([suite])
    hashed = []
    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", lambda df: hashed.append(len(df)) or "x")
    parameters = catalogue_parameters(REPO_ROOT / "seeds", names=suite.parameter_names)
    result = validator.validate(suite.name, pd.DataFrame({"value": [1.0, None]}), "two rows", parameters)
    assert result.evaluated == len(suite.expectations) and not result.passed
    assert hashed == []


def test_gx_loads_without_full_collections_and_its_garbage_is_collected_after():
    """Importing GX makes some 200,000 objects that all live on; Python's collector walked the growing heap
    again and again as they loaded (full collections: 0.4-0.8 s of CPU of a `pmw ingest`). Watched fail:
    several full collections during the import. A cycle left while collection is paused is still freed
    by the first collection after."""
    out = _python(
        "import gc\n"
        "full = []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'stop' and info['generation'] == 2 and full.append(1))\n"
        "from dagster_project.checks.gx_runner import _import_gx\n"
        "from dagster_project.processes import collections_paused\n"
        "full.clear()\n"  # pandas, imported by gx_runner, is not the subject here
        "_import_gx()\n"
        "print(len(full), gc.isenabled())\n"
        "class Cycle:\n"
        "    def __del__(self):\n"
        "        print('freed')\n"
        "with collections_paused():\n"
        "    garbage = Cycle(); garbage.me = garbage; del garbage\n"
        "    print(gc.isenabled())\n"
        "gc.collect()\n"
        "gc.disable()\n"
        "with collections_paused():\n"
        "    pass\n"
        "print(gc.isenabled())\n"  # a process that turned collection off keeps it off
    )
    assert out.splitlines() == ["0 True", "False", "freed", "False"]
