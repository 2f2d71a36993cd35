"""The network transport: httpx's API over aiohttp's connection pool, which scales.

httpx's own pool costs CPU per request that grows with the requests in flight
(encode/httpx#3215): on the bench, 2.5 ms of client CPU per 100 KB page at 16 in flight and
15 ms at 64, so callrep got slower as concurrency rose. Through ``httpx-aiohttp`` the same
requests cost about 1 ms at either. Everything above the transport stays httpx: the
``AsyncClient``, its auth, hooks, timeouts and the body decoding.

What callrep relies on is kept: no redirect is ever followed; bodies arrive undecoded and
httpx decodes them while they stream, so the decoded-bytes cap still stops a gzip bomb; the
read and connect timeouts map onto aiohttp's; aiohttp keeps no cookies of its own (httpx
does, as before); and every aiohttp failure surfaces as an ``httpx.TransportError``.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from functools import cache

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

KEEPALIVE_SECONDS = 5.0  # httpx's default keep-alive expiry


class ScalingTransport(AiohttpTransport):
    """``httpx.AsyncClient(transport=ScalingTransport(size))``: a pool of `size` connections."""

    def __init__(self, size: int) -> None:
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        super().__init__(verify=verified_context(), limits=limits, client=self._session)
        self._size = size

    def _session(self) -> aiohttp.ClientSession:
        """Made on the first request, inside the running event loop, as aiohttp requires."""
        connector = aiohttp.TCPConnector(
            limit=self._size, keepalive_timeout=KEEPALIVE_SECONDS, ssl=self.ssl_context
        )
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`; aiohttp errors that httpx-aiohttp leaves unmapped become httpx's."""
        try:
            response = await super().handle_async_request(request)
        except aiohttp.ClientError as exc:
            raise _transport_error(exc) from exc
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        response.stream = _Mapped(stream)
        return response


@cache
def verified_context() -> ssl.SSLContext:
    """httpx's default verifying TLS context, made once per process and shared by every
    transport: loading the CA bundle costs ~50 ms of CPU on the event loop, once per account
    before its first request when each transport made its own."""
    return httpx.create_ssl_context()


class _Mapped(httpx.AsyncByteStream):
    """A response body stream whose aiohttp errors surface as httpx errors."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except aiohttp.ClientError as exc:
            raise _transport_error(exc) from exc

    async def aclose(self) -> None:
        await self._inner.aclose()


def _transport_error(exc: aiohttp.ClientError) -> httpx.TransportError:
    """A malformed answer is a protocol error; any other failure a read error."""
    cls = (
        httpx.RemoteProtocolError
        if isinstance(exc, aiohttp.ClientResponseError)
        else httpx.ReadError
    )
    return cls(f"{type(exc).__name__}: {exc}")
