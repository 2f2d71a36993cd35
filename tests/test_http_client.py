"""ApiClient.get_json: retries, errors, bounds and redaction, against httpx.MockTransport."""

from __future__ import annotations

import asyncio
import base64
import gzip
import heapq
import itertools
import json
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.errors import (
    AuthError,
    HttpStatusError,
    LimitExceeded,
    NotFoundError,
    TransportFailure,
)
from analytics.http import ApiClient, ProviderLimits, RetryPolicy

SECRET = "KEY0190abcDEF_s3cret"
Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class VirtualTime:
    """A clock that jumps to the next sleeper's deadline once every task is blocked."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.waits.append(delay)
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + delay, next(self._seq), future))
        await future

    def run(self, main: Coroutine[Any, Any, Any]) -> Any:
        async def drive() -> Any:
            task = asyncio.ensure_future(main)
            while not task.done():
                for _ in range(50):  # let every runnable task reach its next sleep
                    await asyncio.sleep(0)
                if self._sleepers and not task.done():
                    deadline, _, future = heapq.heappop(self._sleepers)
                    self.now = max(self.now, deadline)
                    if not future.done():  # a sleeper cancelled meanwhile is skipped
                        future.set_result(None)
            return task.result()

        return asyncio.run(drive())


def make_client(
    handler: Handler,
    vt: VirtualTime,
    *,
    limits: ProviderLimits = ProviderLimits(),  # noqa: B008
    retry: RetryPolicy = RetryPolicy(max_attempts=3),  # noqa: B008
    base_url: str = "https://api.test",
    secrets: tuple[str, ...] = (SECRET,),
) -> ApiClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url=base_url)
    return ApiClient(
        http,
        limits=limits,
        retry=retry,
        secrets=secrets,
        sleep=vt.sleep,
        clock=vt.clock,
        rng=random.Random(7),
    )


def get(
    handler: Handler, url: str = "/v2/things", **kwargs: Any
) -> tuple[Any, ApiClient, VirtualTime]:
    """Run one get_json; return (result or raised exception, client, virtual time)."""
    vt = VirtualTime()
    api = make_client(handler, vt, **kwargs)

    async def main() -> Any:
        try:
            return await api.get_json(url)
        except Exception as exc:
            return exc

    return vt.run(main()), api, vt


Answer = Callable[[], httpx.Response]


def script(*answers: Answer) -> Handler:
    """A handler that plays fresh copies of `answers` in order, then repeats the last one."""
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        return (queue.pop(0) if len(queue) > 1 else queue[0])()

    return handler


def respond(status: int, **kwargs: Any) -> Answer:
    return lambda: httpx.Response(status, **kwargs)


def fail(error: type[httpx.TransportError], message: str) -> Answer:
    def answer() -> httpx.Response:
        raise error(message)

    return answer


def ok() -> httpx.Response:
    return httpx.Response(200, json={"data": [1, 2]})


def test_returns_json_and_sends_a_get_with_a_timeout_relative_to_base_url() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok()

    result, api, vt = get(handler, limits=ProviderLimits(timeout=7.5))
    assert result == {"data": [1, 2]}
    assert [(r.method, str(r.url)) for r in seen] == [("GET", "https://api.test/v2/things")]
    assert seen[0].extensions["timeout"] == httpx.Timeout(7.5).as_dict()
    assert (api.stats.requests, api.stats.retries, vt.waits) == (1, 0, [])


def test_absolute_url_and_params() -> None:
    urls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return ok()

    vt = VirtualTime()
    api = make_client(handler, vt)
    vt.run(api.get_json("https://other.test/x", {"page[size]": 5, "q": "a b"}))
    assert urls == ["https://other.test/x?page%5Bsize%5D=5&q=a+b"]


_PARAM = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)


@settings(max_examples=150, deadline=None)
@given(
    url=st.sampled_from(["/v2/things", "/v2/a b/ü", "/v2/x?q=1", "https://other.test/y", ""]),
    client_params=st.sampled_from([None, {"k": "v"}]),
    pages=st.lists(
        st.dictionaries(_PARAM, st.one_of(_PARAM, st.integers(-(2**70), 2**70))), max_size=3
    ),
)
def test_each_page_is_sent_to_the_url_httpx_itself_builds(
    url: str, client_params: dict[str, str] | None, pages: list[dict[str, Any]]
) -> None:
    """Pages of one listing reuse the listing's parsed URL; each is what build_request gives."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return ok()

    http = httpx.AsyncClient(
        transport=httpx.MockTransport(handler), base_url="https://api.test", params=client_params
    )
    api = ApiClient(http, sleep=VirtualTime().sleep)

    async def main() -> None:
        for params in pages:
            await api.get_json(url, params)

    asyncio.run(main())
    assert sent == [str(http.build_request("GET", url, params=p).url) for p in pages]


