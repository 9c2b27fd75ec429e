"""Checks on a timeline: occurrences due before what they wait for, and quantity targets."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date

from attrs import frozen

from planflow.i18n import _, format_date
from planflow.plan.model import Period, Window
from planflow.timeline._occurrence import Occurrence, OccurrenceKey
from planflow.timeline.duties import Duty
from planflow.timeline.periods import periods_in

__all__ = ["Conflict", "TargetCheck", "conflict", "target_check"]


@frozen
class Conflict:
    """An occurrence that cannot be done by its due date because of what it waits for."""

    occurrence: Occurrence
    earliest: date
    blocking: tuple[OccurrenceKey, ...]

    def __str__(self) -> str:
        o = self.occurrence
        waits = ", ".join(f"{t}#{i}" for t, i in self.blocking)
        return _(
            "{occurrence} ({period}) is due {due} but cannot be done before {earliest}: "
            "it waits for {waits}"
        ).format(occurrence=f"{o.task}#{o.index}", period=o.period, due=format_date(o.due),
                 earliest=format_date(self.earliest), waits=waits)  # fmt: skip


@frozen
class TargetCheck:
    """The occurrences a duty's rule yields against its quantity target."""

    duty: str
    plan_task: str
    expected: int
    actual: int
    approximate: bool

    @property
    def met(self) -> bool:
        """Exact targets must match; "about" targets may differ by 10 % (at least 1)."""
        if not self.approximate:
            return self.actual == self.expected
        # not round(): 10 % of 15 is 1.5, and a difference of 2 is over it
        return abs(self.actual - self.expected) <= max(1, self.expected / 10)


def conflict(occ: Occurrence, ready: Mapping[OccurrenceKey, date]) -> Conflict | None:
    """The conflict of ``occ``, given when each occurrence it waits for lets it go."""
    earliest = max((ready[k] for k in occ.waits_for), default=None)
    if earliest is None or earliest <= occ.due:
        return None
    return Conflict(occ, earliest, tuple(k for k in occ.waits_for if ready[k] > occ.due))


def target_check(
    duty: Duty, actual: int, reporting: int = 1, window: Window | None = None
) -> TargetCheck | None:
    """A duty's quantity target against the ``actual`` number of occurrences, if it has one.

    ``reporting`` is how many of the plan's reporting periods the window holds (for a
    target ``per: reporting``); ``window`` the part of the task's window the plan
    applies to (from its start), by default the whole window.
    """
    target = duty.task.target
    if target is None:
        return None
    if target.per is Period.REPORTING:
        periods = reporting
    else:
        whole = duty.task.window
        window = window or whole
        periods = periods_in(window.start, window.end, target.per)
        if target.per is Period.YEAR and window != whole:
            # a yearly quota over the part of the year the plan (or the unit) covers
            year_days = 366 if calendar.isleap(window.start.year) else 365
            expected = round(target.count * window.days / year_days)
            return TargetCheck(duty.id, duty.task.id, expected, actual, target.approximate)
    return TargetCheck(duty.id, duty.task.id, target.count * periods, actual, target.approximate)
