"""ISO weeks: parsing ``2026-W46``, their bounds in UTC, and the default report week."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from analytics.errors import InputError

_PATTERN = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class IsoWeek:
    """One ISO week (Monday to Sunday, UTC)."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """``2026-W46`` (or ``2026W46``); a bad value is an :class:`InputError`."""
        match = _PATTERN.match(text.strip())
        if not match:
            raise InputError(f"--week {text!r}: expected an ISO week such as 2026-W46")
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InputError(f"--week {text!r}: {year} has no ISO week {week}") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        """The ISO week containing ``day``."""
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def start(self) -> date:
        """The Monday."""
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        """The Sunday (inclusive)."""
        return self.start + timedelta(days=6)

    @property
    def end_exclusive(self) -> datetime:
        """Midnight UTC after the Sunday: everything collected before it belongs to the week."""
        return datetime.combine(self.start + timedelta(days=7), time.min, UTC)

    def previous(self) -> IsoWeek:
        return IsoWeek.of(self.start - timedelta(days=7))

    def __str__(self) -> str:
        return self.label


def default_week(latest_collection: datetime | None, today: date | None = None) -> IsoWeek:
    """The last ISO week that ended before the latest collection.

    Without any collection, the last week that ended before ``today``.
    """
    if latest_collection is not None:
        day = latest_collection.astimezone(UTC).date()
    else:
        day = today or datetime.now(UTC).date()
    return IsoWeek.of(day).previous()
