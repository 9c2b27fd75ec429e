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

import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

import attrs
from dateutil import rrule as du

from planflow.plan.errors import RecurrenceError

__all__ = [
    "CANONICAL_ORDER",
    "SHORTHANDS",
    "describe",
    "expand",
    "expand_datetimes",
    "normalise_recurrence",
]

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
_D = TypeVar("_D", date, datetime)
_FREQS: dict[str, Literal[0, 1, 2, 3, 4, 5, 6]] = {
    "DAILY": du.DAILY,
    "WEEKLY": du.WEEKLY,
    "MONTHLY": du.MONTHLY,
    "YEARLY": du.YEARLY,
}
_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Days in each month in a leap year: a BYMONTHDAY beyond this can never match.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_BYDAY_RE = re.compile(r"([+-]?\d{1,2})?([A-Z]{2})")
# (low, high, allow negative, what the values mean) for the integer list parts.
_INT_PARTS = {
    "BYMONTH": (1, 12, False, "1 (January) to 12 (December)"),
    "BYWEEKNO": (1, 53, True, "1 to 53, or -1 (last week) to -53"),
    "BYYEARDAY": (1, 366, True, "1 to 366, or -1 (last day of the year) to -366"),
    "BYMONTHDAY": (1, 31, True, "1 to 31, or -1 (last day of the month) to -31"),
    "BYSETPOS": (1, 366, True, "1 to 366, or -1 (last) to -366"),
}
_WEEKDAY_HINT = (
    "use MO, TU, WE, TH, FR, SA or SU, optionally with a position such as "
    "2MO (second Monday) or -1FR (last Friday)"
)
_BY_PARTS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")
# A rule that yields nothing in 28 leap-regular years (a full cycle of the 14 kinds of
# year) never yields anything. The probe runs over the last 28 years dateutil can
# represent because dateutil only checks UNTIL on a candidate date: a rule that never
# matches would otherwise spin on to year 9999 (seconds for FREQ=DAILY); from 9972 it
# stops there by itself within 28 years.
_PROBE_START = datetime(9972, 1, 1)


_QUARTERLY = "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=1"
_TIMES_A_MONTH = {1: "1", 2: "1,15", 3: "1,11,21", 4: "1,8,15,22"}

SHORTHANDS: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("daily", "every day", "hằng ngày", "hàng ngày", "mỗi ngày"), "FREQ=DAILY"),
        **dict.fromkeys(
            ("weekly", "every week", "hằng tuần", "hàng tuần", "mỗi tuần"), "FREQ=WEEKLY"
        ),
        **dict.fromkeys(("fortnightly", "biweekly"), "FREQ=WEEKLY;INTERVAL=2"),
        **dict.fromkeys(
            ("monthly", "hằng tháng", "hàng tháng", "mỗi tháng", "once a month"),
            "FREQ=MONTHLY;BYMONTHDAY=1",
        ),
        **dict.fromkeys(
            ("twice a month", "2 times a month", "2 lần/tháng"), "FREQ=MONTHLY;BYMONTHDAY=1,15"
        ),
        **dict.fromkeys(
            ("3 times a month", "three times a month", "3 lần/tháng"),
            "FREQ=MONTHLY;BYMONTHDAY=1,11,21",
        ),
        **dict.fromkeys(
            ("4 times a month", "four times a month", "4 lần/tháng"),
            "FREQ=MONTHLY;BYMONTHDAY=1,8,15,22",
        ),
        **dict.fromkeys(
            ("quarterly", "every quarter", "hằng quý", "hàng quý", "mỗi quý"), _QUARTERLY
        ),
        **dict.fromkeys(
            ("yearly", "annually", "every year", "hằng năm", "hàng năm", "mỗi năm"), "FREQ=YEARLY"
        ),
    }
)
"""Fixed shorthand phrases and their RRULE (patterns such as ``every N weeks``,
``mỗi N tuần``, ``N tuần/lần``, ``N times a month`` and ``weekly on monday and
thursday`` are understood too)."""

