"""HTTP surface of the simulated Plivo API (``/v1/Account/{auth_id}/...``).

HTTP Basic auth with the account's auth id and token; a path naming another account is a 401.
Every path ends with ``/`` (one without is a 404). Lists take ``limit`` (default 20, at most
20: more is a 400) and ``offset``; ``meta.next``/``meta.previous`` are relative URLs or null.
Requests past ``plivo_rate_limit`` inside the sliding window get a 429 without Retry-After.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from analytics.simulator._util import (
    empty_response,
    json_response,
    parse_int,
    read_json_body,
    rng_for,
)
from analytics.simulator.plivo_data import REASONS
from analytics.simulator.plivo_world import merged_status

if TYPE_CHECKING:
    from analytics.simulator.core import Simulator

LIMIT_CAP = 20
_ACCOUNT = re.compile(r"^/v1/Account/(?P<aid>[^/]+)/(?P<rest>.*)$")
_ROUTES = [
    (re.compile(p), name)
    for p, name in (
        (r"^$", "account"),
        (r"^Number/$", "numbers"),
        (r"^Number/(?P<number>[^/]+)/$", "number"),
        (r"^Profile/$", "profiles"),
        (r"^Profile/(?P<uuid>[^/]+)/$", "profile"),
        (r"^VerifiedCallerId/$", "verified_ids"),
        (r"^VerifiedCallerId/(?P<phone>[^/]+)/$", "verified_id"),
    )
]


def error(sim: Simulator, status: int, message: str, **headers: str) -> httpx.Response:
    return json_response(status, {"api_id": sim.api_id(), "error": message}, headers or None)


def _authorized(sim: Simulator, request: httpx.Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(token).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return user == sim.plivo_auth_id and password == sim.plivo_auth_token


def handle(sim: Simulator, request: httpx.Request, path: str) -> httpx.Response:
    """Authenticate, rate-limit, route and answer one Plivo request."""
    m = _ACCOUNT.match(path)
    if not _authorized(sim, request) or (m is not None and m["aid"] != sim.plivo_auth_id):
        return error(
            sim,
            401,
            "Authentication failed",
            **{"www-authenticate": 'Basic realm="Login Required"'},
        )
    if not sim.limiter.allow():
        sim.counters.rate_limited += 1
        return error(sim, 429, "Too many requests")
    method = request.method.upper()
    if m is not None:
        for pattern, name in _ROUTES:
            r = pattern.match(m["rest"])
            if r:
                sim.count("plivo", method, name)
                if method != "GET":
                    sim.counters.write_calls += 1
                fn = _HANDLERS.get((name, method))
                if fn is None:
                    return error(sim, 405, f"{method} not allowed")
                return fn(sim, request, **r.groupdict())
    sim.count("plivo", method, "unknown")
    return error(sim, 404, "not found")


def _window(
    sim: Simulator,
    request: httpx.Request,
    items: list[Any],
    resource: str,
    key: str,
    full_meta: bool,
    render: Any,
) -> httpx.Response:
    params = request.url.params
    limit = parse_int(params.get("limit"), 20)
    offset = parse_int(params.get("offset"), 0)
    if limit is None or not 1 <= limit <= LIMIT_CAP:
        return error(sim, 400, f"limit must be an integer between 1 and {LIMIT_CAP}")
    if offset is None or offset < 0:
        return error(sim, 400, "offset must be a non-negative integer")
    base = f"/v1/Account/{sim.plivo_auth_id}/{resource}/"
    total = len(items)
    meta: dict[str, Any] = {
        "limit": limit,
        "next": f"{base}?limit={limit}&offset={offset + limit}" if offset + limit < total else None,
        "offset": offset,
    }
    if full_meta:
        prev = f"{base}?limit={limit}&offset={max(0, offset - limit)}" if offset > 0 else None
        meta.update(previous=prev, total_count=total)
    return json_response(
        200,
        {
            "api_id": sim.api_id(),
            "meta": meta,
            key: [render(x) for x in items[offset : offset + limit]],
        },
    )


def get_account(sim: Simulator, request: httpx.Request) -> httpx.Response:
    aid = sim.plivo_auth_id
    return json_response(
        200,
        {
            "api_id": sim.api_id(),
            "account_type": "standard",
            "auth_id": aid,
            "name": "callrep simulator",
            "resource_uri": f"/v1/Account/{aid}/",
            "cash_credits": "100.00000",
            "timezone": "UTC",
        },
    )


def list_numbers(sim: Simulator, request: httpx.Request) -> httpx.Response:
    world = sim.plivo
    with_rep = sim.plivo_list_includes_reputation
    return _window(
        sim, request, world.nums, "Number", "objects", True, lambda n: world.list_item(n, with_rep)
    )


def get_number(sim: Simulator, request: httpx.Request, number: str) -> httpx.Response:
    n = sim.plivo.by_number.get(number)
    if n is None:
        return error(sim, 404, "Phone number not found")
    return json_response(
        200, {"api_id": sim.api_id(), **sim.plivo.list_item(n, with_reputation=True)}
    )


def update_number(sim: Simulator, request: httpx.Request, number: str) -> httpx.Response:
    world = sim.plivo
    n = world.by_number.get(number)
    if n is None:
        return error(sim, 404, "Phone number not found")
    body = read_json_body(request)
    if "alias" in body:
        n.alias = body["alias"]
    choice = body.get("caller_reputation")
    if choice is None:
        return json_response(202, {"api_id": sim.api_id(), "message": "changed"})
    now = sim.now
    if choice == "disabled":
        n.enabled_at, n.changed_at = None, now
        return json_response(202, {"api_id": sim.api_id(), "message": "changed"})
    if choice != "enabled":
        return error(sim, 400, "caller_reputation must be enabled or disabled")
    if not body.get("profile_uuid"):
        return error(sim, 400, "profile_uuid is required when caller_reputation is enabled")
    pidx = next(
        (k for k, p in enumerate(world.profiles_) if p["profile_uuid"] == body["profile_uuid"]),
        None,
    )
    if pidx is None:
        return error(sim, 400, "Profile not found for the provided profile_uuid")
    problem = world.profile_problem(pidx)
    prev_profile = n.profile
    previous = {c: n.carrier(c, now)[0] for c in ("att", "tmobile")} if n.enabled_at else {}
    finals = {
        "att": "FAILED" if problem else "ACTIVE",
        "tmobile": "FAILED" if problem == "odd_ein" else "ACTIVE",
    }
    world._enable(
        n,
        pidx,
        now - timedelta(seconds=1),
        rng_for(sim.seed, "plivo-api", number, now),
        finals["att"],
        finals["tmobile"],
    )
    for c, status in previous.items():
        if status == "ACTIVE" and prev_profile == pidx and finals[c] == "ACTIVE":
            n.plan[c] = ("ACTIVE", now - timedelta(seconds=1))
    by_carrier: dict[str, dict[str, str]] = {}
    for c in ("tmobile", "att"):
        status = n.carrier(c, now)[0]
        by_carrier[c] = {"status": "FAILED" if finals[c] == "FAILED" else status}
        if finals[c] == "FAILED":
            n.plan[c] = ("FAILED", now - timedelta(seconds=1))
            by_carrier[c]["reason"] = _reason(problem)
    merged = merged_status([v["status"] for v in by_carrier.values()])
    return json_response(
        202,
        {
            "api_id": sim.api_id(),
            "message": "changed",
            "caller_reputation_status": merged,
            "caller_reputation_by_carrier": by_carrier,
        },
    )


def _reason(problem: str | None) -> str:
    return REASONS.get(problem or "", "Registration was rejected.")


def release_number(sim: Simulator, request: httpx.Request, number: str) -> httpx.Response:
    n = sim.plivo.by_number.get(number)
    if n is None:
        return error(sim, 404, "Phone number not found")
    sim.plivo.release(n, sim.today)
    return empty_response(204)


def list_profiles(sim: Simulator, request: httpx.Request) -> httpx.Response:
    return _window(sim, request, sim.plivo.profiles_, "Profile", "profiles", False, lambda p: p)


def get_profile(sim: Simulator, request: httpx.Request, uuid: str) -> httpx.Response:
    p = next((p for p in sim.plivo.profiles_ if p["profile_uuid"] == uuid), None)
    if p is None:
        return error(sim, 404, "Profile not found")
    return json_response(200, {"api_id": sim.api_id(), "profile": p})


def list_verified(sim: Simulator, request: httpx.Request) -> httpx.Response:
    items = sim.plivo.verified
    country = request.url.params.get("country")
    if country:
        items = [v for v in items if v["country"] == country]
    return _window(sim, request, items, "VerifiedCallerId", "objects", True, lambda v: v)


def get_verified(sim: Simulator, request: httpx.Request, phone: str) -> httpx.Response:
    v = next((v for v in sim.plivo.verified if v["phone_number"] == phone), None)
    if v is None:
        return error(sim, 404, "Verified caller ID not found")
    return json_response(200, {"api_id": sim.api_id(), **v})


def initiate_verification(sim: Simulator, request: httpx.Request) -> httpx.Response:
    phone = read_json_body(request).get("phone_number", "")
    return json_response(
        202,
        {
            "api_id": sim.api_id(),
            "message": f"Verification code is sent to number {phone} which is valid for 15 minutes",
            "verification_uuid": sim.api_id(),
        },
    )


def update_verified(sim: Simulator, request: httpx.Request, phone: str) -> httpx.Response:
    v = next((v for v in sim.plivo.verified if v["phone_number"] == phone), None)
    if v is None:
        return error(sim, 404, "Verified caller ID not found")
    if "alias" in (body := read_json_body(request)):
        v["alias"] = body["alias"]
    return json_response(202, {"api_id": sim.api_id(), "message": "changed"})


def delete_verified(sim: Simulator, request: httpx.Request, phone: str) -> httpx.Response:
    before = len(sim.plivo.verified)
    sim.plivo.verified = [v for v in sim.plivo.verified if v["phone_number"] != phone]
    return (
        empty_response(204)
        if len(sim.plivo.verified) < before
        else error(sim, 404, "Verified caller ID not found")
    )


_HANDLERS: dict[tuple[str, str], Any] = {
    ("account", "GET"): get_account,
    ("numbers", "GET"): list_numbers,
    ("number", "GET"): get_number,
    ("number", "POST"): update_number,
    ("number", "DELETE"): release_number,
    ("profiles", "GET"): list_profiles,
    ("profile", "GET"): get_profile,
    ("verified_ids", "GET"): list_verified,
    ("verified_ids", "POST"): initiate_verification,
    ("verified_id", "GET"): get_verified,
    ("verified_id", "POST"): update_verified,
    ("verified_id", "DELETE"): delete_verified,
}
