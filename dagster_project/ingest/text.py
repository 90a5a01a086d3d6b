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
    "superscript",
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
    # Excel's "Unicode text" export is UTF-16, with a byte-order mark or (from other tools) without one:
    # then half its bytes are NUL, which UTF-8 decodes without an error into a text nothing can read
    utf16 = _utf16_kind(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError as exc:
            raise EncodingError(f"file looks like {utf16.upper()} but is invalid at byte {exc.start}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"cannot decode file as UTF-8, UTF-8-BOM or GB18030 (bad byte at offset {exc.start})"
        ) from exc
    # GB18030 decodes most bytes into something; private-use characters betray another encoding (Big5)
    private = next((i for i, c in enumerate(text) if "\ue000" <= c <= "\uf8ff"), None)
    if private is not None:
        raise EncodingError(
            f"file decodes as GB18030 only into private-use characters (character {private}): another "
            "encoding, such as Big5? Save it as UTF-8 or GBK"
        )
    return text, "gb18030"


def _utf16_kind(data: bytes) -> str | None:
    """'utf-16' for a UTF-16 byte-order mark, 'utf-16-le'/'-be' where the start's NULs are on one side."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if len(head) < 4:
        return None
    # UTF-8 and GBK text holds no NUL; UTF-16 puts one beside every ASCII character (digits, commas, tabs,
    # line ends: a tenth of a Chinese table at least), always on the same side
    odd, even = head[1::2], head[0::2]
    least = max(4, 0.1 * len(odd))  # a stray NUL or two is a damaged file, not UTF-16
    if odd.count(0) >= least and even.count(0) <= 0.01 * len(even):
        return "utf-16-le"
    if even.count(0) >= least and odd.count(0) <= 0.01 * len(odd):
        return "utf-16-be"
    return None


# U+FF01..U+FF5E map to ASCII 0x21..0x7E; U+3000 is the ideographic space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Dashes and tildes that offices use interchangeably in ranges like 1—5月 / 01～05.
_FULLWIDTH.update({ord("—"): ord("-"), ord("–"): ord("-"), ord("－"): ord("-"), ord("〜"): ord("~")})
# The minus signs a word processor writes for a negative growth (增长−2.1%): U+2212 and the small U+FE63.
_FULLWIDTH.update({ord("\u2212"): ord("-"), ord("\ufe63"): ord("-")})
# The traditional forms of the units' 万 and 亿 (a mirror's 常住387.11萬人, 3616.8億元): the same units, which no
# reader knew in this form, so the figure was neither read nor noted
_FULLWIDTH.update({ord("萬"): ord("万"), ord("億"): ord("亿")})


def to_halfwidth(text: str) -> str:
    """Fold full-width ASCII (１２３．４, ％, （）) to half-width, 萬/億 to 万/亿. Roman numerals (Ⅱ) stay."""
    return text.translate(_FULLWIDTH)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(text: str) -> str:
    """Text set as superscript (a page's <sup>, a workbook cell's superscript run) as it shows: its digits as ¹²³,
    so a footnote number after a figure (3420.3¹) is a mark (qualifiers.py), not the figure's last digit."""
    return text.translate(_SUPERSCRIPT)


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
