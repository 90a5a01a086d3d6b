"""Format 1: the warehouse's own long format (CSV or XLSX), one published number per row."""

from __future__ import annotations

import re
from datetime import date
from difflib import get_close_matches

from dagster_project.ingest.adapter_common import (
    RowContext,
    has_illustrative_marker,
    is_note_row,
    landed_rows_note,
    long_row_error,
    short_row_error,
)
from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.document import Document
from dagster_project.ingest.models import MEASURES, ParseResult
from dagster_project.ingest.periods import parse_period

__all__ = ["NAME", "COLUMNS", "near_header", "sniff", "parse", "month_number_problem"]

NAME = "long_format"
COLUMNS = (
    "indicator",
    "region",
    "subject",
    "period",
    "measure",
    "value",
    "unit",
    "release_date",
    "provenance",
    "source_ref",
    "note",
)


_KEY_COLUMNS = {"indicator", "region", "period", "value"}


def _is_header(row: list[str]) -> bool:
    return {c.strip().lower() for c in row if c} >= _KEY_COLUMNS


def near_header(doc: Document) -> str | None:
    """Why a table whose header is nearly the long format's is not read as one (None when no row is near):
    `indicator_code,region_code,period,value,…` matched no layout, and the refusal listed the layouts without
    saying which of the header's cells were wrong (trial s57)."""
    for i, row in enumerate(doc.rows[:5]):
        cells = [c.strip() for c in row if c and c.strip()]
        stems = {c: re.sub(r"(?:_code|_name|_id)$", "", c.lower()) for c in cells}
        if sum(stem in COLUMNS for stem in stems.values()) < 3:
            continue
        unknown = [c for c in cells if c.lower() not in COLUMNS]
        missing = sorted(_KEY_COLUMNS - {c.lower() for c in cells})
        hints = [
            f"{c!r} (→ {close[0]!r}?)" if (close := get_close_matches(stems[c], COLUMNS, n=1)) else repr(c)
            for c in unknown
        ]
        return (
            f"row {i + 1} is nearly the long format's header but not quite: "
            + (f"{', '.join(hints)} {'is' if len(hints) == 1 else 'are'} not among its columns; " if hints else "")
            + (f"missing {', '.join(missing)}; " if missing else "")
            + f"its header is {','.join(COLUMNS)} (docs/release_formats.md §1)"
        )
    return None


def _header_index(doc: Document) -> int | None:
    """The header row: the first non-empty row, or a row with the key columns below a title or two (an
    export with "株洲市统计数据" above its header)."""
    filled = [i for i, row in enumerate(doc.rows[:20]) if any(row)]
    return next((i for i in filled[:5] if _is_header(doc.rows[i])), filled[0] if filled else None)


def month_number_problem(column: str, text: str) -> str:
    """Why a month typed as a number in a General cell (Excel keeps 2023.10 as 2023.1) is not read."""
    return (
        f"{column} {text} is a number in Excel, which shows 2023.10 typed as a number as "
        "2023.1 too: January or October? Type the period as text (2023-10, 2023年10月)"
    )


def sniff(doc: Document) -> bool:
    if doc.kind != "table":
        return False
    i = _header_index(doc)
    return i is not None and _is_header(doc.rows[i])


def _provenance(text: str) -> str | None:
    t = text.strip().lower()
    if t in ("", "published"):
        return "published"
    if t == "illustrative" or has_illustrative_marker(t):
        return "illustrative"
    return None


def parse(doc: Document, catalog: Catalog, default_release_date: date | None = None) -> ParseResult:
    result = ParseResult(adapter=NAME, release_date=default_release_date)
    ctx = RowContext(catalog, result, doc.source_file, default_release_date)
    hi = _header_index(doc)
    if hi is None:
        ctx.error(None, "", "empty file")
        return result
    header = [c.strip().lower() for c in doc.rows[hi]]
    while header and not header[-1]:
        header.pop()
    extra = [h or "(blank)" for h in header if h not in COLUMNS]
    missing = [c for c in COLUMNS if c not in header]
    if extra or missing:
        if extra:
            ctx.error(
                hi + 1,
                ",".join(extra),
                f"unexpected column(s) {extra}; the header must be {','.join(COLUMNS)}",
            )
        if missing:
            ctx.error(hi + 1, ",".join(missing), f"missing column(s) {missing}")
        return result
    col = {name: header.index(name) for name in COLUMNS}
    release_dates: list[date] = []
    provenances: set[str] = set()
    undated: list[int] = []  # rows loaded with release_date blank: the landing day stands in, said
    loaded = 0

    in_note = False
    for r in range(hi + 1, len(doc.rows)):
        row_no = r + 1  # 1-based, as a spreadsheet shows it
        cells = doc.rows[r]
        if not any(cells):
            continue
        # a footnote (注：数据为快报数) and its further lines hold text in the first cell alone: not figures
        in_note = (in_note or is_note_row(cells[0])) and not any(cells[1:])
        if in_note:
            continue
        ragged = short_row_error(doc, r, hi) or long_row_error(doc, r, hi)
        if ragged:
            ctx.error(row_no, "", ragged)
            continue

        # The row's cells by column name, looked up once per row (a national release has 600k rows).
        get = {name: cells[i] if i < len(cells) else "" for name, i in col.items()}.__getitem__

        ok = True
        rd = default_release_date
        if get("release_date"):
            try:
                rd = date.fromisoformat(get("release_date"))
                release_dates.append(rd)
            except ValueError:
                ctx.error(row_no, "release_date", f"release_date {get('release_date')!r} is not YYYY-MM-DD")
                ok = False
        prov = _provenance(get("provenance"))
        if prov is None:
            ctx.error(row_no, "provenance", f"provenance {get('provenance')!r} must be published or illustrative")
            ok = False
        else:
            provenances.add(prov)
        measure = get("measure") or ctx.unstated_measure(row_no, get("indicator"), get("unit"))
        if measure is None:
            ok = False
        elif measure not in MEASURES:
            ctx.error(row_no, "measure", f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
            ok = False
        try:
            if (r, col["period"]) in doc.numbers_like_a_month:
                raise ValueError(month_number_problem("period", get("period")))
            # No year context: a long-format period must name its year.
            period = parse_period(get("period"))
        except ValueError as exc:
            ctx.error(row_no, "period", str(exc))
            ok = False
        if not get("indicator"):
            ctx.error(row_no, "indicator", "indicator is empty")
            ok = False
        if not get("region"):
            ctx.error(row_no, "region", "region is empty")
            ok = False
        if not ok:
            continue
        obs = ctx.add(
            indicator=ctx.indicator_code(get("indicator")),
            region=ctx.region_code(get("region")),
            subject=catalog.resolve_section(get("subject")) or get("subject"),
            period=period,
            measure=measure,
            cell=doc.raw(r, col["value"]),
            unit=get("unit"),
            row=row_no,
            column="value",
            provenance=prov,
            release_date=rd,
            release_date_imputed=not get("release_date"),
            source_ref=get("source_ref"),
        )
        if obs is not None:
            loaded += 1
            if not get("release_date"):
                undated.append(row_no)
    note = landed_rows_note(default_release_date, undated, loaded) if default_release_date else ""
    if note:
        result.notes.append(note)
    if release_dates:
        result.release_date = max(release_dates)
    else:  # no row states one: the release is dated the landing day, as its rows are
        result.release_date_imputed = result.release_date is not None
    if provenances == {"illustrative"}:
        result.provenance = "illustrative"
    elif len(provenances) > 1:
        result.provenance = "mixed"  # per-row provenance is on each observation
    return result
