"""fetch_all with the Telnyx (page number) and Plivo (offset) strategies, on fake APIs."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.errors import LimitExceeded
from analytics.http import (
    ApiClient,
    OffsetPaginator,
    Page,
    PageNumberPaginator,
    ProviderLimits,
    fetch_all,
    paginate,
)

Body = Callable[[httpx.Request], Any]


class FakeApi:
    """Serves `body(request)` as JSON and records every request it got."""

    def __init__(self, body: Body) -> None:
        self.body = body
        self.requests: list[httpx.Request] = []
        self.in_flight = self.peak = 0

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        for _ in range(3):
            await asyncio.sleep(0)  # let other requests start
        self.in_flight -= 1
        return httpx.Response(200, json=self.body(request))

    def params(self, name: str) -> list[str]:
        return [r.url.params[name] for r in self.requests]


def run(
    api: FakeApi,
    paginator: Any,
    params: dict[str, Any] | None = None,
    limits: ProviderLimits = ProviderLimits(),  # noqa: B008 - frozen
) -> list[Page]:
    async def main() -> list[Page]:
        transport = httpx.MockTransport(api.handler)
        async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as http:
            client = ApiClient(http, limits=limits, sleep=_no_sleep, rng=random.Random(0))
            return await fetch_all(client, "/v2/items", paginator, params)

    return asyncio.run(main())


async def _no_sleep(delay: float) -> None:
    raise AssertionError("no request in these tests should be retried")


def items_of(pages: list[Page]) -> list[Any]:
    return [item["id"] for page in pages for item in page.items]


def telnyx(total: int, **meta_overrides: Any) -> Body:
    """A Telnyx-style listing of `total` records."""

    def body(request: httpx.Request) -> dict[str, Any]:
        number = int(request.url.params["page[number]"])
        size = int(request.url.params["page[size]"])
        data = [{"id": i} for i in range((number - 1) * size, min(number * size, total))]
        meta = {
            "total_pages": math.ceil(total / size),
            "total_results": total,
            "page_number": number,
            "page_size": size,
        }
        return {"data": data, "meta": {**meta, **meta_overrides}}

    return body


def plivo(total: int, *, with_count: bool = True, next_url: str | None = None) -> Body:
    """A Plivo-style listing of `total` records; `meta.next` is null on the last page."""

    def body(request: httpx.Request) -> dict[str, Any]:
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        objects = [{"id": i} for i in range(offset, min(offset + limit, total))]
        more = offset + limit < total
        meta = {
            "limit": limit,
            "offset": offset,
            "next": (next_url or f"/v1/Account/MA1/Call/?limit={limit}&offset={offset + limit}")
            if more
            else None,
            "previous": None,
        }
        if with_count:
            meta["total_count"] = total
        return {"api_id": "x", "meta": meta, "objects": objects}

    return body


def test_telnyx_across_page_boundaries() -> None:
    api = FakeApi(telnyx(7))
    pages = run(api, PageNumberPaginator(page_size=3), {"filter[status]": "active"})
    assert items_of(pages) == list(range(7))
    assert api.params("page[number]") == ["1", "2", "3"]
    assert set(api.params("page[size]")) == {"3"}
    assert set(api.params("filter[status]")) == {"active"}


def test_telnyx_remaining_pages_are_fetched_concurrently() -> None:
    api = FakeApi(telnyx(100))
    assert items_of(run(api, PageNumberPaginator(page_size=10))) == list(range(100))
    assert api.peak > 1


def test_a_slow_page_does_not_idle_the_pool() -> None:
    # Page 2 answers only once 100 later pages have: the others keep the pool busy meanwhile
    # (fetching in fixed batches would wait for page 2 before starting page 66).
    answered: list[int] = []
    enough = asyncio.Event()
    listing = telnyx(400)

    async def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page[number]"])
        if page == 2:
            await asyncio.wait_for(enough.wait(), timeout=10)
        answered.append(page)
        if len(answered) >= 100:
            enough.set()
        await asyncio.sleep(0)
        return httpx.Response(200, json=listing(request))

    async def main() -> list[Page]:
        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as http:
            client = ApiClient(http, limits=ProviderLimits(concurrency=16), sleep=_no_sleep)
            return await fetch_all(client, "/v2/items", PageNumberPaginator(page_size=1))

    assert items_of(asyncio.run(main())) == list(range(400))
    assert answered.index(2) >= 100


@pytest.mark.parametrize("total_count", [True, False])
def test_on_page_sees_every_page_of_the_result_in_order(total_count: bool) -> None:
    seen: list[Page] = []

    async def main() -> list[Page]:
        transport = httpx.MockTransport(FakeApi(plivo(95, with_count=total_count)).handler)
        async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as http:
            client = ApiClient(http, sleep=_no_sleep)
            return await fetch_all(client, "/v2/items", OffsetPaginator(10), on_page=seen.append)

    pages = asyncio.run(main())
    assert len(pages) == 10
    assert seen == pages


def test_plivo_with_total_count() -> None:
    api = FakeApi(plivo(45))
    pages = run(api, OffsetPaginator(limit=20))
    assert items_of(pages) == list(range(45))
    assert api.params("offset") == ["0", "20", "40"]
    assert set(api.params("limit")) == {"20"}


def test_plivo_without_total_count_follows_next_sequentially() -> None:
    api = FakeApi(plivo(45, with_count=False))
    assert items_of(run(api, OffsetPaginator(limit=20))) == list(range(45))
    assert api.params("offset") == ["0", "20", "40"]
    assert api.peak == 1


def test_plivo_exact_multiple_stops_on_null_next() -> None:
    api = FakeApi(plivo(40, with_count=False))
    assert items_of(run(api, OffsetPaginator(limit=20))) == list(range(40))
    assert len(api.requests) == 2


def test_absolute_next_urls_are_never_followed() -> None:
    api = FakeApi(plivo(30, with_count=False, next_url="https://evil.test/steal?offset=20"))
    assert items_of(run(api, OffsetPaginator(limit=10))) == list(range(30))
    assert {r.url.host for r in api.requests} == {"api.test"}


@pytest.mark.parametrize("short_page", [[{"id": 3}], []], ids=["short", "empty"])
def test_a_short_or_empty_page_ends_the_listing(short_page: list[dict[str, int]]) -> None:
    full = telnyx(30)

    def body(request: httpx.Request) -> dict[str, Any]:
        answer = full(request)
        if request.url.params["page[number]"] == "2":
            answer["data"] = short_page
        return answer

    pages = run(FakeApi(body), PageNumberPaginator(page_size=3))
    assert len(pages) == 2
    assert items_of(pages) == [0, 1, 2] + [item["id"] for item in short_page]


def test_a_short_page_ends_the_sequential_walk() -> None:
    full = plivo(100, with_count=False)

    def body(request: httpx.Request) -> dict[str, Any]:
        answer = full(request)
        if request.url.params["offset"] == "20":
            answer["objects"] = answer["objects"][:3]  # but meta.next still says "more"
        return answer

    api = FakeApi(body)
    assert items_of(run(api, OffsetPaginator(limit=10))) == [*range(23)]
    assert len(api.requests) == 3


def test_lying_total_pages_is_capped_by_total_results() -> None:
    api = FakeApi(telnyx(5, total_pages=10**9))
    assert items_of(run(api, PageNumberPaginator(page_size=2))) == list(range(5))
    assert len(api.requests) == 3


def test_lying_total_pages_without_results_stops_within_the_look_ahead() -> None:
    api = FakeApi(telnyx(4, total_pages=10**9, total_results=None))
    pages = run(api, PageNumberPaginator(page_size=2))
    assert items_of(pages) == list(range(4))
    assert len(api.requests) <= len(pages) + paginate._AHEAD


def test_absolute_page_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paginate, "MAX_PAGES", 5)
    endless = FakeApi(plivo(10**9, with_count=False))
    assert len(run(endless, OffsetPaginator(limit=2))) == 5
    claimed = FakeApi(telnyx(10**9))
    assert len(run(claimed, PageNumberPaginator(page_size=2))) == 5


@pytest.mark.parametrize("meta", [None, "garbage", {}, {"total_pages": "7"}, {"total_pages": True}])
def test_missing_or_garbage_meta_ends_after_the_page(meta: Any) -> None:
    api = FakeApi(lambda request: {"data": [{"id": 0}, {"id": 1}], "meta": meta})
    assert items_of(run(api, PageNumberPaginator(page_size=2))) == [0, 1]
    api = FakeApi(lambda request: {"objects": [{"id": 0}, {"id": 1}], "meta": meta})
    assert items_of(run(api, OffsetPaginator(limit=2))) == [0, 1]


def test_non_object_body_is_an_empty_page() -> None:
    pages = run(FakeApi(lambda request: [1, 2, 3]), PageNumberPaginator())
    assert pages == [Page(body={}, items=[])]


def test_server_capped_page_size_is_followed() -> None:
    """A server that serves fewer per page than asked (and says so) is paged through fully."""
    full = plivo(25)

    def body(request: httpx.Request) -> dict[str, Any]:
        offset = int(request.url.params["offset"])
        capped = httpx.Request("GET", request.url.copy_merge_params({"limit": 10}))
        answer = full(capped)
        answer["meta"]["offset"] = offset
        return answer

    api = FakeApi(body)
    assert items_of(run(api, OffsetPaginator(limit=100))) == list(range(25))
    assert api.params("offset") == ["0", "10", "20"]


@pytest.mark.parametrize("size", [0, -1])
def test_page_size_must_be_positive(size: int) -> None:
    with pytest.raises(ValueError):
        PageNumberPaginator(page_size=size)
    with pytest.raises(ValueError):
        OffsetPaginator(limit=size)


@settings(max_examples=40, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=300),
    size=st.integers(min_value=1, max_value=50),
    kind=st.sampled_from(["telnyx", "plivo", "plivo-no-count"]),
)
def test_every_item_exactly_once_in_order(total: int, size: int, kind: str) -> None:
    if kind == "telnyx":
        api, paginator = FakeApi(telnyx(total)), PageNumberPaginator(page_size=size)
    else:
        api, paginator = FakeApi(plivo(total, with_count=kind == "plivo")), OffsetPaginator(size)
    assert items_of(run(api, paginator)) == list(range(total))
    assert len(api.requests) == max(1, math.ceil(total / size))


def test_a_repeated_page_ends_the_concurrent_listing() -> None:
    api = FakeApi(lambda r: {"data": [{"id": 1}, {"id": 2}], "meta": {"total_pages": 100_000}})
    pages = run(api, PageNumberPaginator(2))
    assert items_of(pages) == [1, 2]
    assert len(api.requests) <= 1 + 64  # the first page and one concurrent batch


def test_a_repeated_page_ends_the_sequential_walk() -> None:
    same = {"meta": {"limit": 2, "next": "/again"}, "objects": [{"id": 1}, {"id": 2}]}
    api = FakeApi(lambda r: same)
    assert items_of(run(api, OffsetPaginator(2))) == [1, 2]
    assert len(api.requests) == 2


@pytest.mark.parametrize(
    ("limits", "setting"),
    [(ProviderLimits(max_pages=5), "max_pages"), (ProviderLimits(max_records=30), "max_records")],
)
def test_endless_distinct_pages_stop_at_the_run_cap(limits: ProviderLimits, setting: str) -> None:
    def body(request: httpx.Request) -> dict[str, Any]:
        offset = int(request.url.params["offset"])
        items = [{"id": offset + i} for i in range(10)]
        return {"meta": {"limit": 10, "next": "/more"}, "objects": items}

    api = FakeApi(body)
    with pytest.raises(LimitExceeded, match=rf"provider\.{setting}"):
        run(api, OffsetPaginator(10), limits=limits)
    assert len(api.requests) <= 6


@given(cap=st.integers(min_value=1, max_value=40), used=st.integers(min_value=0, max_value=3))
@settings(max_examples=25, deadline=None)
def test_a_listing_announcing_more_pages_than_the_cap_costs_one_request_past_it(
    cap: int, used: int
) -> None:
    # Fetched ahead concurrently, but never beyond the one page that shows the cap is passed,
    # whatever the run's other listings have already used of it.
    api = FakeApi(telnyx(10**6))

    async def main() -> None:
        transport = httpx.MockTransport(api.handler)
        async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as http:
            limits = ProviderLimits(concurrency=64, max_pages=cap + used)
            client = ApiClient(http, limits=limits, sleep=_no_sleep)
            for _ in range(used):
                client.budget.add_page(1)  # an earlier listing's pages
            await fetch_all(client, "/v2/items", PageNumberPaginator(page_size=2))

    with pytest.raises(LimitExceeded, match=r"provider\.max_pages"):
        asyncio.run(main())
    assert len(api.requests) == cap + 1
