"""What a check run leaves behind: a Markdown report per suite under settings.validation_dir, and
the metadata Dagster shows on the check (failing expectations, sample rows, timings)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_project.checks.gx_runner import BatchResult, Failure, SuiteRun
from dagster_project.run_files import keep_newest, stamped_name

if TYPE_CHECKING:  # Dagster is imported where its metadata is made: validation runs without it too
    import dagster as dg

KEEP_REPORTS = 30  # per suite; older reports are removed (latest.md always points at the newest)
SAMPLE_ROWS = 5
_SEVERITY_LABEL = {"critical": "严重 / critical", "warning": "警告 / warning"}


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def summary(run: SuiteRun) -> str:
    failing = [b for b in run.batches if b.failures]
    critical = sum(len(b.critical) for b in run.batches)
    warnings = sum(len(b.warnings) for b in run.batches)
    if not failing:
        return f"通过 / passed: {len(run.batches)} batches, {run.rows} rows"
    return (
        f"未通过 / failed: {critical} critical and {warnings} warning expectation results "
        f"in {len(failing)} of {len(run.batches)} batches ({run.rows} rows)"
    )


def _unexpected(f: Failure) -> str:
    if f.error:
        return f"error: {f.error}"
    if f.unexpected_count is not None:
        total = f" of {f.element_count}" if f.element_count is not None else ""
        return f"{f.unexpected_count}{total}"
    return f.observed


def _sample_table(f: Failure) -> list[str]:
    rows = f.rows[:SAMPLE_ROWS]
    if not rows:
        return [f"_{f.observed or f.error or 'no row-level detail (a table-level expectation)'}_"]
    header = list(dict.fromkeys(k for row in rows for k in row))
    return _table(header, [[row.get(k) for k in header] for row in rows])


def _failure_rows(batches: list[BatchResult]) -> list[list[object]]:
    return [
        [
            b.batch,
            _SEVERITY_LABEL.get(f.severity, f.severity),
            f"{f.description} ({f.check_id})",
            f.column,
            f.rule,
            _unexpected(f),
            f.notes,
        ]
        for b in batches
        for f in b.failures
    ]


def render_markdown(run: SuiteRun, *, asset: str, run_id: str) -> str:
    suite = run.suite
    lines = [
        f"# {suite.title} — `{suite.name}`",
        "",
        *_table(
            ["", ""],
            [
                ["资产 / asset", asset],
                ["运行 / run", run_id],
                ["校验时间 / validated at", run.started_at.isoformat(timespec="seconds")],
                [
                    "套件 / suite",
                    f"{suite.path.name} (version {suite.version}, {len(suite.expectations)} expectations)",
                ],
                ["Great Expectations", version("great-expectations")],
                ["结果 / result", summary(run)],
                ["批次 / batches", f"{len(run.batches)} ({run.rows} rows, {run.seconds:.2f} s)"],
                ["批次定义 / a batch is", suite.meta.get("batch", "")],
            ],
        ),
        "",
        "## 批次 / Batches",
        "",
        *_table(
            ["batch", "rows", "expectations", "critical failed", "warnings", "seconds"],
            [[b.batch, b.rows, b.evaluated, len(b.critical), len(b.warnings), f"{b.seconds:.2f}"] for b in run.batches],
        ),
        "",
    ]
    failing = [b for b in run.batches if b.failures]
    if failing:
        lines += ["## 未通过的期望 / Failed expectations", ""]
        lines += _table(
            ["batch", "severity", "expectation", "column", "rule", "unexpected", "why"], _failure_rows(failing)
        )
        lines += ["", "## 样例行 / Sample rows", ""]
        for b in failing:
            for f in b.failures:
                lines += [f"### {b.batch}: {f.description} ({f.expectation})", "", *_sample_table(f), ""]
    lines += ["## 套件内容 / Expectations in the suite", ""]
    lines += _table(
        ["check_id", "severity", "expectation", "type", "why"],
        [
            [
                e["meta"]["check_id"],
                _SEVERITY_LABEL.get(e["severity"], e["severity"]),
                e["description"],
                e["type"],
                e["notes"],
            ]
            for e in suite.expectations
        ],
    )
    return "\n".join(lines) + "\n"


def write_markdown(run: SuiteRun, validation_dir: Path, *, asset: str, run_id: str) -> Path:
    """validation_dir/<suite>/<UTC time>-<run>.md, plus latest.md; keeps the newest KEEP_REPORTS."""
    folder = validation_dir / run.suite.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stamped_name(run_id)}.md"
    text = render_markdown(run, asset=asset, run_id=run_id)
    path.write_text(text, encoding="utf-8")
    latest = folder / ".latest.md.incoming"
    latest.write_text(text, encoding="utf-8")
    latest.replace(folder / "latest.md")  # a reader of latest.md never sees it half-written
    keep_newest((p for p in folder.glob("*.md") if p.name != "latest.md"), KEEP_REPORTS)
    run.report_path = path
    return path


def check_metadata(run: SuiteRun) -> dict[str, dg.MetadataValue]:
    """Metadata of a Dagster check result: what failed, sample rows, how long it took, the report."""
    import dagster as dg

    failing = [b for b in run.batches if b.failures]
    metadata: dict[str, dg.MetadataValue] = {
        "result": dg.MetadataValue.text(summary(run)),
        "suite": dg.MetadataValue.text(f"{run.suite.name} @ {run.suite.version}"),
        "batches": dg.MetadataValue.int(len(run.batches)),
        "rows_validated": dg.MetadataValue.int(run.rows),
        "validation_seconds": dg.MetadataValue.float(round(float(run.seconds), 3)),
        "seconds_per_batch": dg.MetadataValue.float(round(float(run.seconds) / max(len(run.batches), 1), 3)),
    }
    if run.report_path is not None:
        metadata["report"] = dg.MetadataValue.path(str(run.report_path))
    if failing:
        rows = _failure_rows(failing)
        lines = _table(["batch", "severity", "expectation", "column", "rule", "unexpected", "why"], rows[:50])
        if len(rows) > 50:
            lines.append(f"\n… {len(rows) - 50} more in the report")
        metadata["failed_expectations"] = dg.MetadataValue.md("\n".join(lines))
        samples: list[str] = []
        for b in failing:
            for f in b.failures:
                if len(samples) > 400:
                    break
                samples += [f"**{b.batch}: {f.description}**", "", *_sample_table(f), ""]
        metadata["sample_rows"] = dg.MetadataValue.md("\n".join(samples))
    return metadata
