"""The mart suites (expectations/fct_*.json) on the sample warehouse: the marts pass, and a corrupted
mart fails the right expectation with the offending rows named."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.checks.batches import CHECKED_MARTS, mart_batch
from tests.checks.conftest import failing
from tests.mart_tables import make_mart_writable


def _batch(warehouse, mart: str):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return mart_batch(con, mart)
    finally:
        con.close()


# the sample's returns go backwards without a note on purpose (docs/task_ledger.md §6): a human should look
SAMPLE_WARNINGS = {"fct_task_progress": {"stage_backwards_explained": "warning"}}


def test_the_sample_marts_pass_their_suites(validator, parameters, sample_pipeline_run):
    for mart in CHECKED_MARTS:
        result = validator.validate(mart, _batch(sample_pipeline_run.warehouse, mart), mart, parameters)
        assert result.rows > 0 and failing(result) == SAMPLE_WARNINGS.get(mart, {}), (mart, failing(result))


BAD_MARTS = [
    (
        "duplicate target and period",
        "fct_target_progress",
        "insert into marts.fct_target_progress select * from marts.fct_target_progress "
        "where target_id = 'T5Y-DBL-TRADE' order by period_end limit 1",
        {"one_row_per_target_period": "critical"},
        {"T5Y-DBL-TRADE"},
    ),
    (
        "status outside the accepted set",
        "fct_target_progress",
        "update marts.fct_target_progress set status_code = 'great' where target_id = 'T5Y-DBL-TRADE'",
        {"status_accepted": "critical"},
        {"T5Y-DBL-TRADE"},
    ),
    (
        "share achieved not computed from actual and target",
        "fct_target_progress",
        "update marts.fct_target_progress set share_achieved = share_achieved + 0.25 where target_id = 'T5Y-DBL-TRADE'",
        {"share_consistent": "critical"},
        {"T5Y-DBL-TRADE"},
    ),
    (
        "a target that is not in the catalogue",
        "fct_target_progress",
        "update marts.fct_target_progress set target_id = 'T99-INVENTED' where target_id = 'T5Y-DBL-TRADE'",
        {"catalogue_targets_only": "critical"},
        {"T99-INVENTED"},
    ),
    (
        "a met county that does not count as met",
        "fct_target_progress_by_region",
        "update marts.fct_target_progress_by_region set counts_as_met = false where unit_status = 'met' "
        "and region_code = '430281'",
        {"met_counts": "critical"},
        None,  # by_region rows carry target_id too, but several targets have county rows
    ),
    (
        "a region outside the catalogue",
        "fct_target_progress_by_region",
        "update marts.fct_target_progress_by_region set region_code = '439999' where region_code = '430281'",
        {"known_region": "critical"},
        None,
    ),
    (
        "a target of the catalogue missing from the scorecard",
        "fct_target_scorecard",
        "delete from marts.fct_target_scorecard where target_id = 'T5Y-DBL-TRADE'",
        {"every_catalogue_target": "critical", "row_count_equals_catalogue": "critical"},
        None,
    ),
    (
        "a qualitative target left without a status from its tasks",
        "fct_target_scorecard",
        "update marts.fct_target_scorecard set status_code = 'not_assessable' where target_id = 'T22-ST-ENCLAVE'",
        {"qualitative_rolled_up_from_tasks": "critical"},
        None,
    ),
    (
        "a unit reporting on another unit's task",
        "fct_task_returns",
        "update marts.fct_task_returns set reporting_unit = 'GXJ' where task_id = 'T22-ST-CHOKEPOINT-T01'",
        {"unit_reports_own_tasks": "critical"},
        None,
    ),
    (
        "a task status outside the accepted set",
        "fct_task_progress",
        "update marts.fct_task_progress set task_status_code = 'fine' where task_id = 'T22-ST-ENCLAVE-T01'",
        {"task_status_accepted": "critical", "stage_backwards_explained": "warning"},
        None,
    ),
    (
        "a unit missing from the unit scorecard",
        "fct_unit_scorecard",
        "delete from marts.fct_unit_scorecard where unit_code = 'XZSPJ'",
        {"every_unit": "critical"},
        None,
    ),
    (
        "a unit twice in its city on the unit scorecard",
        "fct_unit_scorecard",
        "insert into marts.fct_unit_scorecard select * from marts.fct_unit_scorecard where unit_code = 'XZSPJ'",
        {"one_row_per_unit": "critical"},
        None,
    ),
]


@pytest.mark.parametrize("mart, sql, expected, targets", [c[1:] for c in BAD_MARTS], ids=[c[0] for c in BAD_MARTS])
def test_a_corrupted_mart_fails_the_right_expectation(
    validator, parameters, warehouse_copy, mart, sql, expected, targets
):
    con = duckdb.connect(str(warehouse_copy))
    try:
        make_mart_writable(con, mart)
        changed = con.execute(sql).fetchall()[0][0]
    finally:
        con.close()
    assert changed >= 1, "the corruption touched no row"
    result = validator.validate(mart, _batch(warehouse_copy, mart), mart, parameters)
    assert failing(result) == expected
    if targets is not None:
        for failure in result.failures:
            assert {r["target_id"] for r in failure.rows} == targets
