"""Format 6: the monthly unit return (工作台账), one row per task a unit leads.

A unit (牵头单位) files one return a month, CSV or XLSX, through the same landing folder as every
release: one row per task it leads, with the stage reached from the fixed list of
``seeds/task_stages.csv`` (未启动/前期/推进中/基本完成/已完成), the percent done where it applies,
progress in words, the evidence, problems, a note, the reporting unit and the report date.

The file is checked as a whole against the task catalogue (``seeds/tasks.csv``, ``seeds/units.csv``):
every error names the file, row and column, and a file with any error is quarantined whole. A unit may
only report on the tasks it leads. A unit belongs to a city (``units.csv`` city_code), and two cities
may each have a 商务局: the reporting unit is read in the city the return names (an optional ``city`` / 城市
column, or the city in the unit's full name, 湘潭市商务局), else in the city of its task's plan; a name that
is several cities' units with nothing to say which is refused as ambiguous. Loaded rows go to
``raw.task_returns`` under the file's release id (name + content hash, ``store.make_release_id``): a
corrected or resubmitted file is a new vintage; the latest vintage of a (task, month) is the one with
the greatest (report_date, ingested_at) (``int_task_returns__latest``). Whether a stage goes backwards
against an earlier month is judged across vintages in dbt (``int_task_returns__latest.flags``), where
every month is known.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from dagster_project.ingest import store
from dagster_project.ingest.adapter_common import parse_date
from dagster_project.ingest.catalog import seeds_dir as default_seeds_dir
from dagster_project.ingest.document import Document
from dagster_project.ingest.long_format import (  # read as the long format is
    _header_index,
    _provenance,
    month_number_problem,
)
from dagster_project.ingest.models import IngestError
from dagster_project.ingest.periods import parse_period

__all__ = [
    "NAME",
    "COLUMNS",
    "REQUIRED",
    "OPTIONAL",
    "TaskCatalog",
    "TaskReturnRow",
    "load_task_catalog",
    "sniff",
    "parse",
    "ensure_schema",
    "load_returns",
    "ingest_document",
]

NAME = "task_return"
COLUMNS = (
    "month",
    "task_id",
    "stage",
    "percent",
    "progress",
    "evidence",
    "problems",
    "note",
    "reporting_unit",
    "report_date",
    "provenance",
)
REQUIRED = ("month", "task_id", "stage", "reporting_unit", "report_date")
# a return may name its city (城市): needed only where a unit's name is two cities' and no task says which
OPTIONAL = ("city",)
# The headers a unit's own spreadsheet carries (台账模板), mapped to the columns.
ZH_HEADERS = {
    "月份": "month",
    "报告月份": "month",
    "任务编号": "task_id",
    "进展阶段": "stage",
    "所处阶段": "stage",
    "阶段": "stage",
    "当前阶段": "stage",
    "完成百分比": "percent",
    "完成进度(%)": "percent",
    "完成进度": "percent",
    "完成比例": "percent",
    "完成比例(%)": "percent",
    "完成率": "percent",
    "完成率(%)": "percent",
    "进展情况": "progress",
    "佐证材料": "evidence",
    "存在问题": "problems",
    "备注": "note",
    "填报单位": "reporting_unit",
    "报送单位": "reporting_unit",
    "填报日期": "report_date",
    "报送日期": "report_date",
    "填报时间": "report_date",
    "数据性质": "provenance",
    "城市": "city",
    "所属城市": "city",
}

# Columns a unit's 台账 carries that say nothing the return needs: the row's number and the task's title (the task is
# read from its 任务编号, the title is the catalogue's). Not read, and named in the notes; any other column refuses.
NOT_READ = {
    "序号": "the row's number",
    "任务名称": "the task's title",
    "重点任务": "the task's title",
    "工作任务": "the task's title",
    "任务内容": "the task's title",
}

DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.task_returns (
    release_id      VARCHAR NOT NULL,
    task_id         VARCHAR NOT NULL,
    month_code      VARCHAR NOT NULL,
    month_start     DATE NOT NULL,
    month_end       DATE NOT NULL,
    stage_code      VARCHAR NOT NULL,
    percent_done    DOUBLE,
    progress_text   VARCHAR,
    evidence_ref    VARCHAR,
    problems        VARCHAR,
    note            VARCHAR,
    reporting_unit  VARCHAR NOT NULL,
    report_date     DATE NOT NULL,
    provenance      VARCHAR NOT NULL,
    source_file     VARCHAR NOT NULL,
    source_row      INTEGER NOT NULL,
    ingested_at     TIMESTAMP NOT NULL
);
"""
_TEXT_COLUMNS = frozenset({"progress", "evidence", "problems", "note"})
_COLUMNS_SQL = (
    "release_id, task_id, month_code, month_start, month_end, stage_code, percent_done, progress_text, "
    "evidence_ref, problems, note, reporting_unit, report_date, provenance, source_file, source_row, ingested_at"
)


