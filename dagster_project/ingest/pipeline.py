"""detect -> parse -> validate -> store (or quarantine), for landing files and API payloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.ingest import fast_long, store, task_returns, validate
from dagster_project.ingest.catalog import Catalog, load_catalog
from dagster_project.ingest.document import Document, DocumentError, Limits, load_documents
from dagster_project.ingest.models import LANDED_NOTE, LEFT_NOTE, IngestError, Observation, ParseResult
from dagster_project.ingest.quarantine import quarantine_bytes, quarantine_file
from dagster_project.ingest.validate import plausibility_problem, validate_observations

DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024  # settings.max_file_bytes (PMW_MAX_FILE_MB) by default

__all__ = ["IngestResult", "ingest_file", "ingest_payload", "no_source_reason", "notes_to_show", "release_of"]

_SHEET = "#"  # a workbook's sheet in source_file and in errors: "月报.xlsx#5月"


def release_of(source_file: str) -> str:
    """The release (landing key) a source_file names: "月报.xlsx#5月" -> "月报.xlsx"."""
    return source_file.split(_SHEET, 1)[0]


# release-level notes: sheets read or skipped, rows or indicators left out, a re-sent file (the same bytes, or the
# same figures: RESTATED_NOTE), a missing release date, figures dated by arrival that stated dates outrank
RESTATED_NOTE = "restates "
OUTRANKED_NOTE = "outranked by stated dates: "  # figures dated by arrival that a stated date outranks
_RELEASE_NOTES = (
    "sheet ",
    "read ",
    "already loaded",
    "not loaded",
    RESTATED_NOTE,
    OUTRANKED_NOTE,
    LEFT_NOTE,
    LANDED_NOTE,
)
NOTES_SHOWN = 20


def notes_to_show(notes: list[str], limit: int = NOTES_SHOWN) -> list[str]:
    """The notes a person must read after an ingest: the release-level ones first, then every row's note
    (figures left out, confirmed outliers, vintage labels such as 初步核算, how a class stated for a whole river
    was read, a count of sections the table does not match) but the unit conversions, which every row traces
    itself. At most ``limit`` row notes, then how many more."""
    from dagster_project.ingest.units import is_conversion_note

    release = [n for n in notes if n.startswith(_RELEASE_NOTES)]
    rows = [n for n in notes if not n.startswith(_RELEASE_NOTES) and not is_conversion_note(n)]
    more = [f"… and {len(rows) - limit} more such notes"] if len(rows) > limit else []
    return release + rows[:limit] + more


@dataclass
class IngestResult:
    release_id: str
    source_file: str
    # 'loaded' | 'staged' (in the run's store.ReleaseStage, judged and committed by the caller) |
    # 'quarantined' | 'duplicate' (same bytes already loaded under another name)
    status: str
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
    confirm_outlier: str | None = None,
    stage: store.ReleaseStage | None = None,
    landed: date | None = None,
) -> IngestResult:
    """Validate; then stage (with ``stage``) or load, or record the rejection and call
    ``quarantine(errors) -> Path``.

    Implausible values (plausible range, history) are refused like contract errors unless
    ``confirm_outlier`` says why they are real; then they load and the notes name them.
    """
    errors = list(parsed.errors)
    errors += validate_observations(
        parsed.observations,
        catalog,
        source_file=meta.source_file,
        release_date=parsed.release_date,
        today=today,
        landed=landed,
        columns=parsed.columns,
    )
    store.ensure_schema(con)
    if not errors:
        doubtful = _implausible(con, parsed.observations, catalog, release_id, table, stage)
        if doubtful and confirm_outlier:
            parsed.notes += [
                f"row {e.row} {e.column}: confirmed outlier ({confirm_outlier}): {e.reason}" for e in doubtful
            ]
        else:
            errors += doubtful
    if errors:
        store.record_quarantine(con, release_id, meta, errors)
        qpath = quarantine(errors)
        return IngestResult(release_id, meta.source_file, "quarantined", meta.adapter, 0, errors, qpath, parsed.notes)
    if stage is not None:
        n = stage.add(release_id, parsed.observations, meta)
        return IngestResult(release_id, meta.source_file, "staged", meta.adapter, n, [], None, parsed.notes)
    n = store.load_release(con, release_id, parsed.observations, meta, table)
    return IngestResult(release_id, meta.source_file, "loaded", meta.adapter, n, [], None, parsed.notes)


def _implausible(
    con: duckdb.DuckDBPyConnection,
    observations: list[Observation],
    catalog: Catalog,
    release_id: str,
    table: str,
    stage: store.ReleaseStage | None = None,
) -> list[IngestError]:
    """Values outside their indicator's plausible range, or too far from their history."""
    errors = []
    checked = []
    for obs in observations:
        ind = catalog.indicator(obs.indicator_code)
        problem = plausibility_problem(obs, ind)
        if problem:
            errors.append(IngestError(obs.source_file, obs.source_row, "value", problem))
        elif ind is not None and ind.history_factor and obs.measure == "value":
            checked.append(obs)
    if checked:
        cols = "indicator_code, region_code, subject_code, measure, period_kind, period_code, value, source_row, factor"
        rows = [
            (
                o.indicator_code,
                o.region_code,
                o.subject_code,
                o.measure,
                o.period_kind,
                o.period_code,
                o.value,
                o.source_row,
                catalog.indicator(o.indicator_code).history_factor,
            )
            for o in checked
        ]
        placeholders = ", ".join(["(?, ?, ?, ?, ?, ?, ?::DOUBLE, ?::INTEGER, ?::DOUBLE)"] * len(rows))
        candidates = f"SELECT * FROM (VALUES {placeholders}) AS t({cols})"
        params = [v for r in rows for v in r]
        files = {o.source_row: o.source_file for o in checked}
        for row, period, value, med, factor in validate.history_outliers(
            con, candidates, params, release_id=release_id, table=table, stage=stage
        ):
            errors.append(
                IngestError(
                    files.get(row, ""),
                    row,
                    "value",
                    f"implausible value {value:g} for {period}: more than {factor:g}x away from its history "
                    f"(median {med:g} for the same period of other years; "
                    f"plausible {med / factor:g}..{med * factor:g}). "
                    "A unit slip (万元 for 亿元)? If the figure is real, confirm it: pmw ingest --confirm-outlier",
                )
            )
    return sorted(errors, key=lambda e: e.row or 0)


