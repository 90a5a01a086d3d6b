"""Vectorised fast path for long-format CSV files: DuckDB reads, resolves, checks and stores them.

When it applies: a UTF-8 (optionally BOM) CSV whose first line is the long-format header (the
11 columns of :data:`long_format.COLUMNS`, any order) and whose every row is provably simple:
the value cell is a plain decimal (``-3.25``, no qualifier, separator, unit or padding) or a
"not published" cell, and every code, period, unit, date and provenance resolves without an error.
Then the file gives exactly what :func:`long_format.parse` + :func:`validate.validate_observations`
+ :func:`store.load_release` would, in a fraction of the time:

1. DuckDB reads the file (``read_csv``, all text, fixed dialect) into a temp table, marking each
   value cell that is a plain decimal, while Python checks the bytes (UTF-8, CSV quirks, one record
   a line, no extra fields); ``rowid`` is the file order, so ``source_row`` is ``rowid + 2``.
2. The few DISTINCT texts of the other columns go through the same Python functions as the
   row-by-row path (``text.clean_cell``, ``Catalog.resolve_*``, ``periods.parse_period``,
   ``units.measure_unit``/``units.conversion``, ``validate.unit_problem``/``period_edge``) once,
   into small lookup tables joined back to the rows. Values are cast in SQL and converted as
   ``v * factor * rate / divisor`` (:class:`units.Conversion`, the same float operations).
3. The value rules run as SQL (:func:`validate.value_problem_sql`), plus the period/release-date
   rule and the duplicate-key rule; then one ``INSERT ... SELECT`` (:func:`store.load_release_query`).

Why it falls back: equality with the row-by-row path is the contract, and that path owns every
error message. Anything this module cannot prove simple -- another encoding, XLSX, a qualifier
(突破, 以上, 左右, ``>600``), a range, a class or stage cell, an unknown code, any rule broken, a
CSV quirk where DuckDB and Python's csv module could read a line differently (blank lines, lone
``\\r``, quoted newlines, spaces around quotes, ragged rows) -- makes :func:`try_load` return
None without writing anything, and the caller runs the whole existing path for that file.
"""

from __future__ import annotations

import csv
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.ingest import store
from dagster_project.ingest.adapter_common import landed_rows_note
from dagster_project.ingest.catalog import Catalog
from dagster_project.ingest.long_format import COLUMNS, NAME, _provenance
from dagster_project.ingest.models import MEASURES, SPAN_MEASURES
from dagster_project.ingest.periods import parse_period
from dagster_project.ingest.qualifiers import ValueParseError, parse_value
from dagster_project.ingest.text import clean_cell
from dagster_project.ingest.units import UnitError, conversion, measure_unit, normalize_unit
from dagster_project.ingest.validate import (
    history_outliers,
    period_edge,
    rate_limit,
    unit_problem,
    value_problem_sql,
)

__all__ = ["FastLoad", "try_load"]

# What qualifiers.parse_number takes as a bare number, restricted to ASCII digits (RE2 syntax).
_PLAIN_SQL = r"[+-]?[0-9]+(\.[0-9]+)?"
# Python's csv keeps spaces around a quoted field as text, DuckDB trims them: such files fall back.
_SPACED_QUOTE = re.compile(rb'(?:^|[,\n]) +"|" +(?:[,\r\n]|$)', re.M)
_CSV_FIELD_LIMIT = csv.field_size_limit()  # a longer field makes the csv module raise
_RAW = "_pmw_fast_raw"
_LOOKUPS = ("_pmw_fast_c", "_pmw_fast_g", "_pmw_fast_m")


@dataclass
class FastLoad:
    rows: int
    meta: store.ReleaseMeta
    notes: list[str]


class _NotSimple(Exception):
    """The file needs the row-by-row path (never escapes this module)."""


