"""One home for the status vocabularies: seeds/statuses.csv, task_statuses.csv and pace_statuses.csv.

No expectation suite and no Python module lists a status code itself; the suites get the codes as
parameters filled from the seeds at validation time, the report and the terminal read names, colours
and the attention order from the seeds. A status added to a seed reaches all of them with no code edit.
"""

from __future__ import annotations

import ast
import csv
import json
import shutil
from pathlib import Path

import pandas as pd

from dagster_project.checks.batches import catalogue_parameters
from dagster_project.checks.suites import suite_names
from tests.conftest import REPO

SEEDS = REPO / "seeds"
STATUS_COLUMNS = {"status_code": "status_codes", "task_status_code": "task_status_codes", "pace_code": "pace_codes"}


def _codes(name: str, column: str, seeds: Path = SEEDS) -> list[str]:
    with open(seeds / name, encoding="utf-8") as handle:
        return [r[column] for r in csv.DictReader(handle)]


def test_suites_take_status_codes_from_the_seeds_not_from_a_list_of_their_own():
    checked = 0
    for name in suite_names():
        suite = json.loads((REPO / "expectations" / f"{name}.json").read_text(encoding="utf-8"))
        for expectation in suite["expectations"]:
            kwargs = expectation["kwargs"]
            listed = kwargs.get("value_set")
            # a list of codes is the vocabulary; a rule may name one status (qualitative -> not_assessable)
            is_list_of_one = isinstance(listed, list) and len(listed) < 2
            if kwargs.get("column") in STATUS_COLUMNS and listed is not None and not is_list_of_one:
                assert kwargs["value_set"] == {"$PARAMETER": STATUS_COLUMNS[kwargs["column"]]}, (name, kwargs)
                checked += 1
    assert checked >= 4  # fct_target_progress (status, pace), fct_target_scorecard, fct_task_progress


def _vocabulary_copies(source: str, codes: set[str]) -> list[int]:
    """Lines of dict literals keyed by three or more status codes, or lists/tuples/sets of four or more:
    a copy of the vocabulary (a rule naming one or three statuses, e.g. BEHIND, is not)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            if len([k for k in keys if k in codes]) >= 3:
                found.append(node.lineno)
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len([v for v in values if v in codes]) >= 4:
                found.append(node.lineno)
    return found


def test_python_keeps_no_copy_of_the_status_vocabulary():
    codes = set(_codes("statuses.csv", "status_code") + _codes("task_statuses.csv", "task_status_code"))
    offenders = {
        str(path.relative_to(REPO)): lines
        for path in sorted((REPO / "dagster_project").rglob("*.py"))
        if "bench" not in path.parts and (lines := _vocabulary_copies(path.read_text(encoding="utf-8"), codes))
    }
    assert offenders == {}


def test_a_status_added_to_the_seeds_reaches_the_suite_parameters_and_the_labels(tmp_path):
    from dagster_project.report.labels import read_attention, read_status_styles, read_task_statuses

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    statuses = pd.read_csv(seeds / "statuses.csv", dtype=str, keep_default_na=False)
    extra = {
        "status_code": "suspended",
        "status_zh": "暂停",
        "status_en": "Suspended",
        "sort_order": "9",
        "attention_order": "0",
        "colour": "#123456",
        "meaning_en": "test",
    }
    pd.concat([statuses, pd.DataFrame([extra])]).to_csv(seeds / "statuses.csv", index=False)
    tasks = pd.read_csv(seeds / "task_statuses.csv", dtype=str, keep_default_na=False)
    tasks.loc[tasks.task_status_code == "ahead", "colour"] = "#abcdef"
    tasks.to_csv(seeds / "task_statuses.csv", index=False)

    parameters = catalogue_parameters(seeds)
    assert parameters["status_codes"][-1] == "suspended"
    assert parameters["task_status_codes"] == _codes("task_statuses.csv", "task_status_code")
    assert parameters["pace_codes"] == _codes("pace_statuses.csv", "pace_code")
    assert read_status_styles(seeds)["suspended"] == ("暂停", "Suspended", "#123456")
    assert read_attention(seeds)[0] == "suspended"  # attention_order 0: listed first
    assert read_task_statuses(seeds)["ahead"][2] == "#abcdef"


def test_the_shipped_vocabulary_is_the_seeds():
    from dagster_project.report.labels import ATTENTION, STATUSES
    from dagster_project.report.units import TASK_STATUSES

    assert list(STATUSES) == _codes("statuses.csv", "status_code")
    assert sorted(ATTENTION) == sorted(STATUSES) and ATTENTION[:2] == ["deteriorating", "off_track"]
    with open(SEEDS / "task_statuses.csv", encoding="utf-8") as handle:
        seed = {
            r["task_status_code"]: (r["task_status_zh"], r["task_status_en"], r["colour"])
            for r in csv.DictReader(handle)
        }
    assert seed == TASK_STATUSES
