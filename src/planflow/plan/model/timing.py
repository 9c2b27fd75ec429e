"""Spans and distances in time: offsets, windows, wall-clock ranges, reporting periods."""

from __future__ import annotations

from datetime import date, time

import attrs
from attrs import field, frozen
from attrs.validators import instance_of, optional

from planflow.i18n import _, format_date
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
                _("window ends ({end}) before it starts ({start})").format(
                    end=format_date(value), start=format_date(self.start)
                ),
                hint=_("swap the dates or fix the end"),
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
            message = _("time range ends ({end}) at or before it starts ({start})")
            raise ModelError(message.format(end=value, start=self.start))


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
            raise ModelError(_("reporting period {id} ends before it starts").format(id=self.id))

    @due.validator
    def _due_after_end(self, attribute: attrs.Attribute[date | None], value: date | None) -> None:
        if value is not None and value < self.end:
            raise ModelError(
                _(
                    "the report for period {id} is due ({due}) before the period ends ({end})"
                ).format(id=self.id, due=format_date(value), end=format_date(self.end)),
                hint=_("a report covers a period that is over: move 'due' after 'end'"),
            )
