"""Settings: secrets from the environment only, everything else also from ``callrep.toml``.

Precedence, highest first: command-line flags (``--db``), environment variables,
``callrep.toml`` (``$CALLREP_CONFIG`` or ``./callrep.toml``), built-in defaults.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from analytics.errors import ConfigError

TELNYX_DEFAULT_URL = "https://api.telnyx.com/v2"
PLIVO_DEFAULT_URL = "https://api.plivo.com/v1"
SECRET_ENV = ("TELNYX_API_KEY", "PLIVO_AUTH_TOKEN")
BILLING_ANCHORS = ("calendar", "anniversary")


@dataclass(frozen=True)
class Limits:
    """Client-side pacing for one provider."""

    concurrency: int
    rate: float | None
    period: float
    timeout: float


@dataclass(frozen=True)
class TelnyxSettings:
    """Where and how to reach Telnyx. ``api_key`` is a secret: never print it."""

    api_key: str = field(repr=False)
    base_url: str = TELNYX_DEFAULT_URL
    limits: Limits = Limits(concurrency=16, rate=None, period=1.0, timeout=30.0)


@dataclass(frozen=True)
class PlivoSettings:
    """Where and how to reach Plivo. ``auth_token`` is a secret: never print it."""

    auth_id: str
    auth_token: str = field(repr=False)
    base_url: str = PLIVO_DEFAULT_URL
    # Plivo allows 300 requests per 5 s per account; stay just under it.
    limits: Limits = Limits(concurrency=16, rate=290, period=5.0, timeout=30.0)


@dataclass(frozen=True)
class Pricing:
    """Unit prices and billing assumptions used by the cost models (USD)."""

    telnyx_base_usd: float = 100.0
    telnyx_check_usd: float = 0.10
    telnyx_remediation_usd: float = 1.00
    plivo_business_usd: float = 12.0
    plivo_billing_anchor: str = "calendar"
    projection_months: int = 3


@dataclass(frozen=True)
class Settings:
    """Everything a command needs; providers are None when their credentials are unset."""

    db_path: Path
    telnyx: TelnyxSettings | None
    plivo: PlivoSettings | None
    pricing: Pricing

    def secrets(self) -> list[str]:
        """Every secret value in these settings, for redaction."""
        found = [
            self.telnyx.api_key if self.telnyx else "",
            self.plivo.auth_token if self.plivo else "",
        ]
        return [s for s in found if s]


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Read settings; raise :class:`ConfigError` naming the first bad or missing setting."""
    env = os.environ if env is None else env
    toml = _read_toml(config_file or Path(env.get("CALLREP_CONFIG", "callrep.toml")), env)
    db_path = Path(db or env.get("CALLREP_DB") or toml.get("db") or "callrep.duckdb")
    return Settings(
        db_path=db_path,
        telnyx=_telnyx(env, toml.get("telnyx", {})),
        plivo=_plivo(env, toml.get("plivo", {})),
        pricing=_pricing(toml.get("pricing", {})),
    )


def _read_toml(path: Path, env: Mapping[str, str]) -> dict[str, Any]:
    if not path.is_file():
        if "CALLREP_CONFIG" in env:
            raise ConfigError(f"CALLREP_CONFIG: no such file: {path}")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from None
    _reject_secrets(data, path)
    return data


def _reject_secrets(data: Mapping[str, Any], path: Path, prefix: str = "") -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _reject_secrets(value, path, f"{name}.")
        elif any(word in key.lower() for word in ("key", "token", "secret", "password")):
            raise ConfigError(
                f"{path}: {name}: secrets are read only from the environment "
                f"({', '.join(SECRET_ENV)}); remove it from the file"
            )


def _telnyx(env: Mapping[str, str], section: Mapping[str, Any]) -> TelnyxSettings | None:
    key = env.get("TELNYX_API_KEY", "").strip()
    if not key:
        return None
    base = _url("TELNYX_BASE_URL", env.get("TELNYX_BASE_URL") or section.get("base_url"))
    return TelnyxSettings(
        api_key=key,
        base_url=base or TELNYX_DEFAULT_URL,
        limits=_limits("telnyx", section, TelnyxSettings.limits),
    )


def _plivo(env: Mapping[str, str], section: Mapping[str, Any]) -> PlivoSettings | None:
    auth_id = env.get("PLIVO_AUTH_ID", "").strip()
    token = env.get("PLIVO_AUTH_TOKEN", "").strip()
    if not auth_id and not token:
        return None
    if not auth_id:
        raise ConfigError("PLIVO_AUTH_ID is not set (PLIVO_AUTH_TOKEN is)")
    if not token:
        raise ConfigError("PLIVO_AUTH_TOKEN is not set (PLIVO_AUTH_ID is)")
    if not auth_id.isalnum():
        raise ConfigError("PLIVO_AUTH_ID: expected letters and digits only")
    base = _url("PLIVO_BASE_URL", env.get("PLIVO_BASE_URL") or section.get("base_url"))
    return PlivoSettings(
        auth_id=auth_id,
        auth_token=token,
        base_url=base or PLIVO_DEFAULT_URL,
        limits=_limits("plivo", section, PlivoSettings.limits),
    )


def _url(name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name}: expected an http(s) URL such as https://host/v2, got {value!r}")
    if parts.username or parts.password:
        raise ConfigError(f"{name}: must not contain credentials; use the environment variables")
    return str(value).rstrip("/")


def _limits(provider: str, section: Mapping[str, Any], default: Limits) -> Limits:
    def number(key: str, current: float | None, *, integer: bool = False) -> Any:
        value = section.get(key, current)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        if value is not None and (not ok or (integer and not isinstance(value, int))):
            kind = "a positive whole number" if integer else "a positive number"
            raise ConfigError(f"callrep.toml: {provider}.{key}: expected {kind}, got {value!r}")
        return value

    return Limits(
        concurrency=number("concurrency", default.concurrency, integer=True),
        rate=number("rate", default.rate),
        period=number("period_seconds", default.period),
        timeout=number("timeout_seconds", default.timeout),
    )


def _pricing(section: Mapping[str, Any]) -> Pricing:
    pricing = Pricing()
    known = {f.name for f in fields(Pricing)}
    for key, value in section.items():
        if key not in known:
            raise ConfigError(
                f"callrep.toml: pricing.{key}: unknown setting (known: {', '.join(sorted(known))})"
            )
        default = getattr(pricing, key)
        if key == "plivo_billing_anchor":
            if value not in BILLING_ANCHORS:
                raise ConfigError(
                    f"callrep.toml: pricing.{key}: expected one of {', '.join(BILLING_ANCHORS)}, "
                    f"got {value!r}"
                )
        elif key == "projection_months":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 36:
                raise ConfigError(f"callrep.toml: pricing.{key}: expected 1 to 36, got {value!r}")
        elif not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(
                f"callrep.toml: pricing.{key}: expected a non-negative number, got {value!r}"
            )
        else:
            value = type(default)(value)
        pricing = replace(pricing, **{key: value})
    return pricing
