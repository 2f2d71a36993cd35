"""Shared helpers for the receiver tests: signing requests as Plivo does (with its package)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from plivo.utils.signature_v3 import construct_get_url, construct_post_url, get_signature_v3

AUTH_ID = "MAZTESTACCOUNT01"
AUTH_TOKEN = "test-auth-token-0123456789"
PATH_TOKEN = "pathtoken0123456789abcdef"


def payload(**over: Any) -> dict[str, str]:
    """One status callback, as Plivo documents it."""
    base = {
        "number": "14155550123",
        "carrier": "att",
        "caller_reputation_status": "ACTIVE",
        "auth_id": AUTH_ID,
        "profile_uuid": "8444eccc-5af9-404d-a46f-d2fd31cd74de",
    }
    return {**base, **over}


def plivo_signature(
    method: str, url: str, params: dict[str, Any], nonce: str, token: str = AUTH_TOKEN
) -> str:
    """The header Plivo sends, computed with the official package's own functions."""
    if method == "GET":
        base = construct_get_url(url, dict(params)).decode("utf-8")
    else:
        base = construct_post_url(url, dict(params)).decode("utf-8")
    return get_signature_v3(token.encode(), base, nonce.encode()).decode()


def signed_form(url: str, params: dict[str, str], nonce: str = "nonce-1") -> dict[str, Any]:
    """httpx request arguments for a signed form POST to ``url``."""
    return {
        "content": urlencode(params).encode(),
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "x-plivo-signature-v3": plivo_signature("POST", url, params, nonce),
            "x-plivo-signature-v3-nonce": nonce,
        },
    }


class LoopbackServer:
    """An ASGI app served by uvicorn on 127.0.0.1 (a free port) in a thread, with a client."""

    def __init__(self, app: Any) -> None:
        import socket
        import threading

        import httpx
        import uvicorn

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        port = self._sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, args=([self._sock],))
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            self._thread.join(0.01)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop as SIGTERM would: drain, then run the app's shutdown."""
        if self._thread.is_alive():
            self.http.close()
            self._server.should_exit = True
            self._thread.join(10)
            self._sock.close()
