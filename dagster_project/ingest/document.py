"""Read a landing file's bytes into a :class:`Document` (table rows, HTML text or JSON), by content."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from dagster_project.ingest.text import EncodingError, clean_cell, decode_bytes, superscript

__all__ = ["Document", "DocumentError", "Limits", "load_document", "load_documents"]


class DocumentError(ValueError):
    """The file cannot be read at all (undecodable, corrupt workbook, invalid JSON); ``row`` (1-based)
    when one row is where reading went wrong."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


@dataclass
class Document:
    source_file: str
    kind: str  # 'table' | 'html' | 'json'
    rows: list[list[str]] = field(default_factory=list)  # cleaned cells (full-width folded)
    raw_rows: list[list[str]] = field(default_factory=list)  # cells as published, for source_value
    text: str = ""
    data: Any = None
    encoding: str = ""
    sheet: str = ""  # the worksheet's name (XLSX)
    widths: list[int] = field(default_factory=list)  # fields per row as written (CSV; [] for XLSX)
    ends_with_newline: bool = True  # CSV: whether the last line was complete
    hidden: bool = False  # XLSX: the sheet is hidden in the workbook
    hidden_cells: str = ""  # XLSX: the hidden rows and columns, blanked ('rows 5, 9; columns D')
    # XLSX: (row, col), 0-based, of General numbers like 2023.1, which Excel also shows for a typed 2023.10
    numbers_like_a_month: set[tuple[int, int]] = field(default_factory=set)
    # rows (0-based) whose first cell is indented (leading spaces, or an XLSX indent): a table's sub-item
    indented_rows: set[int] = field(default_factory=set)
    # XLSX: (row, col), 0-based, of formulas saved without the value Excel shows (never opened and saved in
    # Excel): the cell holds only its '=...' text, and a refusal of it names the sheet's cell (E6)
    unsaved_formulas: set[tuple[int, int]] = field(default_factory=set)

    def unsaved_formula_in(self, row: int, reason: str) -> tuple[str, str] | None:
        """(cell reference, formula), e.g. ('E6', '=C7+C8'), of the unsaved formula on ``row`` (1-based) that
        ``reason`` quotes; None when it quotes none."""
        for r, c in sorted(self.unsaved_formulas):
            if r == row - 1 and repr(self.raw(r, c)) in reason:
                return f"{_column_letter(c + 1)}{row}", self.raw(r, c)
        return None

    def cell(self, row: int, col: int) -> str:
        """Cleaned cell by 0-based indices ('' outside the table)."""
        r = self.rows[row] if row < len(self.rows) else []
        return r[col] if col < len(r) else ""

    def raw(self, row: int, col: int) -> str:
        r = self.raw_rows[row] if row < len(self.raw_rows) else []
        return r[col] if col < len(r) else ""


def _shown_text(value: Any) -> str:
    """A text cell typed with formatted runs (openpyxl's CellRichText) as it shows: a superscript run's digits as
    ¹²³ (3420.3 with its footnote number 1 set as superscript is 3420.3¹, a mark, not 3420.31)."""
    return "".join(
        superscript(block.text)
        if getattr(getattr(block, "font", None), "vertAlign", None) == "superscript"
        else str(block)
        for block in value
    )


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
    raw_rows = [r if len(r) == width else r + [""] * (width - len(r)) for r in raw_rows]
    one: dict[str, str] = {}  # one string per distinct cleaned text, for this file only
    rows = [[_cleaned(c, one) for c in r] for r in raw_rows]
    return Document(source_file, "table", rows=rows, raw_rows=raw_rows, encoding=encoding)


def _cleaned(cell: str, one: dict[str, str]) -> str:
    """clean_cell, one string per distinct cleaned text (``one``, the file's): a cell that cleaning changes
    (full-width text such as 亿元 or a source, repeated in every row of a long release) would otherwise be a
    new string in every row (80-120 bytes each, a sixth of what a row holds). An unchanged cell is already
    the read's one string per text (_read_csv)."""
    text = clean_cell(cell)
    return text if text is cell else one.setdefault(text, text)


@dataclass(frozen=True)
class Limits:
    """What one file may hold (settings: PMW_MAX_FIELD_CHARS, PMW_MAX_SHEET_ROWS, PMW_MAX_SHEET_COLS)."""

    max_field_chars: int = 10_000
    max_sheet_rows: int = 100_000
    max_sheet_cols: int = 200