def _sheet_kind(doc: Document) -> str:
    """Why a sheet without a documented header is skipped: 'empty', or 'cover or notes'."""
    return "empty" if not any(any(r) for r in doc.rows) else "cover or notes (no documented header)"


def _parse_all(docs: list[Document], name: str, catalog: Catalog, landed: date) -> ParseResult:
    """Every data sheet of a workbook (a sheet is data when its header matches a documented format),
    parsed into one result; cover, notes and empty sheets are skipped and named in the notes."""
    from dagster_project.ingest.detect import UnknownFormatError, detect, parse_document  # the row path's

    if len(docs) == 1:
        return parse_document(docs[0], catalog, default_release_date=landed)
    data, skipped = [], []
    for doc in docs:
        if doc.hidden:  # a hidden sheet is the office's working or old figures, not what it published
            skipped.append(f"sheet {doc.sheet!r} skipped: hidden in the workbook (unhide it to have it read)")
            continue
        try:
            detect(doc)
            data.append(doc)
        except UnknownFormatError:
            skipped.append(f"sheet {doc.sheet!r} skipped: {_sheet_kind(doc)}")
    if not data:
        sheets = ", ".join(repr(d.sheet) for d in docs if not d.hidden)
        hidden = ", ".join(repr(d.sheet) for d in docs if d.hidden)
        raise UnknownFormatError(
            f"no sheet of the workbook ({sheets}) has a documented header"
            + (f"; hidden sheets are not read ({hidden}): unhide one to have it read" if hidden else "")
        )
    results = []
    for doc in data:
        if len(data) > 1:
            doc.source_file = f"{name}{_SHEET}{doc.sheet}"
        results.append(parse_document(doc, catalog, default_release_date=landed))
    merged = ParseResult(adapter=results[0].adapter, notes=skipped)
    for doc, r in zip(data, results, strict=True):
        merged.observations += r.observations
        merged.errors += r.errors
        merged.notes += [f"sheet {doc.sheet!r}: {n}" for n in r.notes] if len(data) > 1 else r.notes
    if len({r.adapter for r in results}) > 1:
        merged.adapter = "+".join(sorted({r.adapter for r in results}))
    dates = [r.release_date for r in results if r.release_date]
    merged.release_date = max(dates) if dates else None
    # the landing day, when no sheet that gives the latest date states it
    merged.release_date_imputed = merged.release_date is not None and not any(
        r.release_date == merged.release_date and not r.release_date_imputed for r in results
    )
    provs = {r.provenance for r in results}
    merged.provenance = provs.pop() if len(provs) == 1 else "mixed"
    if len(data) > 1:
        merged.notes.insert(0, f"read {len(data)} data sheets: {', '.join(repr(d.sheet) for d in data)}")
    return merged


