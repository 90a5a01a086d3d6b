"""seeds/target_kinds.csv is the one list of target kinds (issue 14): the models read its flags through
int_targets__enriched, and the dbt unit tests that give int_targets__enriched rows must carry the flags
the seed gives their kind, so that what they test is what the seed makes the models do."""

from __future__ import annotations

import csv
import re

import yaml

from tests.conftest import REPO

FLAGS = (
    "has_series",
    "reads_own_series",
    "is_paced_within_year",
    "reads_peer_cities",
    "actual_higher_is_better",
    "needs_full_year_flow",
)


def seed_kinds() -> dict[str, dict[str, bool]]:
    with open(REPO / "seeds" / "target_kinds.csv", encoding="utf-8") as handle:
        return {r["target_kind"]: {f: r[f] == "true" for f in FLAGS} for r in csv.DictReader(handle)}


def growth_measure_kinds() -> dict[str, set[str]]:
    with open(REPO / "seeds" / "target_kinds.csv", encoding="utf-8") as handle:
        return {r["target_kind"]: set(r["growth_measure_kinds"].split()) for r in csv.DictReader(handle)}


def test_unit_tests_give_each_kind_the_seeds_flags():
    kinds = seed_kinds()
    checked = 0
    for path in sorted((REPO / "dbt" / "models").rglob("*.yml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for test in spec.get("unit_tests", []):
            for given in test["given"]:
                if given["input"] != "ref('int_targets__enriched')":
                    continue
                for row in given["rows"]:
                    assert row["target_kind"] in kinds, (path.name, test["name"], row["target_id"])
                    flags = {f: row.get(f) for f in FLAGS}
                    assert flags == kinds[row["target_kind"]], (path.name, test["name"], row["target_id"], flags)
                    if "measure_kind" in row:  # int_targets__enriched.grows_at_a_rate, from the seed's list
                        grows = row["measure_kind"] in growth_measure_kinds()[row["target_kind"]]
                        assert row.get("grows_at_a_rate") == grows, (path.name, test["name"], row["target_id"])
                    checked += 1
    assert checked >= 30  # every kind model, the regional values and the assessment give such rows


def test_no_model_keeps_its_own_list_of_kinds():
    """Which kinds have a series, read their own region or are paced within the year: the seed's flags,
    never `target_kind in (...)` / `target_kind <> 'qualitative'` in a model."""
    offenders = [
        path.name
        for path in (REPO / "dbt" / "models").rglob("*.sql")
        if "target_kind in (" in path.read_text(encoding="utf-8")
        or "target_kind <> 'qualitative'" in path.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders


# `target_kind = 'rank'`, `{{ target_kind }} <> 'coverage'`, `target_kind not in ('multiple', 'additions')`
_KIND_COMPARED = re.compile(
    r"target_kind\s*(?:\}\})?\s*(?:=|<>|!=|\bnot\s+in\b|\bin\b)\s*(\(\s*'[^)]*\)|'[^']*')", re.IGNORECASE
)


def kind_comparisons(code: str) -> list[tuple[int, str]]:
    """(line, kind) of every comparison of target_kind with a literal in a model's or macro's code."""
    found = []
    for match in _KIND_COMPARED.finditer(code):
        line = code.count("\n", 0, match.start()) + 1
        found += [(line, kind) for kind in re.findall(r"'([^']*)'", match.group(1))]
    return found


def test_kind_comparisons_are_found():
    code = "where t.target_kind = 'rank'\n and {{ target_kind }} <> 'coverage' or k.target_kind not in ('a', 'b')"
    assert kind_comparisons(code) == [(1, "rank"), (2, "coverage"), (2, "a"), (2, "b")]
    assert kind_comparisons("on targets.target_kind = kinds.target_kind") == []


def test_only_a_kinds_own_series_model_names_the_kind():
    """What depends on a kind is said once, where it is known: a column of seeds/target_kinds.csv (read
    through int_targets__enriched) or data the kind's own series model (its series_model in the seed,
    int_target_series__<kind>) carries, such as no_actual_reason. No other model or macro compares
    target_kind with a kind's name: a rank's reasons were decided by `target_kind = 'rank'` in
    int_target_assessment, away from int_target_series__ranks where they are known (issue 14)."""
    with open(REPO / "seeds" / "target_kinds.csv", encoding="utf-8") as handle:
        owners = {r["target_kind"]: set(r["series_model"].split()) for r in csv.DictReader(handle)}
    offenders = []
    for folder in ("models", "macros"):
        for path in sorted((REPO / "dbt" / folder).rglob("*.sql")):
            for line, kind in kind_comparisons(path.read_text(encoding="utf-8")):
                if path.stem not in owners.get(kind, set()):
                    offenders.append(f"{path.relative_to(REPO)}:{line} names {kind!r}")
    assert not offenders, "\n".join(offenders)


# `t["target_kind"] == "qualitative"`, `sc["target_kind"].isin([...])`, `r.target_kind != "milestone"`, SQL in a string
_KIND_COMPARED_IN_PYTHON = re.compile(
    r"""target_kind["'\]]*\s*(?:==|!=)\s*["']|target_kind["'\]]*\.isin\(|target_kind\s*(?:=|<>)\s*'"""
)


def python_kind_comparisons(code: str) -> list[int]:
    return [code.count("\n", 0, m.start()) + 1 for m in _KIND_COMPARED_IN_PYTHON.finditer(code)]


def test_python_kind_comparisons_are_found():
    code = 'a = t["target_kind"] == "qualitative"\nb = sc["target_kind"].isin(["x"])\nc = r.target_kind != "rank"'
    assert python_kind_comparisons(code) == [1, 2, 3]
    assert python_kind_comparisons("sql = \"where t.target_kind = 'rank'\"") == [1]
    assert python_kind_comparisons('row["target_kind"] in kinds') == []


def test_the_code_outside_dbt_names_no_kind():
    """The report, the CLI and the checks read what a kind means from the data (dim_targets.has_series: no
    figure series, a qualitative target; measure_kind stage: a project's stages), never a kind's name."""
    offenders = [
        f"{path.relative_to(REPO)}:{line}"
        for path in sorted((REPO / "dagster_project").rglob("*.py"))
        for line in python_kind_comparisons(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
