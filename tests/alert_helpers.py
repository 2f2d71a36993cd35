"""Loopback destinations for the alert tests: a JSON webhook receiver and an SMTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

TOKEN = "Tk9sEcReT4f8Q2zLmN7p"  # a path token, as Slack-like webhook URLs carry


@dataclass
class Webhook:
    """What the loopback webhook received; ``status`` is what it answers."""

    port: int
    status: int = 200
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def url(self, token: str = TOKEN) -> str:
        """An apprise JSON-webhook URL for this receiver, carrying a secret path token."""
        return f"json://127.0.0.1:{self.port}/hook/{token}"

    @property
    def messages(self) -> list[str]:
        return [b["message"] for b in self.bodies]


@contextmanager
def webhook() -> Iterator[Webhook]:
    """A JSON webhook receiver on 127.0.0.1 (any free port) for the block's duration."""
    state: Webhook

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(size))
            if state.status == 200:
                state.bodies.append(body)
            # a failing service that echoes the request path (and so the URL's token) back
            echo = b"" if state.status == 200 else f"no route {self.path}".encode()
            self.send_response(state.status)
            self.send_header("content-length", str(len(echo)))
            self.end_headers()
            self.wfile.write(echo)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = Webhook(port=int(server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Mailbox:
    """The messages a loopback SMTP server accepted."""

    port: int
    messages: list[Message] = field(default_factory=list)

    def url(self) -> str:
        return (
            f"mailto://127.0.0.1:{self.port}?from=callrep@example.com&to=ops@example.com"
            "&mode=insecure"
        )

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp() -> Iterator[Mailbox]:
    """An aiosmtpd server on 127.0.0.1 for the block's duration."""
    box = Mailbox(port=_free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