def no_source_reason(release_key: str) -> str:
    folder = release_key.rsplit("/", 1)[0] if "/" in release_key else "."
    return (
        "no source (出处) for its published figures: give one with `pmw ingest FILE --source TEXT` or set a "
        f"default for the landing folder {folder!r} in PMW_SOURCE_DEFAULTS (source_defaults.json); the file "
        "names no 发布单位/数据来源/来源 in its header or footer (docs/release_formats.md)"
    )


def _fill_sources(parsed: ParseResult, source: str | None, name: str) -> None:
    """Published rows that carry no source get ``source`` (``--source`` or the folder default); without
    one the file is refused: a published figure nobody can trace is not published."""
    missing = [o for o in parsed.observations if o.provenance == "published" and not (o.source_ref or "").strip()]
    if not missing:
        return
    if source:
        for obs in missing:
            obs.source_ref = source
        return
    parsed.errors.append(IngestError(name, None, "source_ref", no_source_reason(name)))


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
    source: str | None = None,
    limits: Limits | None = None,
    max_file_bytes: int | None = None,
    confirm_outlier: str | None = None,
    stage: store.ReleaseStage | None = None,
    run_id: str = "",
    release_date: date | None = None,
) -> IngestResult:
    """Ingest one landing file. A file with any error is quarantined whole: nothing of it is stored.

    With ``stage`` (the run's :class:`store.ReleaseStage`) a good file is staged (status ``staged``)
    and the caller commits the stage (the raw expectation suite judges it there); without, it is
    loaded at once.

    ``release_key`` (the path relative to the landing folder) names the release in ``source_file``
    and the release id; default: the file name. The release date falls back to the day the file
    landed (its mtime) when the file has none. A loaded file stays where it is (archiving is the
    caller's job); a quarantined one is moved to ``quarantine_dir``, its error report naming ``run_id``
    (the Dagster run ingesting it, if any).

    ``release_date`` is the date its sender gave a file that states none (``pmw ingest --release-date``): its
    undated rows take it as a stated date, not the day it landed, so they rank by it (store.vintage_recency).

    ``source`` is the source (出处) of published rows the file does not cite (``pmw ingest --source``
    or the landing folder's default); without it such a file is refused. A file larger than
    ``max_file_bytes``, beyond ``limits`` or unreadable for any reason is quarantined with the reason
    (never raised: one bad file must not stop the files behind it). The same bytes already loaded
    under another name add nothing (status ``duplicate``, "already loaded as …").

    A simple long-format CSV is loaded by the vectorised path (:mod:`fast_long`), with the same
    result; anything else, or ``fast=False``, goes row by row (detect -> parse -> validate -> store).
    """
    path = Path(path)
    name = release_key or path.name
    catalog = catalog or load_catalog()
    today = today or date.today()
    limits = limits or Limits()  # the settings' limits when the caller (the asset, `pmw ingest`) passes them
    max_file_bytes = max_file_bytes or DEFAULT_MAX_FILE_BYTES
    size = path.stat().st_size
    landed = release_date or date.fromtimestamp(path.stat().st_mtime)
    fast = fast and release_date is None  # the row path dates the rows (given_release_date)

    def refuse(reason: str, sha: str) -> IngestResult:
        meta = store.ReleaseMeta(name, sha, "", None, "published")
        parsed = ParseResult(adapter="", errors=[IngestError(name, None, "", reason)])
        return _finish(
            con,
            parsed,
            meta,
            store.make_release_id(name, sha),
            catalog,
            today,
            lambda errors: quarantine_file(path, errors, quarantine_dir, run_id=run_id),
            table,
        )

    if size > max_file_bytes:
        from dagster_project.landing import file_sha256

        return refuse(
            # in MB of 1024 x 1024 bytes, as PMW_MAX_FILE_MB is read (settings.py)
            f"file of {size / 2**20:.1f} MB is larger than the limit of {max_file_bytes / 2**20:g} MB "
            "(PMW_MAX_FILE_MB): not read",
            file_sha256(path),
        )
    data = path.read_bytes()
    sha = store.sha256_bytes(data)
    release_id = store.make_release_id(name, sha)
    store.ensure_schema(con)
    loading_from = store.stamp_time()  # every row this call writes is stamped later: its rows alone are read back
    earlier = store.loaded_with_sha(con, sha, table, stage)
    withdrawn = store.withdrawn_releases(con)
    redated = release_date is not None and earlier is not None and earlier[0] != release_id
    if earlier and earlier[0] in withdrawn and not redated:  # taken out: sending them again does not undo it
        other_id, other_file = earlier
        note = (
            f"already loaded as {other_file} (release {other_id}) and withdrawn: `pmw withdraw --restore {other_id}` "
            "puts it back"
        )
        return IngestResult(other_id, name, "duplicate", "", 0, notes=[note])
    if earlier and earlier[0] != release_id and earlier[0] not in withdrawn:
        other_id, other_file = earlier
        note = f"already loaded as {other_file} (release {other_id}): the same bytes add nothing"
        if release_date is not None:  # a withdrawn file sent again under another name takes the date given
            note += f"; to date its rows by {release_date}, `pmw withdraw {other_id}` first"
        return IngestResult(other_id, name, "duplicate", "", 0, notes=[note])
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
            source=source,
            field_limit=limits.max_field_chars,
            stage=stage,
        )  # gives up (None) on an implausible value: the row path refuses it or, confirmed, names it
        if loaded is not None:
            status = "staged" if stage is not None else "loaded"
            return _what_is_stored(
                con,
                IngestResult(
                    release_id, name, status, loaded.meta.adapter, loaded.rows, notes=loaded.notes, fast_path=True
                ),
                table,
                stage,
                loading_from,
            )
    # The adapters (detect and the formats it tries) only for a file the vectorised path did not load:
    # 0.035 s of CPU of every process that ingests a simple long-format CSV.
    from dagster_project.ingest.detect import UnknownFormatError

    try:
        docs = load_documents(data, name, limits)
        # a unit's monthly return (工作台账), not statistics: on whichever sheet holds it (填表说明 may come first)
        ret = next((d for d in docs if not d.hidden and task_returns.sniff(d)), None)
        if ret is not None:
            return task_returns.ingest_document(
                ret,
                con,
                name=name,
                sha=sha,
                release_id=release_id,
                today=today,
                quarantine=lambda errors: quarantine_file(path, errors, quarantine_dir, run_id=run_id),
                notes=[_return_sheet_skipped(d) for d in docs if d is not ret and any(any(r) for r in d.rows)],
            )
        parsed = _parse_all(docs, name, catalog, landed)
        if release_date is not None:
            _given_release_date(parsed, release_date)
    except DocumentError as exc:
        parsed = ParseResult(adapter="", errors=[IngestError(name, exc.row, "", str(exc))])
    except UnknownFormatError as exc:
        parsed = ParseResult(adapter="", errors=[IngestError(name, None, "", str(exc))])
    except MemoryError:
        parsed = ParseResult(adapter="", errors=[IngestError(name, None, "", "out of memory reading the file")])
    except Exception as exc:  # any other failure to read is the file's problem, not the run's
        reason = f"cannot read the file: {type(exc).__name__}: {exc}"
        parsed = ParseResult(adapter="", errors=[IngestError(name, None, "", reason)])
    if not parsed.errors:
        _fill_sources(parsed, source, name)
    # a file with text the readers noted but took no figure from (a review whose every sentence was left out)
    # (an API answer saved as a file says what it lacks in its own words: it has no rows or cells)
    _refuse_if_empty(parsed, name, _NOTHING_THERE.get(parsed.adapter, _NOTHING_THERE[""]))
    meta = store.ReleaseMeta(
        name, sha, parsed.adapter, parsed.release_date, parsed.provenance, parsed.release_date_imputed
    )
    result = _finish(
        con,
        parsed,
        meta,
        release_id,
        catalog,
        today,
        lambda errors: quarantine_file(path, errors, quarantine_dir, run_id=run_id),
        table,
        confirm_outlier,
        stage,
        landed,
    )
    return _what_is_stored(con, result, table, stage, loading_from)