def _utf8(data: bytes) -> bool:
    """Whether the bytes are UTF-8, strictly, as text.decode_bytes reads them. Not left to DuckDB: it checks
    only the columns it reads."""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header(data: bytes) -> list[str] | None:
    """The header's column names in file order when the first line is the long-format header, else None
    (the rest of the file is judged by :func:`_simple_bytes`)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    end = data.find(b"\n")
    try:
        first = data[: end if end >= 0 else len(data)].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in first.removesuffix("\r"):
        return None  # a lone CR: not provably simple (the row path refuses it with the reason)
    cells = next(csv.reader([first.removesuffix("\r")]), [])
    header = [clean_cell(c.strip()).strip().lower() for c in cells]
    if len(header) != len(COLUMNS) or set(header) != set(COLUMNS):
        return None
    return header


def _spaced_quote(data: bytes) -> bool:
    """A space next to a double quote (Python's csv keeps spaces around a quoted field, DuckDB trims them)."""
    if b'"' not in data:
        return False
    # Spaces are usually rarer than quotes: visit them one by one, up to a point.
    i = data.find(b" ")
    for _ in range(20_000):
        if i < 0:
            return False
        if (i and data[i - 1] == 0x22) or data[i + 1 : i + 2] == b'"':
            break
        i = data.find(b" ", i + 1)
    else:
        if b' "' not in data and b'" ' not in data:
            return False
    return _SPACED_QUOTE.search(data) is not None


def _csv_quirks(data: bytes) -> bool:
    """Byte patterns where DuckDB's reader and Python's csv module may disagree."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return True  # a lone CR ends a record for one reader and not (or an error) for the other
    return b"\x00" in data or _spaced_quote(data)


_QUOTED = re.compile(rb'"[^"]*"')
# bytes.translate's delete argument: every byte but the double quote and the comma
_NOT_QUOTE_OR_COMMA = bytes(b for b in range(256) if b not in b'",')


def _extra_fields(data: bytes, width: int, records: int) -> bool:
    """Whether a line has more fields than the header's ``width``. DuckDB drops a line's trailing empty fields
    (``…,published,,,`` reads as 11), where the row path refuses the line as having more; a line with fewer
    fields, or more filled ones, fails DuckDB's strict read. So with every line one record (:func:`_records`),
    the commas outside quotes are exactly (width - 1) per line unless a line has more (a quoted field's commas
    are dropped with it; a doubled quote inside one splits it in two, both dropped)."""
    if b'"' in data:
        # Only quotes and commas decide which commas are outside quotes: keep those (a fifth of the bytes), drop
        # each pair of adjacent quotes (an empty field or a doubled quote: nothing between them, and the in/out
        # state after them unchanged), and only quoted commas are left to the regex (a regex over a whole file
        # of `""` fields took 0.7 s of a national release's 2.3 s).
        data = data.translate(None, _NOT_QUOTE_OR_COMMA).replace(b'""', b"")
        if b'"' in data:
            data = _QUOTED.sub(b"", data)
    return data.count(b",") != (records + 1) * (width - 1)


def _simple_bytes(data: bytes, width: int) -> int | None:
    """The data records (one a line) when the bytes are UTF-8 and free of what DuckDB and the csv module could
    read differently, else None."""
    if not _utf8(data) or _csv_quirks(data):
        return None
    records = _records(data)
    return None if _extra_fields(data, width, records) else records


def _records(data: bytes) -> int:
    """Data records if every line is one record (checked against DuckDB's count)."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return lines - 1


def _unnest(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, tuple[str, list[Any]]]) -> str:
    """A temp table from Python lists (one per column, with its DuckDB type), without pandas.

    Returns the condition joining it to the rows: ``r.<col> = <alias>.k_<col>`` for its key columns
    (``k_*``) with more than one value; a key with a single value is that of every row, so it is
    left out (joining on it would only cost hashing). No varying key at all: ``true``.
    """
    select = ", ".join(f"unnest(${i + 1}::{typ}[]) AS {col}" for i, (col, (typ, _)) in enumerate(columns.items()))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {select}", [v for _, v in columns.values()])
    alias = name.rsplit("_", 1)[-1]
    keys = [c for c, (_, values) in columns.items() if c.startswith("k_") and len(set(values)) > 1]
    return " AND ".join(f'r."{c[2:]}" = {alias}.{c}' for c in keys) or "true"


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    for name in (_RAW, *_LOOKUPS):
        con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")


def _combos(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> str:
    """(indicator, measure, unit, period) texts -> codes, period, stored unit, conversion, rule inputs."""
    out: dict[str, tuple[str, list[Any]]] = {
        k: (t, [])
        for k, t in (
            ("k_indicator", "VARCHAR"),
            ("k_measure", "VARCHAR"),
            ("k_unit", "VARCHAR"),
            ("k_period", "VARCHAR"),
            ("indicator_code", "VARCHAR"),
            ("measure", "VARCHAR"),
            ("period_code", "VARCHAR"),
            ("period_kind", "VARCHAR"),
            ("period_start", "DATE"),
            ("period_end", "DATE"),
            ("unit", "VARCHAR"),
            ("source_unit", "VARCHAR"),
            ("factor", "DOUBLE"),
            ("rate", "DOUBLE"),
            ("divisor", "DOUBLE"),
            ("note", "VARCHAR"),
            ("vlimit", "DOUBLE"),
            ("edge", "DATE"),
            ("pmin", "DOUBLE"),
            ("pmax", "DOUBLE"),
            ("hfactor", "DOUBLE"),
        )
    }
    for raw_ind, raw_measure, raw_unit, raw_period in con.execute(
        f"SELECT DISTINCT indicator, measure, unit, period FROM {_RAW}"
    ).fetchall():
        ind_text, measure, unit = (
            clean_cell(raw_ind.strip()),
            clean_cell(raw_measure.strip()),
            clean_cell(raw_unit.strip()),
        )
        measure = measure or "value"
        if not ind_text or measure not in MEASURES or measure in SPAN_MEASURES:  # span rules: row path
            raise _NotSimple
        try:
            period = parse_period(clean_cell(raw_period.strip()))
        except ValueError:
            raise _NotSimple from None
        code = catalog.resolve_indicator(ind_text) or ind_text.strip()
        ind = catalog.indicator(code)
        if ind is None:
            raise _NotSimple
        if measure == "value" and ind.measure_kind in ("class", "stage"):
            measure = ind.measure_kind
        if measure in ("class", "stage"):
            raise _NotSimple  # class/stage cells have their own vocabulary: row by row
        if measure == "value" and ind.measure_kind == "stock" and period.kind == "ytd":
            raise _NotSimple  # a running total's 1-N月 is its month's count (RowContext.add): row by row
        source = normalize_unit(unit)
        try:
            target = measure_unit(measure, ind.unit, source)
            conv = conversion(source, target, period.year)
        except UnitError:
            raise _NotSimple from None
        if unit_problem(measure, ind, target):
            raise _NotSimple
        edge, _ = period_edge(ind, period.kind, period.start, period.end)
        row = (
            raw_ind,
            raw_measure,
            raw_unit,
            raw_period,
            code,
            measure,
            period.code,
            period.kind,
            period.start,
            period.end,
            target,
            unit.strip(),
            conv.factor,
            conv.rate,
            conv.divisor,
            conv.note,
            rate_limit(ind) if measure == "value" else None,
            edge,
            ind.plausible_min if measure == "value" else None,
            ind.plausible_max if measure == "value" else None,
            ind.history_factor if measure == "value" else None,
        )
        for (_, values), v in zip(out.values(), row, strict=True):
            values.append(v)
    return _unnest(con, _LOOKUPS[0], out)


def _regions(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> str:
    keys, codes = [], []
    for (raw,) in con.execute(f"SELECT DISTINCT region FROM {_RAW}").fetchall():
        text = clean_cell(raw.strip())
        code = (catalog.resolve_region(text) or text.strip()) if text else ""
        if code not in catalog.regions:
            raise _NotSimple
        keys.append(raw)
        codes.append(code)
    return _unnest(con, _LOOKUPS[1], {"k_region": ("VARCHAR", keys), "region_code": ("VARCHAR", codes)})


def _meta(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, landed: date, source: str | None = None
) -> tuple[str, date, bool, str]:
    """(subject, release_date, provenance, source_ref) texts; returns the join, the release's date, whether that
    is the landing day (no row states one) and its provenance."""
    cols: dict[str, tuple[str, list[Any]]] = {
        k: (t, [])
        for k, t in (
            ("k_subject", "VARCHAR"),
            ("k_release_date", "VARCHAR"),
            ("k_provenance", "VARCHAR"),
            ("k_source_ref", "VARCHAR"),
            ("subject_code", "VARCHAR"),
            ("release_date", "DATE"),
            ("release_date_imputed", "BOOLEAN"),
            ("provenance", "VARCHAR"),
            ("source_ref", "VARCHAR"),
        )
    }
    dates: list[date] = []
    provenances: set[str] = set()
    for raw_subject, raw_date, raw_prov, raw_ref in con.execute(
        f"SELECT DISTINCT subject, release_date, provenance, source_ref FROM {_RAW}"
    ).fetchall():
        subject = clean_cell(raw_subject.strip())
        subject = catalog.resolve_section(subject) or subject
        if subject and not catalog.is_known_subject(subject):
            raise _NotSimple
        rd_text = clean_cell(raw_date.strip())
        rd = landed
        if rd_text:
            try:
                rd = date.fromisoformat(rd_text)
            except ValueError:
                raise _NotSimple from None
            dates.append(rd)
        prov = _provenance(clean_cell(raw_prov.strip()))
        if prov is None:
            raise _NotSimple
        provenances.add(prov)
        ref = clean_cell(raw_ref.strip())
        if prov == "published" and not ref:
            if not source:
                raise _NotSimple  # refused row by row, with the message naming --source
            ref = source
        row = (raw_subject, raw_date, raw_prov, raw_ref, subject, rd, not rd_text, prov, ref)
        for (_, values), v in zip(cols.values(), row, strict=True):
            values.append(v)
    on = _unnest(con, _LOOKUPS[2], cols)
    provenance = "published"
    if provenances == {"illustrative"}:
        provenance = "illustrative"
    elif len(provenances) > 1:
        provenance = "mixed"
    return on, (max(dates) if dates else landed), not dates, provenance


def _unpublished_values(con: duckdb.DuckDBPyConnection) -> None:
    """Every value cell that is not a plain number must be one the row path skips as not published."""
    for (raw,) in con.execute(f"SELECT DISTINCT value FROM {_RAW} WHERE NOT plain").fetchall():
        try:
            if parse_value(raw.strip()).value is not None:
                raise _NotSimple  # a qualifier, range, separator or unit in the cell: row by row
        except ValueParseError:
            raise _NotSimple from None


def _read(con: duckdb.DuckDBPyConnection, path: Path, header: list[str], line_limit: int) -> int:
    """The file into the temp table; returns the rows DuckDB read."""
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"
    names = ", ".join(f"'{c}'" for c in header)
    # max_line_size: a longer line makes DuckDB fail (then the row path, whose csv field limit is the same
    # setting, words it); no line longer than the limit means no field longer than it either.
    # plain: the value is a bare decimal (else it must be a not-published cell), matched once here for the
    # four queries that ask (a regex over every row each time cost 0.1 s apiece).
    [(n,)] = con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {_RAW} AS
            SELECT * EXCLUDE (note), regexp_full_match(value, '{_PLAIN_SQL}') AS plain
            FROM read_csv(?, header = true, auto_detect = false, columns = {spec}, delim = ',',
                          quote = '"', escape = '"', strict_mode = true, null_padding = false,
                          ignore_errors = false, encoding = 'utf-8', max_line_size = {int(line_limit)},
                          force_not_null = [{names}])""",
        [str(path)],
    ).fetchall()
    return n


def _joins(on: tuple[str, str, str]) -> str:
    c, g, m = _LOOKUPS
    return f"""
FROM {_RAW} r
JOIN {c} c ON {on[0]}
JOIN {g} g ON {on[1]}
JOIN {m} m ON {on[2]}
WHERE r.plain
"""


_DAYS = "datediff('day', period_start, period_end) + 1"


def _history_candidates(on: tuple[str, str, str]) -> str:
    """The rows validate.history_outliers judges: levels of indicators with a history_factor."""
    return f"""
SELECT c.indicator_code, g.region_code, m.subject_code, c.measure, c.period_kind, c.period_code,
       TRY_CAST(r.value AS DOUBLE) * c.factor * c.rate / c.divisor AS value,
       CAST(r.rowid + 2 AS INTEGER) AS source_row, c.hfactor AS factor
{_joins(on)} AND c.hfactor IS NOT NULL
"""


def _obs_sql(on: tuple[str, str, str]) -> str:
    """The observation columns (store.load_release_query).

    A row breaking a value or period rule raises (error()), a duplicate key fails store's key check:
    either aborts the transaction and the file goes row by row, where validate.py words the errors.
    """
    return f"""
SELECT indicator_code, region_code, subject_code, period_code, period_kind, period_start, period_end,
       measure,
       CASE WHEN {value_problem_sql("value", "measure", "unit", "vlimit", _DAYS)} OR edge > release_date OR edge > ?
                 OR release_date > ?
                 OR value < pmin OR value > pmax
            THEN error('not a simple row') ELSE value END,
       'eq', unit, source_value, source_unit, provenance, '', source_ref, ?, source_row, release_date,
       release_date_imputed
FROM (
    SELECT c.indicator_code, g.region_code, m.subject_code, c.period_code, c.period_kind, c.period_start,
           c.period_end, c.measure, TRY_CAST(r.value AS DOUBLE) * c.factor * c.rate / c.divisor AS value,
           c.unit, r.value AS source_value, c.source_unit, m.provenance, m.source_ref,
           CAST(r.rowid + 2 AS INTEGER) AS source_row, m.release_date, m.release_date_imputed, c.vlimit, c.edge,
           c.pmin, c.pmax
    {_joins(on)}
)
"""


def try_load(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    data: bytes,
    *,
    name: str,
    sha: str,
    release_id: str,
    landed: date,
    catalog: Catalog,
    today: date,
    table: str = "observations",
    source: str | None = None,
    field_limit: int = _CSV_FIELD_LIMIT,
    stage: store.ReleaseStage | None = None,
) -> FastLoad | None:
    """Load ``path`` (whose bytes are ``data``) vectorised, or return None having written nothing.

    None means: not a simple long-format CSV; run the row-by-row path (which owns every message).
    """
    header = _header(data)
    if header is None:
        return None
    [(keep_order,)] = con.execute("SELECT current_setting('preserve_insertion_order')").fetchall()
    if not keep_order:
        return None  # rowid would not be the file order
    try:
        try:
            # The checks of the bytes (Python, holding the GIL: 0.35 s of a national release) run while DuckDB
            # reads the file (which lets the GIL go): a file failing them is dropped unused in the end.
            with ThreadPoolExecutor(1) as pool:
                reading = pool.submit(_read, con, path, header, field_limit)
                records = _simple_bytes(data, len(header))
                read = reading.result()
            if records is None or read != records or read == 0:
                raise _NotSimple
            on_c = _combos(con, catalog)
            on_g = _regions(con, catalog)
            on_m, release_date, imputed, provenance = _meta(con, catalog, landed, source)
            on = (on_c, on_g, on_m)
            _unpublished_values(con)
            notes = [
                f"row {r} value: {note}"
                for r, note in con.execute(
                    f"""SELECT CAST(r.rowid + 2 AS INTEGER), c.note FROM {_RAW} r JOIN {_LOOKUPS[0]} c ON {on_c}
                        WHERE c.note <> '' AND r.plain ORDER BY 1"""
                ).fetchall()
            ]
            # rows loaded with release_date blank: dated the landing day, said as the row path says it
            undated = [
                r
                for (r,) in con.execute(
                    f"SELECT CAST(r.rowid + 2 AS INTEGER) {_joins(on)} AND trim(r.release_date) = '' ORDER BY 1"
                ).fetchall()
            ]
            meta = store.ReleaseMeta(name, sha, NAME, release_date, provenance, release_date_imputed=imputed)
            latest = max(today, landed)  # a stated release date after it is refused (validate.py words it)
            store.ensure_schema(con)
            [(judged,)] = con.execute(f"SELECT count(*) FROM {_LOOKUPS[0]} WHERE hfactor IS NOT NULL").fetchall()
            if judged and history_outliers(
                con, _history_candidates(on), [], release_id=release_id, table=table, stage=stage
            ):
                raise _NotSimple  # refused (or, confirmed, named) row by row
            # Rolled back (nothing written) when a row breaks a rule or a key is duplicated.
            if stage is not None:  # staged: the caller judges and commits the run's releases
                rows = stage.add_query(release_id, _obs_sql(on), [today, latest, name], meta)
            else:
                rows = store.load_release_query(con, release_id, _obs_sql(on), [today, latest, name], meta, table)
            landed_said = landed_rows_note(landed, undated, rows)
            if landed_said:
                notes.append(landed_said)
        except (_NotSimple, duckdb.Error):
            # not provably simple, DuckDB cannot read it strictly (ragged rows, stray quotes), or a
            # rule is broken: the row-by-row path finds and words the problems
            return None
        return FastLoad(rows, meta, notes)
    finally:
        _drop(con)
