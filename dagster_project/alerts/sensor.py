"""The alert sensor: queue the new events of the published marts and deliver what is pending.

Every tick (and ``pmw alerts``) runs :func:`run_alerts`: read ``fct_alert_events`` from the published
copy, add the keys the outbox has not seen, then deliver pending and failed alerts on the configured
channels with retries. Dedup is the outbox's key, so a tick that finds nothing new sends nothing,
and a channel that took an alert is never asked again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import dagster as dg

from dagster_project.alerts import outbox
from dagster_project.alerts.channels import build_channel
from dagster_project.alerts.config import AlertConfig, load_config
from dagster_project.resources import SettingsResource
from dagster_project.settings import Settings

__all__ = ["AlertRun", "run_alerts", "alert_outbox_sensor"]


@dataclass
class AlertRun:
    events: int
    queued: int
    stale: int
    sent: int
    failed: int
    channels: int

    def summary(self) -> str:
        return (
            f"{self.events} events in the published marts; {self.queued} new queued, {self.stale} new but older than "
            f"the lookback (stored, not sent); {self.sent} deliveries made, {self.failed} failed, "
            f"on {self.channels} channel(s)"
        )


def run_alerts(
    settings: Settings,
    *,
    config: AlertConfig | None = None,
    as_of: date | None = None,
    log: Callable[[str], None] = lambda _m: None,
    sleep: Callable[[float], None] | None = None,
) -> AlertRun:
    config = config or load_config(settings.alert_config_path)
    units = outbox.read_published_units(settings.published_db_path)
    if units is not None:
        config.check_units(units)  # before the outbox is touched: a wrong unit list changes nothing
    events = outbox.read_published_events(settings.published_db_path)
    channels = [(build_channel(c), c.wants) for c in config.channels]
    con = outbox.connect(settings.alerts_path)
    try:
        queued, stale = outbox.queue_events(
            con, events, as_of=as_of or date.today(), lookback_days=config.lookback_days
        )
        kwargs = {"sleep": sleep} if sleep is not None else {}
        report = outbox.deliver(
            con, channels, max_attempts=config.max_attempts, backoff_seconds=config.backoff_seconds, **kwargs
        )
    finally:
        con.close()
    for key, channel, error in report.failed:
        log(f"alert {key} not delivered on {channel}: {error}")
    return AlertRun(len(events), queued, stale, len(report.sent), len(report.failed), len(channels))


@dg.sensor(
    name="alert_outbox_sensor",
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "提醒发件箱 / Queues new events of the published fct_alert_events in the alert outbox (one per key, "
        "never repeated) and delivers them to the lead units by e-mail and webhook, with retries."
    ),
)
def alert_outbox_sensor(context: dg.SensorEvaluationContext, settings: SettingsResource):
    result = run_alerts(settings.get(), log=context.log.warning)
    return dg.SkipReason(result.summary())
