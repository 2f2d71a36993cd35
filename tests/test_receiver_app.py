"""The receiver app over loopback HTTP (uvicorn in a thread): what it accepts, refuses, spools."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from analytics.receiver.app import MAX_BODY_BYTES, PATH, ReceiverConfig, create_app
from analytics.receiver.segments import SegmentWriter, closed_segments
from tests.receiver_helpers import (
    AUTH_ID,
    AUTH_TOKEN,
    PATH_TOKEN,
    LoopbackServer,
    payload,
    plivo_signature,
    signed_form,
)

PUBLIC = "https://callbacks.example.com"


def make_client(spool: Path, **config: Any) -> LoopbackServer:
    settings: dict[str, Any] = {"tokens": {AUTH_ID: config.pop("auth_token", AUTH_TOKEN)}, **config}
    app = create_app(
        ReceiverConfig(**settings), SegmentWriter(spool), SegmentWriter(spool / "quarantine")
    )
    return LoopbackServer(app)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LoopbackServer]:
    with make_client(tmp_path / "spool", public_url=PUBLIC, path_token=PATH_TOKEN) as s:
        yield s


@pytest.fixture
def client(server: LoopbackServer) -> httpx.Client:
    return server.http


def spooled(folder: Path) -> list[dict[str, Any]]:
    """Every line of the closed segments of ``folder`` (the receiver must have stopped)."""
    return [
        json.loads(line) for seg in closed_segments(folder) for line in seg.read_text().splitlines()
    ]


def health(client: httpx.Client) -> dict[str, Any]:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    return answer.json()


def test_signed_form_json_and_get_callbacks_are_spooled_with_received_at(tmp_path: Path):
    spool = tmp_path / "spool"
    with make_client(spool, public_url=PUBLIC) as s:
        c = s.http
        form = payload()
        assert c.post(PATH, **signed_form(PUBLIC + PATH, form)).status_code == 200
        body = payload(carrier="tmobile")
        sig = plivo_signature("POST", PUBLIC + PATH, body, "n2")
        headers = {"x-plivo-signature-v3": sig, "x-plivo-signature-v3-nonce": "n2"}
        assert c.post(PATH, json=body, headers=headers).status_code == 200
        query = urlencode(payload(caller_reputation_status="FAILED"))
        sig = plivo_signature("GET", f"{PUBLIC}{PATH}?{query}", {}, "n3")
        headers = {"x-plivo-signature-v3": sig, "x-plivo-signature-v3-nonce": "n3"}
        assert c.get(f"{PATH}?{query}", headers=headers).status_code == 200
        assert health(c)["accepted"] == 3
    lines = spooled(spool)
    assert [(x["carrier"], x["caller_reputation_status"]) for x in lines] == [
        ("att", "ACTIVE"),
        ("tmobile", "ACTIVE"),
        ("att", "FAILED"),
    ]
    assert all(x["received_at"].endswith("+00:00") for x in lines)


def test_trusted_forwarded_headers_give_the_signed_url(tmp_path: Path):
    with make_client(tmp_path / "s", trust_forwarded=True) as s:
        c = s.http
        args = signed_form("https://cb.example.org" + PATH, payload())
        args["headers"] |= {"x-forwarded-proto": "https", "x-forwarded-host": "cb.example.org"}
        assert c.post(PATH, **args).status_code == 200
    with make_client(tmp_path / "t") as s:  # not trusted: the Host header's URL is checked
        c = s.http
        args = signed_form("https://cb.example.org" + PATH, payload())
        args["headers"] |= {"x-forwarded-proto": "https", "x-forwarded-host": "cb.example.org"}
        assert c.post(PATH, **args).status_code == 403


def test_bad_or_missing_signature_is_403_and_quarantined(
    server: LoopbackServer, client: httpx.Client, tmp_path: Path
):
    assert client.post(PATH, data=payload()).status_code == 403
    args = signed_form(PUBLIC + PATH, payload())
    args["content"] = urlencode(payload(caller_reputation_status="FAILED")).encode()
    assert client.post(PATH, **args).status_code == 403  # tampered body
    wrong_url = signed_form("https://elsewhere.example.com" + PATH, payload())
    assert client.post(PATH, **wrong_url).status_code == 403
    assert health(client)["quarantined"] == 3
    assert health(client)["accepted"] == 0
    server.stop()
    kept = spooled(tmp_path / "spool" / "quarantine")
    assert len(kept) == 3 and all("refused" in x for x in kept)
    assert spooled(tmp_path / "spool") == []


def test_wrong_auth_id_is_403(client: httpx.Client):
    other = payload(auth_id="MAOTHERACCOUNT99")
    assert client.post(PATH, **signed_form(PUBLIC + PATH, other)).status_code == 403
    assert health(client)["quarantined"] == 1


def test_replayed_nonce_is_accepted_and_logged(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
):
    args = signed_form(PUBLIC + PATH, payload(), nonce="once")
    with caplog.at_level(logging.INFO, logger="callrep.receiver"):
        assert client.post(PATH, **args).status_code == 200
        assert client.post(PATH, **args).status_code == 200
    assert any("replayed signature nonce" in r.message for r in caplog.records)
    assert health(client)["replayed_nonces"] == 1


def test_secret_path_token_authenticates_and_is_never_logged(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.INFO, logger="callrep.receiver"):
        assert client.post(f"{PATH}/{PATH_TOKEN}", data=payload()).status_code == 200
        assert client.post(f"{PATH}/wrongtoken0123456789", data=payload()).status_code == 403
    assert len([r for r in caplog.records if r.name == "callrep.receiver"]) == 2
    assert all(PATH_TOKEN not in r.getMessage() for r in caplog.records)
    assert all(AUTH_TOKEN not in r.getMessage() for r in caplog.records)


def test_body_over_64_kb_is_413(client: httpx.Client):
    big = urlencode(payload(profile_uuid="x" * MAX_BODY_BYTES)).encode()
    assert client.post(PATH, content=big).status_code == 413
    chunks = (b"x" * 8192 for _ in range(10))  # no Content-Length: counted as it streams
    assert client.post(PATH, content=chunks).status_code == 413
    assert client.post(PATH, content=b"x" * MAX_BODY_BYTES).status_code == 400  # at the cap


def test_wrong_method_or_path(client: httpx.Client):
    assert client.put(PATH, content=b"").status_code == 405
    assert client.delete(PATH).status_code == 405
    assert client.post("/plivo/other", data=payload()).status_code == 404
    assert client.post(PATH + "/a/b", data=payload()).status_code == 404


def test_not_a_callback_is_400(client: httpx.Client):
    assert client.post(PATH, data={"number": "1"}).status_code == 400
    headers = {"content-type": "application/json"}
    assert client.post(PATH, content=b"[1]", headers=headers).status_code == 400
    assert client.post(PATH, content=b"{", headers=headers).status_code == 400


def test_allow_unsigned_warns_on_every_request(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    with (
        make_client(tmp_path / "s", auth_token=None, allow_unsigned=True) as s,
        caplog.at_level(logging.INFO, logger="callrep.receiver"),
    ):
        for _ in range(2):
            assert s.http.post(PATH, data=payload()).status_code == 200
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


def test_one_log_line_per_request_even_404_and_405(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.INFO, logger="callrep.receiver"):
        client.put(PATH, content=b"")
        client.get(f"/plivo/caller-reputation/{PATH_TOKEN}/x")
        client.post(PATH, data=payload())
    lines = [r.getMessage() for r in caplog.records if r.name == "callrep.receiver"]
    assert [line.split()[:3] for line in lines] == [
        ["PUT", PATH, "405"],
        ["GET", PATH + "/<token>", "404"],
        ["POST", PATH, "403"],
    ]
    assert lines[2].endswith("no X-Plivo-Signature-V3 / -Nonce")
    assert all(PATH_TOKEN not in line for line in lines)