def test_client_has_no_write_methods() -> None:
    public = {name for name in dir(ApiClient) if not name.startswith("_")}
    assert public == {"get_json"}


RETRYABLE = {
    "429": respond(429),
    "500": respond(500),
    "502": respond(502),
    "503": respond(503),
    "504": respond(504),
    "ConnectError": fail(httpx.ConnectError, "refused"),
    "ReadTimeout": fail(httpx.ReadTimeout, "slow"),
    "ConnectTimeout": fail(httpx.ConnectTimeout, "slow"),
    "RemoteProtocolError": fail(httpx.RemoteProtocolError, "peer closed connection"),
    "ReadError": fail(httpx.ReadError, "reset"),
    "truncated JSON": respond(200, content=b'{"data": [1, 2'),
    "bad gzip": respond(200, stream=httpx.ByteStream(b"xx"), headers={"content-encoding": "gzip"}),
}


@pytest.mark.parametrize("first", RETRYABLE.values(), ids=RETRYABLE.keys())
def test_retries_then_succeeds(first: Answer) -> None:
    result, api, vt = get(script(first, ok))
    assert result == {"data": [1, 2]}
    assert (api.stats.requests, api.stats.retries, api.stats.failures) == (2, 1, 0)
    assert len(vt.waits) == 1
    assert RetryPolicy().min_wait <= vt.waits[0] <= RetryPolicy().base_delay


def test_bounded_attempts_then_http_status_error() -> None:
    result, api, vt = get(script(respond(503, text="overloaded")))
    assert isinstance(result, HttpStatusError)
    assert type(result) is HttpStatusError
    assert (result.status, result.method, result.body) == (503, "GET", "overloaded")
    assert result.url == "https://api.test/v2/things"
    assert (api.stats.requests, api.stats.retries, api.stats.failures) == (3, 2, 1)
    assert len(vt.waits) == 2


def test_bounded_attempts_then_transport_failure() -> None:
    result, api, _ = get(script(fail(httpx.ConnectError, "refused")))
    assert isinstance(result, TransportFailure)
    assert "https://api.test/v2/things" in str(result)
    assert "ConnectError" in str(result)
    assert result.__cause__ is None and result.__suppress_context__
    assert (api.stats.requests, api.stats.failures) == (3, 1)


def test_truncated_body_every_time_is_a_transport_failure() -> None:
    result, api, _ = get(script(respond(200, content=b"[1, 2")))
    assert isinstance(result, TransportFailure)
    assert "invalid JSON" in str(result)
    assert api.stats.requests == 3


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (400, HttpStatusError),
        (422, HttpStatusError),
    ],
)
def test_client_errors_are_not_retried(status: int, error: type[HttpStatusError]) -> None:
    result, api, vt = get(script(respond(status, text="nope")))
    assert type(result) is error
    assert result.status == status
    assert (api.stats.requests, api.stats.retries, api.stats.failures, vt.waits) == (1, 0, 1, [])


def test_retry_after_zero_is_a_short_real_wait() -> None:
    result, api, vt = get(script(respond(429, headers={"Retry-After": "0"}), ok))
    assert result == {"data": [1, 2]}
    assert vt.waits == [RetryPolicy().min_wait]
    assert api.stats.throttled == 1


@pytest.mark.parametrize(
    "headers", [{"Retry-After": "3"}, {"x-ratelimit-reset": "3"}], ids=["retry-after", "reset"]
)
def test_server_wait_is_honoured(headers: dict[str, str]) -> None:
    _, _, vt = get(script(respond(503, headers=headers), ok))
    assert vt.waits == [3.0]


def test_a_429_pauses_every_task() -> None:
    sent: dict[str, list[float]] = {"/a": [], "/b": []}
    vt = VirtualTime()
    answers = iter([respond(429, headers={"Retry-After": "5"})])

    def handler(request: httpx.Request) -> httpx.Response:
        sent[request.url.path].append(vt.now)
        return next(answers, ok)() if request.url.path == "/a" else ok()

    api = make_client(handler, vt)

    async def late_b() -> Any:
        await vt.sleep(1.0)
        return await api.get_json("/b")

    async def main() -> None:
        await asyncio.gather(api.get_json("/a"), late_b())

    vt.run(main())
    assert sent == {"/a": [0.0, 5.0], "/b": [5.0]}  # without the pause, /b would go at 1.0


def test_concurrency_bound_is_respected() -> None:
    vt = VirtualTime()
    in_flight = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await vt.sleep(1.0)
        in_flight -= 1
        return ok()

    api = make_client(handler, vt, limits=ProviderLimits(concurrency=4))

    async def main() -> None:
        await asyncio.gather(*(api.get_json(f"/n/{i}") for i in range(40)))

    vt.run(main())
    assert peak == 4
    assert vt.now == 10.0


