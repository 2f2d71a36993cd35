"""Settings: secrets from the environment only, everything else also from ``callrep.toml``.

Precedence, highest first: command-line flags (``--db``, ``--store``, ``--data-path``),
environment variables, ``callrep.toml`` (``$CALLREP_CONFIG`` or ``./callrep.toml``), built-in
defaults. The store (``--store`` / ``CALLREP_STORE`` / ``store``) is a file path, like ``db``,
or a DuckLake (``ducklake:postgres:<conninfo>``) whose Parquet goes to the data path
(``--data-path`` / ``CALLREP_DATA_PATH`` / ``data_path``).
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from analytics.errors import ConfigError
from analytics.http.limits import CAP_SETTINGS, ProviderLimits
from analytics.http.redact import one_line
from analytics.store.location import DATA_PATH_ENV, STORE_ENV, Lake, is_lake, parse_lake

TELNYX_DEFAULT_URL = "https://api.telnyx.com/v2"
PLIVO_DEFAULT_URL = "https://api.plivo.com/v1"
BILLING_ANCHORS = ("calendar", "anniversary")

# One limits type for config and http (callrep.toml [telnyx]/[plivo] keys -> its fields).
Limits = ProviderLimits
DEFAULT_ACCOUNT = "default"  # the account the single-account variables describe
_LIMIT_KEYS = {
    "concurrency": ("concurrency", int),
    "rate": ("rate", float),
    "period_seconds": ("period", float),
    "timeout_seconds": ("timeout", float),
    **{name: (cap, int if cap.startswith("max_") else float) for cap, name in CAP_SETTINGS.items()},
}
# Keys that name the environment variable holding a credential, and the default variable.
_ENV_KEYS = {
    "telnyx": {"api_key_env": "TELNYX_API_KEY"},
    "plivo": {"auth_id_env": "PLIVO_AUTH_ID", "auth_token_env": "PLIVO_AUTH_TOKEN"},
}
_SECTION_KEYS = {
    name: frozenset({"base_url", *_LIMIT_KEYS, *env}) for name, env in _ENV_KEYS.items()
}
_TOP_KEYS = frozenset(
    {"db", "store", "data_path", "telnyx", "plivo", "pricing", "accounts", "mail", "notify_config"}
)
_SECRET_NAME = re.compile(r"key|token|secret|passw|auth|credential|bearer", re.IGNORECASE)
# A value shaped like a credential: an auth header, a Telnyx key, or a long mixed-case token
# (letters of both cases and digits, no path or URL punctuation, so file paths never match).
_AUTH_HEADER = re.compile(r"(?:Bearer|Basic|Token)\s+\S+", re.IGNORECASE)
_TOKEN = re.compile(
    r"KEY[0-9A-Za-z_-]{16,}|(?=[^a-z]*[a-z])(?=[^A-Z]*[A-Z])(?=\D*\d)[A-Za-z0-9+=_~-]{20,}"
)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_CREDENTIAL = re.compile(r"[!-~]+")  # printable ASCII, no whitespace
_MAX_SECONDS = 30 * 86400.0
# 32 in flight: on the bench (50 ms pages) the smallest concurrency whose network phase reaches
# the client's CPU-bound plateau; 16 takes a quarter to a third longer, 64 gains nothing.
# Announced quotas (x-ratelimit-*) are paced, so more in flight never means more 429s.
_TELNYX_LIMITS = Limits(concurrency=32, rate=None, period=1.0, timeout=30.0)
# Plivo allows 300 requests per 5 s per account; stay just under it.
_PLIVO_LIMITS = Limits(concurrency=16, rate=290, period=5.0, timeout=30.0)


@dataclass(frozen=True)
class TelnyxSettings:
    """One Telnyx account. ``api_key`` is a secret: never print it; empty = not configured."""

    provider: ClassVar[str] = "telnyx"
    api_key: str = field(repr=False)
    base_url: str = TELNYX_DEFAULT_URL
    limits: Limits = _TELNYX_LIMITS
    name: str = DEFAULT_ACCOUNT
    api_key_env: str = "TELNYX_API_KEY"  # where the key is read from, for messages

    @property
    def configured(self) -> bool:
        """Whether the account's key is set."""
        return bool(self.api_key)

    def secrets(self) -> list[str]:
        """The values to redact from every message."""
        return [self.api_key] if self.api_key else []

    def missing(self) -> str:
        """What to set to configure this account."""
        return self.api_key_env


