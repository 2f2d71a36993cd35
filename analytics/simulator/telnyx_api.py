"""HTTP surface of the simulated Telnyx API (``/v2/...``), JSON:API style.

Paging: ``page[number]`` is 1-based; ``page[size]`` defaults to 20 (10 for the
enterprise-scoped numbers list) and is *capped* at 250, as the docs word it: a larger size is
served as 250 and ``meta.page_size`` says so. A size or number below 1, or not an integer, is
a 400. A page past the end is an empty ``data`` list.

Billing: every per-number GET (cached or ``?fresh=true``), ``POST .../numbers/refresh``,
enabling reputation and adding numbers count as ``billable_calls``; every non-GET counts as a
``write_calls``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from analytics.simulator import clock
from analytics.simulator._util import (
    empty_response,
    json_response,
    parse_int,
    read_json_body,
    rng_for,
)

if TYPE_CHECKING:
    from analytics.simulator.core import Simulator
    from analytics.simulator.telnyx_world import Enterprise

PAGE_CAP = 250
DEFAULT_PAGE = 20
NUMBERS_DEFAULT_PAGE = 10
E164_US = re.compile(r"^\+1[2-9]\d{9}$")

_ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), name)
    for p, name in (
        (r"^/enterprises$", "enterprises"),
        (r"^/enterprises/(?P<eid>[^/]+)$", "enterprise"),
        (r"^/enterprises/(?P<eid>[^/]+)/reputation$", "settings"),
        (r"^/enterprises/(?P<eid>[^/]+)/reputation/frequency$", "frequency"),
        (r"^/enterprises/(?P<eid>[^/]+)/reputation/loa$", "loa"),
        (r"^/enterprises/(?P<eid>[^/]+)/reputation/numbers$", "numbers"),
        (r"^/enterprises/(?P<eid>[^/]+)/reputation/numbers/refresh$", "refresh"),
        (r"^/enterprises/(?P<eid>[^/]+)/reputation/numbers/(?P<phone>[^/]+)$", "number"),
        (r"^/enterprises/(?P<eid>[^/]+)/reputation/remediation$", "remediations"),
        (r"^/enterprises/(?P<eid>[^/]+)/reputation/remediation/(?P<rid>[^/]+)$", "remediation"),
        (r"^/reputation/numbers$", "all_numbers"),
        (r"^/reputation/numbers/(?P<phone>[^/]+)$", "any_number"),
        (r"^/terms_of_service/number_reputation/agree$", "tos_agree"),
        (r"^/terms_of_service/status$", "tos_status"),
    )
]


def error(status: int, code: str, title: str, detail: str, **extra: Any) -> httpx.Response:
    """A JSON:API error document."""
    return json_response(
        status, {"errors": [{"code": code, "title": title, "detail": detail}]}, **extra
    )


def not_found(detail: str = "The requested resource or URL could not be found.") -> httpx.Response:
    return error(404, "10005", "Resource not found", detail)


def bad_request(detail: str) -> httpx.Response:
    return error(400, "10015", "Bad Request", detail)


def handle(sim: Simulator, request: httpx.Request, path: str) -> httpx.Response:
    """Authenticate, route and answer one ``/v2`` request (``path`` has ``/v2`` stripped)."""
    if request.headers.get("authorization") != f"Bearer {sim.telnyx_api_key}":
        return error(401, "10009", "Authentication failed", "The API key is missing or invalid.")
    method = request.method.upper()
    for pattern, name in _ROUTES:
        m = pattern.match(path.rstrip("/") or "/")
        if m:
            sim.count("telnyx", method, name)
            if method != "GET":
                sim.counters.write_calls += 1
            fn = _HANDLERS.get((name, method))
            if fn is None:
                return error(405, "10006", "Method not allowed", f"{method} is not allowed here.")
            return fn(sim, request, **m.groupdict())
    sim.count("telnyx", method, "unknown")
    return not_found()


# ----- paging ---------------------------------------------------------------------------
def page_params(request: httpx.Request, default: int) -> tuple[int, int] | httpx.Response:
    params = request.url.params
    number = parse_int(params.get("page[number]"), 1)
    size = parse_int(params.get("page[size]"), default)
    if number is None or number < 1:
        return bad_request("page[number] must be an integer >= 1.")
    if size is None or size < 1:
        return bad_request("page[size] must be an integer between 1 and 250.")
    return number, min(size, PAGE_CAP)


def paged(items: list[Any], number: int, size: int, render: Any) -> dict[str, Any]:
    total = len(items)
    chunk = items[(number - 1) * size : number * size]
    return {
        "data": [render(x) for x in chunk],
        "meta": {
            "page_number": number,
            "page_size": size,
            "total_results": total,
            "total_pages": (total + size - 1) // size,
        },
    }


# ----- handlers ---------------------------------------------------------------------------
def _enterprise(sim: Simulator, eid: str) -> Enterprise | None:
    return sim.telnyx.by_id.get(eid)


def list_enterprises(sim: Simulator, request: httpx.Request) -> httpx.Response:
    pp = page_params(request, DEFAULT_PAGE)
    if isinstance(pp, httpx.Response):
        return pp
    return json_response(200, paged(sim.telnyx.enterprises_, *pp, lambda e: e.info))


def get_enterprise(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    return json_response(200, {"data": ent.info}) if ent else not_found("Enterprise not found.")


def delete_enterprise(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    return empty_response(204) if _enterprise(sim, eid) else not_found("Enterprise not found.")


def get_settings(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None or ent.settings is None:
        return not_found("Number reputation is not enabled for this enterprise.")
    return json_response(200, {"data": ent.settings})


def enable_settings(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None:
        return not_found("Enterprise not found.")
    if ent.settings is not None:
        return error(409, "10017", "Conflict", "Number reputation is already enabled.")
    body = read_json_body(request)
    if not body.get("loa_document_id"):
        return error(422, "10016", "Unprocessable Entity", "loa_document_id is required.")
    sim.counters.billable_calls += 1
    now = clock.iso_z(sim.now)
    ent.settings = {
        "enterprise_id": eid,
        "status": "pending",
        "loa_status": "pending",
        "check_frequency": body.get("check_frequency", "business_daily"),
        "loa_document_id": body["loa_document_id"],
        "rejection_reasons": None,
        "created_at": now,
        "updated_at": now,
    }
    return json_response(201, {"data": ent.settings})


def disable_settings(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None or ent.settings is None:
        return not_found("Number reputation is not enabled for this enterprise.")
    ent.settings = None
    sim.telnyx.remove_where(ent, lambda n: True)
    return empty_response(204)


def patch_frequency(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None or ent.settings is None:
        return not_found("Number reputation is not enabled for this enterprise.")
    if ent.settings["status"] != "approved":
        return bad_request("Reputation status must be approved to change the frequency.")
    freq = read_json_body(request).get("check_frequency")
    if freq not in ("business_daily", "daily", "weekly", "biweekly", "monthly", "never"):
        return bad_request(
            "check_frequency must be one of business_daily, daily, weekly, "
            "biweekly, monthly, never."
        )
    ent.settings = {**ent.settings, "check_frequency": freq, "updated_at": clock.iso_z(sim.now)}
    return json_response(200, {"data": ent.settings})


def render_loa(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    if _enterprise(sim, eid) is None:
        return not_found("Enterprise not found.")
    pdf = b"%PDF-1.4\n% simulated LOA\n%%EOF\n"
    return httpx.Response(200, content=pdf, headers={"content-type": "application/pdf"})


def replace_loa(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None or ent.settings is None:
        return not_found("Number reputation is not enabled for this enterprise.")
    if ent.settings["loa_status"] == "approved":
        return bad_request(
            "The authorization document cannot be changed after it has been approved."
        )
    doc = read_json_body(request).get("loa_document_id")
    ent.settings = {
        **ent.settings,
        "loa_document_id": doc,
        "loa_status": "pending",
        "updated_at": clock.iso_z(sim.now),
    }
    return json_response(200, {"data": ent.settings})


def _numbers_of(
    sim: Simulator, request: httpx.Request, ents: list[Enterprise], default: int
) -> httpx.Response:
    pp = page_params(request, default)
    if isinstance(pp, httpx.Response):
        return pp
    params = request.url.params
    eq, contains = (
        params.get("filter[phone_number][eq]"),
        params.get("filter[phone_number][contains]"),
    )
    if eq is not None:
        n = sim.telnyx.by_phone.get(eq)
        items = [n] if n is not None and sim.telnyx.enterprises_[n.ent] in ents else []
    else:
        items = [n for e in ents for n in e.numbers] if len(ents) != 1 else ents[0].numbers
        if contains:
            items = [n for n in items if contains in n.phone]
    return json_response(200, paged(items, *pp, sim.telnyx.number_json))


def list_numbers(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None or ent.settings is None:
        return not_found("Number reputation is not enabled for this enterprise.")
    return _numbers_of(sim, request, [ent], NUMBERS_DEFAULT_PAGE)


def list_all_numbers(sim: Simulator, request: httpx.Request) -> httpx.Response:
    ents = [e for e in sim.telnyx.enterprises_ if e.settings is not None]
    return _numbers_of(sim, request, ents, DEFAULT_PAGE)


def add_numbers(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None or ent.settings is None:
        return not_found("Number reputation is not enabled for this enterprise.")
    if not ent.monitoring:
        return bad_request("Both reputation status and loa_status must be approved to add numbers.")
    phones = read_json_body(request).get("phone_numbers")
    if not isinstance(phones, list) or not 1 <= len(phones) <= 100:
        return error(422, "10016", "Unprocessable Entity", "phone_numbers: 1 to 100 numbers.")
    bad = [
        p
        for p in phones
        if not isinstance(p, str) or not E164_US.match(p) or p in sim.telnyx.by_phone
    ]
    if bad:
        return error(
            422, "10016", "Unprocessable Entity", f"Invalid or already registered: {bad[:5]}"
        )
    sim.counters.billable_calls += 1
    added = [sim.telnyx.add_number(ent, p, sim.now) for p in phones]
    return json_response(201, {"data": [sim.telnyx.number_json(n) for n in added]})


def _number_in(sim: Simulator, ent: Enterprise | None, phone: str) -> Any:
    n = sim.telnyx.by_phone.get(phone)
    if n is None or (ent is not None and n.ent != ent.idx):
        return None
    return n


def get_number(
    sim: Simulator, request: httpx.Request, phone: str, eid: str | None = None
) -> httpx.Response:
    ent = _enterprise(sim, eid) if eid is not None else None
    if eid is not None and (ent is None or ent.settings is None):
        return not_found("Number reputation is not enabled for this enterprise.")
    n = _number_in(sim, ent, phone)
    if n is None:
        return not_found("Phone number is not monitored.")
    sim.counters.billable_calls += 1
    fresh = request.url.params.get("fresh", "").lower() == "true"
    if fresh or n.refreshed is None:
        sim.telnyx.refresh(
            n, rng_for(sim.seed, "telnyx-live", phone, sim.now), sim.now - timedelta(seconds=2)
        )
    return json_response(200, {"data": sim.telnyx.number_json(n)})


def delete_number(
    sim: Simulator, request: httpx.Request, phone: str, eid: str | None = None
) -> httpx.Response:
    ent = _enterprise(sim, eid) if eid is not None else None
    n = _number_in(sim, ent, phone)
    if n is None:
        return not_found("Phone number is not monitored.")
    owner = sim.telnyx.enterprises_[n.ent]
    sim.telnyx.remove_where(owner, lambda x: x is n)
    return empty_response(204)


def refresh_numbers(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None or ent.settings is None:
        return not_found("Number reputation is not enabled for this enterprise.")
    phones = read_json_body(request).get("phone_numbers")
    if not isinstance(phones, list) or not 1 <= len(phones) <= 100:
        return error(422, "10016", "Unprocessable Entity", "phone_numbers: 1 to 100 numbers.")
    sim.counters.billable_calls += 1
    results = []
    for p in phones:
        n = _number_in(sim, ent, p) if isinstance(p, str) else None
        if n is not None:
            sim.telnyx.refresh(
                n, rng_for(sim.seed, "telnyx-live", p, sim.now), sim.now - timedelta(seconds=2)
            )
        results.append(
            {
                "phone_number": p,
                "success": n is not None,
                "error": None if n is not None else "Phone number is not monitored.",
            }
        )
    ok = sum(r["success"] for r in results)
    return json_response(
        200,
        {
            "data": {
                "results": results,
                "total_requested": len(results),
                "total_successful": ok,
                "total_failed": len(results) - ok,
            }
        },
    )


def list_remediations(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None or ent.settings is None:
        return not_found("Number reputation is not enabled for this enterprise.")
    pp = page_params(request, DEFAULT_PAGE)
    if isinstance(pp, httpx.Response):
        return pp
    now = sim.now
    params = request.url.params
    rows = [r.slim(now) for r in sim.telnyx.remediation.listed(ent.idx) if r.created <= now]
    for row in rows:
        row.pop("_submitted")
    if params.get("filter[status]"):
        rows = [r for r in rows if r["status"] == params["filter[status]"]]
    if params.get("filter[created_at][gte]"):
        rows = [r for r in rows if r["created_at"] >= params["filter[created_at][gte]"]]
    if params.get("filter[created_at][lte]"):
        rows = [r for r in rows if r["created_at"] <= params["filter[created_at][lte]"]]
    return json_response(200, paged(rows, *pp, lambda r: r))


def get_remediation(sim: Simulator, request: httpx.Request, eid: str, rid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    req = sim.telnyx.remediation.find(ent.idx, rid) if ent is not None else None
    if req is None:
        return not_found("Remediation request not found.")
    return json_response(200, {"data": req.detail(sim.now)})


def submit_remediation(sim: Simulator, request: httpx.Request, eid: str) -> httpx.Response:
    ent = _enterprise(sim, eid)
    if ent is None or ent.settings is None:
        return not_found("Number reputation is not enabled for this enterprise.")
    body = read_json_body(request)
    phones = body.get("phone_numbers")
    if not isinstance(phones, list) or not 1 <= len(phones) <= 2000 or not body.get("call_purpose"):
        return error(
            422,
            "10016",
            "Unprocessable Entity",
            "phone_numbers (1 to 2,000) and call_purpose are required.",
        )
    if any(_number_in(sim, ent, p) is None for p in phones if isinstance(p, str)):
        return error(
            422, "10016", "Unprocessable Entity", "Numbers must belong to this enterprise."
        )
    if set(phones) & sim.telnyx.remediation.busy(ent, sim.now):
        return error(
            409, "10017", "Conflict", "A number already has an in-flight remediation request."
        )
    fields = {k: body.get(k) for k in ("call_purpose", "contact_email", "webhook_url")}
    req = sim.telnyx.remediation.submit(ent, list(dict.fromkeys(phones)), fields, sim.now)
    return json_response(202, {"data": req.detail(sim.now)})


def tos_agree(sim: Simulator, request: httpx.Request) -> httpx.Response:
    return json_response(200, {"data": {"product_type": "number_reputation", "agreed": True}})


def tos_status(sim: Simulator, request: httpx.Request) -> httpx.Response:
    product = request.url.params.get("product_type", "branded_calling")
    return json_response(200, {"data": {"product_type": product, "agreed": True}})


_HANDLERS: dict[tuple[str, str], Any] = {
    ("enterprises", "GET"): list_enterprises,
    ("enterprise", "GET"): get_enterprise,
    ("enterprise", "DELETE"): delete_enterprise,
    ("settings", "GET"): get_settings,
    ("settings", "POST"): enable_settings,
    ("settings", "DELETE"): disable_settings,
    ("frequency", "PATCH"): patch_frequency,
    ("loa", "POST"): render_loa,
    ("loa", "PATCH"): replace_loa,
    ("numbers", "GET"): list_numbers,
    ("numbers", "POST"): add_numbers,
    ("refresh", "POST"): refresh_numbers,
    ("number", "GET"): get_number,
    ("number", "DELETE"): delete_number,
    ("remediations", "GET"): list_remediations,
    ("remediations", "POST"): submit_remediation,
    ("remediation", "GET"): get_remediation,
    ("all_numbers", "GET"): list_all_numbers,
    ("any_number", "GET"): get_number,
    ("any_number", "DELETE"): delete_number,
    ("tos_agree", "POST"): tos_agree,
    ("tos_status", "GET"): tos_status,
}
