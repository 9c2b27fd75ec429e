"""Calendar periods: the label an occurrence is filed under, and how many periods a window spans."""

from __future__ import annotations

from datetime import date

from planflow.plan.model import Period

__all__ = ["default_period", "period_label", "periods_in"]


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
    if per is Period.WINDOW:
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
