"""Readable recurrence shorthands (``every 2 weeks``, ``twice a month``, ``hằng quý`` …) → RRULE.

``N times a month`` spreads the days evenly over 1–28 (so every month has them):
1 → 1; 2 → 1,15; 3 → 1,11,21; 4 → 1,8,15,22. ``monthly`` (also ``every month``) pins
day 1, while ``every N months`` for N ≥ 2 keeps the day of the start date;
``quarterly`` means calendar quarters (1 January, 1 April, 1 July, 1 October).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from planflow.i18n import _
from planflow.plan.errors import RecurrenceError
from planflow.plan.rules.parsed import DAY_NAMES, WEEKDAYS
from planflow.plan.rules.vietnamese import VIETNAMESE_EXAMPLES, vietnamese_rrule

__all__ = ["EXAMPLES", "QUARTERLY", "SHORTHANDS", "shorthand_rrule"]

QUARTERLY = "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=1"
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
            ("quarterly", "every quarter", "hằng quý", "hàng quý", "mỗi quý"), QUARTERLY
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
EXAMPLES = "daily, weekly, every 2 weeks, monthly, twice a month, quarterly, yearly"


def shorthand_rrule(text: str) -> str:
    """The RRULE text for a shorthand phrase.

    :raises RecurrenceError: the phrase is not one planflow knows, with a hint.
    """
    # NFC: editors on some systems store Vietnamese decomposed (NFD).
    phrase = unicodedata.normalize("NFC", text).casefold()
    phrase = re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", phrase).strip())
    if phrase in SHORTHANDS:
        return SHORTHANDS[phrase]
    if (found := vietnamese_rrule(phrase)) is not None:
        return found
    if match := _EVERY_RE.fullmatch(phrase) or _PER_TIME_RE.fullmatch(phrase):
        count = _number(match.group(1), text) if match.group(1) else 1
        freq = _UNITS[match.group(2)]
        # "every month" is "monthly" (day 1); "every 3 months" keeps the start's day.
        return SHORTHANDS[freq.lower()] if count == 1 else f"FREQ={freq};INTERVAL={count}"
    if match := _TIMES_RE.fullmatch(phrase):
        times = _number(match.group(1), text)
        if times not in _TIMES_A_MONTH:
            raise RecurrenceError(
                _(
                    "{times} times a month has no shorthand (1 to 4 are spread evenly over "
                    "the month)"
                ).format(times=times),
                hint=_("write an RRULE, e.g. FREQ=MONTHLY;BYMONTHDAY=1,7,13,19,25 or FREQ=WEEKLY"),
            )
        return f"FREQ=MONTHLY;BYMONTHDAY={_TIMES_A_MONTH[times]}"
    if match := _WEEKLY_ON_RE.fullmatch(phrase):
        return f"FREQ=WEEKLY;BYDAY={_weekday_names(match.group(1), text)}"
    # a suggestion must not change the rule: "ngày 20 hằng tháng" is not "hằng tháng"
    # (the 1st), so a phrase with numbers or day words only gets the list of forms
    close = [
        c
        for c in difflib.get_close_matches(phrase, SHORTHANDS, n=3, cutoff=0.75)
        if re.findall(r"\d+", c) == re.findall(r"\d+", phrase)
        and not re.search(r"\b(?:ngày|thứ|chủ nhật|cuối|đầu|on)\b", phrase)
    ]
    raise RecurrenceError(
        _("unknown recurrence {text!r}").format(text=text.strip()),
        hint=_("did you mean {name!r}?").format(name=close[0])
        if close
        else _(
            "write an RRULE such as FREQ=WEEKLY;BYDAY=MO, or one of: {examples}; "
            "or as plans write it: {vietnamese}"
        ).format(examples=EXAMPLES, vietnamese=VIETNAMESE_EXAMPLES),
    )


def _number(word: str, text: str) -> int:
    if word.isdigit():
        return int(word)
    if word in _NUMBERS:
        return _NUMBERS[word]
    raise RecurrenceError(
        _("{word!r} is not a number").format(word=word),
        hint=_("write it in digits, e.g. every 2 weeks"),
    )


def _weekday_names(names: str, text: str) -> str:
    codes = []
    for name in re.split(r",|\band\b|\s+", names):
        if not name:
            continue
        found = [i for i, full in enumerate(DAY_NAMES) if full.lower().startswith(name[:3])]
        if len(name) < 2 or len(found) != 1:
            raise RecurrenceError(
                _("{name!r} is not a day of the week").format(name=name),
                hint=_("use Monday … Sunday, e.g. weekly on monday"),
            )

        codes.append(WEEKDAYS[found[0]])
    return ",".join(codes)
