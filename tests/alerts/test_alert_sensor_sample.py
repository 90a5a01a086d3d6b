"""The alert sensor on the bundled sample (shared pipeline run): the outbox gets every event of the
published marts once, the recent ones are delivered to a local webhook receiver, a second tick sends
nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb


def q(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_alert_sensor_writes_the_outbox_once_and_delivers_once(
    sample_pipeline_run, tmp_path, monkeypatch, webhook_receiver
):
    from dagster_project.alerts.sensor import alert_outbox_sensor
    from dagster_project.resources import SettingsResource
    from dagster_project.settings import load_settings

    config = tmp_path / "alert_channels.json"
    config.write_text(
        json.dumps({"channels": [{"type": "webhook", "url": webhook_receiver.url}], "lookback_days": 90}),
        encoding="utf-8",
    )
    monkeypatch.setenv("PMW_HOME", str(sample_pipeline_run.home))
    monkeypatch.setenv("PMW_ALERT_CONFIG", str(config))
    monkeypatch.setenv("PMW_ALERTS_PATH", str(tmp_path / "alerts.duckdb"))
    resources = {"settings": SettingsResource.from_settings(load_settings())}
    published = sample_pipeline_run.published
    events = q(published, "SELECT event_key, event_date FROM fct_alert_events")
    fresh = {k for k, d in events if d >= date.today() - timedelta(days=90)}
    assert len(events) > 0 and "return:430200:KJJ:2026-09" in {k for k, _ in events}

    first = alert_outbox_sensor(dg.build_sensor_context(resources=resources))
    assert isinstance(first, dg.SkipReason) and f"{len(fresh)} new queued" in first.skip_message
    assert {b["event_key"] for b in webhook_receiver.bodies} == fresh
    again = alert_outbox_sensor(dg.build_sensor_context(resources=resources))
    assert "0 new queued" in again.skip_message and "0 deliveries made" in again.skip_message
    assert len(webhook_receiver.bodies) == len(fresh)
    outbox = q(tmp_path / "alerts.duckdb", "SELECT state, count(*) FROM alert_outbox GROUP BY state")
    assert sum(n for _, n in outbox) == len(events)


def test_pmw_alerts_without_channels_queues_and_sends_nothing(sample_pipeline_run, tmp_path):
    from click.testing import CliRunner

    from dagster_project.cli import main

    home = sample_pipeline_run.home
    env = {
        "PMW_HOME": str(home),
        "PMW_ALERT_CONFIG": str(tmp_path / "none.json"),
        "PMW_ALERTS_PATH": str(tmp_path / "alerts.duckdb"),
    }
    result = CliRunner().invoke(main, ["alerts"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "0 deliveries made, 0 failed, on 0 channel(s)" in result.output and "absent: no channel" in result.output
    [(queued,)] = q(tmp_path / "alerts.duckdb", "SELECT count(*) FROM alert_outbox")
    assert queued == len(q(sample_pipeline_run.published, "SELECT event_key FROM fct_alert_events")) > 0
    (tmp_path / "bad.json").write_text('{"channels": [{"type": "pager"}]}', encoding="utf-8")
    env["PMW_ALERT_CONFIG"] = str(tmp_path / "bad.json")
    bad = CliRunner().invoke(main, ["alerts"], env=env, catch_exceptions=False)
    assert bad.exit_code == 2 and "bad.json: channels[0].type" in bad.output
