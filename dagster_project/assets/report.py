"""Report: the HTML progress report, rebuilt from the published copy after every publish."""

import dagster as dg

from dagster_project.report import REPORT_FILE_NAME, build_report
from dagster_project.report.data import load_report_data
from dagster_project.report.workbook import WORKBOOK_FILE_NAME, write_workbook
from dagster_project.resources import SettingsResource


@dg.asset(
    key=["report", "progress_html"],
    deps=[dg.AssetKey(["published", "marts"])],
    group_name="report",
    kinds={"html", "plotly"},
    description=(
        "目标进度报告 / The self-contained HTML progress report (scorecard, one chart per quantified target, "
        "regional grids, project stages). Reads only the published copy, so it never shows marts that failed "
        "a check; works offline (plotly.js inlined once)."
    ),
)
def progress_report(context: dg.AssetExecutionContext, settings: SettingsResource) -> dg.MaterializeResult:
    # No warehouse pool: the report reads the published copy, never the working warehouse.
    settings = settings.get()
    result = build_report(
        settings.published_db_path,
        settings.reports_dir / REPORT_FILE_NAME,
        quarantine_dir=settings.quarantine_dir,
        plotly_js=settings.plotly_js_path,
    )
    context.log.info(f"report written to {result.path} ({result.size_bytes / 1e6:.1f} MB, {result.charts} charts)")
    # the 序时进度 workbook beside it: the report links to it
    workbook = write_workbook(load_report_data(settings.published_db_path), settings.reports_dir / WORKBOOK_FILE_NAME)
    context.log.info(f"workbook written to {workbook.path} ({len(workbook.sheets)} sheets)")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "workbook": dg.MetadataValue.path(str(workbook.path)),
            "size_mb": round(result.size_bytes / 1e6, 2),
            "charts": result.charts,
            "targets": result.targets,
            "status_counts": dg.MetadataValue.json(result.status_counts),
            "published_version": result.version,
            "illustrative_share": round(result.illustrative_share, 4),
        }
    )
