"""Spans and distances in time: offsets, windows, wall-clock ranges, reporting periods."""

from __future__ import annotations

from datetime import date, time

import attrs
from attrs import field, frozen
from attrs.validators import instance_of, optional

from planflow.plan.errors import ModelError
from planflow.plan.model._fields import _check_id, _non_empty

__all__ = ["Offset", "ReportingPeriod", "TimeRange", "Window"]


@frozen
class Offset:
    """A signed number of calendar or working days (``+5 working days``)."""

    days: int = field(validator=instance_of(int))
    working: bool = field(default=False, validator=instance_of(bool))

    def __str__(self) -> str:
        kind = "working days" if self.working else "days"
        if abs(self.days) == 1:
            kind = kind[:-1]
        return f"{self.days:+d} {kind}"


@frozen
class Window:
    """When a task may happen, both ends inclusive.

    ``continuous`` marks "throughout the year" work: ongoing over the whole window,
    shown as periodic check-ins rather than one deadline.
    """

    start: date = field(validator=instance_of(date))
    end: date = field(validator=instance_of(date))
    label: str = field(default="", validator=instance_of(str))
    continuous: bool = field(default=False, validator=instance_of(bool))

    @end.validator
    def _end_after_start(self, attribute: attrs.Attribute[date], value: date) -> None:
        if value < self.start:
            raise ModelError(
                f"window ends ({value}) before it starts ({self.start})",
                hint="swap the dates or fix the end",
            )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        """Number of days in the window, both ends counted."""
        return (self.end - self.start).days + 1


@frozen
class TimeRange:
    """Local wall-clock times of a timed task (a meeting 08:00–11:30)."""

    start: time = field(validator=instance_of(time))
    end: time = field(validator=instance_of(time))

    @end.validator
    def _end_after_start(self, attribute: attrs.Attribute[time], value: time) -> None:
        if value <= self.start:
            raise ModelError(f"time range ends ({value}) at or before it starts ({self.start})")


@frozen
class ReportingPeriod:
    """A period reports are made for (``Q1``, ``6 tháng``, ``9 tháng``, ``năm``)."""

    id: str = field(validator=_check_id)
    name: str = field(validator=_non_empty)
    start: date = field(validator=instance_of(date))
    end: date = field(validator=instance_of(date))
    name_en: str = field(default="", validator=instance_of(str))
    due: date | None = field(default=None, validator=optional(instance_of(date)))
    """The fixed day the report for this period is due (``20/03/2025``), if the plan says."""

    @end.validator
    def _end_after_start(self, attribute: attrs.Attribute[date], value: date) -> None:
        if value < self.start:
            raise ModelError(f"reporting period {self.id} ends before it starts")

    @due.validator
    def _due_after_end(self, attribute: attrs.Attribute[date | None], value: date | None) -> None:
        if value is not None and value < self.end:
            raise ModelError(
                f"the report for period {self.id} is due ({value}) before the period ends "
                f"({self.end})",
                hint="a report covers a period that is over: move 'due' after 'end'",
            )
