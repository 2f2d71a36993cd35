"""Collectors built from each account's own settings; unconfigured accounts get none."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from analytics.collectors.base import Collector
from analytics.collectors.plivo import PlivoCollector
from analytics.collectors.telnyx import TelnyxCollector
from analytics.config import Account, PlivoSettings


def build_collectors(accounts: Iterable[Account]) -> list[Collector[Any]]:
    """One collector per configured account, in the order given; the rest are skipped."""
    return [_build(a) for a in accounts if a.configured]


def _build(account: Account) -> Collector[Any]:
    if isinstance(account, PlivoSettings):
        return PlivoCollector(account)
    return TelnyxCollector(account)
