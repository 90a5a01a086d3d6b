"""Delivery channels: SMTP e-mail (stdlib smtplib) and a JSON webhook (requests).

A channel's ``send(alert)`` raises :class:`DeliveryError` when the receiver did not take the alert;
the outbox records the attempt and retries with backoff. Webhook formats:

- ``generic``: the alert as a JSON object (every outbox field);
- ``wecom``: 企业微信群机器人 ``{"msgtype": "markdown", "markdown": {"content": ...}}``;
- ``dingtalk``: 钉钉自定义机器人 ``{"msgtype": "markdown", "markdown": {"title": ..., "text": ...}}``.
Robots answer HTTP 200 with ``{"errcode": 0}``; a non-zero errcode is a failed delivery.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol

from dagster_project.alerts.config import ChannelConfig
from dagster_project.settings import secret

__all__ = ["DeliveryError", "Channel", "SmtpChannel", "WebhookChannel", "build_channel", "render_text"]


class DeliveryError(RuntimeError):
    """The receiver refused or could not be reached."""


class Channel(Protocol):
    name: str

    def send(self, alert: dict) -> None: ...


def render_text(alert: dict) -> str:
    return (
        f"【{alert['severity']}】{alert.get('unit_short_zh') or alert['unit_code']}：{alert['message_zh']}\n"
        f"{alert['message_en']}\n"
        f"事件 / event: {alert['event_key']} ({alert['event_date']})\n"
        f"依据 / trace: {alert.get('trace') or '-'}\n"
        "（示意数据的提醒仅供演示 / alerts on illustrative sample data are for demonstration only）"
    )


class SmtpChannel:
    def __init__(self, config: ChannelConfig) -> None:
        o = config.options
        self.name = config.name
        self.host = o["host"]
        self.port = int(o.get("port", 25))
        self.sender = o["sender"]
        self.starttls = bool(o.get("starttls", False))
        self.username = o.get("username") or ""
        self.password_env = o.get("password_env") or ""
        self.to = tuple(o.get("to") or ())  # fixed recipients instead of the unit's address
        self.timeout = float(o.get("timeout_seconds", 10))

    def send(self, alert: dict) -> None:
        recipients = list(self.to) or [a for a in [alert.get("recipient_email")] if a]
        if not recipients:
            raise DeliveryError(f"no e-mail address for unit {alert['unit_code']} (units.csv alert_email)")
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(recipients)
        msg["Subject"] = f"[目标任务提醒] {alert.get('unit_short_zh') or alert['unit_code']}：{alert['message_zh']}"[
            :200
        ]
        msg["X-PMW-Event-Key"] = alert["event_key"]
        msg.set_content(render_text(alert))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, secret(self.password_env))
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc


class WebhookChannel:
    def __init__(self, config: ChannelConfig) -> None:
        o = config.options
        self.name = config.name
        self.url = o["url"]
        self.format = o.get("format", "generic")
        self.timeout = float(o.get("timeout_seconds", 10))

    def payload(self, alert: dict) -> dict:
        if self.format == "wecom":
            return {"msgtype": "markdown", "markdown": {"content": render_text(alert)}}
        if self.format == "dingtalk":
            title = f"{alert.get('unit_short_zh') or alert['unit_code']}：目标任务提醒"
            return {"msgtype": "markdown", "markdown": {"title": title, "text": render_text(alert)}}
        return {
            k: (str(v) if v is not None and not isinstance(v, (int, float, bool, str)) else v) for k, v in alert.items()
        }

    def send(self, alert: dict) -> None:
        import requests

        try:
            response = requests.post(self.url, json=self.payload(alert), timeout=self.timeout)
        except requests.RequestException as exc:
            raise DeliveryError(f"webhook {self.url}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook {self.url}: HTTP {response.status_code} {response.text[:200]}")
        try:
            body = response.json()
        except ValueError:
            return
        if isinstance(body, dict) and body.get("errcode", 0) != 0:
            raise DeliveryError(f"webhook {self.url}: errcode {body.get('errcode')} {body.get('errmsg', '')}")


def build_channel(config: ChannelConfig) -> Channel:
    return SmtpChannel(config) if config.type == "smtp" else WebhookChannel(config)
