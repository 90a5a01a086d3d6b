"""What users see: the HTML progress report, and the data and wording the terminal commands share."""

from dagster_project.report.html import REPORT_FILE_NAME, ReportResult, build_report
from dagster_project.report.published import NoPublishedCopy, open_published

__all__ = ["REPORT_FILE_NAME", "ReportResult", "build_report", "NoPublishedCopy", "open_published"]
