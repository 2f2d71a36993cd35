"""Plivo's V3 request signature (``X-Plivo-Signature-V3`` with ``X-Plivo-Signature-V3-Nonce``).

The same checks as the official ``plivo`` package's ``validate_v3_signature`` (tests prove
the two agree): the signed text is the URL Plivo called, without fragment, with its query
parameters sorted, and for POST the sorted body parameters appended as ``keyvalue`` pairs;
then ``.`` and the nonce. The signature is base64(HMAC-SHA256(auth token, text)); the header
may hold several, comma-separated (one per token during a rotation). V3 signs no
timestamp, so a replayed nonce still verifies: the receiver logs repeats instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlparse, urlunparse

Params = Mapping[str, Any]  # str, int, float, bool, None or a list of str values


def _text(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, int | float | bool):
        return str(value)
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def _query_map(query: str) -> dict[str, list[str]]:
    return dict(parse_qs(query, keep_blank_values=True))


def _sorted_query(params: Params) -> str:
    parts = []
    for key in sorted(params):
        value = params[key]
        if isinstance(value, list):
            parts.append("&".join(f"{key}={v}" for v in sorted(_text(value))))
        else:
            parts.append(f"{key}={_text(value)}")
    return "&".join(parts)


def _sorted_body(params: Params) -> str:
    parts = []
    for key in sorted(params):
        value = params[key]
        if isinstance(value, list):
            parts.append("".join(f"{key}{v}" for v in sorted(_text(value))))
        elif isinstance(value, Mapping):
            parts.append(f"{key}{_sorted_body(value)}")
        else:
            parts.append(f"{key}{_text(value)}")
    return "".join(parts)


def signed_text(method: str, url: str, params: Params) -> str:
    """The text Plivo signs for a ``method`` request to ``url`` carrying ``params``."""
    parsed = urlparse(url)
    base = urlunparse((parsed.scheme, parsed.netloc, parsed.path, "", "", ""))
    query = _query_map(parsed.query)
    if method == "GET":
        query = {**params, **query}
        sorted_query = _sorted_query(query)
        return f"{base}?{sorted_query}" if sorted_query else base
    sorted_query = _sorted_query(query)
    if not params:
        return f"{base}?{sorted_query}" if sorted_query else base
    dot = "." if sorted_query else ""
    return f"{base}?{sorted_query}{dot}{_sorted_body(params)}"


def signature(auth_token: str, text: str, nonce: str) -> str:
    """base64(HMAC-SHA256(token, ``text.nonce``)), as Plivo computes it."""
    # plivo reads the nonce's UTF-8 bytes one by one as characters, then encodes again.
    nonce_text = nonce.encode("utf-8").decode("latin-1")
    message = f"{text}.{nonce_text}".encode()
    digest = hmac.new(auth_token.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def valid(method: str, url: str, params: Params, nonce: str, auth_token: str, header: str) -> bool:
    """Whether ``header`` (``X-Plivo-Signature-V3``) holds this request's signature."""
    expected = signature(auth_token, signed_text(method, url, params), nonce).encode()
    candidates = header.encode("utf-8", "surrogateescape").split(b",")
    return any(hmac.compare_digest(expected, c) for c in candidates)
