"""Small shared pieces: deterministic ids and randomness, JSON responses, query parsing."""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from typing import Any

import httpx


def rng_for(*parts: object) -> random.Random:
    """A ``random.Random`` seeded from ``parts`` (string seeding is stable across runs)."""
    return random.Random(":".join(str(p) for p in parts))


def uuid_from(rng: random.Random) -> str:
    """A version-4 UUID string drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def uuid_of(*parts: object) -> str:
    """A version-4 UUID string derived from ``parts`` by hashing (no RNG state)."""
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def json_response(
    status: int, payload: Any, headers: dict[str, str] | None = None
) -> httpx.Response:
    """An ``httpx.Response`` with a compact JSON body."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    hdrs = {"content-type": "application/json"}
    if headers:
        hdrs.update(headers)
    return httpx.Response(status, content=body, headers=hdrs)


def empty_response(status: int = 204) -> httpx.Response:
    """A response without a body (``204 No Content``)."""
    return httpx.Response(status, content=b"")


def read_json_body(request: httpx.Request) -> dict[str, Any]:
    """The request body as a dict: JSON, or form-encoded; ``{}`` when empty or unreadable."""
    try:
        raw = request.content
    except httpx.RequestNotRead:
        raw = request.read()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        parsed = httpx.QueryParams(raw.decode("utf-8", "replace"))
        return dict(parsed.items())
    return data if isinstance(data, dict) else {}


def parse_int(value: str | None, default: int) -> int | None:
    """``default`` when missing, the int when valid, ``None`` when not an integer."""
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        return None
