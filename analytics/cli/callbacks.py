"""``callrep callbacks``: receive Plivo status callbacks, and load spool files."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import click

from analytics.config import DEFAULT_ACCOUNT, PlivoSettings, Settings, load_settings
from analytics.errors import ConfigError
from analytics.orchestration.ingest import ingest as ingest_spool


def plivo_routes(db: Path | None) -> tuple[Settings, dict[str, tuple[str, str | None]]]:
    """Settings, and each Plivo (sub)account's name and token (None when unset) by auth_id.

    The accounts are callrep.toml's ``[[accounts]]``; without Plivo ones, the account
    ``$PLIVO_AUTH_ID`` names. A token is needed only to verify signatures, so the default
    account's is optional here (``collect`` requires it).
    """
    env = dict(os.environ)
    auth_id = env.pop("PLIVO_AUTH_ID", "").strip()
    token = env.pop("PLIVO_AUTH_TOKEN", "").strip() or None
    settings = load_settings(env, db=db)
    listed = [a for a in settings.accounts if isinstance(a, PlivoSettings) and a.auth_id]
    routes = {a.auth_id: (a.name, a.auth_token or None) for a in listed}
    if auth_id and not routes:
        if not auth_id.isalnum():
            raise ConfigError("PLIVO_AUTH_ID: expected letters and digits only")
        routes[auth_id] = (DEFAULT_ACCOUNT, token)
    return settings, routes


@click.group()
def callbacks() -> None:
    """Plivo status callbacks: near-exact times of final carrier decisions."""


@callbacks.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--db", type=click.Path(path_type=Path), help="DuckDB file (default: $CALLREP_DB).")
@click.option(
    "--auth-id",
    help="Plivo auth ID whose callbacks to accept (default: every Plivo account's).",
)
def ingest(file: Path, db: Path | None, auth_id: str | None) -> None:
    """Load a callback spool (one JSON payload per line, plus `received_at`) into the store.

    Each callback is stored under the account its auth_id names (callrep.toml's Plivo
    [[accounts]], else $PLIVO_AUTH_ID). Lines for another account, that do not parse or
    that pass 64 KiB are rejected and counted; re-ingesting a file adds nothing twice.
    FILE is streamed: a regular file or a pipe (a device is refused).

    \b
    Example:
      callrep callbacks ingest spool/plivo-callbacks.jsonl --db callrep.duckdb
    """
    settings, routes = plivo_routes(db)
    if auth_id is not None:
        auth_id = auth_id.strip()
        if not auth_id.isalnum():
            raise ConfigError("--auth-id: expected letters and digits only")
        routes = {auth_id: routes.get(auth_id, (DEFAULT_ACCOUNT, None))}
    if not routes:
        raise ConfigError(
            "no Plivo account: set PLIVO_AUTH_ID, list Plivo [[accounts]] in callrep.toml, "
            "or pass --auth-id"
        )
    accounts = {key: name for key, (name, _token) in routes.items()}
    result = ingest_spool(file, settings.db_path, accounts)
    for line in result.summary():
        click.echo(line)


@callbacks.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8088, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--spool",
    type=click.Path(path_type=Path, file_okay=False),
    help="Spool folder (default: $CALLREP_SPOOL, else <db name>.callbacks/ beside the database).",
)
@click.option("--db", type=click.Path(path_type=Path), help="DuckDB file (default: $CALLREP_DB).")
@click.option(
    "--public-url",
    help="The scheme://host[:port] Plivo calls (the signed URL); default: the Host header.",
)
@click.option(
    "--trust-forwarded",
    is_flag=True,
    help="Behind a TLS proxy: take the signed URL's scheme and host from X-Forwarded-Proto/Host.",
)
@click.option(
    "--allow-unsigned",
    is_flag=True,
    help="Accept callbacks with no signature (local testing only; warns on every request).",
)
@click.option(
    "--segment-seconds",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0.1, 86400),
    help="Close the current spool segment after this long, so collect can ingest it.",
)
@click.option(
    "--segment-mib",
    default=16,
    show_default=True,
    type=click.IntRange(1, 4096),
    help="Close the current spool segment at this size.",
)
def serve(
    host: str,
    port: int,
    spool: Path | None,
    db: Path | None,
    public_url: str | None,
    trust_forwarded: bool,
    allow_unsigned: bool,
    segment_seconds: float,
    segment_mib: int,
) -> None:
    """Receive Plivo status callbacks at /plivo/caller-reputation and spool them durably.

    Each accepted callback is appended and fsynced before the 2xx answer; `callrep collect`
    ingests closed spool segments. The payload's auth_id must be a Plivo account's of
    callrep.toml's [[accounts]] (else $PLIVO_AUTH_ID). Authentication: Plivo's
    X-Plivo-Signature-V3 (verified with that account's token, e.g. $PLIVO_AUTH_TOKEN), or the
    secret path /plivo/caller-reputation/$CALLREP_CALLBACK_TOKEN. GET /healthz shows the
    counters.

    \b
    Example:
      PLIVO_AUTH_ID=MA... PLIVO_AUTH_TOKEN=... \\
        callrep callbacks serve --port 8088 --public-url https://callbacks.example.com
    """
    from analytics.receiver.app import ReceiverConfig
    from analytics.receiver.segments import spool_dir
    from analytics.receiver.server import serve as run

    settings, routes = plivo_routes(db)
    if not routes:
        raise ConfigError(
            "PLIVO_AUTH_ID: set it (or list Plivo [[accounts]] in callrep.toml) to the account "
            "whose callbacks to accept"
        )
    tokens = {key: token for key, (_name, token) in routes.items()}
    path_token = os.environ.get("CALLREP_CALLBACK_TOKEN", "").strip() or None
    if path_token is not None and (len(path_token) < 16 or not path_token.isalnum()):
        raise ConfigError("CALLREP_CALLBACK_TOKEN: expected 16 or more letters and digits")
    if not any(tokens.values()) and path_token is None and not allow_unsigned:
        raise ConfigError(
            "nothing to authenticate callbacks with: set PLIVO_AUTH_TOKEN (signatures) and/or "
            "CALLREP_CALLBACK_TOKEN (secret path)"
        )
    if public_url is not None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ConfigError(
                "--public-url: expected scheme://host[:port], e.g. https://cb.example.com"
            )
        if parts.query or parts.fragment or "@" in parts.netloc:
            raise ConfigError("--public-url: expected scheme://host[:port], with nothing else")
    if spool is None:
        spool = spool_dir(settings.db_path)
    config = ReceiverConfig(
        tokens=tokens,
        path_token=path_token,
        public_url=public_url,
        trust_forwarded=trust_forwarded,
        allow_unsigned=allow_unsigned,
    )
    click.echo(f"callrep: spooling Plivo callbacks into {spool}/", err=True)
    run(
        config,
        spool,
        host=host,
        port=port,
        segment_bytes=segment_mib * 1024 * 1024,
        segment_seconds=segment_seconds,
    )
