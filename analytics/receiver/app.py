"""The Starlette application: authenticate a Plivo callback, spool it, then answer 200.

Order of checks for ``/plivo/caller-reputation[/<token>]``: body size (413), payload shape
(400), the ``auth_id`` (403 unless it is a configured Plivo account's or subaccount's),
authentication (403: a valid V3 signature over the public URL, verified with that
account's own token, or the secret path token; ``allow_unsigned`` skips it for local
tests, with a warning per request), then append and fsync (503 when the spool cannot
take it).
A well-formed request that fails authentication or carries another ``auth_id`` goes into
the quarantine spool (``quarantine/``), counted on ``/healthz``.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from analytics.receiver import signature
from analytics.receiver.segments import SegmentWriter

PATH = "/plivo/caller-reputation"
MAX_BODY_BYTES = 64 * 1024
MAX_QUARANTINE_BYTES = 64 * 1024 * 1024  # beyond this, refused requests are only counted
MAX_NONCES = 100_000
REQUIRED = ("number", "carrier", "caller_reputation_status", "auth_id")
SIGNATURE, NONCE = "x-plivo-signature-v3", "x-plivo-signature-v3-nonce"
log = logging.getLogger("callrep.receiver")


@dataclass(frozen=True)
class ReceiverConfig:
    """What the receiver checks; secrets come from the environment, never from argv."""

    # Each accepted auth_id -> the token that verifies its signatures (None: only the path
    # token authenticates that account's callbacks).
    tokens: Mapping[str, str | None]
    path_token: str | None = None
    public_url: str | None = None  # scheme://host[:port] Plivo calls; else the Host header
    trust_forwarded: bool = False  # take X-Forwarded-Proto/Host from a TLS proxy in front
    allow_unsigned: bool = False


@dataclass
class Counters:
    """What this receiver has seen since it started (shown on /healthz)."""

    accepted: int = 0
    quarantined: int = 0
    refused: int = 0
    unavailable: int = 0
    replayed_nonces: int = 0
    nonces: dict[str, None] = field(default_factory=dict)


class Refused(Exception):
    """A request answered with ``status``; ``why`` is logged (never a secret)."""

    def __init__(self, status: int, why: str, payload: dict[str, Any] | None = None) -> None:
        super().__init__(why)
        self.status, self.why, self.payload = status, why, payload


def payload_of(method: str, content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """The callback's parameters: the query string (GET), a JSON object or a form (POST)."""
    if method == "GET":
        pairs = parse_qsl(query, keep_blank_values=True)
    elif content_type.split(";")[0].strip().lower() == "application/json":
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise Refused(400, "body is not JSON") from None
        if not isinstance(data, dict) or any(isinstance(v, dict | list) for v in data.values()):
            raise Refused(400, "body is not a flat JSON object")
        return data
    else:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise Refused(400, "form body is not UTF-8") from None
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in grouped.items()}


def _well_formed(params: Mapping[str, Any]) -> None:
    missing = [k for k in REQUIRED if params.get(k) in (None, "")]
    if missing:
        raise Refused(400, f"not a callback: {', '.join(missing)} missing")
    if any(isinstance(params[k], list) for k in REQUIRED):
        raise Refused(400, "not a callback: a field is repeated")


def _public_url(request: Request, config: ReceiverConfig) -> str:
    """The URL Plivo signed: the public origin, this path, and (GET) the query string."""
    if config.public_url:
        origin = config.public_url.rstrip("/")
    elif config.trust_forwarded and request.headers.get("x-forwarded-host"):
        proto = request.headers.get("x-forwarded-proto", "https").split(",")[0].strip()
        host = request.headers["x-forwarded-host"].split(",")[0].strip()
        origin = f"{proto}://{host}"
    else:
        origin = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
    query = request.url.query
    return f"{origin}{request.url.path}" + (f"?{query}" if query else "")


def shown_path(path: str) -> str:
    """The path as logged: anything under the callback path is the secret token."""
    if path.startswith(PATH + "/"):
        return PATH + "/<token>"
    return repr(path[:80])[1:-1]