def _column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_PLAIN_NUMBER = re.compile(r"[#,0]*(?:\.(?P<places>0*#*))?%?")
_GENERAL_LIKE_A_MONTH = re.compile(r"(?:19|20)\d\d\.1")


def _shown_number(value: float, places: tuple[int, int], scale: int = 1) -> str:
    """A number as its cell format shows it: rounded half away from zero like Excel, not half to even."""
    fewest, most = places
    shown = (Decimal(repr(value)) * scale).quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP)
    text = f"{abs(shown) if shown == 0 else shown:f}"  # -0.04 shown as 0.0, not -0.0
    if most > fewest:
        whole, _, frac = text.partition(".")
        frac = frac.rstrip("0").ljust(fewest, "0")
        text = f"{whole}.{frac}" if frac else whole
    return text


class _ShownFormats:
    """How a cell style shows its value: its number format without quoted text, escapes and [colours]."""

    def __init__(self, wb: Any) -> None:
        self._wb = wb
        self._known: dict[int, str] = {}

    def shown(self, style_id: int | None) -> str:
        if not style_id:
            return ""
        if style_id not in self._known:
            from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

            fmt_id = self._wb._cell_styles[style_id].numFmtId
            fmt = (
                BUILTIN_FORMATS.get(fmt_id, "")
                if fmt_id < BUILTIN_FORMATS_MAX_SIZE
                else self._wb._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]
            )
            self._known[style_id] = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt or "")
        return self._known[style_id]

    def percent(self, style_id: int | None) -> bool:
        """A number shown as a percentage (a bare '%')."""
        return "%" in self.shown(style_id)

    def decimals(self, style_id: int | None) -> tuple[int, int] | None:
        """The fewest and most decimals a plain number format shows ('0.0' (1, 1), '#,##0.0#' (1, 2),
        '0.00%' (2, 2)); None for General, text, dates and anything else, whose value is read as stored."""
        section = self.shown(style_id).split(";")[0]
        section = re.sub(r"[_*].|\s", "", section)  # padding (_) and fill (*) take the next character
        m = _PLAIN_NUMBER.fullmatch(section)
        if not m or not re.search(r"[0#]", section):
            return None
        places = m["places"] or ""
        return len(places.rstrip("#")), len(places)

    def indent(self, style_id: int | None) -> bool:
        """A cell indented by its alignment (Excel's 增加缩进), as a table's sub-item row is."""
        if not style_id:
            return False
        alignment = self._wb._alignments[self._wb._cell_styles[style_id].alignmentId]
        return bool(alignment.indent)

    def month(self, style_id: int | None) -> bool:
        """A date shown as its year and month only (yyyy"年"m"月", mmm-yy): the cell names a month."""
        shown = self.shown(style_id).lower()
        return "y" in shown and "m" in shown and "d" not in shown and "h" not in shown


def _is_true(flag: object) -> bool:
    return str(flag).lower() in ("1", "true")


def _blank_hidden(grid: list[list[str]], rows: list[int], cols: list[int]) -> str:
    """Blank the rows and columns (1-based) the office hid: old or working figures, not what it published.
    Returns what was hidden and held text, for the release's notes ('' when nothing)."""
    rows = [r for r in rows if r <= len(grid) and any(grid[r - 1])]
    cols = [c for c in cols if any(c <= len(row) and row[c - 1] for row in grid)]
    for r in rows:
        grid[r - 1] = [""] * len(grid[r - 1])
    for row in grid:
        for c in cols:
            if c <= len(row):
                row[c - 1] = ""
    parts = [f"row{'s' * (len(rows) > 1)} {', '.join(map(str, rows))}"] if rows else []
    parts += [f"column{'s' * (len(cols) > 1)} {', '.join(_column_letter(c) for c in cols)}"] if cols else []
    return "; ".join(parts)


