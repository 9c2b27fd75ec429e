"""Hypothesis strategies for recurrence rules (RFC 5545 RRULE text).

``rule_parts`` draws legal combinations only (RFC 5545 section 3.3.10): positions in
BYDAY only with MONTHLY/YEARLY, BYMONTHDAY never with WEEKLY, BYYEARDAY and BYWEEKNO
only with YEARLY, BYSETPOS only next to another BYxxx part. Rules that can never yield
a date (``BYMONTH=2;BYMONTHDAY=30``) are filtered out, since planflow rejects them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import strategies as st

from planflow.plan.errors import RecurrenceError
from planflow.timeline.recurrence import normalise_recurrence

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2030, 12, 31)


def _ints(values: st.SearchStrategy[int], most: int) -> st.SearchStrategy[str]:
    return st.lists(values, min_size=1, max_size=most, unique=True).map(
        lambda xs: ",".join(map(str, xs))
    )


def _nonzero(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high).filter(bool)


@st.composite
def rule_parts(draw: st.DrawFn, *, until_utc: bool = False) -> dict[str, str]:
    """A dict of RRULE parts (upper case); ``until_utc`` writes UNTIL as a UTC date-time."""
    freq = draw(st.sampled_from(FREQS))
    parts = {"FREQ": freq}
    if draw(st.booleans()):
        parts["INTERVAL"] = str(draw(st.integers(1, 4)))
    ending = draw(st.sampled_from(("none", "count", "until")))
    if ending == "count":
        parts["COUNT"] = str(draw(st.integers(1, 40)))
    elif ending == "until":
        day = draw(st.dates(FIRST_DAY, LAST_DAY))
        if until_utc:
            moment = datetime.combine(day, time(draw(st.integers(0, 23)), 0))
            parts["UNTIL"] = moment.strftime("%Y%m%dT%H%M%SZ")
        else:
            parts["UNTIL"] = day.strftime("%Y%m%d")
    if draw(st.booleans()):
        parts["BYMONTH"] = draw(_ints(st.integers(1, 12), 3))
    if freq != "WEEKLY" and draw(st.booleans()):
        parts["BYMONTHDAY"] = draw(_ints(_nonzero(-31, 31), 3))
    if freq == "YEARLY" and draw(st.integers(0, 5)) == 0:
        parts["BYYEARDAY"] = draw(_ints(_nonzero(-366, 366), 2))
    if freq == "YEARLY" and draw(st.integers(0, 5)) == 0:
        parts["BYWEEKNO"] = draw(_ints(_nonzero(-53, 53), 2))
    if draw(st.booleans()):
        parts["BYDAY"] = draw(_byday(freq, "BYWEEKNO" in parts, "BYMONTH" in parts))
    if any(key.startswith("BY") for key in parts) and draw(st.integers(0, 3)) == 0:
        parts["BYSETPOS"] = draw(_ints(_nonzero(-4, 4), 2))
    if freq == "WEEKLY" and draw(st.integers(0, 3)) == 0:
        parts["WKST"] = draw(st.sampled_from(WEEKDAYS))
    return parts


def _byday(freq: str, byweekno: bool, bymonth: bool) -> st.SearchStrategy[str]:
    plain = st.sampled_from(WEEKDAYS)
    if freq not in ("MONTHLY", "YEARLY") or byweekno:
        return st.lists(plain, min_size=1, max_size=5, unique=True).map(",".join)
    in_month = freq == "MONTHLY" or bymonth  # positions count within the month
    position = _nonzero(-5, 5) if in_month else st.one_of(_nonzero(-5, 5), _nonzero(-53, 53))
    item = st.one_of(plain, st.builds(lambda n, d: f"{n}{d}", position, plain))
    return st.lists(item, min_size=1, max_size=3, unique=True).map(",".join)


def _usable(parts: dict[str, str]) -> bool:
    try:
        normalise_recurrence(join(parts))
    except RecurrenceError:
        return False  # only "never yields a date" is possible for these parts
    return True


def usable_rule_parts(*, until_utc: bool = False) -> st.SearchStrategy[dict[str, str]]:
    """Rule parts that planflow accepts (rules that yield at least some date)."""
    return rule_parts(until_utc=until_utc).filter(_usable)


def join(parts: dict[str, str]) -> str:
    """RRULE text of the parts, in their dict order."""
    return ";".join(f"{key}={value}" for key, value in parts.items())


@st.composite
def rule_texts(draw: st.DrawFn) -> str:
    """Usable RRULE text as a person might write it: any part order, any case, a prefix."""
    parts = draw(usable_rule_parts())
    items = draw(st.permutations(list(parts.items())))
    text = ";".join(f"{key}={value}" for key, value in items)
    text = draw(st.sampled_from((text, text.lower(), text.title())))
    return draw(st.sampled_from(("", "RRULE:", "rrule:"))) + text


def windows(first: date = FIRST_DAY, last: date = LAST_DAY) -> st.SearchStrategy[tuple[date, date]]:
    """An inclusive window ``(start, end)`` inside ``[first, last]``, up to ~3 years long."""
    return st.tuples(st.dates(first, last), st.integers(0, 1100)).map(
        lambda pair: (pair[0], min(last, pair[0] + timedelta(days=pair[1])))
    )
