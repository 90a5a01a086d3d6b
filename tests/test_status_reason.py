"""The status's reason comes from the model (issue 14, one home): int_target_assessment names the rule
it applied (status_reason, seeds/status_reasons.csv) and `pmw explain` prints that rule's sentence with
the row's figures. Python does not re-derive the status rules."""

from __future__ import annotations

import csv
import inspect
import re

import pandas as pd
import pytest

from dagster_project.report import terminal
from dagster_project.report.terminal import status_reason_text, status_reasons
from tests.conftest import REPO

SEED = REPO / "seeds" / "status_reasons.csv"


def seed_rows() -> list[dict[str, str]]:
    with open(SEED, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def row(**values) -> pd.Series:
    base = {
        "status_code": "off_track",
        "status_reason": "ratio_off_track",
        "progress_ratio": 0.5,
        "threshold_on_track": 0.95,
        "threshold_acceleration": 0.6,
        "previous_actual": 80.0,
        "share_achieved": 0.42,
        "status_note": "growth for 2023 is not published: the chained index stops there",
    }
    return pd.Series({**base, **values})


def test_every_reason_of_the_seed_reads_as_a_sentence_with_the_rows_figures():
    reasons = status_reasons()
    assert set(reasons) == {r["status_reason"] for r in seed_rows()}
    for code in reasons:
        text = status_reason_text(row(status_reason=code))
        assert text and "{" not in text and "}" not in text, (code, text)
    assert "R 0.5" in status_reason_text(row(status_reason="ratio_off_track"))
    assert "0.6" in status_reason_text(row(status_reason="ratio_off_track"))
    assert "42" in status_reason_text(row(status_reason="short_of_target"))
    note = row(status_reason="growth_chain_broken")["status_note"]
    assert status_reason_text(row(status_reason="growth_chain_broken")) == note
    # a rank with no places gained has its own reasons, which name the rank in both languages
    for code in ("baseline_rank_missing", "rank_top_groups_both_sides"):
        text = status_reason_text(row(status_reason=code))
        assert text.startswith(note) and "进位无法计算" in text, (code, text)


def test_the_sentence_follows_the_models_reason_not_a_rule_recomputed_from_the_figures():
    # R 0.5 is below the on-track threshold: a Python copy of the rules would say "off track" here.
    # The model said which rule it applied; that is what is printed.
    text = status_reason_text(row(status_code="on_track", status_reason="met_now", progress_ratio=0.5))
    assert text.startswith("the target is met now"), text
    assert "acceleration threshold" not in text
    achieved = status_reason_text(row(status_code="achieved", status_reason="met_at_deadline"))
    assert achieved.startswith("the target is met at the deadline")


@pytest.mark.parametrize("threshold", ["on_track_ratio", "acceleration_ratio", "deterioration_ratio"])
def test_terminal_keeps_no_threshold_rules(threshold):
    source = inspect.getsource(terminal)
    assert threshold not in source
    # no comparison of the progress ratio with a threshold anywhere in the terminal's code
    assert not re.search(r"progress_ratio[^\n]*[<>]=?", source)


def test_every_status_reason_of_the_model_is_in_the_seed():
    sql = (REPO / "dbt" / "models" / "intermediate" / "int_target_assessment.sql").read_text(encoding="utf-8")
    reasoned = sql[sql.index("reasoned as (") :]
    named = set(re.findall(r"'([a-z_]+)'", reasoned[: reasoned.index("as status_reason")]))
    macro = (REPO / "dbt" / "macros" / "scorecard_status.sql").read_text(encoding="utf-8")
    scorecard = macro[macro.index("macro scorecard_status_reason") :]
    named |= set(re.findall(r"'([a-z_]+)'", scorecard))
    # the reasons a series model gives a row with no actual (no_actual_reason), which the assessment passes on
    from_series = set()
    for path in (REPO / "dbt" / "models" / "intermediate").glob("int_target_series__*.sql"):
        for case in re.findall(r"case\b((?:(?!\bcase\b).)*?)\bend as no_actual_reason", path.read_text("utf-8"), re.S):
            from_series |= set(re.findall(r"then '([a-z_]+)'", case))
    assert {"baseline_rank_missing", "rank_top_groups_both_sides", "growth_chain_broken"} <= from_series
    named |= from_series
    assert named and named <= set(status_reasons()), named - set(status_reasons())


def test_the_assessment_unit_tests_read_the_seeds_reasons():
    """The dbt unit tests of int_target_assessment give status_reasons as rows; they must be the seed's
    (reason -> status), so that the statuses those tests expect are the ones the seed gives."""
    import yaml

    seed = {r["status_reason"]: (r["status_code"] or None) for r in seed_rows()}
    spec = yaml.safe_load(
        (REPO / "dbt" / "models" / "intermediate" / "int_target_assessment.yml").read_text(encoding="utf-8")
    )
    givens = [
        given["rows"]
        for test in spec["unit_tests"]
        for given in test["given"]
        if given["input"] == "ref('stg_seeds__status_reasons')"
    ]
    assert len(givens) == len(spec["unit_tests"])
    for rows_ in givens:
        assert {r["status_reason"]: r["status_code"] for r in rows_} == seed