def _sheet_grid(
    wb: Any, ws: Any, limits: Limits
) -> tuple[
    list[list[str]],
    list[tuple[int, int, int, int]],
    set[tuple[int, int]],
    tuple[list[int], list[int]],
    set[int],
    set[tuple[int, int]],
]:
    """The sheet's cells as a grid over its real used range, and its merged ranges, streamed.

    Only the cells the sheet's XML holds are read (openpyxl's parser, as read-only mode uses it), so a
    stray cell at XFD1048576 costs one cell, not a million empty rows; a non-empty cell beyond the
    limits is refused by name instead of exhausting memory.
    """
    from openpyxl.worksheet._reader import VALUE_TAG, WorkSheetParser  # the streaming parser of read-only mode

    class SavedValueParser(WorkSheetParser):
        """A formula cell reads as the value Excel saved with it, what the office sees; a formula saved
        without one (written by a program, never opened in Excel) stays '=...' text, refused where a
        number is expected. Nothing is evaluated."""

        def parse_cell(self, element: Any) -> dict[str, Any]:
            saved = element.find(VALUE_TAG)
            self.data_only = saved is not None and bool(saved.text)
            return super().parse_cell(element)

    cells: dict[tuple[int, int], str] = {}
    like_a_month: set[tuple[int, int]] = set()
    indented: set[int] = set()
    unsaved: set[tuple[int, int]] = set()
    with ws._get_source() as src:
        parser = SavedValueParser(
            src,
            ws._shared_strings,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
            rich_text=True,
        )
        formats = _ShownFormats(wb)
        for r, row in parser.parse():
            for cell in row:
                value, style = cell["value"], cell.get("style_id")
                if isinstance(value, list):  # a text typed with formatted runs (CellRichText, a list of them)
                    value = _shown_text(value)
                number = isinstance(value, int | float) and not isinstance(value, bool)
                places = formats.decimals(style) if number else None
                if number and formats.percent(style):
                    # a cell shown as 12.4% holds 0.124: read what the office sees, not a growth 100x too small
                    text = _shown_number(value, places, 100) if places else f"{_raw_cell(round(value * 100, 9))}"
                    text += "%"
                elif places:
                    text = _shown_number(value, places)  # 6.12 shown as 6.1, 2023.1 shown as 2023.10
                elif isinstance(value, date) and formats.month(style):
                    text = f"{value.year}年{value.month}月"  # 2023-06-01 shown as 2023年6月: the month it names
                else:
                    text = _raw_cell(value)
                    if number and _GENERAL_LIKE_A_MONTH.fullmatch(text):
                        like_a_month.add((r - 1, cell["column"] - 1))
                if not text:
                    continue
                if cell.get("data_type") == "f":  # a formula the parser kept: it was saved without a value
                    unsaved.add((r - 1, cell["column"] - 1))
                if cell["column"] == 1 and (str(value)[:1].isspace() or formats.indent(style)):
                    indented.add(r - 1)
                c = cell["column"]
                where = f"sheet {ws.title!r} cell {_column_letter(c)}{r}"
                if r > limits.max_sheet_rows or c > limits.max_sheet_cols:
                    raise DocumentError(
                        f"{where} lies beyond the sheet limit of {limits.max_sheet_rows} rows x "
                        f"{limits.max_sheet_cols} columns (a stray cell far from the table? delete it; "
                        "limits: PMW_MAX_SHEET_ROWS, PMW_MAX_SHEET_COLS)"
                    )
                if len(text) > limits.max_field_chars:
                    raise DocumentError(
                        f"{where} holds {len(text)} characters, more than the limit of {limits.max_field_chars} "
                        "(PMW_MAX_FIELD_CHARS)"
                    )
                cells[(r, c)] = text
        merged = parser.merged_cells.mergeCell if parser.merged_cells else []
        hidden_rows = sorted(int(r) for r, attrs in parser.row_dimensions.items() if _is_true(attrs.get("hidden")))
        hidden_cols = sorted(
            {
                c
                for attrs in parser.column_dimensions.values()
                if _is_true(attrs.get("hidden"))
                for c in range(int(attrs.get("min", 0)), int(attrs.get("max", 0)) + 1)
            }
        )
    ranges = []
    for m in merged:
        from openpyxl.worksheet.cell_range import CellRange

        rng = CellRange(m.ref)
        ranges.append((rng.min_row, rng.min_col, rng.max_row, rng.max_col))
    rows = max((r for r, _ in cells), default=0)
    cols = max((c for _, c in cells), default=0)
    grid = [[""] * cols for _ in range(rows)]
    for (r, c), text in cells.items():
        grid[r - 1][c - 1] = text
    return grid, ranges, like_a_month, (hidden_rows, hidden_cols), indented, unsaved


