"""The alert outbox: one row per event key, ever; every delivery attempt recorded.

Stored in its own DuckDB file (``$PMW_ALERTS_PATH`` or ``<PMW_HOME>/alerts.duckdb``), not in the
warehouse: the outbox must outlive every rebuild of the marts, and the sensor must not wait for the
warehouse's single writer. Events are read from the *published* marts (``fct_alert_events``), so an
alert only ever comes from data that passed its checks.

- ``queue_events``: new keys go in once (``INSERT ... WHERE NOT EXISTS``: a rerun or a rebuild adds
  nothing); an event older than ``lookback_days`` is stored as ``stale`` and never sent, so the first
  run over years of history does not flood the units. A missing return's key always names the unit's
  city (``return:430200:KJJ:2026-09``); an outbox that stored it without the city
  (``return:KJJ:2026-09``, a one-city warehouse before) has that row and its deliveries renamed to the
  event's key, so nothing it holds is sent again or lost.
- ``deliver``: for each pending event and each channel that wants its unit and has not yet taken it,
  up to ``max_attempts`` tries with exponential backoff; an event is ``delivered`` once every channel
  took it, ``failed`` (retried at the next tick) otherwise. A channel that took an event is never
  asked again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from dagster_project.alerts.channels import Channel, DeliveryError

__all__ = ["connect", "queue_events", "deliver", "read_published_events", "read_published_units", "DeliveryReport"]

DDL = """
CREATE TABLE IF NOT EXISTS alert_outbox (
    event_key       VARCHAR PRIMARY KEY,
    event_type      VARCHAR NOT NULL,
    severity        VARCHAR NOT NULL,
    unit_code       VARCHAR NOT NULL,
    unit_short_zh   VARCHAR,
    recipient_email VARCHAR,
    subject_id      VARCHAR,
    event_date      DATE NOT NULL,
    message_zh      VARCHAR NOT NULL,
    message_en      VARCHAR,
    trace           VARCHAR,
    queued_at       TIMESTAMP NOT NULL,
    state           VARCHAR NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'stale')),
    delivered_at    TIMESTAMP
);
-- the unit's city (fct_alert_events city_code): a unit's code is unique within its city only; an outbox
-- created before units had a city gains the column, its rows keep theirs empty
ALTER TABLE alert_outbox ADD COLUMN IF NOT EXISTS city_code VARCHAR;
CREATE TABLE IF NOT EXISTS alert_deliveries (
    event_key    VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL,
    attempt      INTEGER NOT NULL,
    ok           BOOLEAN NOT NULL,
    error        VARCHAR,
    attempted_at TIMESTAMP NOT NULL
);
"""
EVENT_COLUMNS = (
    "event_key",
    "event_type",
    "severity",
    "unit_code",
    "unit_short_zh",
    "alert_email",
    "subject_id",
    "event_date",
    "message_zh",
    "message_en",
    "trace",
)
OUTBOX_COLUMNS = (*(c if c != "alert_email" else "recipient_email" for c in EVENT_COLUMNS), "queued_at", "state")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """The outbox at ``path`` (settings.alerts_path, PMW_ALERTS_PATH), created if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute(DDL)
    return con


