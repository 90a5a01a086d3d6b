"""seeds/target_kinds.csv is the one list of target kinds (issue 14): the models read its flags through
int_targets__enriched, and the dbt unit tests that give int_targets__enriched rows must carry the flags
the seed gives their kind, so that what they test is what the seed makes the models do."""

from __future__ import annotations

import csv

import yaml

from tests.conftest import REPO

FLAGS = ("has_series", "reads_own_series", "is_paced_within_year")


def seed_kinds() -> dict[str, dict[str, bool]]:
    with open(REPO / "seeds" / "target_kinds.csv", encoding="utf-8") as handle:
        return {r["target_kind"]: {f: r[f] == "true" for f in FLAGS} for r in csv.DictReader(handle)}


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