def test_rate_limit_applies_to_requests() -> None:
    vt = VirtualTime()
    sent: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(vt.now)
        return ok()

    api = make_client(handler, vt, limits=ProviderLimits(rate=5, period=1.0))

    async def main() -> None:
        await asyncio.gather(*(api.get_json(f"/n/{i}") for i in range(20)))

    vt.run(main())
    assert len(sent) == 20
    assert all(later >= earlier + 1.0 for earlier, later in zip(sent, sent[5:], strict=False))


# --- secrets never leak -------------------------------------------------------------------

LEAKY_CASES = {
    "query": dict(url=f"/v2/x?api_key={SECRET}&q={SECRET}"),
    "path": dict(url=f"/v1/Account/{SECRET}/Call/"),
    "userinfo": dict(base_url=f"https://MA123:{SECRET}@api.test"),
}


def echo(status: int) -> Handler:
    """A server that echoes the request, credentials included, in its error body."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = {"url": str(request.url), "authorization": f"Bearer {SECRET}", "key": SECRET}
        return httpx.Response(status, text=json.dumps(body))

    return handler


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"cannot connect to {request.url} with {SECRET}", request=request)


@pytest.mark.parametrize("where", LEAKY_CASES.values(), ids=LEAKY_CASES.keys())
@pytest.mark.parametrize(
    "handler", [echo(401), echo(404), echo(500), refuse], ids=["401", "404", "500", "refused"]
)
def test_secret_never_appears_in_errors_or_logs(
    where: dict[str, str], handler: Handler, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="callrep.http")
    url = where.get("url", "/v2/x")
    base_url = where.get("base_url", "https://api.test")
    result, api, _ = get(handler, url, base_url=base_url)
    shown = str(result) + repr(result) + caplog.text + repr(api) + repr(api.stats)
    assert SECRET not in shown


def test_bearer_echo_is_masked_even_when_not_listed_as_a_secret() -> None:
    body = "invalid header Authorization: Bearer KEYunlisted_123"
    result, _, _ = get(script(respond(401, text=body)), secrets=())
    assert isinstance(result, AuthError)
    assert "KEYunlisted_123" not in str(result) + repr(result)
    assert "Bearer ***" in str(result)


def test_retries_are_logged_at_debug_with_the_redacted_url(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="callrep.http")
    get(script(respond(502), ok), f"/v2/x?token={SECRET}")
    (record,) = caplog.records
    assert record.levelno == logging.DEBUG
    assert "token=***" in record.getMessage() and "HTTP 502" in record.getMessage()


def test_a_decompression_bomb_stops_at_the_body_cap_without_retrying() -> None:
    bomb = gzip.compress(b"[" + b"0," * 2**20)  # 2 MiB decoded, a few KB on the wire
    answer = respond(200, content=bomb, headers={"Content-Encoding": "gzip"})
    result, api, _ = get(script(answer), limits=ProviderLimits(max_body_bytes=2**18))
    assert isinstance(result, LimitExceeded)
    assert "provider.max_body_bytes" in str(result) and api.stats.requests == 1


def test_the_run_byte_cap_counts_every_response() -> None:
    async def main(api: ApiClient) -> Any:
        for _ in range(5):
            await api.get_json("/v2/things")

    vt = VirtualTime()
    api = make_client(
        script(respond(200, json=list(range(100)))), vt, limits=ProviderLimits(max_bytes=1000)
    )
    with pytest.raises(LimitExceeded, match=r"provider\.max_bytes"):
        vt.run(main(api))


def test_a_2xx_echo_of_the_secret_is_masked_in_every_form_before_parsing() -> None:
    encoded = base64.b64encode(b"x" + SECRET.encode()).decode()
    escaped = "".join(f"\\u{ord(c):04x}" for c in SECRET)  # only visible once parsed
    values = [SECRET, quote(SECRET, safe=""), encoded, escaped]
    body = "{" + ", ".join(f'"{k}": "{v}"' for k, v in zip("abcd", values, strict=True)) + "}"
    result, _, _ = get(script(respond(200, content=body.encode())))
    assert SECRET not in json.dumps(result) and SECRET not in str(result)
    assert encoded[4:-4] not in json.dumps(result)
    assert result["d"] == "***"


def test_an_error_body_with_newlines_is_one_escaped_line() -> None:
    result, _, _ = get(script(respond(400, text="bad\ntelnyx: ok (run 9)\r\n")))
    assert isinstance(result, HttpStatusError)
    assert "\n" not in str(result) and "\\ntelnyx: ok (run 9)" in str(result)