_UNITS = {
    **dict.fromkeys(("day", "days", "ngày"), "DAILY"),
    **dict.fromkeys(("week", "weeks", "tuần"), "WEEKLY"),
    **dict.fromkeys(("month", "months", "tháng"), "MONTHLY"),
    **dict.fromkeys(("year", "years", "năm"), "YEARLY"),
}
_NUMBERS = {
    "one": 1, "once": 1, "two": 2, "twice": 2, "three": 3, "thrice": 3, "four": 4,
    "five": 5, "six": 6, "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5,
}  # fmt: skip
_NUM = r"(\d+|[a-zà-ỹ]+)"
_UNIT = r"(days?|weeks?|months?|years?|ngày|tuần|tháng|năm)"
_EVERY_RE = re.compile(rf"(?:every|mỗi)(?: {_NUM})? {_UNIT}")
_PER_TIME_RE = re.compile(rf"{_NUM} {_UNIT}/lần")
_TIMES_RE = re.compile(rf"{_NUM} (?:times?|lần) ?(?:a|per|each|/|mỗi|một|trong) ?(?:month|tháng)")
_WEEKLY_ON_RE = re.compile(r"(?:weekly|every week) on (.+)")
_EXAMPLES = "daily, weekly, every 2 weeks, monthly, twice a month, quarterly, yearly"


@attrs.frozen
class _Rule:
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
            "BYDAY": ",".join(f"{n or ''}{_WEEKDAYS[d]}" for d, n in self.byday) or None,
            "BYSETPOS": _join(self.bysetpos),
            "WKST": _WEEKDAYS[self.wkst] if self.wkst else None,
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
            _FREQS[self.freq],
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


# ---------------------------------------------------------------------------- parsing


@lru_cache(maxsize=4096)
def normalise_recurrence(text: str) -> str:
    """Return the canonical RRULE (no ``RRULE:`` prefix) for an RRULE or a shorthand.

    The result is idempotent: ``normalise_recurrence(normalise_recurrence(x))`` equals
    ``normalise_recurrence(x)``. See the module docstring for the canonical order.

    :raises RecurrenceError: the text is not a rule planflow can use, with a hint.
    """
    try:
        return _parse(_to_rrule_text(text)).text()
    except RecurrenceError as error:
        if error.value:
            raise
        raise RecurrenceError(error.message, value=text, hint=error.hint) from None


def _to_rrule_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise RecurrenceError(
            "empty recurrence rule", hint=f"write an RRULE or a shorthand: {_EXAMPLES}"
        )
    body = re.sub(r"^\s*rrule\s*:", "", text, flags=re.IGNORECASE)
    return body if "=" in body else _shorthand(text)


def _shorthand(text: str) -> str:
    # NFC: editors on some systems store Vietnamese decomposed (NFD).
    phrase = unicodedata.normalize("NFC", text).casefold()
    phrase = re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", phrase).strip())
    if phrase in SHORTHANDS:
        return SHORTHANDS[phrase]
    if match := _EVERY_RE.fullmatch(phrase) or _PER_TIME_RE.fullmatch(phrase):
        count = _number(match.group(1), text) if match.group(1) else 1
        freq = _UNITS[match.group(2)]
        # "every month" is "monthly" (day 1); "every 3 months" keeps the start's day.
        return SHORTHANDS[freq.lower()] if count == 1 else f"FREQ={freq};INTERVAL={count}"
    if match := _TIMES_RE.fullmatch(phrase):
        times = _number(match.group(1), text)
        if times not in _TIMES_A_MONTH:
            raise RecurrenceError(
                f"{times} times a month has no shorthand (1 to 4 are spread evenly over the month)",
                hint="write an RRULE, e.g. FREQ=MONTHLY;BYMONTHDAY=1,7,13,19,25 or FREQ=WEEKLY",
            )
        return f"FREQ=MONTHLY;BYMONTHDAY={_TIMES_A_MONTH[times]}"
    if match := _WEEKLY_ON_RE.fullmatch(phrase):
        return f"FREQ=WEEKLY;BYDAY={_weekday_names(match.group(1), text)}"
    close = difflib.get_close_matches(phrase, SHORTHANDS, n=1, cutoff=0.6)
    raise RecurrenceError(
        f"unknown recurrence {text.strip()!r}",
        hint=f"did you mean {close[0]!r}?"
        if close
        else f"write an RRULE such as FREQ=WEEKLY;BYDAY=MO, or one of: {_EXAMPLES}",
    )


def _number(word: str, text: str) -> int:
    if word.isdigit():
        return int(word)
    if word in _NUMBERS:
        return _NUMBERS[word]
    raise RecurrenceError(
        f"{word!r} is not a number", hint="write it in digits, e.g. every 2 weeks"
    )


def _weekday_names(names: str, text: str) -> str:
    codes = []
    for name in re.split(r",|\band\b|\s+", names):
        if not name:
            continue
        found = [i for i, full in enumerate(_DAY_NAMES) if full.lower().startswith(name[:3])]
        if len(name) < 2 or len(found) != 1:
            raise RecurrenceError(
                f"{name!r} is not a day of the week",
                hint="use Monday … Sunday, e.g. weekly on monday",
            )
        codes.append(_WEEKDAYS[found[0]])
    return ",".join(codes)


