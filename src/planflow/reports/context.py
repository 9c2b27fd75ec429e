"""From a reporter's :class:`~planflow.hooks.specs.ReportContext` to the report's figures."""

from __future__ import annotations

from planflow.hooks.specs import ReportContext
from planflow.reports.data import ReportData, build_report
from planflow.reports.periods import ReportPeriod

__all__ = ["context_period", "report_data"]


def context_period(context: ReportContext) -> ReportPeriod:
    """The period a ``period_closed`` event closes, with the plan's names for it."""
    event = context.period
    if event.start is None or event.due is None:
        raise ValueError(f"not a period_closed event: {event!r}")
    for p in context.plan.reporting_periods:
        if p.id == event.task:
            return ReportPeriod(p.id, p.start, p.end, p.name, p.name_en)
    return ReportPeriod(event.task, event.start, event.due, event.period)


def report_data(context: ReportContext) -> ReportData:
    """The figures of the period ``context`` closes, as they stood that day."""
    return build_report(
        context.result,
        context_period(context),
        as_of=context.period.time,
        unit=context.unit,
    )