@dataclass(frozen=True)
class PlivoSettings:
    """One Plivo (sub)account. ``auth_token`` is a secret: never print it; empty = unset."""

    provider: ClassVar[str] = "plivo"
    auth_id: str
    auth_token: str = field(repr=False)
    base_url: str = PLIVO_DEFAULT_URL
    limits: Limits = _PLIVO_LIMITS
    name: str = DEFAULT_ACCOUNT
    auth_token_env: str = "PLIVO_AUTH_TOKEN"  # where the token is read from, for messages

    @property
    def configured(self) -> bool:
        """Whether the account's id and token are set."""
        return bool(self.auth_id and self.auth_token)

    def secrets(self) -> list[str]:
        """The token and the Basic pair (the redactor masks its base64 forms too)."""
        if not self.auth_token:
            return []
        return [self.auth_token, f"{self.auth_id}:{self.auth_token}"]

    def missing(self) -> str:
        """What to set to configure this account."""
        return self.auth_token_env if self.auth_id else f"PLIVO_AUTH_ID and {self.auth_token_env}"


Account = TelnyxSettings | PlivoSettings
PROVIDERS = ("telnyx", "plivo")


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
    """Everything a command needs. ``accounts`` lists every declared account, configured
    or not (each provider's ``default`` account when callrep.toml lists none for it)."""

    db_path: Path
    accounts: tuple[Account, ...]
    pricing: Pricing = Pricing()
    mail: MailSettings | None = None
    notify: Notify = field(default_factory=lambda: Notify())
    lake: Lake | None = None  # the DuckLake store, when one is chosen (else the file db_path)

    def configured(self) -> list[Account]:
        """The accounts whose credentials are set."""
        return [a for a in self.accounts if a.configured]

    def account(self, provider: str, name: str = DEFAULT_ACCOUNT) -> Account | None:
        """The configured account ``name`` of ``provider``, if any."""
        found = (a for a in self.configured() if a.provider == provider and a.name == name)
        return next(found, None)

    def plivo_accounts(self) -> dict[str, str]:
        """Each declared Plivo (sub)account's name by its ``auth_id``: whose a callback is."""
        found = (a for a in self.accounts if isinstance(a, PlivoSettings) and a.auth_id)
        return {a.auth_id: a.name for a in found}

    def plivo_tokens(self) -> dict[str, str]:
        """Each configured Plivo (sub)account's token by its ``auth_id``: how callbacks route."""
        return {a.auth_id: a.auth_token for a in self.configured() if isinstance(a, PlivoSettings)}

    def secrets(self) -> list[str]:
        """Every secret value in these settings (and Plivo's Basic pairs), for redaction."""
        found = [s for a in self.accounts for s in a.secrets()]
        if self.mail and self.mail.password:
            found.append(self.mail.password)
        if self.notify.urls:
            found.append(self.notify.urls)
        return found


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Read settings; raise :class:`ConfigError` naming the first bad or missing setting."""
    env = os.environ if env is None else env
    path = config_file or Path(env.get("CALLREP_CONFIG", "callrep.toml"))
    toml = _read_toml(path, env)
    lake, store_file = _store(env, toml, path)
    db_path = Path(db or store_file or "callrep.duckdb")
    defaults = (_telnyx(env, toml.get("telnyx", {})), _plivo(env, toml.get("plivo", {})))
    return Settings(
        db_path=db_path,
        lake=lake,
        accounts=_accounts(env, toml.get("accounts", []), defaults),
        pricing=_pricing(toml.get("pricing", {})),
        mail=_mail(env, toml.get("mail")),
        notify=Notify(urls=env.get("CALLREP_NOTIFY", "").strip(), config_file=_notify_config(toml)),
    )


def store_setting(
    env: Mapping[str, str] | None = None, *, config_file: Path | None = None
) -> tuple[str | None, str | None]:
    """The store and data path the environment names, else callrep.toml's (each checked);
    ``(None, None)`` for the default file store."""
    env = os.environ if env is None else env
    path = config_file or Path(env.get("CALLREP_CONFIG", "callrep.toml"))
    toml = _read_toml(path, env)
    _store(env, toml, path)
    store = env.get(STORE_ENV) or toml.get("store") or None
    data_path = env.get(DATA_PATH_ENV) or toml.get("data_path") or None
    return store, data_path


def _store(
    env: Mapping[str, str], toml: Mapping[str, Any], path: Path
) -> tuple[Lake | None, str | None]:
    """The DuckLake chosen (``CALLREP_STORE``, else ``store`` in the file), checked; for a
    file store, the database file: ``CALLREP_STORE`` (a path), ``CALLREP_DB``, then the
    file's ``store`` (a path) and ``db``."""
    value = env.get(STORE_ENV) or toml.get("store")
    if not is_lake(value):
        files = (env.get(STORE_ENV), env.get("CALLREP_DB"), toml.get("store"), toml.get("db"))
        return None, next((f for f in files if f), None)
    data_path = env.get(DATA_PATH_ENV) or toml.get("data_path")
    try:
        return parse_lake(str(value), data_path), None
    except ConfigError as err:
        blamed = DATA_PATH_ENV if str(err).startswith("data path:") else STORE_ENV
        raise ConfigError(str(err) if env.get(blamed) else f"{path}: {err}") from None


