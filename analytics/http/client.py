"""A read-only JSON client with bounded concurrency, rate limiting and explicit retries."""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from analytics.errors import (
    ApiError,
    AuthError,
    HttpStatusError,
    LimitExceeded,
    NotFoundError,
    TransportFailure,
)
from analytics.http.budget import RunBudget
from analytics.http.jsonparse import loads
from analytics.http.limits import ProviderLimits
from analytics.http.ratelimit import RateLimiter
from analytics.http.redact import Redactor, one_line, redact_url
from analytics.http.retry import (
    RetryPolicy,
    announced_limit,
    announced_quota,
    backoff_delay,
    server_wait,
)

log = logging.getLogger("callrep.http")

# Failures that happen before a complete answer arrives; a bad gzip stream is a truncated body.
_RETRYABLE_ERRORS = (httpx.TransportError, httpx.DecodingError)


@dataclass
class RequestStats:
    """Counters for one client, for logs and run summaries."""

    requests: int = 0  # HTTP attempts sent
    retries: int = 0
    throttled: int = 0  # 429 answers received
    failures: int = 0  # requests that failed for good
    repeated_pages: int = 0  # listing pages that repeated an earlier one (the listing stopped)

    def notes(self) -> dict[str, int]:
        """Counters worth a place in the run's per-entity counts (only when non-zero)."""
        return {"repeated_pages": self.repeated_pages} if self.repeated_pages else {}