# What a file that gave no figure and no note lacks, by its reader (parsed.adapter); "" for any other.
_NOTHING_THERE = {
    "": "the file has no data rows (header only, or every cell empty)",
    "http_api": "the answer's observations list is empty (the API served no points)",
}


def _refuse_if_empty(parsed: ParseResult, name: str, nothing_there: str) -> None:
    """A read with no error and no figure is refused: with the readers' notes when there are any (each names its
    row and why, which ``nothing_there`` would hide; at most NOTES_SHOWN, as after a load), else ``nothing_there``."""
    if parsed.errors or parsed.observations:
        return
    reason = "; ".join(notes_to_show(parsed.notes)) if parsed.notes else nothing_there
    parsed.errors.append(IngestError(name, None, "", f"no observations: {reason}"))


def _return_sheet_skipped(doc: Document) -> str:
    """Why a workbook's other sheet beside a unit's return was not read."""
    if doc.hidden:
        return f"sheet {doc.sheet!r} skipped: hidden in the workbook (unhide it to have it read)"
    if task_returns.sniff(doc):  # one return a file: a second month's sheet is named, not read in silence
        return f"sheet {doc.sheet!r} skipped: a second return sheet (one is read a file): send it as a file of its own"
    return f"sheet {doc.sheet!r} skipped: not a return (no 任务编号 and 阶段 header)"


