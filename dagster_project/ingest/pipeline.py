"""detect -> parse -> validate -> store (or quarantine), for landing files and API payloads.

Also :func:`derive_levels`: levels computed from a published base and yoy growth rates, marked
``provenance='derived'`` with ``derived_from`` naming the base and the rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.ingest import fast_long, http_api, store, task_returns
from dagster_project.ingest.catalog import Catalog, load_catalog
from dagster_project.ingest.detect import UnknownFormatError, parse_document
from dagster_project.ingest.document import DocumentError, load_document
from dagster_project.ingest.models import IngestError, Observation, ParseResult
from dagster_project.ingest.periods import parse_period, shift_years
from dagster_project.ingest.quarantine import quarantine_bytes, quarantine_file
from dagster_project.ingest.validate import validate_observations

__all__ = ["IngestResult", "ingest_file", "ingest_payload", "derive_levels"]


@dataclass
class IngestResult:
    release_id: str
    source_file: str
    status: str  # 'loaded' | 'quarantined'
    adapter: str
    row_count: int
    errors: list[IngestError] = field(default_factory=list)
    quarantine_path: Path | None = None
    notes: list[str] = field(default_factory=list)
    fast_path: bool = False  # loaded by the vectorised long-format loader (fast_long.py)


def _finish(
    con: duckdb.DuckDBPyConnection,
    parsed: ParseResult,
    meta: store.ReleaseMeta,
    release_id: str,
    catalog: Catalog,
    today: date,
    quarantine: Callable[[list[IngestError]], Path],
    table: str,
) -> IngestResult:
    """Validate; then load, or record the rejection and call ``quarantine(errors) -> Path``."""
    errors = list(parsed.errors)
    errors += validate_observations(
        parsed.observations,
        catalog,
        source_file=meta.source_file,
        release_date=parsed.release_date,
        today=today,
    )
    store.ensure_schema(con)
    if errors:
        store.record_quarantine(con, release_id, meta, errors)
        qpath = quarantine(errors)
        return IngestResult(release_id, meta.source_file, "quarantined", meta.adapter, 0, errors, qpath, parsed.notes)
    n = store.load_release(con, release_id, parsed.observations, meta, table)
    return IngestResult(release_id, meta.source_file, "loaded", meta.adapter, n, [], None, parsed.notes)


def ingest_file(
    path: Path | str,
    con: duckdb.DuckDBPyConnection,
    quarantine_dir: Path | str,
    today: date | None = None,
    *,
    catalog: Catalog | None = None,
    release_key: str | None = None,
    table: str = "observations",
    fast: bool = True,
) -> IngestResult:
    """Ingest one landing file. A file with any error is quarantined whole: nothing of it is stored.

    ``release_key`` (the path relative to the landing folder) names the release in ``source_file``
    and the release id; default: the file name. The release date falls back to the day the file
    landed (its mtime) when the file has none. A loaded file stays where it is (archiving is the
    caller's job); a quarantined one is moved to ``quarantine_dir``.

    A simple long-format CSV is loaded by the vectorised path (:mod:`fast_long`), with the same
    result; anything else, or ``fast=False``, goes row by row (detect -> parse -> validate -> store).
    """
    path = Path(path)
    name = release_key or path.name
    catalog = catalog or load_catalog()
    today = today or date.today()
    data = path.read_bytes()
    sha = store.sha256_bytes(data)
    release_id = store.make_release_id(name, sha)
    landed = date.fromtimestamp(path.stat().st_mtime)
    if fast:
        loaded = fast_long.try_load(
            con,
            path,
            data,
            name=name,
            sha=sha,
            release_id=release_id,
            landed=landed,
            catalog=catalog,
            today=today,
            table=table,
        )
        if loaded is not None:
            return IngestResult(
                release_id, name, "loaded", loaded.meta.adapter, loaded.rows, notes=loaded.notes, fast_path=True
            )
    try:
        doc = load_document(data, name)
        if task_returns.sniff(doc):  # a unit's monthly return (工作台账), not statistics
            return task_returns.ingest_document(
                doc,
                con,
                name=name,
                sha=sha,
                release_id=release_id,
                today=today,
                quarantine=lambda errors: quarantine_file(path, errors, quarantine_dir),
            )
        parsed = parse_document(doc, catalog, default_release_date=landed)
    except (DocumentError, UnknownFormatError) as exc:
        parsed = ParseResult(adapter="", errors=[IngestError(name, None, "", str(exc))])
    meta = store.ReleaseMeta(name, sha, parsed.adapter, parsed.release_date, parsed.provenance)
    return _finish(
        con,
        parsed,
        meta,
        release_id,
        catalog,
        today,
        lambda errors: quarantine_file(path, errors, quarantine_dir),
        table,
    )


def ingest_payload(
    payload: dict[str, Any],
    con: duckdb.DuckDBPyConnection,
    quarantine_dir: Path | str,
    today: date | None = None,
    *,
    source_url: str = "",
    catalog: Catalog | None = None,
    table: str = "observations",
) -> IngestResult:
    """Ingest one API release (the dict returned by ``http_api.fetch_release``).

    ``table='api_observations'`` stores it apart from release files (same columns).
    """
    catalog = catalog or load_catalog()
    today = today or date.today()
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    sha = store.sha256_bytes(data)
    name = f"{payload.get('release_id') or 'api-release'}.json"
    source_file = source_url or name
    release_id = store.make_release_id(name, sha)
    parsed = http_api.parse_payload(payload, catalog, source_file, default_release_date=today)
    meta = store.ReleaseMeta(source_file, sha, parsed.adapter, parsed.release_date, parsed.provenance)
    return _finish(
        con,
        parsed,
        meta,
        release_id,
        catalog,
        today,
        lambda errors: quarantine_bytes(data, name, errors, quarantine_dir),
        table,
    )


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def derive_levels(base: Observation, growth: Sequence[Observation], *, ndigits: int = 4) -> list[Observation]:
    """Chain yoy growth onto a published base level: level_t = level_{t-1} × (1 + g_t/100).

    ``base`` is a ``value`` row (e.g. GDP 2021, 3420.3 亿元); ``growth`` are ``yoy_pct`` rows of the
    same indicator and region for the same span in later years (2022, 2023 ...), in any order.
    Each result is ``provenance='derived'`` with ``derived_from`` naming the base, its source and
    every growth factor applied. Real growth applied to a nominal base is an approximation; the
    text says so, and the published figures are never replaced.
    """
    if base.measure != "value":
        raise ValueError(f"the base must be a level (measure 'value'), not {base.measure!r}")
    base_period = parse_period(base.period_code)
    by_period: dict[str, Observation] = {}
    for g in growth:
        if g.measure != "yoy_pct" or g.unit != "%":
            raise ValueError(f"growth rows must be yoy_pct in %, got {g.measure} in {g.unit!r}")
        if (g.indicator_code, g.region_code, g.subject_code) != (
            base.indicator_code,
            base.region_code,
            base.subject_code,
        ):
            raise ValueError(f"growth row {g.period_code} is for another indicator/region than the base")
        by_period[g.period_code] = g
    origin = base.source_ref or base.source_file or "unknown source"
    text = f"{base.period_code} level {_fmt(base.value)} {base.unit} ({base.provenance}, {origin})"
    level = base.value
    out: list[Observation] = []
    years = 1
    while True:
        target = shift_years(base_period, years)
        g = by_period.pop(target.code, None)
        if g is None:
            break
        level = level * (1 + g.value / 100)
        text += f" × (1{'+' if g.value >= 0 else '-'}{_fmt(abs(g.value))}% {g.period_code} yoy)"
        dates = [d for d in (base.release_date, g.release_date) if d is not None]
        out.append(
            replace(
                base,
                period_code=target.code,
                period_kind=target.kind,
                period_start=target.start,
                period_end=target.end,
                value=round(level, ndigits),
                bound="eq" if base.bound == "eq" and g.bound == "eq" else "approx",
                source_value="",
                source_unit=base.unit,
                provenance="derived",
                derived_from=text + "; real growth applied to a nominal level",
                source_ref=g.source_ref or base.source_ref,
                source_file=g.source_file,
                source_row=g.source_row,
                release_date=max(dates) if dates else None,
            )
        )
        years += 1
    if by_period:
        raise ValueError(f"growth periods {sorted(by_period)} do not continue the base {base.period_code} year by year")
    return out
