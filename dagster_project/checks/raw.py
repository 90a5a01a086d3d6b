"""The raw-release suite inside the ingestion path.

The ingest contract (``ingest/validate.py``) decides whether a file can be stored at all; the
``raw_observations`` suite then judges what was stored, batch by batch, before the file is
archived. A release failing a critical expectation is taken back out of the raw table and
quarantined like a contract failure (its errors in raw.quarantine and next to the quarantined file),
so the blocking contract check fails and nothing downstream is rebuilt from it. A release failing
only warning expectations is kept; the sibling check shows it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.checks.batches import RAW_BATCH_MAX_ROWS, catalogue_parameters, raw_release_batches
from dagster_project.checks.gx_runner import Failure, GXValidator, SuiteRun
from dagster_project.checks.report import write_markdown
from dagster_project.checks.suites import load_suite
from dagster_project.ingest.models import IngestError
from dagster_project.ingest.store import OBSERVATION_TABLES

RAW_SUITE = "raw_observations"
MAX_ERRORS_PER_FAILURE = 20  # rows listed per failed expectation in a quarantine report


@dataclass
class RawCheckOutcome:
    run: SuiteRun
    rejected: dict[str, list[Failure]] = field(default_factory=dict)  # release_id -> critical failures
    warned: dict[str, list[Failure]] = field(default_factory=dict)  # release_id -> warning failures


def validate_releases(
    con: duckdb.DuckDBPyConnection,
    table: str,
    release_ids: Sequence[str],
    *,
    seeds_dir: Path,
    validation_dir: Path,
    run_id: str,
    asset: str,
    max_rows: int = RAW_BATCH_MAX_ROWS,
) -> RawCheckOutcome:
    """Validate the stored rows of ``release_ids``; say which releases failed which expectations."""
    suite = load_suite(RAW_SUITE)
    run = SuiteRun(suite)
    outcome = RawCheckOutcome(run)
    if not release_ids:
        return outcome
    validator = GXValidator([suite])
    parameters = catalogue_parameters(seeds_dir)
    rejected: dict[str, list[Failure]] = defaultdict(list)
    warned: dict[str, list[Failure]] = defaultdict(list)
    for batch in raw_release_batches(con, table, release_ids, seeds_dir, max_rows):
        result = validator.validate(suite.name, batch.frame, batch.label, parameters, attribute_by="release_id")
        run.batches.append(result)
        for failure in result.failures:
            # Row-level failures name their releases; a table-level one (the schema) holds for all.
            culprits = failure.groups or set(batch.release_ids)
            bucket = rejected if failure.severity == "critical" else warned
            for release_id in culprits:
                bucket[release_id].append(failure)
    write_markdown(run, validation_dir, asset=asset, run_id=run_id)
    outcome.rejected, outcome.warned = dict(rejected), dict(warned)
    return outcome


def ingest_errors(release_id: str, failures: Sequence[Failure], source_file: str) -> list[IngestError]:
    """The release's failures as quarantine errors (row, column, reason), like contract errors."""
    errors: list[IngestError] = []
    for failure in failures:
        reason = f"{failure.description} [GX {failure.expectation}]"
        rows = [r for r in failure.rows if r.get("release_id") == release_id]
        if not rows:
            detail = failure.error or failure.observed or failure.rule
            errors.append(IngestError(source_file, None, failure.column, f"{reason}: {detail}"))
            continue
        for row in rows[:MAX_ERRORS_PER_FAILURE]:
            values = {k: v for k, v in row.items() if k not in ("release_id", "source_row")}
            source_row = row.get("source_row")
            row_number = int(source_row) if isinstance(source_row, (int, float)) and source_row == source_row else None
            errors.append(IngestError(source_file, row_number, failure.column, f"{reason}: {values}"))
        if len(rows) > MAX_ERRORS_PER_FAILURE:
            more = len(rows) - MAX_ERRORS_PER_FAILURE
            errors.append(IngestError(source_file, None, failure.column, f"{reason}: {more} more rows"))
    return errors


def quarantine_release(
    con: duckdb.DuckDBPyConnection, table: str, release_id: str, errors: Sequence[IngestError]
) -> None:
    """Take a stored release back out of raw.<table> and record it as quarantined, in one transaction."""
    if table not in OBSERVATION_TABLES:  # interpolated into SQL: whitelist
        raise ValueError(f"unknown raw table {table!r}")
    now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC, as store.py writes
    con.begin()
    try:
        con.execute(f"DELETE FROM raw.{table} WHERE release_id = ?", [release_id])
        con.execute(
            "UPDATE raw.releases SET status = 'quarantined', row_count = 0, error_count = ? WHERE release_id = ?",
            [len(errors), release_id],
        )
        con.execute("DELETE FROM raw.quarantine WHERE release_id = ?", [release_id])
        con.executemany(
            'INSERT INTO raw.quarantine (release_id, source_file, "row", "column", reason, quarantined_at) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [[release_id, e.file, e.row, e.column, e.reason, now] for e in errors],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise


def errors_for(outcome: RawCheckOutcome, release_id: str, source_file: str) -> list[IngestError]:
    """Quarantine errors of a release that failed a critical expectation; [] when it may be kept."""
    failures = outcome.rejected.get(release_id)
    return ingest_errors(release_id, failures, source_file) if failures else []


def check_result(outcome: RawCheckOutcome, check_name: str, quarantined: Sequence[str]):
    """The sibling check of a raw asset: GX results of this run's batches (quarantining is the
    contract check's job, which blocks; this one shows why, and the warnings)."""
    import dagster as dg

    from dagster_project.checks.report import check_metadata, summary

    metadata = check_metadata(outcome.run)
    metadata["quarantined_by_expectations"] = dg.MetadataValue.json(list(quarantined))
    metadata["releases_with_warnings"] = dg.MetadataValue.json(sorted(outcome.warned))
    return dg.AssetCheckResult(
        check_name=check_name,
        passed=outcome.run.passed,
        severity=(
            dg.AssetCheckSeverity.WARN
            if outcome.run.warning_failed and not outcome.run.critical_failed
            else dg.AssetCheckSeverity.ERROR
        ),
        metadata=metadata,
        description=summary(outcome.run),
    )


def withdraw_releases(con: duckdb.DuckDBPyConnection, table: str, release_ids: Sequence[str], reason: str) -> None:
    """Fail closed: when the suite could not run at all, take the unjudged releases back out of the
    raw table (recorded as quarantined with ``reason``). Their files stay where they are, so the next
    run loads and judges them again."""
    for release_id in release_ids:
        quarantine_release(con, table, release_id, [IngestError(release_id, None, "", reason)])
