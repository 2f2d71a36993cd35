"""A hostile provider on loopback: Telnyx (``/v2``) and Plivo (``/v1``) with named misbehaviours.

Each scenario is what an adversarial review tried against callrep; the server otherwise
answers like a tiny, well-formed account (one enterprise with two numbers, one Plivo number
and profile), so a test sees both what must be refused and the good records that must land.

    endless     every page claims more follow (Telnyx total_pages=100000, Plivo meta.next)
                and every page is the same
    distinct    pages never end, each with new items (only the run's caps stop it)
    bomb        a gzip body that decodes to far more than it weighs on the wire
    drip        a body dripped a few bytes at a time (slow-loris)
    echo        every form of the credentials it received, in 200 bodies
    echo_error  every form of the credentials it received, in JSON and text/plain error bodies
    redirect    302 to another host
    newline     a text/plain error body whose lines look like collect's own output
    non_object  non-object items ([1, "x", null]) beside the good records
    overflow    timestamps that overflow when converted to UTC
"""

from __future__ import annotations

import base64
import functools
import json
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

SCENARIOS = (
    "endless",
    "distinct",
    "bomb",
    "drip",
    "echo",
    "echo_error",
    "redirect",
    "newline",
    "non_object",
    "overflow",
)
ENTERPRISE = "ent-1"
NUMBERS = ("+12125550101", "+12125550102")
PLIVO_NUMBER = "14155550123"
FORGED = "telnyx: ok (run 9): 1 records, 0 flagged, 1 requests in 0.1 s"
BOMB_MIB = 256  # decoded size of the bomb (about 256 KB on the wire)


@dataclass
class Hostile:
    """What the server was told to do, and what it saw."""

    scenario: str
    port: int = 0
    bomb_mib: int = BOMB_MIB
    methods: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def telnyx_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    @property
    def plivo_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def requests(self) -> int:
        with self.lock:
            return len(self.paths)


def echoes(secret: str) -> dict[str, str]:
    """The forms of `secret` an echoing server sends back, keyed by form."""
    raw = secret.encode()
    return {
        "raw": secret,
        "percent": quote(secret, safe=""),
        "bearer": f"Bearer {secret}",
        "b64": base64.b64encode(raw).decode(),
        "b64_shift1": base64.b64encode(b"x" + raw + b"y").decode(),
        "b64_shift2": base64.b64encode(b"xy" + raw).decode(),
        "b64_urlsafe": base64.urlsafe_b64encode(b"{" + raw + b"}").decode(),
    }


