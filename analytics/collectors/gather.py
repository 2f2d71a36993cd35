"""One account's concurrent requests: all succeed, or the first failure cancels the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

T = TypeVar("T")


async def gather(coros: Iterable[Awaitable[T]]) -> list[T]:
    """Await every one of ``coros`` concurrently and return their results in order.

    When one fails (or the caller is cancelled), its siblings are cancelled and awaited
    before the failure propagates, so no request of a failed run goes on unattended. Used
    within one account's run only; accounts are isolated from each other by the caller.
    """
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()  # a no-op for tasks that already finished
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