# --- notifications: the apprise config file (its URLs are secrets, so only its path is here) ---
def _notify_config(toml: Mapping[str, Any]) -> Path | None:
    """``notify_config``: the apprise configuration file (text or YAML) alerts and mail use."""
    value = toml.get("notify_config")
    if value is None:
        return None
    if not isinstance(value, str) or not value or "://" in value:
        shown = "a URL (not shown)" if "://" in str(value) else _shown(value)
        raise ConfigError(
            "callrep.toml: notify_config: expected the path of an apprise configuration file "
            f"(notification URLs go in that file or in CALLREP_NOTIFY), got {shown}"
        )
    return Path(value).expanduser()


def _read_toml(path: Path, env: Mapping[str, str]) -> dict[str, Any]:
    if not path.is_file():
        if "CALLREP_CONFIG" in env:
            raise ConfigError(f"CALLREP_CONFIG: no such file: {path}")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML ({one_line(str(err))[:200]})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML (nested too deeply)") from None
    _check_file(data, path)
    return data


def _check_file(data: Mapping[str, Any], path: Path) -> None:
    """Reject secrets, unknown keys and sections that are not tables, naming the key."""
    _check_keys(data, path, "", _TOP_KEYS)
    _check_account_tables(data.get("accounts", []), path)
    db = data.get("db")
    if db is not None and (not isinstance(db, str) or not db):
        raise ConfigError(f"{path}: db: expected a file path (a string), got {_shown(db)}")
    store, data_path = data.get("store"), data.get("data_path")
    if store is not None and (not isinstance(store, str) or not store):
        raise ConfigError(
            f"{path}: store: expected a file path or ducklake:postgres:<conninfo>, "
            f"got {_shown(store)}"
        )
    if data_path is not None and (not isinstance(data_path, str) or not data_path):
        raise ConfigError(
            f"{path}: data_path: expected a directory or s3://bucket/prefix, "
            f"got {_shown(data_path)}"
        )
    for section in ("telnyx", "plivo", "pricing", "mail"):
        value = data.get(section, {})
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"{path}: {section}: expected a table ([{section}]), got {_shown(value)}"
            )
        known = _SECTION_KEYS.get(section) or (
            _MAIL_KEYS if section == "mail" else frozenset(f.name for f in fields(Pricing))
        )
        _check_keys(value, path, f"{section}.", known)
        for key, default in _ENV_KEYS.get(section, {}).items():
            name = value.get(key, default)
            if not isinstance(name, str) or not _ENV_NAME.fullmatch(name):
                raise ConfigError(
                    f"{path}: {section}.{key}: expected an environment variable name such as "
                    f"{default}, got {_shown(name)}"
                )


def _check_keys(table: Mapping[str, Any], path: Path, prefix: str, known: frozenset[str]) -> None:
    for key, value in table.items():
        name = f"{prefix}{one_line(key)[:60]}"
        named_env = key.endswith("_env") and key in known and not _looks_secret(str(value))
        secret_value = isinstance(value, str) and _looks_secret(value)
        if not named_env and ((_SECRET_NAME.search(key) and key not in known) or secret_value):
            raise ConfigError(
                f"{path}: {name}: secrets are read only from the environment (TELNYX_API_KEY, "
                "PLIVO_AUTH_TOKEN, or the variable a *_env key names); remove it from the file"
            )
        if key not in known:
            raise ConfigError(
                f"{path}: {name}: unknown setting (known: {', '.join(sorted(known))})"
            )