class _Retryable(Exception):
    """One attempt failed in a way worth retrying: a retryable status, a transport error or
    a 2xx answer whose body is not valid JSON (usually a truncated body)."""

    def __init__(self, reason: str, response: httpx.Response | None = None, body: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.response = response
        self.body = body  # the redacted body text of `response`


class ApiClient:
    """Read-only JSON client: GET only, by construction (there is no other method)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        limits: ProviderLimits = ProviderLimits(),  # noqa: B008 - frozen, so safe to share
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so safe to share
        secrets: Sequence[str] = (),
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        name: str = "provider",
    ) -> None:
        self._http = http
        self._retry = retry
        self._secrets = tuple(s for s in secrets if s)
        self._redactor = Redactor(self._secrets)
        self._limits = limits
        self.budget = RunBudget(limits, name)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()
        self._timeout = httpx.Timeout(limits.timeout)
        self._slots = asyncio.Semaphore(limits.concurrency)
        rate = math.inf if limits.rate is None else limits.rate
        self._limiter = RateLimiter(rate, limits.period, clock=clock, sleep=sleep)
        self.stats = RequestStats()
        self._listings: dict[str, httpx.URL] = {}  # url -> its absolute form (_request)

    async def get_json(self, url: str, params: Mapping[str, str | int] | None = None) -> Any:
        """GET `url` (absolute or relative to the client's base_url) and return the JSON body.

        Retries `retry.retry_statuses`, transport errors and truncated 2xx bodies; raises
        AuthError (401/403), NotFoundError (404), HttpStatusError or TransportFailure.
        """
        # Built once and sent by every attempt: building a request costs as much CPU as
        # aiohttp's whole send. Its redacted URL is made only for a message that shows it.
        request = self._request(url, params)
        try:
            return await self._get_with_retries(request)
        except LimitExceeded as err:
            self.stats.failures += 1
            raise LimitExceeded(f"GET {self._shown(request)}: {err}") from None
        except ApiError:
            self.stats.failures += 1
            raise

    def _request(self, url: str, params: Mapping[str, str | int] | None) -> httpx.Request:
        """The GET of `url` with `params`, as ``build_request`` makes it, parsing `url` once
        per listing.

        httpx parses a URL three times in each ``build_request`` with params (a third of a
        page's request CPU). A listing's pages differ only in their query: the absolute form
        of its URL is kept, and each page sets the query encoded as httpx encodes params.
        Where httpx would merge queries (the URL's own, the client's params), it builds.
        """
        if not params or self._http.params or "?" in url:
            return self._http.build_request("GET", url, params=params, timeout=self._timeout)
        base = self._listings.get(url)
        if base is None:
            base = self._listings[url] = self._http.build_request("GET", url).url
        if base.query:  # the base URL's own query: httpx's rules decide
            return self._http.build_request("GET", url, params=params, timeout=self._timeout)
        query = str(httpx.QueryParams(params)).encode("ascii")
        return self._http.build_request("GET", base.copy_with(query=query), timeout=self._timeout)

    async def _get_with_retries(self, request: httpx.Request) -> Any:
        """Up to `retry.max_attempts` attempts, waiting between them; raise the last failure."""
        attempts = self._retry.max_attempts
        attempt = 1
        while True:
            try:
                return await self._attempt(request)
            except _Retryable as failure:
                if attempt == attempts:
                    raise self._final_error(failure, request) from None
                wait = self._wait_after(failure, attempt)
                self.stats.retries += 1
                log.debug(
                    "GET %s: %s; retry %d/%d in %.2fs",
                    self._shown(request),
                    failure.reason,
                    attempt,
                    attempts - 1,
                    wait,
                )
                await self._sleep(wait)
            attempt += 1

    async def _attempt(self, request: httpx.Request) -> Any:
        """Send one GET inside the concurrency and rate bounds; return the parsed JSON body.

        The body is read as a stream and counted as it is decoded, so neither a
        decompression bomb nor a dripping server gets past `max_body_bytes` or
        `request_deadline`; every secret is masked in it before it is parsed.
        """
        async with self._slots:
            await self._limiter.acquire()
            self.stats.requests += 1
            quota = limit = None
            try:
                async with asyncio.timeout(self._limits.request_deadline):
                    response, body = await self._send(request)
                quota = announced_quota(response.headers, self._retry)
                limit = announced_limit(response.headers)
            except TimeoutError:
                raise _Retryable(
                    f"no complete answer within {self._limits.request_deadline:g} s "
                    f"({self.budget.provider}.request_deadline_seconds)"
                ) from None
            except _RETRYABLE_ERRORS as exc:
                detail = self._redactor.text(str(exc), limit=200)
                raise _Retryable(
                    f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
                ) from None
            finally:
                self._limiter.answered(quota, limit)
        text = self._redactor.json_text(body.decode("utf-8", errors="replace"))
        if response.is_success:
            try:
                return self._redactor.parsed(loads(text), text)
            except (ValueError, RecursionError):  # JSONDecodeError, absurd nesting
                raise _Retryable("invalid JSON in a 2xx answer", response, text) from None
        if response.status_code == 429:
            self.stats.throttled += 1
        if response.status_code in self._retry.retry_statuses:
            raise _Retryable(f"HTTP {response.status_code}", response, text)
        raise self._status_error(response.status_code, text, request)

    async def _send(self, request: httpx.Request) -> tuple[httpx.Response, bytes]:
        """Send `request` and read its decoded body, refusing more than `max_body_bytes`."""
        cap = self._limits.max_body_bytes
        response = await self._http.send(request, stream=True)
        try:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                self.budget.add_bytes(len(chunk))
                if size > cap:
                    raise self.budget.exceeded("max_body_bytes", "decoded bytes in one response")
                chunks.append(chunk)
        finally:
            await response.aclose()
        return response, b"".join(chunks)

    def _wait_after(self, failure: _Retryable, attempt: int) -> float:
        """The server's requested wait if any, else backoff; a 429 pauses every task."""
        response = failure.response
        wait = server_wait(response.headers, self._retry) if response is not None else None
        if wait is None:
            wait = backoff_delay(self._retry, attempt, self._rng)
        if response is not None and response.status_code == 429:
            self._limiter.pause_until(self._clock() + wait)
        return wait

    def _final_error(self, failure: _Retryable, request: httpx.Request) -> ApiError:
        """The error for a request whose last attempt failed."""
        if failure.response is not None and not failure.response.is_success:
            return self._status_error(failure.response.status_code, failure.body, request)
        attempts = self._retry.max_attempts
        return TransportFailure(
            f"GET {self._shown(request)} failed after {attempts} attempts: {failure.reason}"
        )

    def _status_error(self, status: int, body: str, request: httpx.Request) -> HttpStatusError:
        """An HttpStatusError (or subclass) with the redacted URL and a redacted, escaped body."""
        cls = {401: AuthError, 403: AuthError, 404: NotFoundError}.get(status, HttpStatusError)
        return cls(status, "GET", self._shown(request), one_line(self._redactor.text(body)))

    def _shown(self, request: httpx.Request) -> str:
        """The request's URL as messages may show it: no userinfo, every secret masked."""
        return redact_url(request.url, self._secrets)
