"""The whole plan: metadata, legal bases, units, tasks and calendar defaults."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from datetime import date
from functools import cached_property
from typing import Any

from attrs import field, frozen
from attrs.validators import instance_of, optional

from planflow.plan.errors import ModelError
from planflow.plan.model._fields import _at_least, _check_id, _non_empty, _to_dict
from planflow.plan.model.enums import Shift
from planflow.plan.model.indicators import Indicator, Section
from planflow.plan.model.problems import plan_problems
from planflow.plan.model.tasks import Dependency, Task
from planflow.plan.model.timing import Offset, ReportingPeriod
from planflow.plan.model.units import Group, Unit

__all__ = ["LegalBasis", "Plan", "unchecked"]


@frozen
class LegalBasis:
    """A document the plan cites in its preamble (``Căn cứ``, ``Thực hiện``)."""

    number: str = field(validator=_non_empty)
    title: str = field(default="", validator=instance_of(str))
    issuer: str = field(default="", validator=instance_of(str))
    date: date | None = field(default=None, validator=optional(instance_of(date)))
    verb: str = field(default="", validator=instance_of(str))
    note: str = field(default="", validator=instance_of(str))


@frozen
class Plan:
    """A whole plan: its metadata, units and groups, tasks and reporting periods.

    Construction checks the plan as a whole (see :func:`plan_problems`) and raises
    :class:`~planflow.plan.errors.ModelError` on the first problem.
    """

    id: str = field(validator=_check_id)
    title: str = field(validator=_non_empty)
    issuer: str = field(validator=_non_empty)
    year: int = field(validator=[instance_of(int), _at_least(1900)])
    units: tuple[Unit, ...] = field(converter=tuple)
    tasks: tuple[Task, ...] = field(converter=tuple)
    timezone: str = field(default="Asia/Ho_Chi_Minh", validator=instance_of(str))
    title_en: str = field(default="", validator=instance_of(str))
    issued: date | None = field(default=None, validator=optional(instance_of(date)))
    effective: date | None = field(default=None, validator=optional(instance_of(date)))
    """The day the plan takes effect, when it is not the day of issue."""
    number: str = field(default="", validator=instance_of(str))
    """The document number exactly as printed (``132/KH-UBND``, ``132-KH/UBND``, ``/KH-UBND``)."""
    signed_by: str = field(default="", validator=instance_of(str))
    legal_bases: tuple[LegalBasis, ...] = field(default=(), converter=tuple)
    reporting_periods: tuple[ReportingPeriod, ...] = field(default=(), converter=tuple)
    country: str = field(default="VN", validator=instance_of(str))
    days_off: tuple[tuple[date, str, str], ...] = field(default=(), converter=tuple)
    working_days: tuple[tuple[date, str, str], ...] = field(default=(), converter=tuple)
    shift: Shift = field(default=Shift.PREVIOUS, converter=Shift)
    reminder: Offset = field(factory=lambda: Offset(3, working=True))
    check_in: str = field(default="FREQ=MONTHLY;BYMONTHDAY=-1", validator=instance_of(str))
    notes: str = field(default="", validator=instance_of(str))
    sections: tuple[Section, ...] = field(default=(), converter=tuple)
    """The plan's parts (pillars, sections I, II …) tasks and indicators belong to."""
    indicators: tuple[Indicator, ...] = field(default=(), converter=tuple)
    """KPI targets, measured at their checkpoints."""
    channels: Mapping[str, Mapping[str, Any]] = field(factory=dict, hash=False, converter=_to_dict)
    """Run-level settings of notifier plugins (``{email: {host: …}}``), see docs/plugins.md."""
    language: str = field(default="", validator=instance_of(str))
    """The language people read the plan's output in (``vi`` or ``en``; empty: the locale's)."""
    report: Mapping[str, Any] = field(factory=dict, hash=False, converter=_to_dict)
    """How printed reports are signed and sent (``place``, ``number``, ``signature``,
    ``signer``, ``recipients``, ``issuer_parent``), see docs/reports.md."""

    def __attrs_post_init__(self) -> None:
        if not _CHECKING.get():
            return
        problems = plan_problems(self)
        if problems:
            first = problems[0]
            raise ModelError(f"{first.dotted}: {first.message}", hint=first.hint)

    @property
    def start(self) -> date | None:
        """The day the plan starts to apply (``effective``, else ``issued``), if it says.

        Nothing of the plan falls due before it: every window is clipped to start
        there (see docs/plan-format.md, "The plan's start").
        """
        return self.effective or self.issued

    # --- look-ups ---------------------------------------------------------

    def unit(self, unit_id: str) -> Unit:
        """The unit or group with this id; ``KeyError`` if there is none."""
        return self._units_by_id[unit_id]

    def task(self, task_id: str) -> Task:
        """The task with this id; ``KeyError`` if there is none."""
        return self._tasks_by_id[task_id]

    @cached_property
    def _units_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def _tasks_by_id(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}

    @property
    def groups(self) -> tuple[Group, ...]:
        """The units that are groups."""
        return tuple(u for u in self.units if isinstance(u, Group))

    def members(self, unit_id: str) -> tuple[str, ...]:
        """The member units of a group (recursively), or ``(unit_id,)`` for a plain unit.

        A group without listed members stands for itself. Each group is expanded once
        and remembered, so groups that share subgroups cost their size, not the number
        of paths through them (``KeyError`` for an unknown id).
        """
        memo = self._members_memo
        found = memo.get(unit_id)
        if found is not None:
            return found
        units = self._units_by_id
        units[unit_id]
        # depth-first, without recursion: groups may nest thousands deep
        stack = [(unit_id, iter(_listed(units[unit_id])))]
        on_path = {unit_id}
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(node)
                listed = _listed(units[node])
                if not listed:
                    memo[node] = (node,)
                    continue
                out: dict[str, None] = {}
                for member in listed:  # a member on the path is a cycle: skipped
                    out.update(dict.fromkeys(memo.get(member, ())))
                memo[node] = tuple(out)
            elif child not in memo and child not in on_path:
                units[child]
                on_path.add(child)
                stack.append((child, iter(_listed(units[child]))))
        return memo[unit_id]

    @cached_property
    def _members_memo(self) -> dict[str, tuple[str, ...]]:
        return {}

    def dependencies(self) -> Iterator[tuple[Task, Dependency]]:
        """Every (task, dependency) pair, in file order."""
        for task in self.tasks:
            for dep in task.after:
                yield task, dep


def _listed(unit: Unit) -> tuple[str, ...]:
    """A group's listed members; nothing for a unit (or a group standing for itself)."""
    return unit.members if isinstance(unit, Group) else ()


_CHECKING: contextvars.ContextVar[bool] = contextvars.ContextVar("planflow_checking", default=True)


@contextlib.contextmanager
def unchecked() -> Iterator[None]:
    """Build a :class:`Plan` without the whole-plan check.

    For the loader, which runs :func:`plan_problems` itself to report every problem
    with its position instead of the first one only.
    """
    token = _CHECKING.set(False)
    try:
        yield
    finally:
        _CHECKING.reset(token)