@dataclass(frozen=True)
class TaskCatalog:
    """The task ledger's reference data: who leads which task, and the fixed list of stages. Unit codes
    are unique within a city only, so a unit is (city_code, unit_code) here."""

    task_lead: dict[str, str]  # task_id -> lead unit code (in the task's city)
    task_city: dict[str, str]  # task_id -> city_code of its plan (plans.csv region_code)
    task_window: dict[str, tuple[date, date]]  # task_id -> (start_date, deadline)
    units: dict[str, dict[str, str]]  # any accepted name (code, short name, full name) -> {city_code: unit code}
    city_units: dict[str, dict[str, str]]  # a name that carries its city (湘潭市商务局) -> {city_code: unit code}
    cities: dict[str, str]  # city name (湘潭市, 湘潭) or region code -> city_code
    city_names: dict[str, str]  # city_code -> name (湘潭市), for messages
    stages: dict[str, str]  # stage_zh or stage_code -> stage_code
    stage_pct: dict[str, float]  # stage_code -> nominal percent
    stage_list: tuple[str, ...]  # stage_zh in rank order, for messages

    @property
    def task_ids_folded(self) -> dict[str, str]:
        """TASK_ID in upper case -> the catalogued task_id."""
        return {task_id.upper(): task_id for task_id in self.task_lead}

    def unit_cities(self, text: str) -> dict[str, str]:
        """{city_code: unit code} of every city with a unit of this name (empty when none)."""
        text = text.strip()
        return self.units.get(text) or self.units.get(text.upper()) or {}

    def named_city(self, text: str) -> str | None:
        """The city a unit's name carries (湘潭市商务局 -> 430300), if it carries one."""
        found = self.city_units.get(text.strip(), {})
        return next(iter(found)) if len(found) == 1 else None

    def city_name(self, code: str) -> str:
        return self.city_names.get(code, code)


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_task_catalog(seeds: Path | None = None) -> TaskCatalog:
    seeds = seeds or default_seeds_dir()
    tasks = _read(seeds / "tasks.csv")
    plan_city = {p["plan_id"]: p["region_code"] for p in _read(seeds / "plans.csv")}
    target_city = {t["target_id"]: plan_city.get(t["plan_id"], "") for t in _read(seeds / "targets.csv")}
    regions = {r["region_code"]: r["name_zh"] for r in _read(seeds / "regions.csv")}
    city_names = {code: regions.get(code, code) for code in set(plan_city.values())}
    cities = {code: code for code in city_names} | {name: code for code, name in city_names.items()}
    cities |= {name.removesuffix("市"): code for code, name in city_names.items() if name.endswith("市")}
    units: dict[str, dict[str, str]] = {}
    city_units: dict[str, dict[str, str]] = {}
    unit_rows = _read(seeds / "units.csv")
    if unit_rows and "city_code" not in unit_rows[0]:
        # an older units.csv: refused by name (the catalogue check refuses it before a build the same way)
        raise ValueError(
            "seeds/units.csv has no column city_code: a unit belongs to a city (the region_code of its plans "
            "in seeds/plans.csv), so returns can be matched to the right city's unit; add the column "
            "(one city: its region_code on every row)"
        )
    for u in unit_rows:
        city, code = u["city_code"], u["unit_code"]
        city_name = city_names.get(city, "")
        # a return may sign without its city (发展和改革委员会 for 株洲市发展和改革委员会) or with it
        local = u["name_zh"].removeprefix(city_name) if city_name else u["name_zh"]
        for name in (code, u["short_name_zh"], local, "市" + u["short_name_zh"]):
            units.setdefault(name, {})[city] = code
        if city_name:
            for name in (u["name_zh"], city_name + u["short_name_zh"]):
                city_units.setdefault(name, {})[city] = code
                units.setdefault(name, {})[city] = code
    stage_rows = sorted(_read(seeds / "task_stages.csv"), key=lambda r: int(r["stage_rank"]))
    stages = {r["stage_zh"]: r["stage_code"] for r in stage_rows} | {
        r["stage_code"]: r["stage_code"] for r in stage_rows
    }
    return TaskCatalog(
        task_lead={t["task_id"]: t["lead_unit_code"] for t in tasks},
        task_city={t["task_id"]: target_city.get(t["target_id"], "") for t in tasks},
        task_window={
            t["task_id"]: (date.fromisoformat(t["start_date"]), date.fromisoformat(t["deadline"])) for t in tasks
        },
        units=units,
        city_units=city_units,
        cities=cities,
        city_names=city_names,
        stages=stages,
        stage_pct={r["stage_code"]: float(r["nominal_pct"]) for r in stage_rows},
        stage_list=tuple(r["stage_zh"] for r in stage_rows),
    )