def _given_release_date(parsed: ParseResult, day: date) -> None:
    """The rows a file leaves undated were dated by ``day``, the date its sender gave (``pmw ingest
    --release-date``), where the readers date them by the day the file landed: stated, not imputed, and the
    notes say whose date it is."""
    for observation in parsed.observations:
        observation.release_date_imputed = False
    parsed.release_date_imputed = False
    parsed.notes = [
        n.replace("the day it landed", "the date given with `pmw ingest --release-date`")
        if n.startswith(LANDED_NOTE)
        else n
        for n in parsed.notes
    ]


def _what_is_stored(
    con: duckdb.DuckDBPyConnection,
    result: IngestResult,
    table: str,
    stage: store.ReleaseStage | None,
    loading_from: datetime,
) -> IngestResult:
    """The notes a loaded (or staged) release gets from what raw already holds, in one place: figures it only
    restates (:func:`_restated`), figures dated by arrival that a stated date outranks (:func:`_outranked`) and
    figures of an earlier release of its name it leaves current
    (:func:`_left_behind`). (The same bytes sent again are recognised before any reading: ``already loaded``.)"""
    if result.status not in ("loaded", "staged"):
        return result
    new = _release_rows(table, stage, loading_from)
    _restated(con, result, table, stage, new)
    _outranked(con, result, table, stage, new)
    return _left_behind(con, result, table, new)


