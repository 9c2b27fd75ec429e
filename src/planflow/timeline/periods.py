"""Calendar periods: the label an occurrence is filed under, and how many periods a window spans."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date, timedelta

from planflow.plan.model import Period, ReportingPeriod

__all__ = ["default_period", "label_range", "period_label", "periods_in", "reporting_label"]


def period_label(day: date, period: Period, window_label: str = "") -> str:
    """The label of the ``period`` that contains ``day``: ``2025-03``, ``2025-Q1`` …"""
    if period is Period.DAY:
        return day.isoformat()
    if period is Period.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period is Period.MONTH:
        return f"{day.year}-{day.month:02d}"
    if period is Period.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period is Period.HALF:
        return f"{day.year}-H{(day.month - 1) // 6 + 1}"
    if period is Period.YEAR:
        return str(day.year)
    return window_label or str(day.year)


def reporting_label(
    day: date, periods: Sequence[ReportingPeriod], previous: date | None = None
) -> str:
    """The id of the reporting period an occurrence on ``day`` reports on.

    ``previous`` is the date of the task's occurrence before this one. A period that
    ended after it and on or before ``day`` is the one reported on (a report made on
    20/06 reports on the period cut off on 14/06); when a 6-month and a second-quarter
    period end the same day, the longer, cumulative one (``h1``). Otherwise the
    shortest period that holds ``day`` (a monthly report in April belongs to ``q2``);
    failing that, the last period that ended; ``""`` if there is none.
    """
    ended = [p for p in periods if (previous is None or previous < p.end) and p.end <= day]
    if ended:
        return max(ended, key=lambda p: (p.end, p.end - p.start)).id
    holding = [p for p in periods if p.start <= day <= p.end]
    if holding:
        return min(holding, key=lambda p: (p.end - p.start, p.end)).id
    past = [p for p in periods if p.end < day]
    return max(past, key=lambda p: (p.end, p.end - p.start)).id if past else ""


_LABEL = re.compile(r"(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])|W(\d{2})))?")


def label_range(
    label: str, fallback: tuple[date, date], periods: Sequence[ReportingPeriod] = ()
) -> tuple[date, date]:
    """The dates an occurrence's period label spans (``2025-Q2`` → 1/4–30/6, a reporting
    period's id → its start and end); ``fallback`` (the task's window) otherwise."""
    for p in periods:
        if p.id == label:
            return p.start, p.end
    m = _LABEL.fullmatch(label)
    if m is None:
        # a day's label; tried after the period labels, because date.fromisoformat
        # also reads an ISO week ("2025-W27") as its Monday alone
        try:
            day = date.fromisoformat(label)
        except ValueError:
            return fallback
        return day, day
    year = int(m.group(1))
    if m.group(2):
        first = last = int(m.group(2))
    elif m.group(3):
        first, last = 3 * int(m.group(3)) - 2, 3 * int(m.group(3))
    elif m.group(4):
        first, last = 6 * int(m.group(4)) - 5, 6 * int(m.group(4))
    elif m.group(5):
        monday = date.fromisocalendar(year, int(m.group(5)), 1)
        return monday, monday + timedelta(days=6)
    else:
        first, last = 1, 12
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def default_period(rule: str | None) -> Period:
    """The period a rule's occurrences are labelled by when the task does not say."""
    if rule is None:
        return Period.DAY
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    freq = parts.get("FREQ")
    if freq == "YEARLY" and "BYMONTH" in parts:
        months = [int(m) for m in parts["BYMONTH"].split(",")]
        quarters = {(m - 1) // 3 for m in months}
        if len(months) > 1:
            return Period.QUARTER if len(quarters) == len(months) else Period.MONTH
        return Period.YEAR
    return {"DAILY": Period.DAY, "WEEKLY": Period.WEEK, "MONTHLY": Period.MONTH}.get(
        freq or "", Period.YEAR
    )


def periods_in(start: date, end: date, per: Period) -> int:
    """How many ``per`` periods a window spans (a period partly inside counts)."""
    if per in (Period.WINDOW, Period.REPORTING):
        return 1
    if per is Period.DAY:
        return (end - start).days + 1
    if per is Period.WEEK:
        return ((end - start).days + start.weekday()) // 7 + 1
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    size = {Period.MONTH: 1, Period.QUARTER: 3, Period.HALF: 6, Period.YEAR: 12}[per]
    if per is Period.MONTH:
        return months
    first = (start.month - 1) // size
    last = (end.year - start.year) * (12 // size) + (end.month - 1) // size
    return last - first + 1
