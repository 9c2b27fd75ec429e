"""Recurrence rules: RFC 5545 RRULE text and readable shorthands → dates.

A rule is written either as an RRULE (``FREQ=MONTHLY;BYDAY=-1FR``, with or without a
leading ``RRULE:``, any case, parts in any order) or as a shorthand from
:data:`SHORTHANDS` (``every 2 weeks``, ``twice a month``, ``hằng quý`` …).
:func:`normalise_recurrence` turns either into one canonical RRULE string, and
:func:`expand` / :func:`expand_datetimes` turn a rule into dates with python-dateutil,
the engine most calendar libraries share.

Canonical form: upper case, no ``RRULE:`` prefix, parts in :data:`CANONICAL_ORDER`
(``FREQ;INTERVAL;COUNT;UNTIL;BYMONTH;BYWEEKNO;BYYEARDAY;BYMONTHDAY;BYDAY;BYSETPOS;WKST``,
roughly the order RFC 5545 applies them), list values sorted without duplicates,
defaults dropped (``INTERVAL=1``, ``WKST=MO``). Equal rules give equal strings, which
is what the expansion cache keys on.

``N times a month`` spreads the days evenly over 1–28 (so every month has them):

====  ===============
N     BYMONTHDAY
====  ===============
1     1
2     1,15
3     1,11,21
4     1,8,15,22
====  ===============

``monthly`` (also ``every month``) pins day 1, while ``every N months`` for N ≥ 2
keeps the day of the start date (``FREQ=MONTHLY;INTERVAL=N``); ``quarterly`` means
calendar quarters (1 January, 1 April, 1 July, 1 October) whatever the window's start.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date, datetime, time
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from planflow.plan.rules.description import describe
from planflow.plan.rules.parsed import CANONICAL_ORDER
from planflow.plan.rules.shorthands import SHORTHANDS
from planflow.plan.rules.text import normalise_recurrence, parse_rule
from planflow.timeline._dateutil_fixes import anchor_for, stuck

__all__ = [
    "CANONICAL_ORDER",
    "SHORTHANDS",
    "describe",
    "expand",
    "expand_datetimes",
    "normalise_recurrence",
]

_D = TypeVar("_D", date, datetime)


def expand(
    rule: str,
    start: date,
    end: date,
    *,
    dtstart: date | None = None,
    rdates: Iterable[date] = (),
    exdates: Iterable[date] = (),
) -> tuple[date, ...]:
    """Return the dates of an all-day rule inside ``[start, end]`` (both inclusive), in order.

    ``dtstart`` (default ``start``) anchors the rule: the INTERVAL phase, the weekday of
    a plain ``FREQ=WEEKLY``, the day of a plain ``FREQ=MONTHLY``, and where COUNT starts
    counting. RDATE dates are added and EXDATE dates removed (EXDATE wins over RDATE).

    Contract: an occurrence is a date the RRULE yields on or after ``dtstart``. RFC 5545
    makes DTSTART itself the first instance even when it does not match the rule;
    dateutil (and planflow) do not. The two agree because a feed's DTSTART is set to
    the first date planflow yields, so DTSTART always matches. A UTC date-time UNTIL
    counts by its (UTC) date, as recurring-ical-events reads it.

    Results are cached: a repeated call with equal arguments costs a dictionary look-up.

    :raises RecurrenceError: the rule is invalid.
    """
    if any(isinstance(d, datetime) for d in (start, end, dtstart)):
        raise TypeError("expand() takes dates; use expand_datetimes() for timed tasks")
    return _expand_all_day(*_request(rule, start, end, dtstart, rdates, exdates))


def expand_datetimes(
    rule: str,
    start: datetime,
    end: datetime,
    *,
    dtstart: datetime | None = None,
    rdates: Iterable[datetime] = (),
    exdates: Iterable[datetime] = (),
    tzid: str = "Asia/Ho_Chi_Minh",
) -> tuple[datetime, ...]:
    """Return the start times of a timed rule inside ``[start, end]`` (both inclusive).

    Everything is naive wall-clock time in the plan's zone ``tzid``; the caller attaches
    the zone. The time of day comes from ``dtstart`` (default ``start``). Semantics are
    those of :func:`expand`. A UTC UNTIL is converted to wall time in ``tzid``; a date
    UNTIL includes that whole day (a feed writes it as UTC, as RFC 5545 requires). An
    empty ``tzid`` reads UNTIL as :func:`expand` does.

    :raises RecurrenceError: the rule is invalid.
    """
    rdates, exdates = tuple(rdates), tuple(exdates)  # read once: they may be iterators
    naive = (start, end, dtstart, *rdates, *exdates)
    if any(d is not None and d.tzinfo is not None for d in naive):
        raise TypeError("expand_datetimes() takes naive wall-clock datetimes")
    return _expand_timed(*_request(rule, start, end, dtstart, rdates, exdates), tzid)


# The zone argument of an all-day expansion: UNTIL is read by its date (see _until_local).
_ALL_DAY = ""


def _request(
    rule: str, start: _D, end: _D, dtstart: _D | None, rdates: Iterable[_D], exdates: Iterable[_D]
) -> tuple[str, _D, _D, _D, tuple[_D, ...], tuple[_D, ...]]:
    """The cache key of one expansion, for dates and date-times alike: the canonical rule
    (so other spellings of it share the entry), the anchor, and the RDATE and EXDATE sets
    in order."""
    return (
        normalise_recurrence(rule),
        start,
        end,
        start if dtstart is None else dtstart,
        tuple(sorted(set(rdates))),
        tuple(sorted(set(exdates))),
    )


@lru_cache(maxsize=65536)
def _expand_all_day(
    canonical: str,
    start: date,
    end: date,
    dtstart: date,
    rdates: tuple[date, ...],
    exdates: tuple[date, ...],
) -> tuple[date, ...]:
    found = _expand(
        canonical,
        *(datetime.combine(d, time()) for d in (start, end, dtstart)),
        rdates=[datetime.combine(d, time()) for d in rdates],
        exdates=[datetime.combine(d, time()) for d in exdates],
        tzid=_ALL_DAY,
    )
    return tuple(d.date() for d in found)


@lru_cache(maxsize=65536)
def _expand_timed(
    canonical: str,
    start: datetime,
    end: datetime,
    dtstart: datetime,
    rdates: tuple[datetime, ...],
    exdates: tuple[datetime, ...],
    tzid: str,
) -> tuple[datetime, ...]:
    return _expand(canonical, start, end, dtstart, rdates=rdates, exdates=exdates, tzid=tzid)


def _expand(
    canonical: str,
    start: datetime,
    end: datetime,
    dtstart: datetime,
    *,
    rdates: Iterable[datetime],
    exdates: Iterable[datetime],
    tzid: str,
) -> tuple[datetime, ...]:
    rule = parse_rule(canonical)
    stop = end if rule.until is None else min(end, _until_local(rule.until, tzid))
    # The window end bounds dateutil's search, so a rule that never matches from this
    # dtstart (every 12 months in a month BYMONTH lacks) stops at `end` instead of
    # running on to year 9999; COUNT is applied by slicing, which counts the same way
    # dateutil does (instances on or after dtstart).
    found: Iterable[datetime] = ()
    if stop >= dtstart and not stuck(rule, dtstart):
        anchor = anchor_for(rule, dtstart)
        matches = rule.rrule(anchor, stop, weekday=dtstart.weekday())
        found = itertools.islice((d for d in matches if d >= dtstart), rule.count)
    dates = {d for d in found if d >= start}
    dates.update(d for d in rdates if start <= d <= end)
    dates.difference_update(exdates)
    return tuple(sorted(dates))


def _until_local(until: date | datetime, tzid: str) -> datetime:
    """The last moment UNTIL lets an instance start, as naive wall-clock time in ``tzid``."""
    if isinstance(until, datetime):
        if tzid == _ALL_DAY:  # all-day: the UTC date, as recurring-ical-events reads it
            return datetime.combine(until.date(), time())
        return until.astimezone(ZoneInfo(tzid)).replace(tzinfo=None)
    return datetime.combine(until, time() if tzid == _ALL_DAY else time.max)
