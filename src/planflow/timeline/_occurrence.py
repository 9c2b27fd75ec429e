"""The occurrence record the timeline hands out (importable from ``timeline.occurrences``)."""

from __future__ import annotations

from datetime import date

from attrs import frozen

__all__ = ["Occurrence", "OccurrenceKey"]

OccurrenceKey = tuple[str, int]


@frozen
class Occurrence:
    """One occurrence of a duty.

    ``index`` counts from 1 within the duty. ``nominal`` is the date the rule gave,
    before it was moved off a non-working day; ``start`` and ``due`` are working-day
    dates (unless the policy is ``keep``). ``period`` labels the calendar period the
    occurrence belongs to: ``2025-03``, ``2025-Q1``, ``2025-W05``, ``2025``, or the
    window's label for a one-off task.
    """

    task: str
    index: int
    start: date
    due: date
    period: str
    unit: str
    plan_task: str
    nominal: date
    waits_for: tuple[OccurrenceKey, ...] = ()

    @property
    def key(self) -> OccurrenceKey:
        """``(duty id, index)``: how other occurrences refer to this one."""
        return (self.task, self.index)