def _release_rows(table: str, stage: store.ReleaseStage | None, loading_from: datetime) -> str:
    """The rows this call wrote for the release ($id), as a query: the stage's, or raw's stamped from
    ``loading_from`` on. raw is read by the stamp too: a release id's min/max cannot skip history's row groups
    (ids share their first bytes), the stamp skips them all (a national release on 10 years: the whole of raw
    was scanned for its 632,000 rows)."""
    if stage is not None:
        return f"SELECT * FROM {stage.relation} WHERE release_id = $id"
    since = f"TIMESTAMP {store.sql_string(loading_from.isoformat(sep=' '))}"
    return f"SELECT * FROM {store.observation_table(table)} WHERE release_id = $id AND ingested_at >= {since}"


_KEY = "indicator_code, region_code, subject_code, period_code, measure"
RESTATED_SHOWN = 5  # releases named in the note, then how many more


def _stored_by_key(table: str, stage: store.ReleaseStage | None) -> tuple[str, str, str]:
    """What the notes compare a release's rows (``n``) with: the stored figures (``s``, raw and the run's staged
    rows), the join on the figure's key, and the key's columns of the release's side."""
    history = stage.relation_with_raw() if stage is not None else store.observation_table(table)
    columns = _KEY.split(", ")
    return history, " AND ".join(f"s.{c} = n.{c}" for c in columns), ", ".join(f"n.{c}" for c in columns)


def _restated(
    con: duckdb.DuckDBPyConnection, result: IngestResult, table: str, stage: store.ReleaseStage | None, new: str
) -> None:
    """A figure whose latest stored vintage (another release's) has the same value, bound and unit is a
    restatement, not a revision (int_observations__latest: is_revised). A release whose every figure is one gets
    a note counting them by the release they restate, saying that one restating a single release figure for
    figure looks like a re-sent file (re-saved: other bytes, so not recognised as the same file). One join of the
    release's rows with raw (and the run's staged rows), grouped by key: no Python loop over figures."""
    history, on, by_key = _stored_by_key(table, stage)
    # the release's periods as constants: raw's row groups of other periods are skipped (a join alone read
    # most of a 10-year raw for a national release, 0.5-0.9 s; with them 0.3-0.6 s)
    periods = [
        p for (p,) in con.execute(f"SELECT DISTINCT period_code FROM ({new})", {"id": result.release_id}).fetchall()
    ]
    if not periods:
        return
    found = con.execute(
        f"""WITH new AS (SELECT {_KEY}, value, bound, unit FROM ({new})),
            latest AS (
                SELECT arg_max(
                    {{'release': s.release_id, 'same': s.value = n.value AND s.bound = n.bound AND s.unit = n.unit}},
                    {store.vintage_recency("s")}
                ) AS last
                FROM new AS n JOIN {history} AS s ON {on}
                WHERE s.release_id <> $id AND s.period_code IN ({", ".join(map(store.sql_string, periods))})
                GROUP BY {by_key})
            SELECT last.release, count(*) FROM latest WHERE last.same GROUP BY 1 ORDER BY 2 DESC, 1""",
        {"id": result.release_id},
    ).fetchall()
    restated = sum(n for _, n in found)
    # Only a release that adds no new value is said: a 统计月报 repeating some figures of the province's table
    # is how offices publish (is_revised already tells them apart); in the sample those were 72 notes in 414
    if not found or restated < result.row_count:
        return
    files = {release_id: meta.source_file for release_id, (meta, _) in (stage.pending if stage else {}).items()}
    files |= dict(
        con.execute(
            "SELECT release_id, source_file FROM raw.releases WHERE list_contains(?, release_id)",
            [[release_id for release_id, _ in found]],
        ).fetchall()
    )
    if len(found) == 1:
        release_id, n = found[0]
        result.notes.append(
            f"{RESTATED_NOTE}release {release_id} ({files.get(release_id, '?')}) figure for figure: its {n} figures "
            "have the values already stored, not revisions; it looks like a re-sent file (other bytes, the same "
            "figures)"
        )
        return
    named = [f"{n} of release {release_id} ({files.get(release_id, '?')})" for release_id, n in found[:RESTATED_SHOWN]]
    more = f" … and {len(found) - RESTATED_SHOWN} more releases" if len(found) > RESTATED_SHOWN else ""
    result.notes.append(
        f"{RESTATED_NOTE}every one of its {restated} figures with the values already stored, not revisions: "
        + "; ".join(named)
        + more
    )


