"""The raw-release suite inside the ingestion path: the screen of the store's commit.

The ingest contract (``ingest/validate.py``) decides whether a file can be staged at all; the
``raw_observations`` suite then judges the staged rows, batch by batch, inside the transaction that
commits them (:meth:`dagster_project.ingest.store.ReleaseStage.commit`). A release failing a critical
expectation is never written to raw: it is recorded as quarantined like a contract failure (its
errors in raw.quarantine and next to the quarantined file), so the blocking contract check fails and
nothing downstream is rebuilt from it. A release failing only warning expectations is kept; the
sibling check shows it. Nothing here writes raw tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.checks.batches import RAW_BATCH_MAX_ROWS, catalogue_parameters, raw_release_batches
from dagster_project.checks.gx_runner import Failure, GXValidator, SuiteRun
from dagster_project.checks.report import write_markdown
from dagster_project.checks.suites import load_suite
from dagster_project.ingest.models import IngestError

RAW_SUITE = "raw_observations"
MAX_ERRORS_PER_FAILURE = 20  # rows listed per failed expectation in a quarantine report


@dataclass
class RawCheckOutcome:
    run: SuiteRun
    rejected: dict[str, list[Failure]] = field(default_factory=dict)  # release_id -> critical failures
    warned: dict[str, list[Failure]] = field(default_factory=dict)  # release_id -> warning failures


class RawScreen:
    """The raw suite as a :data:`store.Screen`: judges staged releases, keeps every batch's result.

    Called by ``ReleaseStage.commit`` inside its transaction; any number of commits (packs) of one
    run add to the same :attr:`outcome`. If GX cannot run, the error propagates and the commit
    writes nothing (fail closed: the files stay in the landing folder for the next run).
    """

    def __init__(
        self, seeds_dir: Path, max_rows: int = RAW_BATCH_MAX_ROWS, expectations_dir: Path | None = None
    ) -> None:
        self.suite = load_suite(RAW_SUITE, expectations_dir)
        self.seeds_dir = seeds_dir
        self.max_rows = max_rows
        self.outcome = RawCheckOutcome(SuiteRun(self.suite))
        self._validator: GXValidator | None = None
        self._parameters: dict | None = None

    def __call__(
        self, con: duckdb.DuckDBPyConnection, relation: str, sources: dict[str, str]
    ) -> dict[str, list[IngestError]]:
        rejected = self.judge(con, relation, list(sources))
        return {rid: ingest_errors(rid, failures, sources[rid]) for rid, failures in rejected.items()}

    def judge(self, con: duckdb.DuckDBPyConnection, relation: str, release_ids: Sequence[str]) -> dict:
        """Validate the rows of ``release_ids`` in ``relation``; the critical failures per release."""
        if self._validator is None:
            self._validator = GXValidator([self.suite])
            self._parameters = catalogue_parameters(self.seeds_dir, names=self.suite.parameter_names)
        rejected: dict[str, list[Failure]] = defaultdict(list)
        warned: dict[str, list[Failure]] = defaultdict(list)
        for batch in raw_release_batches(con, relation, release_ids, self.seeds_dir, self.max_rows):
            result = self._validator.validate(
                self.suite.name, batch.frame, batch.label, self._parameters, attribute_by="release_id"
            )
            self.outcome.run.batches.append(result)
            for failure in result.failures:
                # Row-level failures name their releases; a table-level one (the schema) holds for all.
                culprits = failure.groups or set(batch.release_ids)
                bucket = rejected if failure.severity == "critical" else warned
                for release_id in culprits:
                    bucket[release_id].append(failure)
        self.outcome.rejected.update(rejected)
        self.outcome.warned.update(warned)
        return dict(rejected)


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
    """Validate the stored rows of ``release_ids`` in raw.<table> (read only: the benchmark and
    reviews); say which releases failed which expectations."""
    screen = RawScreen(seeds_dir, max_rows)
    if release_ids:
        screen.judge(con, table, release_ids)
        write_markdown(screen.outcome.run, validation_dir, asset=asset, run_id=run_id)
    return screen.outcome


def _row_text(row: dict, failure: Failure) -> str:
    """A failing row as a person reads it: the judged column's value, then the figure it belongs to
    ("release_date 2099-01-10 (listed_companies 430200 2023-12 value)"), not a dict of timestamps."""

    def plain(value: object) -> str:
        if isinstance(value, float):
            return f"{value:g}"
        return str(value).removesuffix("T00:00:00").removesuffix(" 00:00:00")

    rest = {k: v for k, v in row.items() if k not in ("release_id", "source_row", failure.column)}
    key = " ".join(plain(v) for v in rest.values() if v not in ("", None))
    judged = f"{failure.column} {plain(row[failure.column])}" if failure.column in row else ""
    return f"{judged} ({key})" if judged and key else judged or key


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
            source_row = row.get("source_row")
            row_number = int(source_row) if isinstance(source_row, (int, float)) and source_row == source_row else None
            errors.append(IngestError(source_file, row_number, failure.column, f"{reason}: {_row_text(row, failure)}"))
        if len(rows) > MAX_ERRORS_PER_FAILURE:
            more = len(rows) - MAX_ERRORS_PER_FAILURE
            errors.append(IngestError(source_file, None, failure.column, f"{reason}: {more} more rows"))
    return errors


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