def _split(body: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for raw in body.split(";"):
        if not raw.strip():
            continue  # tolerate a trailing or doubled ';'
        key, sep, value = (s.strip().upper() for s in raw.partition("="))
        if not sep or not value:
            raise RecurrenceError(
                f"rule part {raw.strip()!r} has no value", hint="write parts as NAME=VALUE"
            )
        if key in parts:
            raise RecurrenceError(f"{key} is given twice", hint="keep one of them")
        parts[key] = value
    return parts


@lru_cache(maxsize=4096)
def _parse(body: str) -> _Rule:
    parts = _split(body)
    for key in parts:
        if key in _TIME_PARTS:
            raise RecurrenceError(
                f"{key} is not supported",
                hint="plan tasks recur at most daily; the time of day comes from the task's start",
            )
        if key not in CANONICAL_ORDER:
            close = difflib.get_close_matches(key, CANONICAL_ORDER, n=1)
            raise RecurrenceError(
                f"unknown rule part {key!r}",
                hint=f"did you mean {close[0]}?" if close else f"use {', '.join(CANONICAL_ORDER)}",
            )
    freq = _freq(parts.get("FREQ"))
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError(
            "COUNT and UNTIL cannot both be given (RFC 5545)", hint="keep one of them"
        )
    ints = {key: _ints(key, parts[key]) for key in _INT_PARTS if key in parts}
    rule = _Rule(
        freq=freq,
        interval=_positive("INTERVAL", parts.get("INTERVAL", "1")),
        count=_positive("COUNT", parts["COUNT"]) if "COUNT" in parts else None,
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
        bymonth=ints.get("BYMONTH", ()),
        byweekno=ints.get("BYWEEKNO", ()),
        byyearday=ints.get("BYYEARDAY", ()),
        bymonthday=ints.get("BYMONTHDAY", ()),
        byday=_byday(parts["BYDAY"], freq, "BYWEEKNO" in parts) if "BYDAY" in parts else (),
        bysetpos=ints.get("BYSETPOS", ()),
        wkst=_weekday("WKST", parts.get("WKST", "MO")),
    )
    _check_combinations(rule, parts)
    _check_yields(rule)
    return rule


def _freq(value: str | None) -> str:
    if value is None:
        raise RecurrenceError("FREQ is missing", hint=f"add FREQ={'|'.join(_FREQS)}")
    if value in _SUB_DAILY:
        raise RecurrenceError(
            f"FREQ={value} is not supported",
            hint="plan tasks recur at most daily; use FREQ=DAILY with the task's start time",
        )
    if value not in _FREQS:
        close = difflib.get_close_matches(value, _FREQS, n=1)
        guess = f"did you mean FREQ={close[0]}? " if close else ""
        raise RecurrenceError(
            f"unknown FREQ={value}", hint=f"{guess}FREQ is one of {', '.join(_FREQS)}"
        )
    return value


def _positive(key: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise RecurrenceError(f"{key}={value} must be a whole number of 1 or more")
    return int(value)


def _ints(key: str, value: str) -> tuple[int, ...]:
    low, high, signed, meaning = _INT_PARTS[key]
    values = set()
    for item in value.split(","):
        item = item.strip()
        if not re.fullmatch(r"[+-]?\d+", item):
            raise RecurrenceError(
                f"{key} value {item!r} is not a number", hint=f"{key} takes {meaning}"
            )
        number = int(item)
        if not low <= abs(number) <= high or (number < 0 and not signed):
            raise RecurrenceError(f"{key}={item} is out of range", hint=f"{key} takes {meaning}")
        values.add(number)
    return tuple(sorted(values))


def _weekday(key: str, code: str) -> int:
    if code not in _WEEKDAYS:
        raise RecurrenceError(f"{key} value {code!r} is not a weekday", hint=_WEEKDAY_HINT)
    return _WEEKDAYS.index(code)


def _byday(value: str, freq: str, byweekno: bool) -> tuple[tuple[int, int], ...]:
    days = set()
    for item in (i.strip() for i in value.split(",")):
        match = _BYDAY_RE.fullmatch(item)
        if not match:
            raise RecurrenceError(f"BYDAY value {item!r} is not a weekday", hint=_WEEKDAY_HINT)
        weekday = _weekday("BYDAY", match.group(2))
        position = int(match.group(1) or 0)
        if match.group(1) is not None:
            _check_position(item, position, freq, byweekno)
        days.add((weekday, position))
    return tuple(sorted(days))


def _check_position(item: str, position: int, freq: str, byweekno: bool) -> None:
    if freq not in ("MONTHLY", "YEARLY") or byweekno:
        raise RecurrenceError(
            f"BYDAY={item}: a position only makes sense with FREQ=MONTHLY or FREQ=YEARLY "
            "(and without BYWEEKNO)",
            hint="drop the number or change FREQ",
        )
    limit = 5 if freq == "MONTHLY" else 53  # a month has at most 5 of any weekday
    if not 1 <= abs(position) <= limit:
        raise RecurrenceError(
            f"BYDAY={item}: position {position} is out of range",
            hint=f"use 1 to {limit} or -1 (last) to -{limit}",
        )


def _until(value: str) -> date | datetime:
    try:
        if re.fullmatch(r"\d{8}", value):
            return datetime.strptime(value, "%Y%m%d").date()
        if re.fullmatch(r"\d{8}T\d{6}Z", value):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise RecurrenceError(f"UNTIL={value} is not a real date") from None
    raise RecurrenceError(
        f"UNTIL={value} is not a date or a UTC date-time",
        hint="write UNTIL=20251231 or UNTIL=20251231T235959Z (UTC, ending in Z)",
    )


def _check_combinations(rule: _Rule, parts: Mapping[str, str]) -> None:
    # RFC 5545 section 3.3.10 forbids these; clients disagree on what they mean.
    if rule.byweekno and rule.freq != "YEARLY":
        raise RecurrenceError("BYWEEKNO only works with FREQ=YEARLY", hint="use FREQ=YEARLY")
    if rule.byyearday and rule.freq in ("DAILY", "WEEKLY", "MONTHLY"):
        raise RecurrenceError("BYYEARDAY only works with FREQ=YEARLY", hint="use FREQ=YEARLY")
    if rule.bymonthday and rule.freq == "WEEKLY":
        raise RecurrenceError(
            "BYMONTHDAY cannot be used with FREQ=WEEKLY", hint="use FREQ=MONTHLY or FREQ=DAILY"
        )
    if rule.bysetpos and not any(key in parts for key in _BY_PARTS):
        raise RecurrenceError(
            "BYSETPOS needs another BYxxx part to pick from",
            hint="e.g. FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 (last weekday of the month)",
        )


def _check_yields(rule: _Rule) -> None:
    # INTERVAL is dropped (set to 1): whether e.g. every 4th year hits a leap year
    # depends on the start date, not on the rule.
    try:
        first = next(iter(rule.rrule(_PROBE_START, None, interval=1)), None)
    except ValueError:  # a candidate in year 10000: the rule does yield dates
        return
    if first is None:
        raise RecurrenceError(f"the rule never yields a date{_why_empty(rule)}")


def _why_empty(rule: _Rule) -> str:
    months = rule.bymonth or tuple(range(1, 13))
    days = [d for d in rule.bymonthday if d > 0]
    if (
        days
        and len(days) == len(rule.bymonthday)
        and all(day > _MONTH_DAYS[m - 1] for m in months for day in days)
    ):
        return f" ({days[0]} {_MONTH_NAMES[months[0] - 1]} does not exist)"
    return ""


# -------------------------------------------------------------------------- expansion


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
    return _expand_all_day(
        normalise_recurrence(rule),
        start,
        end,
        start if dtstart is None else dtstart,
        _key(rdates),
        _key(exdates),
    )


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
    UNTIL includes that whole day (a feed writes it as UTC, as RFC 5545 requires).

    :raises RecurrenceError: the rule is invalid.
    """
    naive = (start, end, dtstart, *rdates, *exdates)
    if any(d is not None and d.tzinfo is not None for d in naive):
        raise TypeError("expand_datetimes() takes naive wall-clock datetimes")
    return _expand_timed(
        normalise_recurrence(rule),
        start,
        end,
        start if dtstart is None else dtstart,
        _key(rdates),
        _key(exdates),
        tzid,
    )


def _key(days: Iterable[_D]) -> tuple[_D, ...]:
    return tuple(sorted(set(days)))


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
        tzid="",
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
    rule = _parse(canonical)
    stop = end if rule.until is None else min(end, _until_local(rule.until, tzid))
    # The window end bounds dateutil's search, so a rule that never matches from this
    # dtstart (every 12 months in a month BYMONTH lacks) stops at `end` instead of
    # running on to year 9999; COUNT is applied by slicing, which counts the same way
    # dateutil does (instances on or after dtstart).
    found: Iterable[datetime] = ()
    if stop >= dtstart and not _stuck(rule, dtstart):
        anchor = _anchor(rule, dtstart)
        matches = rule.rrule(anchor, stop, weekday=dtstart.weekday())
        found = itertools.islice((d for d in matches if d >= dtstart), rule.count)
    dates = {d for d in found if d >= start}
    dates.update(d for d in rdates if start <= d <= end)
    dates.difference_update(exdates)
    return tuple(sorted(dates))


def _anchor(rule: _Rule, dtstart: datetime) -> datetime:
    """Where dateutil must start so that its first period is a whole period.

    dateutil builds the first WEEKLY period from dtstart's day to the end of the week,
    so BYSETPOS counted within a week started mid-week picks the wrong day (RFC 5545
    counts within the whole week, then drops instances before DTSTART): with
    ``FREQ=WEEKLY;BYDAY=MO,TU,WE;BYSETPOS=2`` from Tuesday 7 January 2020 it gives
    Wednesday 8 instead of Tuesday 7. Starting at the week's first day (WKST) fixes
    it and keeps the INTERVAL phase; the caller drops dates before dtstart. MONTHLY
    and YEARLY periods are always whole.
    """
    if rule.freq != "WEEKLY" or not rule.bysetpos:
        return dtstart
    return dtstart - timedelta(days=(dtstart.weekday() - rule.wkst) % 7)


def _stuck(rule: _Rule, dtstart: datetime) -> bool:
    """Whether the rule can never match from ``dtstart`` although it matches from others.

    Only one such rule makes dateutil slow (it checks UNTIL only on a candidate, so it
    walks day by day to year 9999): FREQ=DAILY with an INTERVAL that is a multiple of 7
    stays on dtstart's weekday, which BYDAY may exclude. The other frequencies walk
    months or years, which is cheap enough.
    """
    weekdays = {day for day, _ in rule.byday}
    return (
        rule.freq == "DAILY"
        and rule.interval % 7 == 0
        and bool(weekdays)
        and (dtstart.weekday() not in weekdays)
    )


def _until_local(until: date | datetime, tzid: str) -> datetime:
    if isinstance(until, datetime):
        if not tzid:  # all-day: the UTC date, as recurring-ical-events reads it
            return datetime.combine(until.date(), time())
        return until.astimezone(ZoneInfo(tzid)).replace(tzinfo=None)
    return datetime.combine(until, time.max if tzid else time())


# ------------------------------------------------------------------------ description


def describe(rule: str) -> str:
    """Return short English text for a rule, e.g. ``"every 2 weeks"`` or
    ``"monthly on day 1 and 15"`` (good enough for a table column).

    :raises RecurrenceError: the rule is invalid.
    """
    canonical = normalise_recurrence(rule)
    if canonical == _QUARTERLY:
        return "quarterly on day 1"
    r = _parse(canonical)
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[r.freq]
    words = [r.freq.lower() if r.interval == 1 else f"every {r.interval} {unit}s"]
    if r.bymonth:
        words.append("in " + _and([_MONTH_NAMES[m - 1] for m in r.bymonth]))
    if r.byweekno:
        words.append("in week " + _and([str(n) for n in r.byweekno]))
    if r.byyearday:
        words.append("on " + _days(r.byyearday) + " of the year")
    if r.bymonthday:
        words.append("on " + _days(r.bymonthday))
    if r.byday == tuple((day, 0) for day in range(5)):
        words.append("on weekdays")
    elif r.byday:
        names = [(f"the {_nth(n)} " if n else "") + _DAY_NAMES[d] for d, n in r.byday]
        words.append("on " + _and(names))
    if r.bysetpos:
        words.append(f"(only the {_and([_nth(n) for n in r.bysetpos])} each {unit})")
    if r.count is not None:
        words.append(f"{r.count} times")
    if r.until is not None:
        words.append(f"until {r.until:%Y-%m-%d}")
    return " ".join(words)


def _nth(n: int) -> str:
    """``1st``, ``2nd``, ``last``, ``2nd-to-last`` …"""
    if n == -1:
        return "last"
    if n < 0:
        return f"{_nth(-n)}-to-last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _days(numbers: tuple[int, ...]) -> str:
    """``day 1 and 15``; ``the last day``; ``day 1 and the last day``."""
    counted = [str(n) for n in numbers if n > 0]
    from_end = [f"the {_nth(n)} day" for n in sorted(numbers, reverse=True) if n < 0]
    return _and(([f"day {_and(counted)}"] if counted else []) + from_end)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
