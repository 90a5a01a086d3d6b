"""Alerts: the outbox keeps one row per event, delivery goes to a real local SMTP server and HTTP
receiver (started on 127.0.0.1 by the fixtures), retries when the receiver fails, never sends twice."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.alerts import outbox
from dagster_project.alerts.channels import build_channel
from dagster_project.alerts.config import ConfigError, load_config

AS_OF = date(2026, 12, 3)


def _event(key: str, unit: str = "KJJ", when: date = date(2026, 11, 20), kind: str = "return_missing") -> dict:
    return {
        "event_key": key,
        "event_type": kind,
        "severity": "warning",
        "unit_code": unit,
        "unit_short_zh": {"KJJ": "科技局", "FGW": "发改委"}[unit],
        "alert_email": f"{unit.lower()}@zhuzhou.example.invalid",
        "subject_id": key,
        "event_date": when,
        "message_zh": f"{key} 工作台账逾期未报",
        "message_en": f"{key} return missing",
        "trace": "test",
    }


def _config(tmp_path: Path, channels: list[dict], **extra) -> Path:
    path = tmp_path / "alert_channels.json"
    path.write_text(json.dumps({"channels": channels, "backoff_seconds": 0.01, **extra}), encoding="utf-8")
    return path


def _channels(config):
    return [(build_channel(c), c.wants) for c in config.channels]


@pytest.fixture
def box(tmp_path: Path):
    con = outbox.connect(tmp_path / "alerts.duckdb")
    yield con
    con.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_smtp_and_webhook_deliver_each_event_once_and_a_rerun_sends_nothing(
    box, tmp_path, smtp_receiver, webhook_receiver
):
    config = load_config(
        _config(
            tmp_path,
            [
                {
                    "name": "mail",
                    "type": "smtp",
                    "host": smtp_receiver.host,
                    "port": smtp_receiver.port,
                    "sender": "督查室 <dc@zhuzhou.example.invalid>",
                },
                {"name": "wecom", "type": "webhook", "url": webhook_receiver.url, "format": "wecom"},
            ],
        )
    )
    events = [_event("return:KJJ:2026-09"), _event("return:FGW:2026-10", unit="FGW")]
    assert outbox.queue_events(box, events, as_of=AS_OF, lookback_days=90) == (2, 0)
    report = outbox.deliver(box, _channels(config), max_attempts=3, backoff_seconds=0.01)
    assert len(report.sent) == 4 and not report.failed
    assert sorted(m["To"] for m in smtp_receiver.messages) == [
        "fgw@zhuzhou.example.invalid",
        "kjj@zhuzhou.example.invalid",
    ]
    mail = next(m for m in smtp_receiver.messages if m["To"].startswith("kjj"))
    assert mail["X-PMW-Event-Key"] == "return:KJJ:2026-09"
    assert "工作台账逾期未报" in mail["Subject"] and "科技局" in mail.get_content()
    # the 企业微信 robot shape
    assert all(b["msgtype"] == "markdown" and "content" in b["markdown"] for b in webhook_receiver.bodies)
    assert len(webhook_receiver.bodies) == 2
    assert _rows(box, "SELECT DISTINCT state FROM alert_outbox") == [("delivered",)]

    # a rerun (same events, e.g. the marts rebuilt) queues nothing and sends nothing
    assert outbox.queue_events(box, events, as_of=AS_OF, lookback_days=90) == (0, 0)
    again = outbox.deliver(box, _channels(config), max_attempts=3, backoff_seconds=0.01)
    assert again.sent == [] and again.attempts == 0
    assert len(smtp_receiver.messages) == 2 and len(webhook_receiver.bodies) == 2
    assert _rows(box, "SELECT count(*) FROM alert_outbox") == [(2,)]


def test_a_failing_webhook_is_retried_with_backoff_and_recorded(box, tmp_path, webhook_receiver):
    webhook_receiver.fail_next = 2  # HTTP 500 twice, then it takes the alert
    config = load_config(_config(tmp_path, [{"name": "hook", "type": "webhook", "url": webhook_receiver.url}]))
    outbox.queue_events(box, [_event("return:KJJ:2026-09")], as_of=AS_OF, lookback_days=90)
    waits: list[float] = []
    report = outbox.deliver(box, _channels(config), max_attempts=3, backoff_seconds=1.5, sleep=waits.append)
    assert report.sent == [("return:KJJ:2026-09", "hook")]
    assert waits == [1.5, 3.0]  # exponential backoff between the three attempts
    assert webhook_receiver.requests == 3
    attempts = _rows(box, "SELECT attempt, ok, error IS NULL FROM alert_deliveries ORDER BY attempt")
    assert attempts == [(1, False, False), (2, False, False), (3, True, True)]
    # generic format: the alert itself as JSON
    assert webhook_receiver.bodies[0]["event_key"] == "return:KJJ:2026-09"


def test_a_receiver_down_for_the_whole_tick_is_retried_at_the_next_and_a_taken_channel_is_not_asked_again(
    box, tmp_path, smtp_receiver, webhook_receiver
):
    webhook_receiver.errcode_next = 10  # a robot answering errcode != 0 is a failure too
    config = load_config(
        _config(
            tmp_path,
            [
                {
                    "name": "mail",
                    "type": "smtp",
                    "host": smtp_receiver.host,
                    "port": smtp_receiver.port,
                    "sender": "dc@zhuzhou.example.invalid",
                },
                {"name": "ding", "type": "webhook", "url": webhook_receiver.url, "format": "dingtalk"},
            ],
        )
    )
    outbox.queue_events(box, [_event("return:KJJ:2026-09")], as_of=AS_OF, lookback_days=90)
    first = outbox.deliver(box, _channels(config), max_attempts=2, backoff_seconds=0, sleep=lambda _s: None)
    assert first.sent == [("return:KJJ:2026-09", "mail")]
    assert first.failed and "errcode 93000" in first.failed[0][2]
    assert _rows(box, "SELECT state FROM alert_outbox") == [("failed",)]
    webhook_receiver.errcode_next = 0
    second = outbox.deliver(box, _channels(config), max_attempts=2, backoff_seconds=0, sleep=lambda _s: None)
    assert second.sent == [("return:KJJ:2026-09", "ding")]
    assert len(smtp_receiver.messages) == 1  # the mail went once, in the first tick
    assert webhook_receiver.bodies[0]["markdown"]["title"].startswith("科技局")
    assert _rows(box, "SELECT state FROM alert_outbox") == [("delivered",)]


def test_old_events_are_stored_stale_and_never_sent(box, tmp_path, webhook_receiver):
    config = load_config(_config(tmp_path, [{"type": "webhook", "url": webhook_receiver.url}]))
    events = [_event("old", when=date(2022, 8, 5)), _event("new", when=date(2026, 11, 30))]
    assert outbox.queue_events(box, events, as_of=AS_OF, lookback_days=90) == (1, 1)
    outbox.deliver(box, _channels(config), backoff_seconds=0)
    assert [b["event_key"] for b in webhook_receiver.bodies] == ["new"]
    assert dict(_rows(box, "SELECT event_key, state FROM alert_outbox")) == {"old": "stale", "new": "delivered"}


def test_channels_can_be_limited_to_units(box, tmp_path, webhook_receiver):
    config = load_config(_config(tmp_path, [{"type": "webhook", "url": webhook_receiver.url, "units": ["FGW"]}]))
    outbox.queue_events(box, [_event("a"), _event("b", unit="FGW")], as_of=AS_OF, lookback_days=90)
    outbox.deliver(box, _channels(config), backoff_seconds=0)
    assert [b["unit_code"] for b in webhook_receiver.bodies] == ["FGW"]


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ({"type": "fax"}, "channels[0].type"),
        ({"type": "smtp", "sender": "a@b"}, "channels[0].host"),
        ({"type": "webhook", "url": "ftp://x"}, "channels[0].url"),
        ({"type": "webhook", "url": "http://x", "format": "slack"}, "channels[0].format"),
    ],
)
def test_a_wrong_configuration_names_the_file_and_field(tmp_path, channel, message):
    path = _config(tmp_path, [channel])
    with pytest.raises(ConfigError, match=re.escape(message)) as exc:
        load_config(path)
    assert str(path) in str(exc.value)


def test_a_channel_limited_to_a_unit_takes_that_citys_unit(box, tmp_path, webhook_receiver):
    # two cities' 商务局 are both SWJ: a channel for 湘潭's (430300:SWJ) took 株洲's alerts too (unit code alone)
    config = load_config(_config(tmp_path, [{"type": "webhook", "url": webhook_receiver.url, "units": ["430300:KJJ"]}]))
    events = [
        {**_event("return:430200:KJJ:2026-09"), "city_code": "430200"},
        {**_event("return:430300:KJJ:2026-09"), "city_code": "430300"},
    ]
    outbox.queue_events(box, events, as_of=AS_OF, lookback_days=90)
    outbox.deliver(box, _channels(config), backoff_seconds=0)
    assert [b["event_key"] for b in webhook_receiver.bodies] == ["return:430300:KJJ:2026-09"]


def _published(path: Path, units: list[tuple[str, str]], events: list[dict]) -> Path:
    """A published copy holding what the alert step reads: dim_units and fct_alert_events."""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE dim_units (city_code VARCHAR, unit_code VARCHAR)")
        con.executemany("INSERT INTO dim_units VALUES (?, ?)", units)
        columns = [*outbox.EVENT_COLUMNS, "city_code"]
        con.execute(f"CREATE TABLE fct_alert_events ({', '.join(f'{c} VARCHAR' for c in columns)})")
        con.execute("ALTER TABLE fct_alert_events ALTER event_date TYPE DATE")
        for e in events:
            con.execute(
                f"INSERT INTO fct_alert_events VALUES ({', '.join('?' * len(columns))})", [e.get(c) for c in columns]
            )
    return path


# both cities have a 科技局 KJJ; only 株洲 has a 工信局 GXJ
TWO_CITIES_UNITS = [("430200", "KJJ"), ("430200", "GXJ"), ("430300", "KJJ")]


def _run(tmp_path: Path, units: list[str], events: list[dict], url: str):
    from types import SimpleNamespace

    from dagster_project.alerts.sensor import run_alerts

    settings = SimpleNamespace(
        published_db_path=_published(tmp_path / "published.duckdb", TWO_CITIES_UNITS, events),
        alerts_path=tmp_path / "alerts.duckdb",
    )
    config = load_config(_config(tmp_path, [{"name": "wecom", "type": "webhook", "url": url, "units": units}]))
    return run_alerts(settings, config=config, as_of=AS_OF, sleep=lambda _s: None)


def test_a_bare_unit_code_two_cities_have_is_refused_by_name_before_either_has_alerts(tmp_path, webhook_receiver):
    # only 株洲's KJJ has an alert so far: "KJJ" was let through, and would take 湘潭's alerts when they come
    events = [{**_event("return:430200:KJJ:2026-09"), "city_code": "430200"}]
    with pytest.raises(ConfigError, match=r"alert_channels.json: channels\[0\] \(wecom\).units: 'KJJ'") as exc:
        _run(tmp_path, ["KJJ"], events, webhook_receiver.url)
    assert "several cities (430200, 430300); write city_code:unit_code, e.g. 430200:KJJ, 430300:KJJ" in str(exc.value)
    assert webhook_receiver.bodies == []  # refused before the outbox is touched: nothing queued, nothing sent
    assert not (tmp_path / "alerts.duckdb").exists()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("KJJX", "'KJJX' is not a unit code of any city (units.csv); did you mean 'KJJ'?"),
        ("430300:GXJ", "'430300:GXJ' is not a unit of city 430300 (units.csv); GXJ is a unit of 430200:GXJ"),
    ],
)
def test_a_channel_naming_no_unit_is_refused_by_name(tmp_path, webhook_receiver, entry, message):
    # a typo in a channel's units sent nothing to anyone, silently
    with pytest.raises(ConfigError, match=re.escape(message)):
        _run(tmp_path, [entry], [], webhook_receiver.url)


def test_a_channel_naming_each_unit_in_its_city_delivers(tmp_path, webhook_receiver):
    events = [
        {**_event("return:430200:KJJ:2026-09"), "city_code": "430200"},
        {**_event("return:430300:KJJ:2026-09"), "city_code": "430300"},
        {**_event("release:T1:2026-10-01", unit="FGW"), "unit_code": "GXJ", "city_code": "430200"},
    ]
    run = _run(tmp_path, ["430300:KJJ", "GXJ"], events, webhook_receiver.url)  # GXJ: one city has it
    assert (run.queued, run.sent, run.failed) == (3, 2, 0)
    assert sorted(b["event_key"] for b in webhook_receiver.bodies) == [
        "release:T1:2026-10-01",
        "return:430300:KJJ:2026-09",
    ]


def _city_event(city: str, unit: str, month: str) -> dict:
    """A missing return as fct_alert_events keys it: always with the unit's city."""
    email = f"{unit.lower()}@{'zhuzhou' if city == '430200' else 'xiangtan'}.example.invalid"
    return {**_event(f"return:{city}:{unit}:{month}", unit=unit), "city_code": city, "alert_email": email}