def _read_xlsx(data: bytes, source_file: str, limits: Limits) -> list[Document]:
    import openpyxl  # local import: only XLSX files pay for it

    try:
        # read_only: sheets are streamed from the zip, never built as a grid of every cell
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, rich_text=True)
    except zipfile.BadZipFile as exc:
        # it starts as an .xlsx does (PK) but its archive does not hold together: cut short in a download,
        # a copy or an e-mail attachment
        raise DocumentError(
            f"cannot read workbook: it is damaged or incomplete ({exc}; {len(data)} bytes): was it downloaded or "
            "copied completely? Open it in Excel or WPS: if it opens, save it again, else ask for it again"
        ) from exc
    except (KeyError, OSError, ValueError, TypeError) as exc:
        raise DocumentError(f"cannot read workbook: {exc}") from exc
    docs = []
    # chart sheets (wb.chartsheets): a chart holds no cells, its figures stay in the sheet it draws from
    charts = [c.title for c in wb.chartsheets]
    try:
        for ws in wb.worksheets:
            if not hasattr(ws, "_get_source"):  # a chart sheet holds no cells
                continue
            try:
                grid, merged, like_a_month, (hidden_rows, hidden_cols), indented, unsaved = _sheet_grid(wb, ws, limits)
            except DocumentError:
                raise
            except Exception as exc:  # a corrupt sheet part
                raise DocumentError(f"cannot read sheet {ws.title!r}: {type(exc).__name__}: {exc}") from exc
            # Merged header cells hold their value in the top-left cell only; copy it across the range
            # so '本月' covers both of its sub-columns and '指标' both header rows.
            for min_row, min_col, max_row, max_col in merged:
                if min_row > len(grid) or min_col > len(grid[min_row - 1]):
                    continue
                top = grid[min_row - 1][min_col - 1]
                for r in range(min_row - 1, min(max_row, len(grid))):
                    for c in range(min_col - 1, min(max_col, len(grid[r]))):
                        grid[r][c] = top
            hidden_cells = _blank_hidden(grid, hidden_rows, hidden_cols)
            doc = _table(source_file, grid, "xlsx")
            doc.hidden_cells = hidden_cells
            doc.sheet = ws.title
            doc.hidden = ws.sheet_state != "visible"
            doc.numbers_like_a_month = like_a_month
            doc.indented_rows = indented
            doc.unsaved_formulas = unsaved
            docs.append(doc)
    finally:
        wb.close()
    if not any(any(any(r) for r in d.rows) for d in docs):
        # every sheet empty, besides charts: "matches no known layout" would send the office to the layouts
        sheets = [f"sheet {d.sheet!r} is empty" for d in docs] + [f"{c!r} is a chart sheet" for c in charts]
        raise DocumentError(
            f"the workbook holds no figures: {'; '.join(sheets) or 'it has no sheet'}"
            + (" (a chart shows figures it draws from another sheet: send that sheet)" if charts else "")
        )
    return docs


def _delimiter(text: str) -> str:
    """Tab for a tab-separated export (some office systems save .txt/.tsv that way), semicolon for an Excel
    set to a locale that writes decimal commas, else comma: the most frequent of them in the first line
    that holds any."""
    for line in text.splitlines()[:20]:
        counts = {sep: line.count(sep) for sep in (",", "\t", ";")}
        if any(counts.values()):
            return max(counts, key=lambda sep: counts[sep])  # ties go to the comma, listed first
    return ","


