"""Short English text for a recurrence rule (good enough for a table column)."""

from __future__ import annotations

from planflow.plan.rules.parsed import DAY_NAMES, MONTH_NAMES
from planflow.plan.rules.shorthands import QUARTERLY
from planflow.plan.rules.text import normalise_recurrence, parse_rule

__all__ = ["describe"]


def describe(rule: str) -> str:
    """Return short English text for a rule, e.g. ``"every 2 weeks"`` or
    ``"monthly on day 1 and 15"`` (good enough for a table column).

    :raises RecurrenceError: the rule is invalid.
    """
    canonical = normalise_recurrence(rule)
    if canonical == QUARTERLY:
        return "quarterly on day 1"
    r = parse_rule(canonical)
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}[r.freq]
    words = [r.freq.lower() if r.interval == 1 else f"every {r.interval} {unit}s"]
    if r.bymonth:
        words.append("in " + _and([MONTH_NAMES[m - 1] for m in r.bymonth]))
    if r.byweekno:
        words.append("in week " + _and([str(n) for n in r.byweekno]))
    if r.byyearday:
        words.append("on " + _days(r.byyearday) + " of the year")
    if r.bymonthday:
        words.append("on " + _days(r.bymonthday))
    if r.byday == tuple((day, 0) for day in range(5)):
        words.append("on weekdays")
    elif r.byday:
        names = [(f"the {_nth(n)} " if n else "") + DAY_NAMES[d] for d, n in r.byday]
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