def _column_name(cell: str) -> str:
    text = re.sub(r"\s+", "", cell).lower()
    return ZH_HEADERS.get(text, text)


def _return_header(doc: Document) -> int | None:
    """The header row: the first of the first five filled rows naming a task and a stage (a unit's sheet has
    its title above it: 株洲市科学技术局重点任务推进台账（2022年12月）), else the long format's choice."""
    filled = [i for i, row in enumerate(doc.rows[:20]) if any(row)]
    named = (i for i in filled[:5] if {"task_id", "stage"} <= {_column_name(c) for c in doc.rows[i] if c})
    return next(named, None) if doc.kind == "table" and filled else None


def sniff(doc: Document) -> bool:
    """A table whose header names a task and a stage (English or the 台账 template's Chinese)."""
    return doc.kind == "table" and _return_header(doc) is not None


@dataclass
class TaskReturnRow:
    task_id: str
    month_code: str
    month_start: date
    month_end: date
    stage_code: str
    percent_done: float | None
    progress_text: str
    evidence_ref: str
    problems: str
    note: str
    reporting_unit: str
    report_date: date
    provenance: str
    source_file: str
    source_row: int
    city_code: str = ""  # the reporting unit's city (not stored: the task's plan says it again)


@dataclass
class ParsedReturn:
    rows: list[TaskReturnRow]
    errors: list[IngestError]
    release_date: date | None
    provenance: str
    reporting_unit: str | None
    notes: list[str] = field(default_factory=list)


