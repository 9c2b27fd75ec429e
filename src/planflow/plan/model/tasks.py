"""What is to be done: tasks, their targets and their dependencies."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs
from attrs import field, frozen
from attrs.validators import instance_of, optional

from planflow.i18n import _
from planflow.plan.errors import ModelError
from planflow.plan.model._fields import _at_least, _check_id, _non_empty, _to_dict, _tuple_of_str
from planflow.plan.model.enums import DependencyMode, LeadMode, Period, Shift
from planflow.plan.model.timing import Offset, TimeRange, Window

__all__ = ["Dependency", "Target", "Task"]


@frozen
class Target:
    """A quantity the plan asks for: ``24`` per ``year``, ``about 3`` per ``month``."""

    count: int = field(validator=[instance_of(int), _at_least(1)])
    per: Period = field(converter=Period, default=Period.YEAR)
    approximate: bool = field(default=False, validator=instance_of(bool))
    unit: str = field(default="", validator=instance_of(str))

    def __str__(self) -> str:
        about = "about " if self.approximate else ""
        what = f" {self.unit}" if self.unit else ""
        return f"{about}{self.count}{what} per {self.per.value}"


@frozen
class Dependency:
    """This task waits for ``task``; which occurrences is said by ``mode``."""

    task: str = field(validator=_check_id)
    mode: DependencyMode = field(converter=DependencyMode, default=DependencyMode.TASK)
    lag: Offset = field(factory=lambda: Offset(0), validator=instance_of(Offset))
    note: str = field(default="", validator=instance_of(str))


@frozen
class Task:
    """One task of the plan, such as ``C.I.2.a`` (the radio segment)."""

    id: str = field(validator=_check_id)
    title: str = field(validator=_non_empty)
    lead: str = field(validator=_check_id)
    window: Window = field(validator=instance_of(Window))
    ref: str = field(default="", validator=instance_of(str))
    title_en: str = field(default="", validator=instance_of(str))
    coordinators: tuple[str, ...] = field(default=(), converter=_tuple_of_str)
    lead_mode: LeadMode = field(default=LeadMode.EACH, converter=LeadMode)
    recurrence: str | None = field(default=None, validator=optional(instance_of(str)))
    dates: tuple[date, ...] = field(default=(), converter=tuple)
    except_dates: tuple[date, ...] = field(default=(), converter=tuple)
    period: Period | None = field(default=None, converter=attrs.converters.optional(Period))
    check_in: str | None = field(default=None, validator=optional(instance_of(str)))
    target: Target | None = field(default=None, validator=optional(instance_of(Target)))
    after: tuple[Dependency, ...] = field(default=(), converter=tuple)
    due: Offset | None = field(default=None, validator=optional(instance_of(Offset)))
    shift: Shift | None = field(default=None, converter=attrs.converters.optional(Shift))
    reminder: Offset | None = field(default=None, validator=optional(instance_of(Offset)))
    time: TimeRange | None = field(default=None, validator=optional(instance_of(TimeRange)))
    category: tuple[str, ...] = field(default=(), converter=_tuple_of_str)
    section: str = field(default="", validator=instance_of(str))
    """The id of the plan section the task belongs to (``chinh-quyen-so``)."""
    notes: str = field(default="", validator=instance_of(str))
    source: Mapping[str, str] = field(factory=dict, hash=False, converter=_to_dict)

    @coordinators.validator
    def _coordinators_ids(self, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
        for unit in value:
            _check_id(self, attribute, unit)
        if self.lead in value:
            message = _("unit {unit!r} cannot both lead and coordinate task {task}")
            raise ModelError(message.format(unit=self.lead, task=self.id))

    @after.validator
    def _after_deps(self, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
        for dep in value:
            if not isinstance(dep, Dependency):
                message = _("after must hold Dependency values, got {value!r}")
                raise ModelError(message.format(value=dep))

    @property
    def recurring(self) -> bool:
        """True if the task has a recurrence rule or explicit dates."""
        return self.recurrence is not None or bool(self.dates)
