"""Where planflow steers python-dateutil around its gaps.

dateutil is the engine most calendar libraries share, but a rule anchored mid-week
counts BYSETPOS wrongly, and a rule that can never match walks on to year 9999.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from planflow.plan.rules.parsed import ParsedRule

__all__ = ["anchor_for", "stuck"]


def anchor_for(rule: ParsedRule, dtstart: datetime) -> datetime:
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


def stuck(rule: ParsedRule, dtstart: datetime) -> bool:
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
