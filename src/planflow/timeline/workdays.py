"""Working-day calendar: weekends, public holidays, the plan's own days off and make-up days.

A day is a working day when it is not a weekend day, not a public holiday of the
country (from the ``holidays`` package, names in Vietnamese where it has them) and not
one of the plan's ``days_off`` — unless it is one of the plan's ``working_days``
(make-up days, such as Saturday 26 April 2025), which win over everything else.

Recent versions of ``holidays`` already contain Vietnam's day swaps (2025-05-02 off in
exchange for Saturday 2025-04-26); the package's make-up Saturdays are taken as working
days with them, so a swap is never half applied. Plan files list the swaps too: adding a
day off (or a working day) that is already one changes nothing.

Answers are cached as one frozenset of non-working day ordinals per year, built the
first time the year is asked about (any year works).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta

import attrs

from planflow.plan.errors import ModelError
from planflow.plan.model import Shift  # the plan's policy, used as is
from planflow.timeline.holiday_tables import country_language, holiday_table

__all__ = ["DayNote", "Shift", "WorkCalendar"]

# A calendar with no working day in a whole year is broken; searching further is pointless.
_SEARCH_LIMIT = 366
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _check_day(_: object, attribute: attrs.Attribute[date], value: object) -> None:
    # datetime is a date subclass, but a day note is about a whole day.
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise ModelError(f"{attribute.name} must be a date, not {value!r}")


def _check_reason(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ModelError(f"{attribute.name} must be a non-empty text, not {value!r}")


@attrs.frozen
class DayNote:
    """A day the plan declares off (or working), with why and where that comes from."""

    day: date = attrs.field(validator=_check_day)
    reason: str = attrs.field(validator=_check_reason)
    source: str | None = None


@attrs.frozen
class _Year:
    off: frozenset[int]  # ordinals of the non-working days of the year
    sorted_off: tuple[int, ...]  # the same, sorted, for counting with bisect
    holidays: dict[date, str]


class WorkCalendar:
    """Which days are working days, and moving dates onto them.

    :param country: ISO code for public holidays from the ``holidays`` package;
        ``""`` for none.
    :param years: years to load up front (others load when first asked about).
    :param days_off: extra non-working days declared by the plan.
    :param working_days: make-up working days; they override weekends and holidays.
    :param weekend: weekday numbers of the weekend (Monday is 0).
    :raises ModelError: an unknown country, a bad weekday, or a day that is both a
        day off and a working day.
    """

    def __init__(
        self,
        *,
        country: str = "VN",
        years: Iterable[int] = (),
        days_off: Iterable[DayNote] = (),
        working_days: Iterable[DayNote] = (),
        weekend: Iterable[int] = (5, 6),
    ) -> None:
        self._country = country.upper()
        self._weekend = frozenset(weekend)
        if not self._weekend <= set(range(7)):
            raise ModelError(
                f"weekend {sorted(self._weekend)} has a day outside 0–6",
                hint="weekdays are numbered 0 (Monday) to 6 (Sunday)",
            )
        self._days_off = _by_day(days_off)
        self._working = _by_day(working_days)
        both = sorted(self._days_off.keys() & self._working.keys())
        if both:
            raise ModelError(
                f"{both[0].isoformat()} is listed both as a day off and as a working day",
                hint="remove it from one of the two lists",
            )
        self._language = _language(self._country)
        self._years: dict[int, _Year] = {}
        for year in years:
            self._year(year)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day."""
        year = self._years.get(day.year) or self._year(day.year)
        return day.toordinal() not in year.off

    def why_not_working(self, day: date) -> str | None:
        """Why ``day`` is not a working day, or ``None`` if it is one.

        The plan's own reason comes first, then the holiday's name (in Vietnamese for
        Vietnam), then the weekday name (``"Saturday"``).
        """
        if self.is_working_day(day):
            return None
        if day in self._days_off:
            return self._days_off[day].reason
        name = self._year(day.year).holidays.get(day)
        return name if name is not None else _WEEKDAY_NAMES[day.weekday()]

    def shift(self, day: date, policy: Shift | str) -> date:
        """Move ``day`` to the previous or next working day if it is not one.

        ``Shift.KEEP`` returns ``day`` unchanged, as does any policy when ``day`` is
        already a working day.

        :raises ModelError: no working day within 366 days.
        """
        policy = Shift(policy)
        if policy is Shift.KEEP or self.is_working_day(day):
            return day
        return self._step(day, -1 if policy is Shift.PREVIOUS else 1)

    def add_working_days(self, day: date, n: int) -> date:
        """Return the ``n``-th working day after ``day`` (before it when ``n`` is negative).

        ``n == 0`` returns ``day`` itself, even when it is not a working day (shift it
        first if it must be one). ``day`` itself is never counted, so
        ``working_days_between(day, add_working_days(day, n)) == n``.

        :raises ModelError: no working day within 366 days.
        """
        step = 1 if n > 0 else -1
        for _ in range(abs(n)):
            day = self._step(day, step)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count the working days passed going from ``start`` to ``end``.

        ``start`` is not counted and ``end`` is, in either direction: the count of
        ``(start, end]``, or minus the count of ``[end, start)`` when ``end`` is earlier.
        So it undoes :meth:`add_working_days`.
        """
        if end < start:
            one = timedelta(days=1)
            return -self.working_days_between(end - one, start - one)
        low, high = start.toordinal(), end.toordinal()
        off = 0
        for year in range(start.year, end.year + 1):
            days = self._year(year).sorted_off
            off += bisect.bisect_right(days, high) - bisect.bisect_right(days, low)
        return high - low - off

    def _step(self, day: date, step: int) -> date:
        """The nearest working day strictly after (``step=1``) or before ``day``."""
        for distance in range(1, _SEARCH_LIMIT + 1):
            found = day + timedelta(days=step * distance)
            if self.is_working_day(found):
                return found
        raise ModelError(
            f"no working day within {_SEARCH_LIMIT} days of {day.isoformat()}",
            hint="check the weekend and the days off: the calendar has no working days",
        )

    def _year(self, year: int) -> _Year:
        if year in self._years:
            return self._years[year]
        names, make_up = _public_holidays(self._country, self._language, year)
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        off = {o for o in range(first, last + 1) if date.fromordinal(o).weekday() in self._weekend}
        off -= {d.toordinal() for d in make_up}
        off |= {d.toordinal() for d in names}
        off |= {d.toordinal() for d in self._days_off if d.year == year}
        off -= {d.toordinal() for d in self._working if d.year == year}
        self._years[year] = _Year(frozenset(off), tuple(sorted(off)), names)
        return self._years[year]


def _by_day(notes: Iterable[DayNote]) -> dict[date, DayNote]:
    found: dict[date, DayNote] = {}
    for note in notes:
        if not isinstance(note, DayNote):
            raise ModelError(f"expected a DayNote, got {note!r}")
        found.setdefault(note.day, note)  # a repeated day keeps its first reason
    return found


def _language(country: str) -> str | None:
    return country_language(country) if country else None


def _public_holidays(
    country: str, language: str | None, year: int
) -> tuple[dict[date, str], frozenset[date]]:
    """Holiday names and the package's make-up working days for one year."""
    if not country:
        return {}, frozenset()
    return holiday_table(country, year)
