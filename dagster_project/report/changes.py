"""Status history from the published copy: the scorecard at a month end (fct_scorecard_monthly), what
changed since the month before, and what a run changed (the scorecard before and after it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.report.published import open_published

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class UnknownMonth(ValueError):
    """A month the snapshot does not hold (before the first plan, after the assessment, or malformed)."""


@dataclass(frozen=True)
class StatusChange:
    target_id: str
    title_zh: str
    before: str
    after: str


@dataclass
class MonthChanges:
    month: str | None
    previous: str | None
    changes: list[StatusChange] = field(default_factory=list)


def normalise_month(text: str) -> str:
    """'2026-6', '2026-06', '2026年6月' -> '2026-06'."""
    cleaned = text.strip().replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    match = MONTH.match(cleaned)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UnknownMonth(f"{text!r} is not a month; write it as YYYY-MM (e.g. 2026-06)")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def snapshot_months(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in con.execute("select distinct snapshot_month from fct_scorecard_monthly order by 1").fetchall()
    ]


def scorecard_at(db_path: Path, month: str) -> pd.DataFrame:
    """The scorecard as it stood at the end of ``month`` (columns named as in fct_target_scorecard)."""
    month = normalise_month(month)
    con = open_published(db_path)
    try:
        try:
            months = snapshot_months(con)
        except duckdb.CatalogException as exc:
            raise UnknownMonth(
                "the published copy has no month-end snapshot yet: run `pmw run` to publish one"
            ) from exc
        if month not in months:
            span = f"{months[0]} .. {months[-1]}" if months else "none"
            raise UnknownMonth(f"no scorecard for {month}; months recorded: {span}")
        return con.execute(
            "select * from fct_scorecard_monthly where snapshot_month = ? order by status_sort_order, target_id",
            [month],
        ).df()
    finally:
        con.close()


def _changes(con: duckdb.DuckDBPyConnection, month: str, previous: str) -> list[StatusChange]:
    rows = con.execute(
        """
        select now.target_id, now.title_zh, before.status_code, now.status_code
        from fct_scorecard_monthly as now
        join fct_scorecard_monthly as before
            on before.target_id = now.target_id and before.snapshot_month = ?
        where now.snapshot_month = ? and before.status_code <> now.status_code
        order by now.status_sort_order, now.target_id
        """,
        [previous, month],
    ).fetchall()
    return [StatusChange(*r) for r in rows]


def changes_since_last_month(db_path: Path, month: str | None = None) -> MonthChanges:
    """Targets whose month-end status differs from the month before (``month``: default the latest)."""
    con = open_published(db_path)
    try:
        try:
            months = snapshot_months(con)
        except duckdb.CatalogException:  # a copy published before the snapshot existed
            return MonthChanges(None, None)
        if not months:
            return MonthChanges(None, None)
        month = normalise_month(month) if month else months[-1]
        if month not in months:
            raise UnknownMonth(f"no scorecard for {month}")
        index = months.index(month)
        if index == 0:
            return MonthChanges(month, None)
        previous = months[index - 1]
        return MonthChanges(month, previous, _changes(con, month, previous))
    finally:
        con.close()


def published_statuses(db_path: Path) -> dict[str, str] | None:
    """target_id -> status_code of the copy published now, or None before the first publish."""
    if not Path(db_path).is_file():
        return None
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return dict(con.execute("select target_id, status_code from fct_target_scorecard").fetchall())
    finally:
        con.close()


def run_changes(db_path: Path, before: dict[str, str] | None) -> list[StatusChange] | None:
    """Targets whose status differs between the copy published before a run and the one now."""
    if before is None or not Path(db_path).is_file():
        return None
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        now = con.execute("select target_id, title_zh, status_code from fct_target_scorecard").fetchall()
    finally:
        con.close()
    return [StatusChange(t, title, before[t], s) for t, title, s in now if t in before and before[t] != s]


def status_history(db_path: Path) -> tuple[list[str], list[str], dict[str, str]]:
    """(months, target ids, month -> one status code index per target, as a string of letters): the
    whole month-end history, compactly, for the report's month picker."""
    con = open_published(db_path)
    try:
        try:
            months = snapshot_months(con)
        except duckdb.CatalogException:  # a copy published before the snapshot existed
            return [], [], {}
        targets = [r[0] for r in con.execute("select target_id from dim_targets order by target_id").fetchall()]
        rows = con.execute("select snapshot_month, target_id, status_code from fct_scorecard_monthly").fetchall()
    finally:
        con.close()
    return months, targets, {f"{m}|{t}": s for m, t, s in rows}