class RequestLog:
    """ASGI middleware: one info line per HTTP request (method, path, status, time, why)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            log.info(
                "%s %s %d %.1fms %s",
                scope["method"],
                shown_path(scope["path"]),
                status,
                (time.perf_counter() - started) * 1000,
                scope.get("state", {}).get("how", ""),
            )


def create_app(
    config: ReceiverConfig, writer: SegmentWriter, quarantine: SegmentWriter
) -> Starlette:
    """The receiver: ``/plivo/caller-reputation[/<token>]`` and ``/healthz``."""
    counters = Counters()

    def authenticate(request: Request, params: Mapping[str, Any], token: str | None) -> str:
        auth_id = str(params["auth_id"])
        if auth_id not in config.tokens:
            raise Refused(403, "auth_id is not a configured account's")
        if token is not None:
            expected = (config.path_token or "").encode()
            if expected and hmac.compare_digest(token.encode(), expected):
                return "path token"
            raise Refused(403, "wrong path token")
        sig, nonce = request.headers.get(SIGNATURE), request.headers.get(NONCE)
        if config.allow_unsigned and not sig:
            log.warning("accepting an unsigned callback (--allow-unsigned: local testing only)")
            return "unsigned"
        if not sig or not nonce:
            raise Refused(403, "no X-Plivo-Signature-V3 / -Nonce")
        auth_token = config.tokens[auth_id]
        if auth_token is None:
            raise Refused(403, "signed, but this account's auth token is not set to verify it")
        url = _public_url(request, config)
        signed = {} if request.method == "GET" else params  # GET: the URL's query is signed
        if not signature.valid(request.method, url, signed, nonce, auth_token, sig):
            raise Refused(403, f"bad signature for {url.split('?')[0]}")
        if nonce in counters.nonces:
            counters.replayed_nonces += 1
            log.warning("replayed signature nonce (V3 signs no time; accepted)")
        else:
            counters.nonces[nonce] = None
            if len(counters.nonces) > MAX_NONCES:
                counters.nonces.pop(next(iter(counters.nonces)))
        return "signature"

    async def keep_aside(payload: dict[str, Any], why: str) -> None:
        if quarantine.written_bytes > MAX_QUARANTINE_BYTES:
            return
        line = {**payload, "received_at": datetime.now(UTC).isoformat(), "refused": why}
        try:
            await quarantine.append(json.dumps(line, separators=(",", ":")).encode())
        except OSError:
            log.warning("cannot write the quarantine spool")

    async def receive(request: Request) -> Response:
        token = request.path_params.get("token")
        if token is not None and not config.path_token:
            raise Refused(404, "no path token is configured")
        declared = request.headers.get("content-length") or "0"
        if not declared.isdigit():
            raise Refused(400, "bad Content-Length")
        if int(declared) > MAX_BODY_BYTES:
            raise Refused(413, "body over 64 KB")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                raise Refused(413, "body over 64 KB")
        params = payload_of(
            request.method, request.headers.get("content-type", ""), body, request.url.query
        )
        _well_formed(params)
        try:
            how = authenticate(request, params, token)
        except Refused as refused:
            counters.quarantined += 1
            await keep_aside(params, refused.why)
            raise
        line = {**params, "received_at": datetime.now(UTC).isoformat()}
        try:
            await writer.append(json.dumps(line, separators=(",", ":")).encode())
        except OSError as err:
            counters.unavailable += 1
            raise Refused(503, f"spool unavailable ({err.strerror or err})") from None
        counters.accepted += 1
        request.state.how = how
        return PlainTextResponse("ok\n")

    async def endpoint(request: Request) -> Response:
        try:
            response = await receive(request)
        except Refused as refused:
            if refused.status not in (403, 503):
                counters.refused += 1
            request.state.how = refused.why
            response = PlainTextResponse(f"{refused.why}\n", status_code=refused.status)
        return response

    async def healthz(request: Request) -> Response:
        current = writer.current
        return JSONResponse(
            {
                "status": "ok",
                "spool": str(writer.folder),
                "segment": current.name if current else None,
                "accepted": counters.accepted,
                "quarantined": counters.quarantined,
                "refused": counters.refused,
                "unavailable": counters.unavailable,
                "replayed_nonces": counters.replayed_nonces,
            }
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        writer.start()
        quarantine.start()
        try:
            yield
        finally:
            await writer.stop()
            await quarantine.stop()

    methods = ["GET", "POST"]
    return Starlette(
        middleware=[Middleware(RequestLog)],
        routes=[
            Route(PATH, endpoint, methods=methods),
            Route(PATH + "/{token}", endpoint, methods=methods),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