def read_published_events(published_db: Path) -> list[dict]:
    """The events of the published marts (read-only); [] when nothing is published yet."""
    if not published_db.exists():
        return []
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "fct_alert_events" not in tables:
            return []
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'fct_alert_events'"
            ).fetchall()
        }
        # a copy published before units had a city has no city_code: its events read with none
        city = "city_code" if "city_code" in columns else "CAST(NULL AS VARCHAR) AS city_code"
        cur = con.execute(
            f"SELECT {', '.join(EVENT_COLUMNS)}, {city} FROM fct_alert_events ORDER BY event_date, event_key"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def _key_without_city(event: dict) -> str | None:
    """The key a missing return had in a one-city warehouse (``return:KJJ:2026-09``), before every such key
    named the unit's city (``return:430200:KJJ:2026-09``, fct_alert_events); None for other events."""
    parts = str(event["event_key"]).split(":")
    if event.get("event_type") != "return_missing" or len(parts) != 4 or parts[0] != "return":
        return None
    return ":".join([parts[0], *parts[2:]])


def _adopt_keys_without_city(con: duckdb.DuckDBPyConnection, events: Sequence[dict]) -> None:
    """Rename the outbox rows (and their deliveries) stored under a missing return's key without the city to
    the key of the event they were: the row's city when it has one (every outbox since units had a city),
    else the unit's alert e-mail; a row two events could be stays as it is."""
    old_rows = con.execute(
        "SELECT event_key, city_code, recipient_email FROM alert_outbox "
        "WHERE event_type = 'return_missing' AND len(string_split(event_key, ':')) = 3"
    ).fetchall()
    if not old_rows:
        return
    known = {r[0] for r in con.execute("SELECT event_key FROM alert_outbox").fetchall()}
    candidates: dict[str, list[dict]] = {}
    for e in events:
        old_key = _key_without_city(e)
        if old_key and e["event_key"] not in known:
            candidates.setdefault(old_key, []).append(e)
    for old_key, city, email in old_rows:
        mine = candidates.get(old_key, [])
        if city:
            mine = [e for e in mine if e.get("city_code") == city]
        if len(mine) > 1:
            mine = [e for e in mine if email and e.get("alert_email") == email]
        if len(mine) != 1:
            continue  # no event, or not one to tell apart: the row keeps its key (a new event may be sent)
        [event] = mine
        con.execute(
            "UPDATE alert_outbox SET event_key = ?, city_code = coalesce(city_code, ?) WHERE event_key = ?",
            [event["event_key"], event.get("city_code"), old_key],
        )
        con.execute("UPDATE alert_deliveries SET event_key = ? WHERE event_key = ?", [event["event_key"], old_key])
        candidates[old_key].remove(event)


def read_published_units(published_db: Path) -> list[tuple[str, str]] | None:
    """(city_code, unit_code) of every unit of the published marts (dim_units), read-only; None when there is
    no copy, or one published before units had a city (one city's units: no code to tell apart)."""
    if not published_db.exists():
        return None
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        columns = {
            r[0]
            for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'dim_units'").fetchall()
        }
        if not {"city_code", "unit_code"} <= columns:
            return None
        return [(str(c), str(u)) for c, u in con.execute("SELECT city_code, unit_code FROM dim_units").fetchall()]
    finally:
        con.close()


def queue_events(
    con: duckdb.DuckDBPyConnection, events: Sequence[dict], *, as_of: date, lookback_days: int
) -> tuple[int, int]:
    """Queue events whose key is new; return (queued for delivery, stored as stale)."""
    oldest = as_of - timedelta(days=lookback_days)
    fresh = stale = 0
    now = _now()
    con.begin()
    try:
        _adopt_keys_without_city(con, events)
        known = {r[0] for r in con.execute("SELECT event_key FROM alert_outbox").fetchall()}
        for e in events:
            if e["event_key"] in known:
                continue
            known.add(e["event_key"])
            event_date = e["event_date"]
            if isinstance(event_date, datetime):
                event_date = event_date.date()
            state = "pending" if event_date >= oldest else "stale"
            con.execute(
                f"INSERT INTO alert_outbox ({', '.join(OUTBOX_COLUMNS)}, city_code) VALUES "
                f"({', '.join('?' * (len(OUTBOX_COLUMNS) + 1))})",
                [
                    e["event_key"],
                    e["event_type"],
                    e["severity"],
                    e["unit_code"],
                    e.get("unit_short_zh"),
                    e.get("alert_email"),
                    e.get("subject_id"),
                    event_date,
                    e["message_zh"],
                    e.get("message_en"),
                    e.get("trace"),
                    now,
                    state,
                    e.get("city_code"),
                ],
            )
            if state == "pending":
                fresh += 1
            else:
                stale += 1
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return fresh, stale


@dataclass
class DeliveryReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (event_key, channel)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (event_key, channel, last error)
    attempts: int = 0


def deliver(
    con: duckdb.DuckDBPyConnection,
    channels: Sequence[tuple[Channel, Callable[[str], bool]]],
    *,
    max_attempts: int = 3,
    backoff_seconds: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send every pending or failed event on each channel (``(channel, wants(unit_code))``) not yet taken."""
    report = DeliveryReport()
    cur = con.execute("SELECT * FROM alert_outbox WHERE state IN ('pending', 'failed') ORDER BY event_date, event_key")
    names = [d[0] for d in cur.description]
    pending = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    for alert in pending:
        alert["recipient_email"] = alert.get("recipient_email")
        all_ok = True
        for channel, wants in channels:
            if not wants(alert["unit_code"], alert.get("city_code")):
                continue
            [(taken,)] = con.execute(
                "SELECT count(*) FROM alert_deliveries WHERE event_key = ? AND channel = ? AND ok",
                [alert["event_key"], channel.name],
            ).fetchall()
            if taken:
                continue
            [(tried,)] = con.execute(
                "SELECT count(*) FROM alert_deliveries WHERE event_key = ? AND channel = ?",
                [alert["event_key"], channel.name],
            ).fetchall()
            error = ""
            for attempt in range(1, max_attempts + 1):
                report.attempts += 1
                try:
                    channel.send(alert)
                except DeliveryError as exc:
                    error = str(exc)
                    con.execute(
                        "INSERT INTO alert_deliveries VALUES (?, ?, ?, false, ?, ?)",
                        [alert["event_key"], channel.name, tried + attempt, error, _now()],
                    )
                    if attempt < max_attempts:
                        sleep(backoff_seconds * 2 ** (attempt - 1))
                    continue
                con.execute(
                    "INSERT INTO alert_deliveries VALUES (?, ?, ?, true, NULL, ?)",
                    [alert["event_key"], channel.name, tried + attempt, _now()],
                )
                report.sent.append((alert["event_key"], channel.name))
                error = ""
                break
            if error:
                all_ok = False
                report.failed.append((alert["event_key"], channel.name, error))
        if not channels:
            continue  # nothing configured: the event waits in the outbox
        con.execute(
            "UPDATE alert_outbox SET state = ?, delivered_at = CASE WHEN ? THEN ? END WHERE event_key = ?",
            ["delivered" if all_ok else "failed", all_ok, _now(), alert["event_key"]],
        )
    return report