OUTRANKED_SHOWN = 5  # figures named in the note, then how many more


def _outranked(
    con: duckdb.DuckDBPyConnection, result: IngestResult, table: str, stage: store.ReleaseStage | None, new: str
) -> None:
    """A figure dated only by the day its file landed (release_date_imputed) ranks below a vintage whose release
    states its date (store.vintage_recency): where that vintage has another value, this file's is not used. That
    is right for a ledger quoting an older publication, wrong for a later one that names no date, which only
    the sender knows: the note names the figures and what gives them their date."""
    params = {"id": result.release_id}
    if not con.execute(f"SELECT bool_or(release_date_imputed) FROM ({new})", params).fetchone()[0]:
        return
    history, on, by_key = _stored_by_key(table, stage)
    found = con.execute(
        f"""WITH new AS (
                SELECT {_KEY}, value, bound, unit, source_row, provenance FROM ({new}) WHERE release_date_imputed),
            stated AS (
                SELECT n.source_row, {by_key}, n.value, n.bound, n.unit, n.provenance,
                       arg_max({{'release': s.release_id, 'released': s.release_date, 'value': s.value,
                                 'bound': s.bound, 'unit': s.unit}}, {store.vintage_recency("s")}) AS latest
                FROM new AS n JOIN {history} AS s ON {on}
                -- the stated vintages that outrank it: a real figure outranks an illustrative one first
                WHERE s.release_id <> $id AND NOT s.release_date_imputed
                  AND (s.provenance IS DISTINCT FROM 'illustrative' OR n.provenance = 'illustrative')
                  AND s.period_code IN (SELECT period_code FROM new)
                GROUP BY ALL)
            SELECT source_row, {_KEY}, value, latest.release, latest.released, latest.value
            FROM stated
            WHERE NOT (latest.value = value AND latest.bound = bound AND latest.unit = unit)
            ORDER BY source_row, {_KEY}""",
        params,
    ).fetchall()
    if not found:
        return
    figures = [
        f"row {row} {'/'.join(x for x in key if x)} {value:.15g} (release {release}, {released}: {latest:.15g})"
        for row, *key, value, release, released, latest in found
    ]
    shown = "; ".join(figures[:OUTRANKED_SHOWN])
    more = f" … ({len(figures)} in all)" if len(figures) > OUTRANKED_SHOWN else ""
    result.notes.append(
        f"{OUTRANKED_NOTE}{len(figures)} figure{'s' * (len(figures) > 1)} dated only by the day the file landed "
        f"rank{'s' * (len(figures) == 1)} below releases that state their date and hold other values, which stay "
        f"the latest: {shown}{more}; if this "
        f"file is the later publication, `pmw withdraw {result.release_id}` and load it again under another name "
        "with its release date (`pmw ingest --as NAME --release-date YYYY-MM-DD`, or a release_date column, or the "
        "date in the file)"
    )


