"""Alerts to the lead units: an outbox of events (deduplicated by key) and its delivery channels.

- ``outbox.py``: the outbox table (``alerts.duckdb`` under PMW_HOME): new events from the published
  ``fct_alert_events`` are queued once per ``event_key``; every delivery attempt is recorded.
- ``channels.py``: SMTP e-mail and a JSON webhook (generic, or the 企业微信 / 钉钉 robot shapes).
- ``config.py``: which channels, from a JSON file (``PMW_ALERT_CONFIG``).
- ``sensor.py``: the Dagster sensor that queues and delivers on every tick (also ``pmw alerts``).
"""