def test_an_outbox_keyed_without_the_city_sends_nothing_again_when_a_second_city_comes(box, tmp_path, webhook_receiver):
    # a one-city warehouse keyed a missing return by unit and month: the KJJ row stored with its city (an
    # outbox since units had one), the FGW row with none (an older outbox); both sent to the webhook
    channels = _channels(load_config(_config(tmp_path, [{"type": "webhook", "url": webhook_receiver.url}])))
    old = [{**_event("return:KJJ:2026-09"), "city_code": "430200"}, _event("return:FGW:2026-10", unit="FGW")]
    assert outbox.queue_events(box, old, as_of=AS_OF, lookback_days=90) == (2, 0)
    outbox.deliver(box, channels, backoff_seconds=0)
    assert len(webhook_receiver.bodies) == 2
    # a second city's units come: every missing return's key names its city, both cities miss both months
    new = [
        _city_event(city, unit, month)
        for city in ("430200", "430300")
        for unit, month in (("KJJ", "2026-09"), ("FGW", "2026-10"))
    ]
    assert outbox.queue_events(box, new, as_of=AS_OF, lookback_days=90) == (2, 0)  # 湘潭's two only
    outbox.deliver(box, channels, backoff_seconds=0)
    assert sorted(b["event_key"] for b in webhook_receiver.bodies[2:]) == [
        "return:430300:FGW:2026-10",
        "return:430300:KJJ:2026-09",
    ]
    # the old rows now carry the events' keys and their deliveries followed them: nothing re-sent, nothing lost
    assert dict(_rows(box, "SELECT event_key, state FROM alert_outbox")) == {e["event_key"]: "delivered" for e in new}
    assert {k for (k,) in _rows(box, "SELECT event_key FROM alert_deliveries")} == {e["event_key"] for e in new}
    assert _rows(box, "SELECT city_code FROM alert_outbox WHERE event_key = 'return:430200:FGW:2026-10'") == [
        ("430200",)
    ]
    # and a later tick finds nothing new
    assert outbox.queue_events(box, new, as_of=AS_OF, lookback_days=90) == (0, 0)


def test_the_city_unit_form_is_described_in_the_cli_help_and_the_guide():
    from click.testing import CliRunner

    from dagster_project.cli import main
    from tests.conftest import REPO

    help_text = " ".join(CliRunner().invoke(main, ["alerts", "--help"]).output.split())
    assert "city_code:unit_code (430300:KJJ" in help_text, help_text
    guide = (REPO / "docs" / "task_ledger.md").read_text(encoding="utf-8")
    assert "单位写法 / Naming a unit in `units`" in guide and "`city_code:unit_code`" in guide
