"""Which dates a report covers: the plan's own reporting periods, a quarter or the year.

``--period`` accepts a reporting period id of the plan (``m9``: the 9-month report,
cumulative from 1 January as the plan defines it), a calendar quarter (``2025-Q3``)
or the year (``2025``). :func:`period_phrase` says the period as an official
writes it in a title: "9 tháng đầu năm 2025", "Quý III năm 2025", "năm 2025".
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from attrs import frozen

from planflow.i18n import _, get_language, roman
from planflow.plan.errors import PlanError
from planflow.plan.model import Plan, suggest

__all__ = ["ReportPeriod", "period_phrase", "resolve_period"]

_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@frozen
class ReportPeriod:
    """The dates one report covers (both included), with the plan's id and names."""

    id: str
    start: date
    end: date
    name: str = ""
    name_en: str = ""

    def label(self) -> str:
        """The period's name in the language in use (its phrase when the plan names none)."""
        if get_language() == "en" and self.name_en:
            return self.name_en
        if get_language() == "vi" and self.name:
            return self.name
        return period_phrase(self.start, self.end)


def _quarter_end(year: int, quarter: int) -> date:
    first_of_next = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def resolve_period(plan: Plan, spec: str) -> ReportPeriod:
    """The period ``spec`` names: a reporting period id, ``YYYY-Qn`` or ``YYYY``.

    :raises PlanError: ``spec`` is none of these, or a year other than the plan's.
    """
    text = spec.strip()
    for p in plan.reporting_periods:
        if p.id == text:
            return ReportPeriod(p.id, p.start, p.end, p.name, p.name_en)
    year_text = None
    if m := _QUARTER.match(text):
        year_text, quarter = m[1], int(m[2])
        start, end = date(int(m[1]), 3 * quarter - 2, 1), _quarter_end(int(m[1]), quarter)
        ident = f"{m[1]}-q{quarter}"
    elif m := _YEAR.match(text):
        year_text = m[1]
        start, end, ident = date(int(m[1]), 1, 1), date(int(m[1]), 12, 31), m[1]
    ids = [p.id for p in plan.reporting_periods]
    choices = ", ".join([*ids, f"{plan.year}-Q1 … {plan.year}-Q4", str(plan.year)])
    if year_text is None:
        raise PlanError(
            _("unknown period {spec!r}").format(spec=spec),
            hint=suggest(text, ids) or _("use one of: {choices}").format(choices=choices),
        )
    if int(year_text) != plan.year:
        raise PlanError(
            _("the plan covers {year}, not {asked}").format(year=plan.year, asked=year_text),
            hint=_("use one of: {choices}").format(choices=choices),
        )
    return ReportPeriod(ident, start, end)


def period_phrase(start: date, end: date) -> str:
    """The period as a title says it: "9 tháng đầu năm 2025", "Quý III năm 2025" …"""
    last_of_month = (end + timedelta(days=1)).day == 1
    if start.day == 1 and last_of_month and start.year == end.year:
        months = end.month - start.month + 1
        if months == 12:
            return _("year {year}").format(year=end.year)
        if months == 3 and start.month % 3 == 1:
            return _("quarter {quarter} of {year}").format(
                quarter=roman(end.month // 3) if get_language() == "vi" else end.month // 3,
                year=end.year,
            )
        if start.month == 1:
            return _("first {months} months of {year}").format(months=months, year=end.year)
    from planflow.i18n import format_date

    return _("from {start} to {end}").format(start=format_date(start), end=format_date(end))
