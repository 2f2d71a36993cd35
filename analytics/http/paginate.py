"""Pagination as small strategy objects, and the one loop that drives them.

A paginator knows its provider's parameters and response shape: which params ask for the
first page, which pages remain when the total is known, which page follows when it is not,
and whether a page is the last. `fetch_all` never follows a URL the server hands back; it
computes every request itself, so a lying `next` link cannot send us to another host. A page
whose items repeat an earlier page's ends the listing (the server ignores our paging), and
the client's run budget caps pages and records, whatever the server claims.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from analytics.http.client import ApiClient

log = logging.getLogger("callrep.http")

MAX_PAGES = 100_000  # pages of one listing, whatever the server claims (runs have own caps)
_AHEAD = 128  # pages requested beyond the first one not yet checked (bounds any overfetch)


@dataclass
class Page:
    """One page of a listing."""

    body: dict  # the whole JSON response
    items: list[dict]


class Paginator(Protocol):
    """What `fetch_all` needs from a pagination strategy."""

    def first_params(self) -> dict[str, int]: ...
    def make_page(self, body: Any) -> Page: ...
    def is_last(self, page: Page) -> bool: ...
    def remaining_params(self, first: Page) -> list[dict[str, int]] | None: ...
    def next_params(self, page: Page, sent: Mapping[str, int]) -> dict[str, int] | None: ...


class PageNumberPaginator:
    """Telnyx JSON:API: `page[number]` (1-based) and `page[size]`; the total is in `meta`.

    Body: {"data": [...], "meta": {"total_pages", "total_results", "page_number", "page_size"}}.
    """

    def __init__(self, page_size: int = 250, items_key: str = "data") -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, got {page_size}")
        self.page_size = page_size
        self.items_key = items_key

    def first_params(self) -> dict[str, int]:
        """Ask for page 1 with an explicit size."""
        return {"page[number]": 1, "page[size]": self.page_size}

    def make_page(self, body: Any) -> Page:
        """Wrap a response body."""
        return _page(body, self.items_key)

    def is_last(self, page: Page) -> bool:
        """A short or empty page, or one without a usable meta, ends the listing."""
        size = _effective_size(_meta(page).get("page_size"), self.page_size)
        return len(page.items) < size or not _meta(page)

    def remaining_params(self, first: Page) -> list[dict[str, int]]:
        """Params for pages 2..total_pages, capped by ceil(total_results / size) and MAX_PAGES."""
        meta = _meta(first)
        size = _effective_size(meta.get("page_size"), self.page_size)
        results = _count(meta.get("total_results"))
        caps = [
            _count(meta.get("total_pages")),
            None if results is None else math.ceil(results / size),
        ]
        last = min((c for c in caps if c is not None), default=1)
        return [
            {"page[number]": n, "page[size]": self.page_size}
            for n in range(2, min(last, MAX_PAGES) + 1)
        ]

    def next_params(self, page: Page, sent: Mapping[str, int]) -> None:
        """Telnyx reports its total, or its meta is unusable: nothing to follow one by one."""
        return None


class OffsetPaginator:
    """Plivo: `limit` and `offset`; `meta.next` is null on the last page.

    Body: {"meta": {"limit", "next", "offset", "previous", "total_count"}, "<items_key>": [...]};
    `meta` may lack `total_count`, and then the pages are followed one by one.
    """

    def __init__(self, limit: int = 20, items_key: str = "objects") -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self.limit = limit
        self.items_key = items_key

    def first_params(self) -> dict[str, int]:
        """Ask for offset 0 with an explicit limit."""
        return {"limit": self.limit, "offset": 0}

    def make_page(self, body: Any) -> Page:
        """Wrap a response body."""
        return _page(body, self.items_key)

    def is_last(self, page: Page) -> bool:
        """A short or empty page, a null `meta.next` or a missing meta ends the listing."""
        meta = _meta(page)
        size = _effective_size(meta.get("limit"), self.limit)
        return len(page.items) < size or meta.get("next") is None

    def remaining_params(self, first: Page) -> list[dict[str, int]] | None:
        """Params for every later offset when `total_count` is known, else None."""
        meta = _meta(first)
        total = _count(meta.get("total_count"))
        if total is None:
            return None
        step = _effective_size(meta.get("limit"), self.limit)
        pages = min(math.ceil(total / step), MAX_PAGES)
        return [{"limit": self.limit, "offset": n * step} for n in range(1, pages)]

    def next_params(self, page: Page, sent: Mapping[str, int]) -> dict[str, int]:
        """The page after `page`, which was fetched with `sent`."""
        step = _effective_size(_meta(page).get("limit"), self.limit)
        return {"limit": self.limit, "offset": sent["offset"] + step}


async def fetch_all(
    api: ApiClient,
    url: str,
    paginator: Paginator,
    params: Mapping | None = None,
    *,
    on_page: Callable[[Page], object] | None = None,
) -> list[Page]:
    """Every page of the listing at `url`, in order, ending at the first short or empty page.

    When the first page reveals the total, the remaining pages are fetched concurrently (the
    ApiClient bounds how many are in flight) and checked in order as they arrive, never more
    than `_AHEAD` past the first unchecked page, so no batch boundary idles the pool;
    otherwise they are followed one by one. ``on_page``, when given, sees each page of the
    result in order as soon as it is accepted (e.g. to type records while later pages arrive).
    """
    base = dict(params or {})
    listing = _Listing(api, url)
    pages: list[Page] = []

    def accept(page: Page) -> None:
        pages.append(page)
        if on_page is not None:
            on_page(page)

    async def fetch(page_params: Mapping[str, int]) -> Page:
        return paginator.make_page(await api.get_json(url, {**base, **page_params}))

    sent = paginator.first_params()
    first = await fetch(sent)
    listing.is_new(first)
    accept(first)
    if paginator.is_last(first):
        return pages
    remaining = paginator.remaining_params(first)
    if remaining is not None:
        await _fetch_ahead(fetch, remaining, accept, paginator, listing)
        return pages
    while len(pages) < MAX_PAGES and not paginator.is_last(pages[-1]):
        follow = paginator.next_params(pages[-1], sent)
        if follow is None:
            break
        sent = follow
        page = await fetch(sent)
        if not listing.is_new(page):
            break
        accept(page)
    return pages


class _Listing:
    """The pages of one listing seen so far, by content, to notice a server that repeats one."""

    def __init__(self, api: ApiClient, url: str) -> None:
        self._api = api
        self._url = url
        self._seen: set[bytes] = set()

    def is_new(self, page: Page) -> bool:
        """False (logged and counted) when `page` has items and an earlier page had the same.

        A new page is counted against the run's page and record caps.
        """
        if not page.items:
            self._api.budget.add_page(0)
            return True
        digest = hashlib.sha256(_canonical(page.items)).digest()  # SHA-NI: 2x blake2b's speed
        if digest not in self._seen:
            self._seen.add(digest)
            self._api.budget.add_page(len(page.items))
            return True
        self._api.stats.repeated_pages += 1
        log.warning("GET %s: a page repeats an earlier one; the listing ends there", self._url)
        return False

    def room(self) -> int:
        """How many requests may run ahead of the first unchecked page: at most `_AHEAD`, and
        never more than the pages the run may still accept plus the one that passes the cap,
        so a listing that outruns ``max_pages`` costs one request past it, not `_AHEAD`."""
        return min(_AHEAD, self._api.budget.pages_left() + 1)


def _canonical(items: list[Any]) -> bytes:
    """`items` as JSON with sorted keys: the same bytes for the same content (orjson is ~10x
    faster than the stdlib; the stdlib takes what orjson cannot, e.g. integers beyond 64 bits)."""
    try:
        return orjson.dumps(items, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(items, sort_keys=True, default=str).encode()


async def _fetch_ahead(
    fetch: Callable[[Mapping[str, int]], Awaitable[Page]],
    params: list[dict[str, int]],
    accept: Callable[[Page], None],
    paginator: Paginator,
    listing: _Listing,
) -> None:
    """Accept the pages of `params`, in order, up to the first last or repeated one.

    Up to ``listing.room()`` requests (at most `_AHEAD`, fewer near the run's page cap) are
    started ahead of the page being checked; the first failure, or the end of the listing,
    cancels the rest, so none runs on unattended.
    """
    todo = iter(params)
    ahead: deque[asyncio.Future[Page]] = deque(
        asyncio.ensure_future(fetch(p)) for p in itertools.islice(todo, listing.room())
    )
    try:
        while ahead:
            page = await ahead.popleft()
            if not listing.is_new(page):
                return
            accept(page)
            if paginator.is_last(page):
                return
            while len(ahead) < listing.room() and (following := next(todo, None)) is not None:
                ahead.append(asyncio.ensure_future(fetch(following)))
    finally:
        for task in ahead:
            task.cancel()  # a no-op for tasks that already finished
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: a sibling's failure is not logged as unhandled


def _page(body: Any, items_key: str) -> Page:
    """A Page from a body; anything that is not a list of items counts as no items."""
    body = body if isinstance(body, dict) else {}
    items = body.get(items_key)
    return Page(body=body, items=items if isinstance(items, list) else [])


def _meta(page: Page) -> dict:
    """The page's `meta` object, or {} when it is missing or not an object."""
    meta = page.body.get("meta")
    return meta if isinstance(meta, dict) else {}


def _count(value: Any) -> int | None:
    """A non-negative integer from the server, or None for anything else (bools included)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _effective_size(reported: Any, requested: int) -> int:
    """The page size the server says it used when smaller than ours (it may cap), else ours."""
    size = _count(reported)
    return size if size and size < requested else requested