def _read_csv(text: str, limits: Limits) -> tuple[list[list[str]], list[int], set[int]]:
    """Rows (cells stripped), the number of fields each row had as written, and the rows whose first cell was
    indented with spaces (a sub-item)."""
    old = csv.field_size_limit(limits.max_field_chars)
    try:
        # Row by row, each cell stripped, one string per distinct text: a long release repeats its codes,
        # units, dates and source in every row, and one string per text (not per cell) halves what a file of
        # a million rows holds while the row-by-row path reads it. The file's own dict, not sys.intern: the
        # interpreter's table outlives the file and grows with every distinct text of every file read.
        one: dict[str, str] = {}
        rows: list[list[str]] = []
        widths: list[int] = []
        indented: set[int] = set()
        last: list[str] = []
        for last in csv.reader(io.StringIO(text), delimiter=_delimiter(text)):
            if last and last[0][:1].isspace() and last[0].strip():
                indented.add(len(rows))
            rows.append([one.setdefault(c, c) for c in map(str.strip, last)])
            widths.append(len(last))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise DocumentError(
                f"a field holds more than {limits.max_field_chars} characters (PMW_MAX_FIELD_CHARS): "
                "not a statistics table"
            ) from exc
        raise DocumentError(f"cannot parse as CSV: {exc}") from exc
    finally:
        csv.field_size_limit(old)
    if text.count('"') % 2 and any("\n" in c or "\r" in c for c in last):
        # A quote that is never closed makes the csv module read the rest of the file as one cell of the
        # last record; its rows would be refused as "cut short", which is not what happened.
        row = len(rows)
        raise DocumentError(
            'a quote (") opened in this row is never closed, so the rest of the file was read as one '
            'cell; remove the stray quote or write it doubled ("") inside a quoted cell',
            row=row,
        )
    return rows, widths, indented


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (BIFF inside an OLE2 container)
# the stream an encrypted .xlsx/.docx keeps in its OLE2 container, named in UTF-16 in the directory (MS-OFFCRYPTO)
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _neither_workbook_nor_text(data: bytes, source_file: str, exc: EncodingError) -> str:
    """Why bytes that are no .xlsx and no text cannot be read, in the words of what the file claims to be.
    (The name decides nothing when the bytes can be read: offices publish HTML and CSV named .xls.)"""
    if data.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            # Excel's "Encrypt with Password" wraps the .xlsx in an OLE2 container: saving it again as .xlsx
            # (the .xls advice below) keeps the password, and the file is refused again
            return (
                "a password-protected workbook (加密/密码保护): its cells cannot be read without the password; "
                "open it in Excel or WPS, remove the password (文件 > 信息 > 保护工作簿 > 用密码进行加密, "
                "clear it) and save it again"
            )
        return "an old binary Excel workbook (.xls, BIFF): not read; open it in Excel or WPS and save it as .xlsx"
    suffix = Path(source_file).suffix.lower()
    if suffix in _WORKBOOK_SUFFIXES:
        return (
            f"not an Excel workbook: the name ends in {suffix} but the bytes are neither a workbook (an .xlsx is "
            f"a zip archive, starting 'PK') nor text ({exc})"
        )
    return str(exc)


def load_documents(data: bytes, source_file: str, limits: Limits | None = None) -> list[Document]:
    """Sniff the content (not the name): XLSX (zip magic, one Document per sheet), JSON, HTML, else CSV."""
    limits = limits or Limits()
    if not data.strip():
        raise DocumentError(f"the file is empty ({len(data)} bytes, no text): was it saved or copied completely?")
    if data.startswith(b"%PDF-"):
        # a PDF's bytes can decode as GB18030 and would be read as a one-column table "of no known layout"
        raise DocumentError(
            "a PDF document: its tables and text are not read; ask the office for the table as .xlsx or .csv, "
            "or save the bulletin's web page (.html)"
        )
    if data.startswith(b"PK\x03\x04"):
        if b"word/document.xml" in data:  # a zip, as an .xlsx is, but a Word document's
            raise DocumentError(
                "a Word document (.docx): not read; copy its table into a workbook (.xlsx) or save the bulletin's "
                "web page (.html)"
            )
        return _read_xlsx(data, source_file, limits)
    try:
        text, encoding = decode_bytes(data)
    except EncodingError as exc:
        raise DocumentError(_neither_workbook_nor_text(data, source_file, exc)) from exc
    head = text.lstrip()[:2000].lower()
    if head.startswith("{"):
        try:
            return [Document(source_file, "json", text=text, data=json.loads(text), encoding=encoding)]
        except json.JSONDecodeError as exc:
            raise DocumentError(f"invalid JSON: {exc}") from exc
    if head.startswith("<") and ("<html" in head or "<!doctype" in head or "<table" in head):
        return [Document(source_file, "html", text=text, encoding=encoding)]
    raw_rows, widths, indented = _read_csv(text, limits)
    doc = _table(source_file, raw_rows, encoding)
    doc.widths = widths
    doc.indented_rows = indented
    doc.ends_with_newline = text.endswith(("\n", "\r"))
    return [doc]


def load_document(data: bytes, source_file: str, limits: Limits | None = None) -> Document:
    """The first sheet (or the only document) of :func:`load_documents`."""
    return load_documents(data, source_file, limits)[0]