def _looks_secret(value: str) -> bool:
    """Whether `value` is shaped like a credential (an auth header, a key or a token)."""
    value = value.strip()
    return bool(_AUTH_HEADER.match(value) or _TOKEN.fullmatch(value))


def _shown(value: Any) -> str:
    """A setting's value for an error message; strings that could be secrets are not shown."""
    if isinstance(value, str):
        return (
            "a string that looks like a secret"
            if _looks_secret(value)
            else repr(one_line(value)[:40])
        )
    if isinstance(value, bool | int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def _credential(env: Mapping[str, str], name: str) -> str:
    """A credential from the environment: printable ASCII without whitespace, never shown."""
    value = env.get(name, "").strip()
    if value and not _CREDENTIAL.fullmatch(value):
        if not value.isascii():
            what = "a non-ASCII character"
        elif any(c.isspace() for c in value):
            what = "whitespace (a space or a line break)"
        else:
            what = "a control character"
        raise ConfigError(
            f"{name}: expected printable ASCII without whitespace, but it contains {what} "
            "(the value is not shown)"
        )
    return value


def _telnyx(env: Mapping[str, str], section: Mapping[str, Any]) -> TelnyxSettings:
    limits = _limits("telnyx", section, TelnyxSettings.limits)  # checked even when unused
    base = _url("TELNYX_BASE_URL", env.get("TELNYX_BASE_URL") or section.get("base_url"))
    key_var = section.get("api_key_env", "TELNYX_API_KEY")
    return TelnyxSettings(
        api_key=_credential(env, key_var),
        base_url=base or TELNYX_DEFAULT_URL,
        limits=limits,
        api_key_env=key_var,
    )


def _plivo(env: Mapping[str, str], section: Mapping[str, Any]) -> PlivoSettings:
    limits = _limits("plivo", section, PlivoSettings.limits)  # checked even when unused
    base = _url("PLIVO_BASE_URL", env.get("PLIVO_BASE_URL") or section.get("base_url"))
    id_var = section.get("auth_id_env", "PLIVO_AUTH_ID")
    token_var = section.get("auth_token_env", "PLIVO_AUTH_TOKEN")
    auth_id = _credential(env, id_var)
    token = _credential(env, token_var)
    if not auth_id and not token:
        return PlivoSettings("", "", base or PLIVO_DEFAULT_URL, limits, auth_token_env=token_var)
    if not auth_id:
        raise ConfigError(f"{id_var} is not set ({token_var} is)")
    if not token:
        raise ConfigError(f"{token_var} is not set ({id_var} is)")
    if not auth_id.isalnum():
        raise ConfigError(f"{id_var}: expected letters and digits only")
    return PlivoSettings(
        auth_id=auth_id,
        auth_token=token,
        base_url=base or PLIVO_DEFAULT_URL,
        limits=limits,
        auth_token_env=token_var,
    )


def _url(name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        parts = urlsplit(str(value))
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or not port_ok or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{name}: expected an http(s) URL such as https://host/v2, got {_shown(value)}"
        )
    if parts.username or parts.password:
        raise ConfigError(f"{name}: must not contain credentials; use the environment variables")
    return str(value).rstrip("/")


def _limits(provider: str, section: Mapping[str, Any], default: Limits) -> Limits:
    """``default`` with the limit keys of ``section`` applied; ``provider`` names the table."""
    changes = {}
    for key, (field_name, kind) in _LIMIT_KEYS.items():
        if key not in section:
            continue
        value = section[key]
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value) and value > 0 and (kind is float or isinstance(value, int))
        if ok and key.endswith("_seconds") and value > _MAX_SECONDS:
            ok = False
        if not ok:
            kind_text = "a positive whole number" if kind is int else "a positive number"
            if key.endswith("_seconds"):
                kind_text += f" of seconds up to {_MAX_SECONDS:,.0f}"
            raise ConfigError(
                f"callrep.toml: {provider}.{key}: expected {kind_text}, got {_shown(value)}"
            )
        changes[field_name] = value
    return replace(default, **changes)


