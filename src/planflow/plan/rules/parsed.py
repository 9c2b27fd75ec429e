"""The parsed form of a recurrence rule, and the names its parts are written with.

:class:`ParsedRule` is what :mod:`planflow.plan.rules.text` builds from RRULE text;
it writes itself back as canonical text and turns itself into a dateutil rule.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import attrs
from dateutil import rrule as du

__all__ = ["CANONICAL_ORDER", "DAY_NAMES", "FREQS", "MONTH_NAMES", "WEEKDAYS", "ParsedRule"]

CANONICAL_ORDER = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYMONTH",
    "BYWEEKNO",
    "BYYEARDAY",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
    "WKST",
)
FREQS: dict[str, Literal[0, 1, 2, 3, 4, 5, 6]] = {
    "DAILY": du.DAILY,
    "WEEKLY": du.WEEKLY,
    "MONTHLY": du.MONTHLY,
    "YEARLY": du.YEARLY,
}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@attrs.frozen
class ParsedRule:
    """A parsed, validated rule; tuples are sorted and free of duplicates."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: date | datetime | None = None  # a datetime is always UTC
    bymonth: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int, int], ...] = ()  # (weekday 0=MO, position or 0)
    bysetpos: tuple[int, ...] = ()
    wkst: int = 0

    def text(self) -> str:
        """The canonical RRULE text."""
        until: str | None = None
        if isinstance(self.until, datetime):
            until = self.until.strftime("%Y%m%dT%H%M%SZ")
        elif self.until is not None:
            until = self.until.strftime("%Y%m%d")
        values = {
            "FREQ": self.freq,
            "INTERVAL": str(self.interval) if self.interval != 1 else None,
            "COUNT": str(self.count) if self.count is not None else None,
            "UNTIL": until,
            "BYMONTH": _join(self.bymonth),
            "BYWEEKNO": _join(self.byweekno),
            "BYYEARDAY": _join(self.byyearday),
            "BYMONTHDAY": _join(self.bymonthday),
            "BYDAY": ",".join(f"{n or ''}{WEEKDAYS[d]}" for d, n in self.byday) or None,
            "BYSETPOS": _join(self.bysetpos),
            "WKST": WEEKDAYS[self.wkst] if self.wkst else None,
        }
        return ";".join(f"{key}={values[key]}" for key in CANONICAL_ORDER if values[key])

    def rrule(
        self,
        dtstart: datetime,
        until: datetime | None,
        *,
        interval: int = 0,
        weekday: int | None = None,
    ) -> du.rrule:
        """A dateutil rule from ``dtstart``, without COUNT (the caller slices instead).

        ``weekday`` replaces dtstart's weekday as the default day of a WEEKLY rule
        without BYDAY, for when dateutil is anchored on another day than the real start.
        """
        days = [du.weekday(d, n or None) for d, n in self.byday]
        if not days and weekday is not None and self.freq == "WEEKLY":
            days = [du.weekday(weekday)]
        return du.rrule(
            FREQS[self.freq],
            dtstart=dtstart,
            interval=interval or self.interval,
            wkst=self.wkst,
            until=until,
            bymonth=self.bymonth or None,
            byweekno=self.byweekno or None,
            byyearday=self.byyearday or None,
            bymonthday=self.bymonthday or None,
            byweekday=days or None,
            bysetpos=self.bysetpos or None,
            cache=False,
        )


def _join(values: tuple[int, ...]) -> str | None:
    return ",".join(map(str, values)) or None
