"""Recurrence shorthands, descriptions, UNTIL and the messages of bad rules, in full.

The expected texts are written by hand from docs/plan-format.md's shorthand table and
from RFC 5545; messages are compared whole because they are what an officer reads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from planflow.plan.errors import RecurrenceError
from planflow.timeline.recurrence import describe, expand, expand_datetimes, normalise_recurrence


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("  Twice   a   Month ", "FREQ=MONTHLY;BYMONTHDAY=1,15"),
        ("2 lần / tháng", "FREQ=MONTHLY;BYMONTHDAY=1,15"),
        ("three times per month", "FREQ=MONTHLY;BYMONTHDAY=1,11,21"),
        ("1 time a month", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("every months", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("every 1 weeks", "FREQ=WEEKLY"),
        ("every days", "FREQ=DAILY"),
        ("every 3 days", "FREQ=DAILY;INTERVAL=3"),
        ("mỗi ba tuần", "FREQ=WEEKLY;INTERVAL=3"),
        ("2 tuần/lần", "FREQ=WEEKLY;INTERVAL=2"),
        ("1 năm/lần", "FREQ=YEARLY"),
        ("weekly on mon, thu", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("every week on Tuesday and  friday", "FREQ=WEEKLY;BYDAY=TU,FR"),
        ("weekly on su", "FREQ=WEEKLY;BYDAY=SU"),
        ("weekly on sat,sun", "FREQ=WEEKLY;BYDAY=SA,SU"),
        ("weekly on Mon., Thu.", "FREQ=WEEKLY;BYDAY=MO,TH"),  # the first three letters count
    ],
)
def test_shorthand_patterns(text: str, rule: str) -> None:
    """Spacing and case do not matter; 'every N', 'N … /lần', 'weekly on …'."""
    assert normalise_recurrence(text) == rule


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "5 times a month",
            "5 times a month has no shorthand (1 to 4 are spread evenly over the month)",
            "write an RRULE, e.g. FREQ=MONTHLY;BYMONTHDAY=1,7,13,19,25 or FREQ=WEEKLY",
        ),
        (
            "every zillion weeks",
            "'zillion' is not a number",
            "write it in digits, e.g. every 2 weeks",
        ),
        (
            "weekly on t",
            "'t' is not a day of the week",
            "use Monday … Sunday, e.g. weekly on monday",
        ),
        (
            "weekly on s",
            "'s' is not a day of the week",
            "use Monday … Sunday, e.g. weekly on monday",
        ),
        (
            "weekly on funday",
            "'funday' is not a day of the week",
            "use Monday … Sunday, e.g. weekly on monday",
        ),
        ("montly", "unknown recurrence 'montly'", "did you mean 'monthly'?"),
        (
            "zzz",
            "unknown recurrence 'zzz'",
            "write an RRULE such as FREQ=WEEKLY;BYDAY=MO, or one of: daily, weekly, every 2 weeks,"
            " monthly, twice a month, quarterly, yearly; or as plans write it: hằng ngày,"
            " hằng tuần, thứ Hai hằng tuần, hằng tháng, ngày 20 hằng tháng, trước ngày 20 hằng"
            " tháng, ngày cuối cùng của tháng, hằng quý, ngày cuối cùng của quý, ngày 15 tháng"
            " cuối quý, ngày 10/12 hằng năm, 2 lần/tháng, mỗi 2 tuần",
        ),
        (
            "FREQ=WEEKLY;BYDAY=2MO",
            "BYDAY=2MO: a position only makes sense with FREQ=MONTHLY or FREQ=YEARLY"
            " (and without BYWEEKNO)",
            "drop the number or change FREQ",
        ),
        (
            "FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO",
            "BYDAY=1MO: a position only makes sense with FREQ=MONTHLY or FREQ=YEARLY"
            " (and without BYWEEKNO)",
            "drop the number or change FREQ",
        ),
        (
            "FREQ=YEARLY;BYDAY=54MO",
            "BYDAY=54MO: position 54 is out of range",
            "use 1 to 53 or -1 (last) to -53",
        ),
        (
            "FREQ=DAILY;UNTIL=2025-01-05",
            "UNTIL=2025-01-05 is not a date or a UTC date-time",
            "write UNTIL=20251231 or UNTIL=20251231T235959Z (UTC, ending in Z)",
        ),
        ("FREQ=DAILY;UNTIL=20251301T000000Z", "UNTIL=20251301T000000Z is not a real date", None),
        ("FREQ=MONTHLY;BYWEEKNO=1", "BYWEEKNO only works with FREQ=YEARLY", "use FREQ=YEARLY"),
        ("FREQ=DAILY;BYYEARDAY=1", "BYYEARDAY only works with FREQ=YEARLY", "use FREQ=YEARLY"),
        (
            "FREQ=WEEKLY;BYMONTHDAY=1",
            "BYMONTHDAY cannot be used with FREQ=WEEKLY",
            "use FREQ=MONTHLY or FREQ=DAILY",
        ),
        (
            "FREQ=MONTHLY;BYSETPOS=1",
            "BYSETPOS needs another BYxxx part to pick from",
            "e.g. FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 (last weekday of the month)",
        ),
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "the rule never yields a date (30 February does not exist)",
            None,
        ),
        (
            "FREQ=YEARLY;BYMONTH=2,4;BYMONTHDAY=31",
            "the rule never yields a date (31 February does not exist)",
            None,
        ),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,-31", "the rule never yields a date", None),
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29,30;BYDAY=MO;BYSETPOS=3",
            "the rule never yields a date",
            None,
        ),
    ],
)
def test_bad_rules_say_what_is_wrong_and_what_to_write(
    text: str, message: str, hint: str | None
) -> None:
    """The whole message and hint, naming the text the plan wrote."""
    with pytest.raises(RecurrenceError) as info:
        normalise_recurrence(text)
    assert (info.value.message, info.value.hint, info.value.value) == (message, hint, text)


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("FREQ=DAILY;INTERVAL=3", "every 3 days"),
        ("FREQ=YEARLY;INTERVAL=2;BYMONTH=1,7", "every 2 years in January and July"),
        ("every 2 months", "every 2 months"),
        ("FREQ=YEARLY;BYWEEKNO=1,20;BYDAY=MO", "yearly in week 1 and 20 on Monday"),
        ("FREQ=YEARLY;BYYEARDAY=100,-1", "yearly on day 100 and the last day of the year"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR", "monthly on weekdays"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH", "monthly on Monday, Tuesday, Wednesday and Thursday"),
        ("FREQ=MONTHLY;BYMONTHDAY=-2,-1", "monthly on the last day and the 2nd-to-last day"),
        ("FREQ=WEEKLY;BYDAY=FR;UNTIL=20250601T000000Z", "weekly on Friday until 2025-06-01"),
        (
            "FREQ=YEARLY;BYDAY=MO;BYSETPOS=1,2,3,4,11,12,13,21,22,23,101,111,121,-3",
            "yearly on Monday (only the 3rd-to-last, 1st, 2nd, 3rd, 4th, 11th, 12th, 13th,"
            " 21st, 22nd, 23rd, 101st, 111th and 121st each year)",  # in canonical (numeric) order
        ),
        (
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
            "weekly on weekdays (only the 1st each week)",
        ),
        ("FREQ=DAILY;BYMONTH=3;BYSETPOS=-1", "daily in March (only the last each day)"),
    ],
)
def test_describe_more_rules(rule: str, text: str) -> None:
    """Readable English for the rules planflow shows in tables."""
    assert describe(rule) == text


def test_until_a_date_includes_that_day() -> None:
    """UNTIL=20250105: 1 to 5 January; a UTC date-time counts by its UTC date."""
    days = [date(2025, 1, d) for d in range(1, 6)]
    assert expand("FREQ=DAILY;UNTIL=20250105", date(2025, 1, 1), date(2025, 1, 31)) == tuple(days)
    assert expand(
        "FREQ=DAILY;UNTIL=20250105T000000Z", date(2025, 1, 1), date(2025, 1, 31)
    ) == tuple(days)


def test_timed_until_is_read_in_the_plans_zone() -> None:
    """Timed tasks at 08:00 Hà Nội time (UTC+7): a date UNTIL keeps that whole day; a UTC
    UNTIL of 01:30 on 5 January is 08:30 there, after the 08:00 start, so 5 January is in;
    00:30 UTC is 07:30, before it, so it is not."""
    start, end = datetime(2025, 1, 1, 8), datetime(2025, 1, 31, 8)
    mornings = [datetime(2025, 1, d, 8) for d in range(1, 6)]
    assert expand_datetimes("FREQ=DAILY;UNTIL=20250105", start, end) == tuple(mornings)
    assert expand_datetimes("FREQ=DAILY;UNTIL=20250105T013000Z", start, end) == tuple(mornings)
    assert expand_datetimes("FREQ=DAILY;UNTIL=20250105T003000Z", start, end) == tuple(mornings[:4])
    # without a zone (all-day semantics) the UTC date decides
    assert expand_datetimes("FREQ=DAILY;UNTIL=20250105T003000Z", start, end, tzid="") == tuple(
        mornings[:4]
    )


def test_timed_rules_refuse_zone_aware_datetimes() -> None:
    """Wall-clock times only: an aware datetime is a programming error."""
    with pytest.raises(TypeError, match=r"^expand_datetimes\(\) takes naive wall-clock datetimes$"):
        expand_datetimes("daily", datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2))


def test_utc_until_does_not_depend_on_the_machines_zone(monkeypatch) -> None:
    """A UTC UNTIL is read as UTC even on a machine set to another zone."""
    import time as clock

    start, end = datetime(2025, 1, 2, 8), datetime(2025, 1, 30, 8)  # not in the caches
    monkeypatch.setenv("TZ", "America/New_York")
    clock.tzset()
    try:
        found = expand_datetimes("FREQ=DAILY;UNTIL=20250105T003000Z", start, end)
    finally:
        monkeypatch.undo()
        clock.tzset()
    assert found == tuple(datetime(2025, 1, d, 8) for d in range(2, 5))  # 07:30 on the 5th


def test_timed_rdates_and_exdates_may_be_iterators() -> None:
    """RDATE/EXDATE given as one-shot iterators are read once and still count: a weekly
    Monday 08:00 rule over 6–19 January 2025 yields 6 and 13 January; the extra
    Wednesday 8 January is added and Monday 13 January taken out."""
    start, end = datetime(2025, 1, 6, 8), datetime(2025, 1, 19, 8)
    found = expand_datetimes(
        "FREQ=WEEKLY",
        start,
        end,
        rdates=iter([datetime(2025, 1, 8, 8)]),
        exdates=iter([datetime(2025, 1, 13, 8)]),
    )
    assert found == (datetime(2025, 1, 6, 8), datetime(2025, 1, 8, 8))


def test_expand_says_which_function_takes_date_times() -> None:
    """The message of a date-time given to expand() names the function to use."""
    with pytest.raises(
        TypeError, match=r"^expand\(\) takes dates; use expand_datetimes\(\) for timed tasks$"
    ):
        expand("daily", datetime(2025, 1, 1, 8), date(2025, 1, 31))


def test_rdates_on_the_window_edges_are_inside() -> None:
    """The window is inclusive at both ends for RDATE too: a monthly rule on the 15th
    over 1–31 March 2025 with RDATEs 1 and 31 March yields all three."""
    found = expand(
        "FREQ=MONTHLY;BYMONTHDAY=15",
        date(2025, 3, 1),
        date(2025, 3, 31),
        rdates=[date(2025, 3, 1), date(2025, 3, 31)],
    )
    assert found == (date(2025, 3, 1), date(2025, 3, 15), date(2025, 3, 31))


def test_a_plain_weekly_rule_with_bysetpos_keeps_the_start_weekday() -> None:
    """FREQ=WEEKLY without BYDAY repeats on DTSTART's weekday (RFC 5545), also when
    BYSETPOS makes planflow start dateutil at the week's first day: from Wednesday 8
    January 2025, the Wednesdays of January (one instance a week, the first)."""
    found = expand("FREQ=WEEKLY;BYMONTH=1;BYSETPOS=1", date(2025, 1, 8), date(2025, 1, 31))
    assert found == tuple(date(2025, 1, d) for d in (8, 15, 22, 29))


def test_a_monthly_rule_with_bysetpos_keeps_the_interval_phase_of_its_start() -> None:
    """Only a weekly rule is started at the week's first day: every second month from
    Wednesday 1 January 2025 is January, March, May (not December, February, April),
    and their first Mondays are 6 January, 3 March (1 March is a Saturday) and 5 May
    (1 May is a Thursday)."""
    found = expand(
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=MO;BYSETPOS=1", date(2025, 1, 1), date(2025, 6, 30)
    )
    assert found == (date(2025, 1, 6), date(2025, 3, 3), date(2025, 5, 5))


@pytest.mark.parametrize(
    ("rule", "end", "expected"),
    [
        # every 7 days from a Wednesday stays on Wednesdays: all of them
        ("FREQ=DAILY;INTERVAL=7;BYDAY=WE", date(2025, 1, 31), (1, 8, 15, 22, 29)),
        # ... and never reaches a Monday: nothing (without searching to year 9999)
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", date(2025, 3, 31), ()),
        # every 8 days moves one weekday a step: Wednesday 1 January + 5 × 8 = Monday
        # 10 February, the next Monday 7 steps later (7 April)
        ("FREQ=DAILY;INTERVAL=8;BYDAY=MO", date(2025, 3, 31), ((2, 10),)),
        # every day but only Mondays: the Mondays of January
        ("FREQ=DAILY;BYDAY=MO", date(2025, 1, 31), (6, 13, 20, 27)),
        # every 7 weeks on Friday: Friday 3 January, then 7 weeks later 21 February
        ("FREQ=WEEKLY;INTERVAL=7;BYDAY=FR", date(2025, 3, 31), (3, (2, 21))),
    ],
)
def test_daily_and_weekly_rules_that_skip_the_start_weekday(
    rule: str, end: date, expected: tuple[int | tuple[int, int], ...]
) -> None:
    """From Wednesday 1 January 2025; a day ``d`` is in January, ``(m, d)`` in month m."""
    days = tuple(date(2025, *d) if isinstance(d, tuple) else date(2025, 1, d) for d in expected)
    assert expand(rule, date(2025, 1, 1), end) == days