def _pricing(section: Mapping[str, Any]) -> Pricing:
    pricing = Pricing()
    for key, value in section.items():
        default = getattr(pricing, key)
        if key == "plivo_billing_anchor":
            if value not in BILLING_ANCHORS:
                raise ConfigError(
                    f"callrep.toml: pricing.{key}: expected one of {', '.join(BILLING_ANCHORS)}, "
                    f"got {_shown(value)}"
                )
        elif key == "projection_months":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 36:
                raise ConfigError(
                    f"callrep.toml: pricing.{key}: expected 1 to 36, got {_shown(value)}"
                )
        elif (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ConfigError(
                f"callrep.toml: pricing.{key}: expected a non-negative number, got {_shown(value)}"
            )
        else:
            value = type(default)(value)
        pricing = replace(pricing, **{key: value})
    return pricing


# --- Mail: [mail] SMTP settings and the notification URLs (callrep report --mail) ----------
MAIL_SECURITY = ("starttls", "ssl", "none")
_MAIL_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_MAIL_KEYS = frozenset(
    {"host", "port", "from", "to", "security", "username", "password_env", "timeout_seconds"}
)
_MAX_RECIPIENTS = 50
_ADDRESS = re.compile(r"[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]{1,253}")
_HOST = re.compile(r"[A-Za-z0-9._:\[\]-]{1,253}")
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


@dataclass(frozen=True)
class MailSettings:
    """Where ``callrep report --mail`` sends through SMTP. ``password`` is a secret."""

    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    security: str = "starttls"  # starttls | ssl | none (none: loopback only when logging in)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    password_env: str = "CALLREP_SMTP_PASSWORD"
    timeout: float = 30.0


@dataclass(frozen=True)
class Notify:
    """Notification URLs (``CALLREP_NOTIFY``, a secret) and the apprise config file named in
    ``callrep.toml`` (``notify_config``), shared by the alerts and the mailed report."""

    urls: str = field(default="", repr=False)
    config_file: Path | None = None


def _mail(env: Mapping[str, str], section: Mapping[str, Any] | None) -> MailSettings | None:
    """The [mail] section checked key by key; None when the file has none."""
    if section is None:
        return None

    def bad(key: str, expected: str) -> ConfigError:
        return ConfigError(
            f"callrep.toml: mail.{key}: expected {expected}, got {_shown(section.get(key))}"
        )

    host = section.get("host")
    if not isinstance(host, str) or not _HOST.fullmatch(host):
        raise bad("host", "the SMTP server's host name, such as smtp.example.com")
    security = section.get("security", "starttls")
    if security not in MAIL_SECURITY:
        raise bad("security", f"one of {', '.join(MAIL_SECURITY)}")
    port = section.get("port", _MAIL_PORTS[security])
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise bad("port", "a port number from 1 to 65535")
    sender = section.get("from")
    if not isinstance(sender, str) or not _ADDRESS.fullmatch(sender):
        raise bad("from", "the sender's address, such as reports@example.com")
    to = section.get("to")
    to = [to] if isinstance(to, str) else to
    if (
        not isinstance(to, list)
        or not 0 < len(to) <= _MAX_RECIPIENTS
        or not all(isinstance(a, str) and _ADDRESS.fullmatch(a) for a in to)
    ):
        raise bad("to", f"an address or a list of 1 to {_MAX_RECIPIENTS} addresses")
    username = section.get("username")
    if username is not None and (
        not isinstance(username, str) or not _CREDENTIAL.fullmatch(username)
    ):
        raise bad("username", "the SMTP login name (printable, no spaces)")
    timeout = section.get("timeout_seconds", 30.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 600:
        raise bad("timeout_seconds", "a positive number of seconds up to 600")
    if security == "none" and username and host.lower() not in _LOOPBACK:
        raise ConfigError(
            "callrep.toml: mail.security: 'none' would send the password in clear text to "
            f"{host}; use starttls or ssl (none is for a loopback server only)"
        )
    password_env = section.get("password_env", "CALLREP_SMTP_PASSWORD")
    if not isinstance(password_env, str) or not _ENV_NAME.fullmatch(password_env):
        raise bad("password_env", "an environment variable name such as CALLREP_SMTP_PASSWORD")
    password = env.get(password_env, "").strip() or None
    if password and not all(" " <= c <= "~" for c in password):
        raise ConfigError(
            f"{password_env}: expected printable ASCII, but it contains another character "
            "(the value is not shown)"
        )
    return MailSettings(
        host=host,
        port=port,
        sender=sender,
        to=tuple(to),
        security=security,
        username=username,
        password=password,
        password_env=password_env,
        timeout=float(timeout),
    )


# --- [[accounts]]: many Telnyx accounts and Plivo (sub)accounts --------------------------
# Each listed account names the variables that hold its secrets; the accounts listed for a
# provider replace that provider's default account (the single-account variables).
ACCOUNT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
MAX_ACCOUNTS = 1_000
_ACCOUNT_KEYS = {
    "telnyx": frozenset({"name", "provider", "base_url", "api_key_env", *_LIMIT_KEYS}),
    "plivo": frozenset({"name", "provider", "base_url", "auth_id", "auth_token_env", *_LIMIT_KEYS}),
}


def _check_account_tables(listed: Any, path: Path) -> None:
    """``accounts`` is a list of tables, each with a known provider and only its keys."""
    if not isinstance(listed, list) or not all(isinstance(t, Mapping) for t in listed):
        raise ConfigError(f"{path}: accounts: expected tables ([[accounts]]), got {_shown(listed)}")
    if len(listed) > MAX_ACCOUNTS:
        raise ConfigError(f"{path}: accounts: more than {MAX_ACCOUNTS:,} accounts")
    for n, table in enumerate(listed, 1):
        provider = table.get("provider")
        if provider not in PROVIDERS:
            raise ConfigError(
                f"{path}: accounts[{n}].provider: expected one of {', '.join(PROVIDERS)}, "
                f"got {_shown(provider)}"
            )
        _check_keys(table, path, f"accounts[{n}].", _ACCOUNT_KEYS[provider])


def _accounts(
    env: Mapping[str, str],
    listed: list[Mapping[str, Any]],
    defaults: tuple[TelnyxSettings, PlivoSettings],
) -> tuple[Account, ...]:
    """The listed accounts (tables checked by the file check), validated; a provider with
    none listed keeps its default account."""
    base = {d.provider: d for d in defaults}
    accounts = [_account(env, n, table, base) for n, table in enumerate(listed, 1)]
    _check_unique(accounts)
    listed_providers = {a.provider for a in accounts}
    return (*(d for d in defaults if d.provider not in listed_providers), *accounts)


def _account(
    env: Mapping[str, str], n: int, table: Mapping[str, Any], base: Mapping[str, Account]
) -> Account:
    where = f"accounts[{n}]"
    provider = table["provider"]
    name = table.get("name")
    if not isinstance(name, str) or not ACCOUNT_NAME.fullmatch(name):
        raise ConfigError(
            f"callrep.toml: {where}.name: expected lowercase letters, digits, '-' or '_' "
            f"(up to 63, starting with a letter or digit), got {_shown(name)}"
        )
    where = f"accounts[{n}] ({name})"
    default = base[provider]
    limits = _limits(where, table, default.limits)
    url = _url(f"callrep.toml: {where}.base_url", table.get("base_url")) or default.base_url
    secret_key = "api_key_env" if provider == "telnyx" else "auth_token_env"
    var = table.get(secret_key)
    if not isinstance(var, str) or not _ENV_NAME.fullmatch(var):
        raise ConfigError(
            f"callrep.toml: {where}.{secret_key}: expected the name of the environment "
            f"variable that holds the secret, got {_shown(var)}"
        )
    secret = _credential(env, var)
    if provider == "telnyx":
        return TelnyxSettings(secret, url, limits, name, api_key_env=var)
    auth_id = table.get("auth_id")
    if not isinstance(auth_id, str) or not auth_id.isascii() or not auth_id.isalnum():
        raise ConfigError(
            f"callrep.toml: {where}.auth_id: expected the (sub)account's auth ID (letters and "
            f"digits), got {_shown(auth_id)}"
        )
    return PlivoSettings(auth_id, secret, url, limits, name, auth_token_env=var)


def _check_unique(accounts: list[Account]) -> None:
    """One name per provider; one key variable per Telnyx account; one auth_id per Plivo one
    (callbacks are routed by it)."""
    seen: set[tuple[str, str, str]] = set()
    for account in accounts:
        if isinstance(account, PlivoSettings):
            ident = ("auth_id", account.auth_id)
        else:
            ident = ("api_key_env", account.api_key_env)
        if (account.provider, "name", account.name) in seen:
            raise ConfigError(
                f"callrep.toml: accounts: duplicate {account.provider} account name "
                f"{account.name!r} (names are unique per provider)"
            )
        if (account.provider, *ident) in seen:
            raise ConfigError(
                f"callrep.toml: accounts ({account.name}): {ident[0]} {ident[1]!r} is already "
                f"used by another {account.provider} account"
            )
        seen |= {(account.provider, "name", account.name), (account.provider, *ident)}
