"""ISO weeks: parsing ``2026-W46``, their bounds in UTC, and choosing the report week."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from analytics.errors import InputError

_PATTERN = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
# A report compares a week with the one before and ends at the Monday after, so both
# neighbours must be representable dates.
FIRST_MONDAY = date(1, 1, 8)
LAST_MONDAY = date(9999, 12, 20)


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
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InputError(f"--week {text!r}: {year} has no ISO week {week}") from None
        if not FIRST_MONDAY <= monday <= LAST_MONDAY:
            raise InputError(
                f"--week {text!r}: outside the weeks callrep reports "
                f"({IsoWeek.of(FIRST_MONDAY)} to {IsoWeek.of(LAST_MONDAY)})"
            )
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


@dataclass(frozen=True)
class WeekChoice:
    """The week to report, and a line for stderr when the default is older than expected."""

    week: IsoWeek
    notice: str | None = None


def choose_week(
    requested: IsoWeek | None, collected: Iterable[IsoWeek], now: datetime
) -> WeekChoice:
    """The report week: ``requested`` if it has a collection, else the default.

    The default is the last ISO week that has ended by ``now`` and has a successful
    collection. Every week without one (past or future) is an :class:`InputError` naming the
    latest week that has data; so is a first run before any collected week has ended.
    """
    weeks = sorted(set(collected))
    if not weeks:
        raise InputError("no successful collection yet; run `callrep collect` first")
    latest = weeks[-1]
    if requested is not None:
        if requested not in weeks:
            future = requested.start > now.astimezone(UTC).date()
            when = "is in the future" if future else "has no successful collection"
            raise InputError(f"--week {requested}: {when}; the latest week with data is {latest}")
        return WeekChoice(requested)
    ended = [w for w in weeks if w.end_exclusive <= now]
    if not ended:
        first = weeks[0]
        raise InputError(
            f"no collected week has ended yet; the first complete week will be {first} "
            f"(report it after {first.end_exclusive:%Y-%m-%d %H:%M} UTC)"
        )
    week = ended[-1]
    last_calendar = IsoWeek.of(now.astimezone(UTC).date()).previous()
    notice = None
    if week < last_calendar:
        notice = (
            f"reporting {week}, the latest ended week with a collection; {last_calendar} has none"
        )
    return WeekChoice(week, notice)
