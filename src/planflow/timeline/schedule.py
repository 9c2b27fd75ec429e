"""When a task's occurrences fall: rule × window × working days, before any duty or dependency.

A recurring task has one occurrence per date its rule (and explicit dates) yields in
the window, moved off non-working days by the shift policy; a "throughout the year"
task has periodic check-ins, each covering the days since the previous one; any other
task has one occurrence spanning its window, due at its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from planflow.plan.model import Offset, Period, Plan, Shift, Task, Window
from planflow.timeline.periods import default_period, period_label, reporting_label
from planflow.timeline.recurrence import expand
from planflow.timeline.workdays import DayNote, WorkCalendar

__all__ = [
    "ScheduledDate",
    "calendar_for",
    "compute_schedule",
    "effective_window",
    "offset_day",
    "schedule_key",
]

ScheduledDate = tuple[date, date, str, date]
"""(start, due, period label, nominal date) of one occurrence."""


def calendar_for(plan: Plan) -> WorkCalendar:
    """The working-day calendar a plan uses: its country's holidays plus its own swaps."""
    return WorkCalendar(
        country=plan.country,
        years=(plan.year,),
        days_off=[DayNote(d, reason, source or None) for d, reason, source in plan.days_off],
        working_days=[
            DayNote(d, reason, source or None) for d, reason, source in plan.working_days
        ],
    )


def schedule_key(task: Task) -> tuple[object, ...]:
    """Everything that decides a task's dates."""
    return (
        task.recurrence,
        task.dates,
        task.except_dates,
        task.window,
        task.period,
        task.check_in,
        task.due,
        task.shift,
    )


def offset_day(calendar: WorkCalendar, day: date, offset: Offset | None, policy: Shift) -> date:
    """``day`` moved by ``offset`` (working days, or calendar days then shifted by ``policy``)."""
    if offset is None or offset.days == 0:
        return day
    if offset.working:
        return calendar.add_working_days(day, offset.days)
    return calendar.shift(day + timedelta(days=offset.days), policy)


def _move(
    calendar: WorkCalendar, day: date, policy: Shift, window_start: date, window_end: date
) -> date:
    moved = calendar.shift(day, policy)
    if not window_start <= moved <= window_end and policy is not Shift.KEEP:
        # moving out of the window (1 January is a holiday) goes the other way instead
        other = Shift.NEXT if policy is Shift.PREVIOUS else Shift.PREVIOUS
        moved = calendar.shift(day, other)
    return moved


def effective_window(window: Window, start: date | None) -> Window | None:
    """The part of a window from the plan's start on (``None`` if it ends before)."""
    if start is None or window.start >= start:
        return window
    if window.end < start:
        return None
    return Window(start, window.end, window.label, window.continuous)


def compute_schedule(
    task: Task, plan: Plan, calendar: WorkCalendar, *, clip: bool = True
) -> Iterator[ScheduledDate]:
    """(start, due, period, nominal) of each occurrence of a task, in order.

    Windows start no earlier than the plan (``plan.start``): nothing falls due before
    the plan exists. ``clip=False`` gives the schedule of the window as written.
    """
    start = plan.start if clip else None
    for found in _schedule(task, plan, calendar, start):
        if start is None or found[1] >= start:
            yield found


def _label(
    nominal: date, period: Period, plan: Plan, window: Window, previous: date | None = None
) -> str:
    if period is Period.REPORTING:
        return reporting_label(nominal, plan.reporting_periods, previous) or window.label
    return period_label(nominal, period, window.label)


def _schedule(
    task: Task, plan: Plan, calendar: WorkCalendar, start: date | None
) -> Iterator[ScheduledDate]:
    window = effective_window(task.window, start)
    if window is None:
        return
    policy = task.shift or plan.shift
    if task.period is Period.REPORTING and not task.recurring and not window.continuous:
        # a report due on the fixed day each reporting period names
        for reporting in plan.reporting_periods:
            if reporting.due is not None and reporting.due in window:
                due = _move(calendar, reporting.due, policy, window.start, window.end)
                opened = min(max(window.start, reporting.end + timedelta(days=1)), due)
                yield opened, due, reporting.id, reporting.due
        return
    if task.recurring:
        period = task.period or default_period(task.recurrence)
        if task.recurrence is None:
            days = tuple(sorted(set(task.dates) - set(task.except_dates)))
        else:
            days = expand(
                task.recurrence,
                window.start,
                window.end,
                rdates=task.dates,
                exdates=task.except_dates,
            )
        previous: date | None = None
        for nominal in days:
            start = _move(calendar, nominal, policy, window.start, window.end)
            due = offset_day(calendar, start, task.due, policy)
            yield start, due, _label(nominal, period, plan, window, previous), nominal
            previous = nominal
    elif window.continuous:
        rule = task.check_in or plan.check_in
        period = task.period or default_period(rule)
        days = expand(rule, window.start, window.end)
        if not days or days[-1] != window.end:
            days = (*days, window.end)  # the last check-in closes the window
        opened = window.start
        previous = None
        for nominal in days:
            due = _move(calendar, nominal, policy, window.start, window.end)
            yield min(opened, due), due, _label(nominal, period, plan, window, previous), nominal
            opened = nominal + timedelta(days=1)
            previous = nominal
    else:
        due = _move(calendar, window.end, policy, window.start, window.end)
        due = offset_day(calendar, due, task.due, policy)
        label = _label(window.end, task.period or Period.WINDOW, plan, window)
        yield window.start, due, label, window.end