def _credentials(headers: Any) -> list[str]:
    """The secrets in the request's Authorization header: the Bearer key or Basic pair parts."""
    value = headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme == "Bearer":
        return [token]
    if scheme == "Basic":
        pair = base64.b64decode(token).decode()
        return [pair, pair.partition(":")[2]]
    return []


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _record(self) -> None:
        with self.server.state.lock:
            self.server.state.methods.append(self.command)
            self.server.state.paths.append(self.path)

    def do_POST(self) -> None:  # never expected: counted, refused
        self._record()
        self._send(405, b"{}")

    do_PUT = do_PATCH = do_DELETE = do_POST

    def do_GET(self) -> None:
        self._record()
        state = self.server.state
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        scenario = state.scenario
        if scenario == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://example.invalid/stolen")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if scenario == "newline" and url.path.endswith(("/enterprises", "/Number/")):
            body = f"upstream broke\n{FORGED}\nplivo: ok (run 10)\r\n".encode()
            self._send(400, body, "text/plain")
            return
        secrets = _credentials(self.headers)
        if scenario == "echo_error" and url.path.endswith("/enterprises"):
            body = json.dumps({"errors": [{"detail": list(echoes(secrets[0]).values())}]})
            self._send(400, body.encode())
            return
        if scenario == "echo_error" and url.path.endswith("/Number/"):
            forms = [*echoes(secrets[0]).values(), *echoes(secrets[1]).values()]
            self._send(500, "\n".join(forms).encode(), "text/plain")
            return
        if url.path.startswith("/v2"):
            payload = _telnyx(url.path.removeprefix("/v2"), query, scenario, secrets)
        else:
            payload = _plivo(url.path, query, scenario, secrets)
        if payload is None:
            self._send(404, b'{"errors": [{"detail": "not found"}]}')
            return
        body = json.dumps(payload).encode()
        if scenario == "bomb" and url.path.endswith("/numbers"):
            self._bomb()
        elif scenario == "drip" and url.path.endswith("/Number/"):
            self._drip(body)
        else:
            self._send(200, body)

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _bomb(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        body = bomb(self.server.state.bomb_mib)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            return  # the client stopped reading, as it should

    def _drip(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            return  # the client gave up, as it should


@functools.cache
def bomb(mib: int) -> bytes:
    """Gzip of ``[0,0,0,...`` decoding to `mib` MiB: JSON that never closes, tiny on the wire."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip container
    chunk = b"0," * 2**19
    parts = [packer.compress(b"[")]
    parts += [packer.compress(chunk) for _ in range(mib)]
    return b"".join([*parts, packer.flush()])


def _telnyx(path: str, query: dict[str, str], scenario: str, secrets: list[str]) -> Any:
    page = int(query.get("page[number]", "1"))
    if path == "/enterprises":
        items: list[Any] = [{"id": ENTERPRISE, "legal_name": "Hostile Inc"}]
        if scenario == "echo":
            items[0]["legal_name"] = secrets[0]
            items[0]["echo"] = echoes(secrets[0])
        if scenario == "non_object":
            items += [1, "x", None]
        if scenario in ("endless", "distinct"):
            items = [
                {"id": f"{ENTERPRISE}-{page if scenario == 'distinct' else 0}-{i}"} for i in (1, 2)
            ]
            return _telnyx_page(items, total_pages=100_000, page=page, size=2)
        return _telnyx_page(items)
    parts = path.strip("/").split("/")
    if parts[:1] != ["enterprises"] or len(parts) < 3 or not parts[1].startswith(ENTERPRISE):
        return None
    if parts[1] != ENTERPRISE:
        return None  # the endless scenarios' enterprises: reputation disabled
    if parts[2:] == ["reputation"]:
        settings = {"enterprise_id": ENTERPRISE, "status": "approved", "loa_status": "approved",
                    "check_frequency": "weekly", "created_at": "2026-01-01T00:00:00Z"}  # fmt: skip
        if scenario == "echo":
            settings["loa_document_id"] = json.dumps({"k": secrets[0]})
            settings["note"] = echoes(secrets[0])
        return {"data": settings}
    if parts[2:] == ["reputation", "numbers"]:
        stamp = "2026-11-02T00:00:00Z"
        items = [
            {"id": f"n{i}", "phone_number": n, "created_at": stamp, "updated_at": stamp,
             "reputation_data": {"spam_risk": "low", "maturity_score": 90, "connection_score": 80,
                                 "engagement_score": 70, "sentiment_score": 60,
                                 "spam_category": None, "last_refreshed_at": stamp}}
            for i, n in enumerate(NUMBERS)
        ]  # fmt: skip
        if scenario == "non_object":
            items = [1, "x", None, *items]
        if scenario == "overflow":
            items[0]["created_at"] = "9999-12-31T23:59:59-23:59"
            items[0]["reputation_data"]["last_refreshed_at"] = "0001-01-01T00:00:00+14:00"
        if scenario == "echo":
            items[0]["reputation_data"]["spam_category"] = secrets[0]
            items[0]["surprise"] = echoes(secrets[0])
        return _telnyx_page(items)
    if parts[2:] == ["reputation", "remediation"]:
        return _telnyx_page([])
    return None


def _plivo(path: str, query: dict[str, str], scenario: str, secrets: list[str]) -> Any:
    parts = path.strip("/").split("/")  # v1 Account <id> <resource>
    if len(parts) < 4 or parts[:2] != ["v1", "Account"]:
        return None
    resource = parts[3]
    offset = int(query.get("offset", "0"))
    carriers = {"att": {"status": "ACTIVE", "updated_at": "2026-11-01T00:00:00Z"},
                "tmobile": {"status": "ACTIVE", "updated_at": "2026-11-01T00:00:00Z"}}  # fmt: skip
    number = {"number": PLIVO_NUMBER, "alias": "main", "number_type": "local",
              "caller_reputation": "enabled", "caller_reputation_status": "ACTIVE",
              "caller_reputation_by_carrier": carriers}  # fmt: skip
    if resource == "Number":
        items: list[Any] = [number]
        if scenario in ("endless", "distinct"):
            step = offset if scenario == "distinct" else 0
            items = [{**number, "number": f"1415555{step + i:04d}"} for i in (0, 1)]
            nxt = f"/v1/Account/{parts[2]}/Number/?limit=2&offset={offset + 2}"
            return {"meta": {"limit": 2, "offset": offset, "next": nxt}, "objects": items}
        if scenario == "non_object":
            items = [1, "x", None, number]
        if scenario == "overflow":
            carriers["att"]["updated_at"] = "9999-12-31T23:59:59-23:59"
        if scenario == "echo":
            number["alias"] = secrets[1]
            number["echo"] = echoes(secrets[1]) | {"pair": echoes(secrets[0])["b64_shift1"]}
        return _plivo_page(items)
    if resource == "Profile":
        profile = {"profile_uuid": "p-1", "ein": "123456789", "company_name": "Hostile Inc"}
        if scenario == "echo":
            profile["company_name"] = echoes(secrets[0])["b64"]
        return _plivo_page([profile], "profiles")
    if resource == "VerifiedCallerId":
        return _plivo_page([])
    return None


def _telnyx_page(items: list[Any], total_pages: int = 1, page: int = 1, size: int = 250) -> Any:
    meta = {"total_pages": total_pages, "page_number": page, "page_size": size}
    if total_pages == 1:
        meta["total_results"] = len(items)
    return {"data": items, "meta": meta}


def _plivo_page(items: list[Any], key: str = "objects") -> Any:
    meta = {"limit": 20, "offset": 0, "next": None, "total_count": len(items)}
    return {"meta": meta, key: items}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: Hostile

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that hangs up on a bomb or a drip is the point, not an error


@contextmanager
def serve(scenario: str, *, bomb_mib: int = BOMB_MIB) -> Iterator[Hostile]:
    """Run the hostile server on an ephemeral loopback port for the duration of the block."""
    assert scenario in SCENARIOS, scenario
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = Hostile(scenario, port=server.server_address[1], bomb_mib=bomb_mib)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.state
    finally:
        server.shutdown()
        server.server_close()
