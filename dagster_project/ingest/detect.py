"""Choose the adapter from a file's content (never its name), so offices can keep their own names."""

from __future__ import annotations

from datetime import date

from dagster_project.ingest import (
    env_bulletin,
    facts_ledger,
    http_api,
    long_format,
    monthly_table,
    province_table,
    yearly_bulletin,
)
from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.document import Document
from dagster_project.ingest.models import IngestError, ParseResult

__all__ = ["UnknownFormatError", "detect", "parse_document", "ADAPTERS"]

ADAPTERS = (
    long_format.NAME,
    facts_ledger.NAME,
    monthly_table.NAME,
    province_table.NAME,
    env_bulletin.NAME,
    yearly_bulletin.NAME,
    http_api.NAME,
)


class UnknownFormatError(ValueError):
    """No adapter recognises the content."""


def detect(doc: Document) -> str:
    """The adapter name for ``doc``. Order: the most specific layouts first."""
    if doc.kind == "json":
        if http_api.sniff_payload(doc.data):
            return http_api.NAME
        if problem := http_api.error_answer(doc.data):  # {"code":500,"msg":"…"} saved as the month's answer
            raise UnknownFormatError(f"JSON file: {problem}; pull the month again")
        raise UnknownFormatError("JSON file is not an API release (no 'observations' list)")
    if doc.kind == "html":
        if env_bulletin.sniff(doc):
            return env_bulletin.NAME
        if yearly_bulletin.sniff(doc):
            return yearly_bulletin.NAME
        raise UnknownFormatError(
            "HTML file is not an air or water bulletin, a yearly 统计公报 nor a 经济运行情况 review naming its year "
            "(title not recognised)"
        )
    if facts_ledger.sniff(doc):  # before the long format: a ledger may have a region column too
        return facts_ledger.NAME
    if long_format.sniff(doc):
        return long_format.NAME
    if monthly_table.sniff(doc):
        return monthly_table.NAME
    if province_table.sniff(doc):
        return province_table.NAME
    unplaced = province_table.unplaced_header(doc)
    if unplaced:
        raise UnknownFormatError(unplaced)
    if near := long_format.near_header(doc):
        raise UnknownFormatError(near)
    raise UnknownFormatError(
        "table matches no known layout (long format header, a ledger of quoted figures (indicator, period, value, "
        "unit, quote, source), 统计月报/统计季报 title + 指标/单位 header, "
        "or 各市州/分市州 title + 市州 header)"
    )


def parse_document(doc: Document, catalog: Catalog, default_release_date: date | None = None) -> ParseResult:
    """Detect and parse; raises UnknownFormatError when nothing fits."""
    name = detect(doc)
    if name == http_api.NAME:
        return http_api.parse_payload(doc.data, catalog, doc.source_file, default_release_date)
    module = {
        long_format.NAME: long_format,
        facts_ledger.NAME: facts_ledger,
        monthly_table.NAME: monthly_table,
        province_table.NAME: province_table,
        env_bulletin.NAME: env_bulletin,
        yearly_bulletin.NAME: yearly_bulletin,
    }[name]
    result = module.parse(doc, catalog, default_release_date)
    if doc.unsaved_formulas:
        result.errors = [_name_unsaved_formula(doc, e) for e in result.errors]
    if doc.hidden_cells:
        result.notes.append(f"not loaded: {doc.hidden_cells}, hidden in the workbook (unhide to have them read)")
    return result


def _name_unsaved_formula(doc: Document, error: IngestError) -> IngestError:
    """A refusal of a formula's '=...' text, said as what it is: the sheet's cell holds a formula saved without
    the value Excel shows, which nothing here computes (the row and column label alone left the office to
    guess which cell, and why a formula it sees as a number was "formula-like")."""
    found = doc.unsaved_formula_in(error.row, error.reason) if error.row else None
    if found is None:
        return error
    ref, formula = found
    reason = (
        f"sheet {doc.sheet!r} cell {ref} holds the formula {formula} saved without the value it shows "
        "(the workbook was written by a program and never opened and saved in Excel): formulas are never "
        "computed here; open the workbook in Excel or WPS and save it, or type the figure"
    )
    return IngestError(error.file, error.row, error.column, reason)
