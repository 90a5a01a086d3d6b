"""The suites in expectations/: one per checked asset, each expectation explained, all loadable by GX."""

from __future__ import annotations

import json
import shutil

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
