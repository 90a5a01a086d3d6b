"""Text-level helpers shared by all adapters: decoding, full-width folding, safe file names."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "EncodingError",
    "decode_bytes",
    "spreadsheet_safe",
    "from_spreadsheet_safe",
    "spreadsheet_safe_frame",
    "to_halfwidth",
    "clean_cell",
    "safe_filename",
]


class EncodingError(ValueError):
    """The bytes are neither UTF-8 nor GB18030 (a superset of GBK)."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file content; return (text, encoding used).

    Order matters: a BOM is unambiguous; strict UTF-8 rarely succeeds on GBK bytes by accident;
    GB18030 decodes almost anything, so it is the last resort and still strict (no 'replace').
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise EncodingError(f"file has a UTF-8 BOM but invalid UTF-8 at byte {exc.start + 3}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"cannot decode file as UTF-8, UTF-8-BOM or GB18030 (bad byte at offset {exc.start})"
        ) from exc


# U+FF01..U+FF5E map to ASCII 0x21..0x7E; U+3000 is the ideographic space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Dashes and tildes that offices use interchangeably in ranges like 1—5月 / 01～05.
_FULLWIDTH.update({ord("—"): ord("-"), ord("–"): ord("-"), ord("－"): ord("-"), ord("〜"): ord("~")})


def to_halfwidth(text: str) -> str:
    """Fold full-width ASCII (１２３．４, ％, （）) to half-width. Roman numerals (Ⅱ) are left alone."""
    return text.translate(_FULLWIDTH)


_WS = re.compile(r"\s+")


def clean_cell(value: object) -> str:
    """A cell as normalised text: None -> '', full-width folded, whitespace runs collapsed, stripped."""
    if value is None:
        return ""
    if isinstance(value, str) and value.isascii() and value.isprintable() and "  " not in value:
        # Fast path (most cells: codes, numbers, dates): nothing to fold and no whitespace run.
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        # openpyxl gives 62.0 for an integer-looking cell; keep "62" as the office typed it.
        value = int(value)
    text = to_halfwidth(str(value)).replace("\u00a0", " ")
    return _WS.sub(" ", text).strip()


_UNSAFE = re.compile(r"[^\w.\-()（）\[\] ]", re.UNICODE)


# What a spreadsheet may run as a formula when it opens a CSV: = + - @ first (also full-width), or a
# tab / CR first (they hide a following formula character from some checks).
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def spreadsheet_safe(value: object) -> object:
    """A cell for a CSV/XLSX a spreadsheet opens: text that could run as a formula gets a leading
    apostrophe (shown as text, never evaluated); numbers and other text are returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def from_spreadsheet_safe(text: str) -> str:
    """A cell written by :func:`spreadsheet_safe`, as it was: only the apostrophe it added is removed
    (a reason quoting a cell, "'abc' is not a number", keeps its own)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_TRIGGERS) else text


def spreadsheet_safe_frame(frame):  # pandas.DataFrame -> pandas.DataFrame
    """:func:`spreadsheet_safe` on every text cell of a DataFrame (a copy), for CSV exports."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("str"):
            out[col] = out[col].map(spreadsheet_safe)
    return out


def safe_filename(name: str, max_bytes: int = 180) -> str:
    """A file name that cannot escape a directory: last path component only, no '..', no control chars.

    CJK characters are kept (\\w is Unicode-aware); anything else unusual becomes '_'.
    """
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch if unicodedata.category(ch)[0] != "C" else "_" for ch in name)
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\.{2,}", ".", name).strip(" .")
    # Keep within file-system limits (bytes, since CJK is 3 bytes in UTF-8) but preserve the suffix.
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, ""
    while len((stem + ("." + ext if ext else "")).encode("utf-8")) > max_bytes and stem:
        stem = stem[:-1]
    name = stem + ("." + ext if ext else "")
    return name or "unnamed"