def parse(doc: Document, catalog: TaskCatalog, today: date) -> ParsedReturn:
    """Every row checked; all of the file's errors collected (file, row, column, reason)."""
    name = doc.source_file
    errors: list[IngestError] = []
    rows: list[TaskReturnRow] = []

    def err(row: int | None, column: str, reason: str) -> None:
        errors.append(IngestError(name, row, column, reason))

    hi = _return_header(doc)
    if hi is None:
        hi = _header_index(doc)
    if hi is None:
        err(None, "", "empty file")
        return ParsedReturn(rows, errors, None, "published", None)
    header = [_column_name(c) for c in doc.rows[hi]]
    while header and not header[-1]:
        header.pop()
    not_read = [(i, h) for i, h in enumerate(header) if h in NOT_READ]
    extra = [
        doc.rows[hi][i] or "(blank)" for i, h in enumerate(header) if h not in COLUMNS + OPTIONAL and h not in NOT_READ
    ]
    missing = [c for c in REQUIRED if c not in header]
    if extra:
        err(
            hi + 1,
            ",".join(extra),
            f"unexpected column(s) {extra}; a return has the columns {','.join(COLUMNS + OPTIONAL)}",
        )
    if missing:
        err(hi + 1, ",".join(missing), f"missing column(s) {missing}")
    if extra or missing:
        return ParsedReturn(rows, errors, None, "published", None)
    col = {h: i for i, h in enumerate(header)}
    units_seen: dict[tuple[str, str], int] = {}
    keys: dict[tuple[str, str], int] = {}
    provenances: set[str] = set()

    for r in range(hi + 1, len(doc.rows)):
        row_no = r + 1
        cells = doc.rows[r]
        if not any(cells):
            continue

        def get(column: str, cells: list[str] = cells, r: int = r) -> str:
            i = col.get(column)
            if i is None or i >= len(cells):
                return ""
            # words as the unit wrote them (full-width punctuation kept); codes and numbers cleaned
            return doc.raw(r, i).strip() if column in _TEXT_COLUMNS else cells[i].strip()

        ok = True
        # a code typed in lower case (t22-fin-116-t01) is the catalogued one
        task_id = catalog.task_ids_folded.get(get("task_id").upper(), get("task_id"))
        lead = catalog.task_lead.get(task_id)
        if not task_id:
            err(row_no, "task_id", "task_id is empty")
            ok = False
        elif lead is None:
            err(row_no, "task_id", f"unknown task {task_id!r}: not in seeds/tasks.csv")
            ok = False
        unit_text = get("reporting_unit")
        city_text = get("city")
        task_city = catalog.task_city.get(task_id) if lead is not None else None
        city = catalog.cities.get(city_text) if city_text else None
        if city_text and city is None:
            known = "/".join(sorted(catalog.city_names.values()))
            err(row_no, "city", f"unknown city {city_text!r}: the plans' cities are {known}")
            ok = False
        elif city is not None and task_city is not None and city != task_city:
            err(
                row_no,
                "city",
                f"the return names {catalog.city_name(city)}, but task {task_id} is "
                f"{catalog.city_name(task_city)}'s (its plan's city)",
            )
            ok = False
        found = catalog.unit_cities(unit_text) if unit_text else {}
        named = catalog.named_city(unit_text) if unit_text else None
        unit = None
        if not unit_text:
            err(row_no, "reporting_unit", "reporting_unit is empty")
            ok = False
        elif not found:
            err(row_no, "reporting_unit", f"unknown unit {unit_text!r}: not in seeds/units.csv")
            ok = False
        elif named is not None and task_city is not None and named != task_city:
            err(
                row_no,
                "reporting_unit",
                f"{unit_text} is a unit of {catalog.city_name(named)}, but task {task_id} is "
                f"{catalog.city_name(task_city)}'s (its plan's city)",
            )
            ok = False
        else:
            # which city's unit: the one the return names, else its task's plan's, else the only one there is
            city = named or city or task_city or (next(iter(found)) if len(found) == 1 else None)
            if city is None:
                which = " and ".join(f"{catalog.city_name(c)} ({u})" for c, u in sorted(found.items()))
                err(
                    row_no,
                    "reporting_unit",
                    f"{unit_text!r} is ambiguous: it is a unit of {which}; name the city "
                    "(a city column 城市, or the full name, e.g. 湘潭市商务局)",
                )
                ok = False
            elif city not in found:
                err(
                    row_no,
                    "reporting_unit",
                    f"{unit_text!r} is not a unit of {catalog.city_name(city)} "
                    f"(it is one of {', '.join(catalog.city_name(c) for c in sorted(found))})",
                )
                ok = False
            else:
                unit = found[city]
                units_seen.setdefault((city, unit), row_no)
                if lead is not None and unit != lead:
                    err(
                        row_no,
                        "reporting_unit",
                        f"{unit_text} ({unit}) reports on task {task_id}, which {lead} leads: "
                        "a unit may only report on its own tasks",
                    )
                    ok = False
        stage_text = get("stage")
        stage = catalog.stages.get(stage_text)
        if stage is None:
            err(
                row_no,
                "stage",
                f"unknown stage {stage_text!r}; expected one of {'/'.join(catalog.stage_list)}",
            )
            ok = False
        month = None
        try:
            if "month" in col and (r, col["month"]) in doc.numbers_like_a_month:  # 2022.10 kept by Excel as 2022.1
                raise ValueError(month_number_problem("month", get("month")))
            month = parse_period(get("month"))
            if month.kind != "month":
                err(row_no, "month", f"month {get('month')!r} is a {month.kind}, not one month (e.g. 2022-05)")
                ok = False
        except ValueError as exc:
            err(row_no, "month", str(exc))
            ok = False
        report_date = None
        try:
            report_date = parse_date(get("report_date"))
        except ValueError as exc:
            err(row_no, "report_date", f"report_date: {exc}")
            ok = False
        if report_date is not None and report_date > today:
            err(row_no, "report_date", f"report_date {report_date} is in the future (today is {today})")
            ok = False
        if month is not None and month.kind == "month" and report_date is not None and report_date < month.start:
            err(row_no, "month", f"month {month.code} is reported on {report_date}, before it began")
            ok = False
        if month is not None and lead is not None and month.kind == "month":
            start, _ = catalog.task_window[task_id]
            if month.end < start:
                err(row_no, "month", f"month {month.code} is before task {task_id} starts ({start})")
                ok = False
        percent: float | None = None
        if get("percent"):
            try:
                percent = float(get("percent").rstrip("%"))
            except ValueError:
                err(row_no, "percent", f"percent {get('percent')!r} is not a number")
                ok = False
            else:
                if not 0 <= percent <= 100:
                    err(row_no, "percent", f"percent {percent:g} is outside 0..100")
                    ok = False
                elif 0 < percent < 1 and not get("percent").endswith("%"):
                    # 完成比例 0.85 is 85% written as a share far more often than 0.85%: neither is guessed
                    err(
                        row_no,
                        "percent",
                        f"percent {get('percent')} is ambiguous: {percent * 100:g}% written as a share, or "
                        f"{get('percent')}%? write {percent * 100:g} (or {get('percent')}%)",
                    )
                    ok = False
                elif stage == "done" and percent != 100:
                    err(row_no, "percent", f"stage 已完成 with percent {percent:g}: a finished task is 100")
                    ok = False
                elif stage == "not_started" and percent != 0:
                    err(row_no, "percent", f"stage 未启动 with percent {percent:g}: nothing started is 0")
                    ok = False
        if stage not in (None, "not_started") and not get("progress"):
            err(row_no, "progress", "progress is empty: say in words what was done (进展情况)")
            ok = False
        prov = _provenance(get("provenance"))
        if prov is None:
            err(row_no, "provenance", f"provenance {get('provenance')!r} must be published or illustrative")
            ok = False
        else:
            provenances.add(prov)
        if ok and month is not None:
            key = (task_id, month.code)
            if key in keys:
                err(row_no, "task_id", f"task {task_id} month {month.code} is already reported in row {keys[key]}")
                continue
            keys[key] = row_no
            rows.append(
                TaskReturnRow(
                    task_id=task_id,
                    month_code=month.code,
                    month_start=month.start,
                    month_end=month.end,
                    stage_code=stage,
                    percent_done=percent,
                    progress_text=get("progress"),
                    evidence_ref=get("evidence"),
                    problems=get("problems"),
                    note=get("note"),
                    reporting_unit=unit,
                    report_date=report_date,
                    provenance=prov,
                    source_file=name,
                    source_row=row_no,
                    city_code=city or "",
                )
            )
    if len(units_seen) > 1:
        many = len({c for c, _ in units_seen}) > 1  # name the cities only when they differ
        listed = ", ".join(
            (f"{catalog.city_name(c)} {u}" if many else u) + f" (row {n})" for (c, u), n in units_seen.items()
        )
        err(None, "reporting_unit", f"one return is one unit's: this file mixes {listed}")
    if not rows and not errors:
        err(None, "", "no task rows under the header")
    release_date = max((r.report_date for r in rows), default=None)
    provenance = (
        "illustrative" if provenances == {"illustrative"} else ("mixed" if len(provenances) > 1 else "published")
    )
    first_unit = next(iter(units_seen), None)
    notes = [
        f"column {_letter(i)} {doc.rows[hi][i]!r} not read: {NOT_READ[h]} (the task is read from its task_id, 任务编号)"
        for i, h in not_read
    ]
    return ParsedReturn(rows, errors, release_date, provenance, first_unit[1] if first_unit else None, notes)


