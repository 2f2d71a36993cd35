"""ScalingTransport (httpx over aiohttp) keeps every guarantee of httpx's own transport.

Loopback servers only: the hostile provider for redirects, bombs and drips, and a raw
asyncio server for answers no HTTP library would send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from analytics.errors import HttpStatusError, LimitExceeded, TransportFailure
from analytics.http import ApiClient, ProviderLimits, RetryPolicy
from analytics.http.transport import ScalingTransport
from tests import hostile

LIMITS = ProviderLimits(concurrency=4, max_body_bytes=2**20, request_deadline=0.5, timeout=5.0)
RETRY = RetryPolicy(max_attempts=2, base_delay=0.0, min_wait=0.01)


async def no_wait(_: float) -> None:
    await asyncio.sleep(0)


def fetch(base_url: str, path: str, **client: Any) -> Any:
    """GET `path` through an ApiClient on a ScalingTransport; the JSON body."""

    async def go() -> Any:
        async with httpx.AsyncClient(
            base_url=base_url, transport=ScalingTransport(4), timeout=5.0, **client
        ) as http:
            api = ApiClient(http, limits=LIMITS, retry=RETRY, sleep=no_wait)
            return await api.get_json(path)

    return asyncio.run(go())


def test_pages_arrive_through_the_transport() -> None:
    with hostile.serve("non_object") as server:
        body = fetch(server.telnyx_url, "/enterprises/ent-1/reputation/numbers")
    assert [i["phone_number"] for i in body["data"] if isinstance(i, dict)] == list(hostile.NUMBERS)


def test_a_redirect_is_an_error_and_never_followed() -> None:
    with hostile.serve("redirect") as server, pytest.raises(HttpStatusError, match="HTTP 302"):
        fetch(server.telnyx_url, "/enterprises")
    assert server.paths == ["/v2/enterprises"]


def test_a_gzip_bomb_stops_at_the_decoded_body_cap() -> None:
    bomb = hostile.serve("bomb", bomb_mib=8)
    with bomb as server, pytest.raises(LimitExceeded, match="max_body_bytes"):
        fetch(server.telnyx_url, "/enterprises/ent-1/reputation/numbers")


def test_a_dripping_body_is_cut_by_the_request_deadline() -> None:
    drip = pytest.raises(TransportFailure, match="request_deadline_seconds")
    with hostile.serve("drip") as server, drip:
        fetch(server.plivo_url, "/Account/MA1/Number/")


Reply = Callable[[bytes], Awaitable[bytes | None]]


def raw_server(reply: Reply) -> Callable[[Callable[[str], Any]], Any]:
    """Run `test(base_url)` against a loopback server answering each request with `reply`."""

    def run(test: Callable[[str], Any]) -> Any:
        async def go() -> Any:
            async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                try:
                    while head := await reader.readuntil(b"\r\n\r\n"):
                        out = await reply(head)
                        if out is None:
                            break
                        writer.write(out)
                        await writer.drain()
                except (asyncio.IncompleteReadError, ConnectionError):
                    pass
                finally:
                    writer.close()

            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            async with server:
                return await asyncio.to_thread(test, f"http://127.0.0.1:{port}")

        return asyncio.run(go())

    return run


@pytest.mark.parametrize(
    "answer",
    [
        b'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n{"data": [',  # hangs up mid-body
        b"NOT HTTP AT ALL\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nbad header line\r\n\r\n{}",
    ],
)
def test_a_broken_answer_is_a_transport_failure_after_the_retries(answer: bytes) -> None:
    seen: list[bytes] = []

    async def reply(head: bytes) -> bytes | None:
        seen.append(head)
        return answer

    def test(url: str) -> None:
        with pytest.raises(TransportFailure, match="failed after 2 attempts"):
            fetch(url, "/x")

    raw_server(reply)(test)
    assert len(seen) == 2


def test_cookies_are_sent_once_by_httpx_and_not_kept_by_aiohttp() -> None:
    heads: list[bytes] = []

    async def reply(head: bytes) -> bytes:
        heads.append(head)
        return b"HTTP/1.1 200 OK\r\nset-cookie: s=1; Path=/\r\ncontent-length: 2\r\n\r\n{}"

    def test(url: str) -> None:
        async def go() -> None:
            async with httpx.AsyncClient(base_url=url, transport=ScalingTransport(1)) as http:
                api = ApiClient(http, limits=LIMITS, retry=RETRY, sleep=no_wait)
                await api.get_json("/a")
                await api.get_json("/b")

        asyncio.run(go())

    raw_server(reply)(test)
    cookies = [line for line in heads[1].lower().split(b"\r\n") if line.startswith(b"cookie:")]
    assert cookies == [b"cookie: s=1"]
