"""Parsing and validation of RRULE text (RFC 5545 section 3.3.10), and its canonical form.

:func:`normalise_recurrence` accepts an RRULE (with or without ``RRULE:``, any case,
parts in any order) or a shorthand from :mod:`planflow.plan.rules.shorthands`;
:func:`parse_rule` checks canonical text part by part and as a whole (forbidden
combinations, rules that never yield a date) and returns a :class:`ParsedRule`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import lru_cache

from planflow.i18n import N_, _
from planflow.plan.errors import RecurrenceError
from planflow.plan.rules.parsed import (
    CANONICAL_ORDER,
    FREQS,
    MONTH_NAMES,
    WEEKDAYS,
    ParsedRule,
)
from planflow.plan.rules.shorthands import EXAMPLES, shorthand_rrule

__all__ = ["normalise_recurrence", "parse_rule"]

_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
# Days in each month in a leap year: a BYMONTHDAY beyond this can never match.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_BYDAY_RE = re.compile(r"([+-]?\d{1,2})?([A-Z]{2})")
# (low, high, allow negative, what the values mean) for the integer list parts.
_INT_PARTS = {
    "BYMONTH": (1, 12, False, N_("1 (January) to 12 (December)")),
    "BYWEEKNO": (1, 53, True, N_("1 to 53, or -1 (last week) to -53")),
    "BYYEARDAY": (1, 366, True, N_("1 to 366, or -1 (last day of the year) to -366")),
    "BYMONTHDAY": (1, 31, True, N_("1 to 31, or -1 (last day of the month) to -31")),
    "BYSETPOS": (1, 366, True, N_("1 to 366, or -1 (last) to -366")),
}
_WEEKDAY_HINT = N_(
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
MAX_RULE_NUMBER = 1_000_000  # COUNT and INTERVAL; docs/limits.md


@lru_cache(maxsize=4096)
def normalise_recurrence(text: str) -> str:
    """Return the canonical RRULE (no ``RRULE:`` prefix) for an RRULE or a shorthand.

    The result is idempotent: ``normalise_recurrence(normalise_recurrence(x))`` equals
    ``normalise_recurrence(x)``. :mod:`planflow.timeline.recurrence` describes the
    canonical order.

    :raises RecurrenceError: the text is not a rule planflow can use, with a hint.
    """
    try:
        return parse_rule(_to_rrule_text(text)).text()
    except RecurrenceError as error:
        if error.value:
            raise
        raise RecurrenceError(error.message, value=text, hint=error.hint) from None


def _to_rrule_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise RecurrenceError(
            _("empty recurrence rule"),
            hint=_("write an RRULE or a shorthand: {examples}").format(examples=EXAMPLES),
        )

    body = re.sub(r"^\s*rrule\s*:", "", text, flags=re.IGNORECASE)
    return body if "=" in body else shorthand_rrule(text)


def _split(body: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for raw in body.split(";"):
        if not raw.strip():
            continue  # tolerate a trailing or doubled ';'
        key, sep, value = (s.strip().upper() for s in raw.partition("="))
        if not sep or not value:
            raise RecurrenceError(
                _("rule part {part!r} has no value").format(part=raw.strip()),
                hint=_("write parts as NAME=VALUE"),
            )
        if key in parts:
            raise RecurrenceError(
                _("{key} is given twice").format(key=key), hint=_("keep one of them")
            )
        parts[key] = value
    return parts


@lru_cache(maxsize=4096)
def parse_rule(body: str) -> ParsedRule:
    """Parse and validate RRULE text (no ``RRULE:`` prefix, upper case).

    :raises RecurrenceError: the rule is not one planflow can use, with a hint.
    """
    parts = _split(body)
    for key in parts:
        if key in _TIME_PARTS:
            raise RecurrenceError(
                _("{key} is not supported").format(key=key),
                hint=_(
                    "plan tasks recur at most daily; the time of day comes from the task's start"
                ),
            )
        if key not in CANONICAL_ORDER:
            close = difflib.get_close_matches(key, CANONICAL_ORDER, n=1)
            raise RecurrenceError(
                _("unknown rule part {key!r}").format(key=key),
                hint=_("did you mean {name}?").format(name=close[0])
                if close
                else _("use {names}").format(names=", ".join(CANONICAL_ORDER)),
            )
    freq = _freq(parts.get("FREQ"))
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError(
            _("COUNT and UNTIL cannot both be given (RFC 5545)"), hint=_("keep one of them")
        )
    ints = {key: _ints(key, parts[key]) for key in _INT_PARTS if key in parts}
    rule = ParsedRule(
        freq=freq,
        interval=_positive("INTERVAL", parts.get("INTERVAL", "1")),
        count=_positive("COUNT", parts["COUNT"]) if "COUNT" in parts else None,
        until=_until(parts["UNTIL"]) if "UNTIL" in parts else None,
        bymonth=ints.get("BYMONTH", ()),
        byweekno=ints.get("BYWEEKNO", ()),
        byyearday=ints.get("BYYEARDAY", ()),
        bymonthday=ints.get("BYMONTHDAY", ()),
        byday=(
            _byday(parts["BYDAY"], freq, "BYWEEKNO" in parts, "BYMONTH" in parts)
            if "BYDAY" in parts
            else ()
        ),
        bysetpos=ints.get("BYSETPOS", ()),
        wkst=_weekday("WKST", parts.get("WKST", "MO")),
    )
    _check_combinations(rule, parts)
    _check_yields(rule)
    return rule


def _freq(value: str | None) -> str:
    if value is None:
        raise RecurrenceError(
            _("FREQ is missing"), hint=_("add {part}").format(part="FREQ=" + "|".join(FREQS))
        )
    if value in _SUB_DAILY:
        raise RecurrenceError(
            _("{part} is not supported").format(part=f"FREQ={value}"),
            hint=_("plan tasks recur at most daily; use FREQ=DAILY with the task's start time"),
        )
    if value not in FREQS:
        close = difflib.get_close_matches(value, FREQS, n=1)
        guess = _("did you mean {name}?").format(name=f"FREQ={close[0]}") + " " if close else ""
        raise RecurrenceError(
            _("unknown {part}").format(part=f"FREQ={value}"),
            hint=guess + _("FREQ is one of {names}").format(names=", ".join(FREQS)),
        )
    return value


def _positive(key: str, value: str) -> int:
    if not value.isdigit() or not any(c != "0" for c in value):
        raise RecurrenceError(
            _("{part} must be a whole number of 1 or more").format(part=f"{key}={value[:20]}")
        )
    # the length is checked before int(): int() of a 5,000-digit text raises, and a
    # COUNT past sys.maxsize overflows itertools.islice
    if len(value.lstrip("0")) > len(str(MAX_RULE_NUMBER)) or int(value) > MAX_RULE_NUMBER:
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise RecurrenceError(
            _("{part} is too large").format(part=f"{key}={shown}"),
            hint=_("{key} is at most {limit}").format(key=key, limit=f"{MAX_RULE_NUMBER:,}"),
        )
    return int(value)


def _ints(key: str, value: str) -> tuple[int, ...]:
    low, high, signed, meaning = _INT_PARTS[key]
    values = set()
    for item in value.split(","):
        item = item.strip()
        if not re.fullmatch(r"[+-]?\d+", item):
            raise RecurrenceError(
                _("{key} value {item!r} is not a number").format(key=key, item=item),
                hint=_("{key} takes {meaning}").format(key=key, meaning=_(meaning)),
            )
        number = int(item)
        if not low <= abs(number) <= high or (number < 0 and not signed):
            raise RecurrenceError(
                _("{part} is out of range").format(part=f"{key}={item}"),
                hint=_("{key} takes {meaning}").format(key=key, meaning=_(meaning)),
            )
        values.add(number)
    return tuple(sorted(values))


def _weekday(key: str, code: str) -> int:
    if code not in WEEKDAYS:
        raise RecurrenceError(
            _("{key} value {item!r} is not a weekday").format(key=key, item=code),
            hint=_(_WEEKDAY_HINT),
        )
    return WEEKDAYS.index(code)


def _byday(value: str, freq: str, byweekno: bool, bymonth: bool) -> tuple[tuple[int, int], ...]:
    days = set()
    for item in (i.strip() for i in value.split(",")):
        match = _BYDAY_RE.fullmatch(item)
        if not match:
            raise RecurrenceError(
                _("{key} value {item!r} is not a weekday").format(key="BYDAY", item=item),
                hint=_(_WEEKDAY_HINT),
            )
        weekday = _weekday("BYDAY", match.group(2))
        position = int(match.group(1) or 0)
        if match.group(1) is not None:
            _check_position(item, position, freq, byweekno, bymonth)
        days.add((weekday, position))
    return tuple(sorted(days))


def _check_position(item: str, position: int, freq: str, byweekno: bool, bymonth: bool) -> None:
    if freq not in ("MONTHLY", "YEARLY") or byweekno:
        raise RecurrenceError(
            _(
                "{part}: a position only makes sense with FREQ=MONTHLY or FREQ=YEARLY "
                "(and without BYWEEKNO)"
            ).format(part=f"BYDAY={item}"),
            hint=_("drop the number or change FREQ"),
        )
    # a month has at most 5 of any weekday; with BYMONTH a YEARLY position counts
    # within the month too (RFC 5545), and dateutil fails on 6 or more there
    limit = 5 if freq == "MONTHLY" or bymonth else 53
    if not 1 <= abs(position) <= limit:
        raise RecurrenceError(
            _("{part}: position {position} is out of range").format(
                part=f"BYDAY={item}", position=position
            ),
            hint=_("use 1 to {limit} or -1 (last) to -{limit}").format(limit=limit),
        )


def _until(value: str) -> date | datetime:
    try:
        if re.fullmatch(r"\d{8}", value):
            return datetime.strptime(value, "%Y%m%d").date()
        if re.fullmatch(r"\d{8}T\d{6}Z", value):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise RecurrenceError(
            _("{part} is not a real date").format(part=f"UNTIL={value}")
        ) from None
    raise RecurrenceError(
        _("{part} is not a date or a UTC date-time").format(part=f"UNTIL={value}"),
        hint=_("write UNTIL=20251231 or UNTIL=20251231T235959Z (UTC, ending in Z)"),
    )


def _check_combinations(rule: ParsedRule, parts: Mapping[str, str]) -> None:
    # RFC 5545 section 3.3.10 forbids these; clients disagree on what they mean.
    if rule.byweekno and rule.freq != "YEARLY":
        raise RecurrenceError(
            _("{part} only works with FREQ=YEARLY").format(part="BYWEEKNO"),
            hint=_("use FREQ=YEARLY"),
        )
    if rule.byyearday and rule.freq in ("DAILY", "WEEKLY", "MONTHLY"):
        raise RecurrenceError(
            _("{part} only works with FREQ=YEARLY").format(part="BYYEARDAY"),
            hint=_("use FREQ=YEARLY"),
        )
    if rule.bymonthday and rule.freq == "WEEKLY":
        raise RecurrenceError(
            _("BYMONTHDAY cannot be used with FREQ=WEEKLY"),
            hint=_("use FREQ=MONTHLY or FREQ=DAILY"),
        )
    if rule.bysetpos and not any(key in parts for key in _BY_PARTS):
        raise RecurrenceError(
            _("BYSETPOS needs another BYxxx part to pick from"),
            hint=_(
                "e.g. FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 (last weekday of the month)"
            ),
        )


def _check_yields(rule: ParsedRule) -> None:
    # INTERVAL is dropped (set to 1): whether e.g. every 4th year hits a leap year
    # depends on the start date, not on the rule.
    try:
        first = next(iter(rule.rrule(_PROBE_START, None, interval=1)), None)
    except ValueError:  # a candidate in year 10000: the rule does yield dates
        return
    if first is None:
        raise RecurrenceError(_("the rule never yields a date") + _why_empty(rule))


def _why_empty(rule: ParsedRule) -> str:
    months = rule.bymonth or tuple(range(1, 13))
    days = [d for d in rule.bymonthday if d > 0]
    if (
        days
        and len(days) == len(rule.bymonthday)
        and all(day > _MONTH_DAYS[m - 1] for m in months for day in days)
    ):
        return " " + _("({day} {month} does not exist)").format(
            day=days[0], month=MONTH_NAMES[months[0] - 1]
        )
    return ""