def _letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create raw.task_returns if missing (idempotent); store.ensure_schema calls it too."""
    con.execute(DDL)


def load_returns(
    con: duckdb.DuckDBPyConnection, release_id: str, rows: list[TaskReturnRow], meta: store.ReleaseMeta
) -> int:
    """Replace the release's rows in one transaction (same bookkeeping as observation releases)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    values = [
        [
            release_id,
            r.task_id,
            r.month_code,
            r.month_start,
            r.month_end,
            r.stage_code,
            r.percent_done,
            r.progress_text,
            r.evidence_ref,
            r.problems,
            r.note,
            r.reporting_unit,
            r.report_date,
            r.provenance,
            r.source_file,
            r.source_row,
            now,
        ]
        for r in rows
    ]
    con.begin()
    try:
        con.execute("DELETE FROM raw.task_returns WHERE release_id = ?", [release_id])
        con.execute("DELETE FROM raw.quarantine WHERE release_id = ?", [release_id])
        store.upsert_release(con, release_id, meta, len(values), "loaded", 0, now)
        con.executemany(
            f"INSERT INTO raw.task_returns ({_COLUMNS_SQL}) VALUES ({', '.join('?' * 17)})",
            values,
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(values)


def ingest_document(
    doc: Document,
    con: duckdb.DuckDBPyConnection,
    *,
    name: str,
    sha: str,
    release_id: str,
    today: date,
    quarantine: Callable[[list[IngestError]], Path],
    seeds: Path | None = None,
    notes: list[str] | None = None,
):
    """Validate and load one return, or quarantine it whole. Returns a pipeline.IngestResult."""
    from dagster_project.ingest.pipeline import IngestResult  # the pipeline dispatches here

    parsed = parse(doc, load_task_catalog(seeds), today)
    meta = store.ReleaseMeta(name, sha, NAME, parsed.release_date, parsed.provenance)
    store.ensure_schema(con)
    if parsed.errors:
        store.record_quarantine(con, release_id, meta, parsed.errors)
        qpath = quarantine(parsed.errors)
        return IngestResult(release_id, name, "quarantined", NAME, 0, parsed.errors, qpath)
    earlier = _earlier_returns(con, release_id, parsed.rows)
    n = load_returns(con, release_id, parsed.rows, meta)
    unit = parsed.reporting_unit or "?"
    said = [f"return of {unit}: {n} task rows", *(notes or []), *parsed.notes, *earlier]
    return IngestResult(release_id, name, "loaded", NAME, n, notes=said)


def _earlier_returns(con: duckdb.DuckDBPyConnection, release_id: str, rows: list[TaskReturnRow]) -> list[str]:
    """For a month a loaded return already reports (a correction, a resubmission): which return counts now. The
    latest vintage is the greatest (report_date, load time), so a return dated before the one loaded does not
    replace it, which the unit correcting a figure would not expect without being told."""
    ensure_schema(con)
    notes = []
    for r in rows:
        found = con.execute(
            """SELECT t.release_id, t.source_file, t.source_row, t.report_date FROM raw.task_returns t
               JOIN raw.releases USING (release_id)
               WHERE releases.status = 'loaded' AND t.release_id <> ? AND t.task_id = ? AND t.month_code = ?
               ORDER BY t.report_date DESC, t.ingested_at DESC LIMIT 1""",
            [release_id, r.task_id, r.month_code],
        ).fetchall()
        if not found:
            continue
        _, file, row, reported = found[0]
        what = (
            "this return replaces it"
            if r.report_date >= reported
            else "that return stays the latest: its report date is later (correct the 填报日期 to replace it)"
        )
        notes.append(
            f"already loaded, task {r.task_id} {r.month_code}: {file} row {row} (reported {reported}); "
            f"row {r.source_row} here is reported {r.report_date}: {what}"
        )
    return notes
