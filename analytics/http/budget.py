"""What one run has fetched so far, against its caps: pages, records and decoded bytes."""

from __future__ import annotations

from analytics.errors import LimitExceeded
from analytics.http.limits import CAP_SETTINGS, ProviderLimits


class RunBudget:
    """Counts one provider run's pages, records and bytes; raises at the first cap reached."""

    def __init__(self, limits: ProviderLimits, provider: str) -> None:
        self.limits = limits
        self.provider = provider
        self.pages = 0
        self.records = 0
        self.bytes = 0

    def add_page(self, items: int) -> None:
        """Count one listing page of `items` items."""
        self.pages += 1
        self.records += items
        self._check("max_pages", self.pages, "listing pages")
        self._check("max_records", self.records, "listed records")

    def pages_left(self) -> int:
        """Listing pages the run may still accept before ``max_pages`` is passed."""
        return max(0, self.limits.max_pages - self.pages)

    def add_bytes(self, count: int) -> None:
        """Count `count` decoded response bytes."""
        self.bytes += count
        self._check("max_bytes", self.bytes, "decoded response bytes")

    def exceeded(self, cap: str, what: str) -> LimitExceeded:
        """The error for reaching `cap` (a ProviderLimits field) while fetching `what`."""
        limit = getattr(self.limits, cap)
        setting = f"{self.provider}.{CAP_SETTINGS[cap]}"
        return LimitExceeded(
            f"stopped at the cap of {limit:,} {what}; if the account really needs more, "
            f"raise {setting} in callrep.toml"
        )

    def _check(self, cap: str, value: int, what: str) -> None:
        if value > getattr(self.limits, cap):
            raise self.exceeded(cap, f"{what} per run")
