"""Where alerts and the mailed report go: notification URLs, delivered through apprise (one
URL scheme for Slack, Teams, Discord, e-mail, ntfy, JSON webhooks and more).

The URLs come from ``$CALLREP_NOTIFY`` (several separated by spaces or commas) and from the
apprise configuration file that ``notify_config`` names in ``callrep.toml``; never from the
command line, where ``ps`` and cron lines would show them. They carry tokens, so they are
secrets: a destination is shown by its kind and position, stored as the SHA-256 of its URL, and
every failure line is redacted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import apprise

from analytics.errors import ConfigError
from analytics.http.redact import Redactor, one_line

NOTIFY_ENV = "CALLREP_NOTIFY"
_SEPARATOR = re.compile(r"\s+|,\s*(?=[A-Za-z][A-Za-z0-9+.-]*://)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S")


@dataclass(frozen=True)
class Destination:
    """One notification URL: its stored key (SHA-256), a name without secrets, its sender."""

    key: str
    name: str
    plugin: Any = field(repr=False)
    redactor: Redactor = field(repr=False)


@dataclass(frozen=True)
class Delivery:
    """How sending one digest to one destination went; ``error`` is redacted."""

    destination: Destination
    ok: bool
    error: str | None = None


def _secret_parts(url: str) -> list[str]:
    """The URL and each piece of it that may be a token: userinfo, host, path, query values."""
    parts = [url]
    try:
        split = urlsplit(url)
    except ValueError:
        return parts
    netloc = split.netloc.rsplit("@", 1)
    if len(netloc) == 2:
        parts += [unquote(p) for p in netloc[0].split(":")]
    host = netloc[-1].split(":")[0]
    parts += [host, *(unquote(p) for p in split.path.split("/"))]
    parts += [unquote(v) for _, v in parse_qsl(split.query)]
    return [p for p in parts if len(p) >= 3]


def _destination(plugin: Any, position: int) -> Destination:
    url = plugin.url(privacy=False)
    kind = one_line(str(getattr(plugin, "service_name", "") or "notification"))[:40]
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()
    return Destination(
        key=key,
        name=f"{kind} destination {position} (sha256 {key[:12]})",
        plugin=plugin,
        redactor=Redactor(_secret_parts(url)),
    )


def _quiet() -> apprise.LogCapture:
    """Apprise's log lines (which may name a URL) captured, never printed."""
    return apprise.LogCapture(level=logging.WARNING)


def load_destinations(
    env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> list[Destination]:
    """Every destination from ``$CALLREP_NOTIFY`` and ``config_file``, duplicates dropped.

    A URL apprise cannot use, or a config file it cannot read, is a :class:`ConfigError` that
    names the entry by position, never by value.
    """
    env = os.environ if env is None else env
    plugins: list[Any] = []
    with _quiet():
        for position, url in enumerate(_urls(env.get(NOTIFY_ENV, "")), start=1):
            plugin = apprise.Apprise.instantiate(url)
            if plugin is None:
                raise ConfigError(
                    f"{NOTIFY_ENV}: entry {position} is not a notification URL apprise "
                    "supports (the value is not shown)"
                )
            plugins.append(plugin)
        if config_file is not None:
            if not config_file.is_file():
                raise ConfigError(f"notify_config: no such file: {config_file}")
            config = apprise.AppriseConfig()
            config.add(str(config_file.resolve()), recursion=0)
            found = config.services()
            if not found:
                raise ConfigError(
                    f"notify_config: {config_file} holds no notification URL apprise supports"
                )
            plugins += found
    destinations: dict[str, Destination] = {}
    for plugin in plugins:
        destination = _destination(plugin, len(destinations) + 1)
        destinations.setdefault(destination.key, destination)
    return list(destinations.values())


def _urls(value: str) -> list[str]:
    """The URLs in ``value``: separated by whitespace, or by a comma before the next scheme
    (a comma inside a URL, as in ``?to=a@x,b@y``, stays); an entry that is no URL is an error."""
    entries = [e for e in _SEPARATOR.split(value.strip()) if e.strip(",")]
    for position, entry in enumerate(entries, start=1):
        if not _SCHEME.match(entry):
            raise ConfigError(
                f"{NOTIFY_ENV}: entry {position} is not a URL such as json://host/path (the "
                "value is not shown); separate URLs with spaces or commas"
            )
    return [e.rstrip(",") for e in entries]


def deliver(destination: Destination, title: str, body: str) -> Delivery:
    """Send one digest; a failure is a :class:`Delivery` with a redacted one-line reason."""
    with _quiet() as captured:
        try:
            ok = bool(destination.plugin.notify(body=body, title=title))
            reason = "" if ok else _last_line(captured.getvalue())
        except Exception as err:  # a sender's failure must never stop the run
            ok, reason = False, f"{type(err).__name__}: {err}"
    if ok:
        return Delivery(destination, True)
    text = destination.redactor.text(one_line(reason or "the service refused it"), limit=200)
    return Delivery(destination, False, text)


def _last_line(log: str) -> str:
    lines = [line.split(" - ", 2)[-1] for line in log.splitlines() if line.strip()]
    return lines[-1] if lines else ""
