"""Read a landing file's bytes into a :class:`Document` (table rows, HTML text or JSON), by content."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dagster_project.ingest.text import EncodingError, clean_cell, decode_bytes

__all__ = ["Document", "DocumentError", "load_document"]


class DocumentError(ValueError):
    """The file cannot be read at all (undecodable, corrupt workbook, invalid JSON)."""


@dataclass
class Document:
    source_file: str
    kind: str  # 'table' | 'html' | 'json'
    rows: list[list[str]] = field(default_factory=list)  # cleaned cells (full-width folded)
    raw_rows: list[list[str]] = field(default_factory=list)  # cells as published, for source_value
    text: str = ""
    data: Any = None
    encoding: str = ""

    def cell(self, row: int, col: int) -> str:
        """Cleaned cell by 0-based indices ('' outside the table)."""
        r = self.rows[row] if row < len(self.rows) else []
        return r[col] if col < len(r) else ""

    def raw(self, row: int, col: int) -> str:
        r = self.raw_rows[row] if row < len(self.raw_rows) else []
        return r[col] if col < len(r) else ""


def _raw_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(source_file: str, raw_rows: list[list[str]], encoding: str) -> Document:
    width = max((len(r) for r in raw_rows), default=0)
    raw_rows = [r + [""] * (width - len(r)) for r in raw_rows]
    rows = [[clean_cell(c) for c in r] for r in raw_rows]
    return Document(source_file, "table", rows=rows, raw_rows=raw_rows, encoding=encoding)


def _read_xlsx(data: bytes, source_file: str) -> Document:
    import openpyxl  # local import: only XLSX files pay for it

    try:
        # data_only=False so formula cells arrive as '=...' text and are rejected, never evaluated.
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DocumentError(f"cannot read workbook: {exc}") from exc
    ws = wb.worksheets[0]
    grid = [[_raw_cell(c.value) for c in row] for row in ws.iter_rows()]
    # Merged header cells hold their value in the top-left cell only; copy it across the range
    # so '本月' covers both of its sub-columns and '指标' both header rows.
    for rng in ws.merged_cells.ranges:
        top = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row - 1, rng.max_row):
            for c in range(rng.min_col - 1, rng.max_col):
                grid[r][c] = top
    return _table(source_file, grid, "xlsx")


def load_document(data: bytes, source_file: str) -> Document:
    """Sniff the content (not the name): XLSX (zip magic), JSON, HTML, else CSV."""
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, source_file)
    try:
        text, encoding = decode_bytes(data)
    except EncodingError as exc:
        raise DocumentError(str(exc)) from exc
    head = text.lstrip()[:2000].lower()
    if head.startswith("{"):
        try:
            return Document(source_file, "json", text=text, data=json.loads(text), encoding=encoding)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"invalid JSON: {exc}") from exc
    if head.startswith("<") and ("<html" in head or "<!doctype" in head or "<table" in head):
        return Document(source_file, "html", text=text, encoding=encoding)
    raw_rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    return _table(source_file, raw_rows, encoding)
