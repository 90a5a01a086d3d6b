"""Alert channel configuration: a JSON file, ``$PMW_ALERT_CONFIG`` or ``<PMW_HOME>/alert_channels.json``.

```json
{
  "lookback_days": 90,
  "max_attempts": 3,
  "backoff_seconds": 2,
  "channels": [
    {"name": "mail", "type": "smtp", "host": "smtp.example.gov.cn", "port": 25,
     "sender": "督查室 <duchashi@example.gov.cn>", "starttls": true,
     "username": "duchashi", "password_env": "PMW_SMTP_PASSWORD"},
    {"name": "wecom", "type": "webhook", "format": "wecom",
     "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...", "units": ["FGW", "430200:KJJ"]}
  ]
}
```
Without the file no channel is configured: events are still queued in the outbox (and shown by
``pmw alerts``), nothing is sent. ``units`` limits a channel to some units: a code (``FGW``) when one
city has it, or ``city_code:unit_code`` (``430300:KJJ``, units.csv) for a code several cities' units
share, where a bare code is refused. Every entry must be a unit of the published marts (``dim_units``):
a typo would silently send nothing. Secrets are never in the file: ``password_env`` names a variable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

__all__ = ["ChannelConfig", "AlertConfig", "load_config", "ConfigError", "split_unit_key"]

CHANNEL_TYPES = ("smtp", "webhook")
WEBHOOK_FORMATS = ("generic", "wecom", "dingtalk")


class ConfigError(ValueError):
    """The alert configuration file is wrong; the message names the file and the field."""


def split_unit_key(entry: str) -> tuple[str, str]:
    """单位键 / ``"430300:KJJ"`` -> ``("430300", "KJJ")``, ``"KJJ"`` -> ``("", "KJJ")``: a unit named with its
    city (units.csv city_code:unit_code), the form a code several cities' units share needs. The one reader
    of that form: a channel's ``units`` and ``pmw status --unit`` both use it."""
    city, _, unit = entry.strip().rpartition(":")
    return city.strip(), unit.strip()


@dataclass(frozen=True)
class ChannelConfig:
    name: str
    type: str
    options: dict
    # empty: every unit. "SWJ" is the unit of that code; "430300:SWJ" is 湘潭's (units.csv city_code:unit_code),
    # needed once two cities' units share a code (AlertConfig.check_units refuses a bare code then)
    units: tuple[str, ...] = ()

    def wants(self, unit_code: str, city_code: str | None = None) -> bool:
        if not self.units or unit_code in self.units:
            return True
        return city_code is not None and f"{city_code}:{unit_code}" in self.units


@dataclass(frozen=True)
class AlertConfig:
    channels: tuple[ChannelConfig, ...] = ()
    lookback_days: int = 90
    max_attempts: int = 3
    backoff_seconds: float = 2.0
    source: str = ""
    extra: dict = field(default_factory=dict)

    def check_units(self, units: Iterable[tuple[str, str]]) -> None:
        """Refuse a channel's ``units`` entry that names no unit of ``units`` ((city_code, unit_code) of the
        published dim_units), or a bare code several cities' units have (which one is meant cannot be told,
        whether or not both have alerts yet): the message names the file, the channel and what to write."""
        cities_of: dict[str, set[str]] = {}
        for city, code in units:
            cities_of.setdefault(code, set()).add(city)
        for i, channel in enumerate(self.channels):
            where = f"{self.source}: channels[{i}] ({channel.name}).units"
            for entry in channel.units:
                city, code = split_unit_key(entry)
                cities = sorted(cities_of.get(code, ()))
                forms = ", ".join(f"{c}:{code}" for c in cities)
                if city and city not in cities:
                    known = f"; {code} is a unit of {forms}" if cities else ""
                    raise ConfigError(f"{where}: {entry!r} is not a unit of city {city} (units.csv){known}")
                if not city and not cities:
                    close = get_close_matches(code, sorted(cities_of), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    raise ConfigError(f"{where}: {entry!r} is not a unit code of any city (units.csv){hint}")
                if not city and len(cities) > 1:
                    raise ConfigError(
                        f"{where}: {entry!r} is a unit code of several cities ({', '.join(cities)}); "
                        f"write city_code:unit_code, e.g. {forms}"
                    )


def load_config(path: Path) -> AlertConfig:
    """The channels of ``path`` (settings.alert_config_path, PMW_ALERT_CONFIG); none when it is absent."""
    if not path.exists():
        return AlertConfig(source=f"{path} (absent: no channel)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON: {exc}") from exc
    channels = []
    names: set[str] = set()
    for i, ch in enumerate(data.get("channels") or []):
        where = f"{path}: channels[{i}]"
        kind = ch.get("type")
        if kind not in CHANNEL_TYPES:
            raise ConfigError(f"{where}.type is {kind!r}; expected one of {CHANNEL_TYPES}")
        name = ch.get("name") or f"{kind}{i}"
        if name in names:
            raise ConfigError(f"{where}.name {name!r} is used twice")
        names.add(name)
        if kind == "smtp" and not ch.get("host"):
            raise ConfigError(f"{where}.host is required for an smtp channel")
        if kind == "smtp" and not ch.get("sender"):
            raise ConfigError(f"{where}.sender is required for an smtp channel")
        if kind == "webhook":
            if not str(ch.get("url", "")).startswith(("http://", "https://")):
                raise ConfigError(f"{where}.url must be an http(s) URL")
            if ch.get("format", "generic") not in WEBHOOK_FORMATS:
                raise ConfigError(f"{where}.format must be one of {WEBHOOK_FORMATS}")
        options = {k: v for k, v in ch.items() if k not in ("name", "type", "units")}
        channels.append(ChannelConfig(name, kind, options, tuple(ch.get("units") or ())))
    attempts = int(data.get("max_attempts", 3))
    if attempts < 1:
        raise ConfigError(f"{path}: max_attempts must be at least 1")
    return AlertConfig(
        channels=tuple(channels),
        lookback_days=int(data.get("lookback_days", 90)),
        max_attempts=attempts,
        backoff_seconds=float(data.get("backoff_seconds", 2.0)),
        source=str(path),
    )