def _left_behind(con: duckdb.DuckDBPyConnection, result: IngestResult, table: str, new: str) -> IngestResult:
    """A corrected file (the same name, other bytes) is a new vintage of the figures it holds; a figure of the
    same periods that only an earlier release of that name holds stays current, which the office that took it
    out of the file does not expect: the notes name those figures and the release to withdraw. (Another
    period's figures under a name an office reuses every month are not a correction's.)"""
    # most files are the first of their name: one look at the releases, not a pass over all of raw
    earlier = [
        release_id
        for (release_id,) in con.execute(
            """SELECT release_id FROM raw.releases
               WHERE source_file = $name AND status = 'loaded' AND release_id <> $id
                 AND release_id NOT IN (SELECT release_id FROM raw.withdrawals WHERE restored_at IS NULL)""",
            {"id": result.release_id, "name": result.source_file},
        ).fetchall()
    ]
    if not earlier:
        return result
    key = _KEY
    left = con.execute(
        f"""WITH new AS (SELECT {key} FROM ({new})),
            earlier AS (
                SELECT * FROM {store.observation_table(table)}
                WHERE list_contains($earlier, release_id) AND period_code IN (SELECT period_code FROM new))
            SELECT arg_max(release_id, ingested_at) AS release, {key}, arg_max(source_row, ingested_at) AS row
            FROM earlier WHERE ({key}) NOT IN (SELECT ({key}) FROM new)
            GROUP BY ALL ORDER BY release, row, {key}""",
        {"id": result.release_id, "earlier": earlier},
    ).fetchall()
    for release in dict.fromkeys(r[0] for r in left):
        figures = [f"row {r[6]} {'/'.join(x for x in r[1:6] if x)}" for r in left if r[0] == release]
        shown = "; ".join(figures[:10]) + (f" … ({len(figures)} in all)" if len(figures) > 10 else "")
        result.notes.append(
            f"still current from the earlier release {release} of {result.source_file}, not in this file: {shown}; "
            f"`pmw withdraw {release}` takes them out if the correction removed them"
        )
    return result


def ingest_payload(
    payload: dict[str, Any],
    con: duckdb.DuckDBPyConnection,
    quarantine_dir: Path | str,
    today: date | None = None,
    *,
    source_url: str = "",
    catalog: Catalog | None = None,
    table: str = "observations",
    stage: store.ReleaseStage | None = None,
    run_id: str = "",
) -> IngestResult:
    """Ingest one API release (the dict returned by ``http_api.fetch_release``).

    ``table='api_observations'`` stores it apart from release files (same columns); ``stage`` and
    ``run_id`` as in :func:`ingest_file`.
    """
    catalog = catalog or load_catalog()
    today = today or date.today()
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    sha = store.sha256_bytes(data)
    name = f"{payload.get('release_id') or 'api-release'}.json"
    source_file = source_url or name
    release_id = store.make_release_id(name, sha)
    from dagster_project.ingest import http_api  # API pulls only

    parsed = http_api.parse_payload(payload, catalog, source_file, default_release_date=today)
    # an answer of no points ({"code":0,"observations":[],"total":0}) or of none read is refused, as a file with
    # no figures is: loaded, it was a release of 0 figures that said nothing
    _refuse_if_empty(parsed, source_file, "the API served no points for the month (an empty list)")
    meta = store.ReleaseMeta(source_file, sha, parsed.adapter, parsed.release_date, parsed.provenance)
    loading_from = store.stamp_time()  # as ingest_file: the notes read back only the rows this call writes
    result = _finish(
        con,
        parsed,
        meta,
        release_id,
        catalog,
        today,
        lambda errors: quarantine_bytes(data, name, errors, quarantine_dir, run_id=run_id),
        table,
        stage=stage,
    )
    # a pull repeating stored figures is said as a file's is (a pull states its date: none is outranked)
    return _what_is_stored(con, result, table, stage, loading_from)
