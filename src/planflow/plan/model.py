"""The plan as data: frozen attrs classes with validators.

The model knows nothing of files, feeds, the CLI or plugins. Values are already
normalised (unit ids rather than aliases, RRULE strings rather than shorthands);
:mod:`planflow.plan.loading` turns a hand-written plan file into these classes.

Cross-references (unknown units, duplicate ids, windows outside the year,
dependency cycles) are checked once, by :func:`plan_problems`, which both the
:class:`Plan` validator and the loader use: the loader maps each problem's
path back to a line and column in the file.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import re
from collections.abc import Iterator, Mapping
from datetime import date, time
from enum import Enum
from functools import cached_property
from typing import Any, TypeAlias

import attrs
from attrs import field, frozen
from attrs.validators import instance_of, optional

from planflow.plan.errors import ModelError

__all__ = [
    "ID_PATTERN",
    "Category",
    "Dependency",
    "DependencyMode",
    "Group",
    "LeadMode",
    "LegalBasis",
    "Offset",
    "Period",
    "Plan",
    "PlanProblem",
    "ReportingPeriod",
    "Target",
    "Task",
    "TimeRange",
    "Unit",
    "Window",
    "plan_problems",
]

ID_PATTERN = r"[a-z0-9][a-z0-9_.-]*"
_ID_RE = re.compile(ID_PATTERN)
PathItem: TypeAlias = str | int
Path: TypeAlias = tuple[PathItem, ...]


def _check_id(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise ModelError(
            f"{attribute.name} {value!r} is not a valid id",
            hint="use lower-case ASCII letters, digits, '-', '_' or '.', starting with a letter "
            "or digit (write 'đ' as 'dd')",
        )


def _non_empty(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ModelError(f"{attribute.name} must be a non-empty text")


def _at_least(low: int) -> Any:
    """Like ``attrs.validators.ge`` but raising :class:`ModelError`."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: int) -> None:
        if value < low:
            raise ModelError(f"{attribute.name} must be at least {low}, got {value}")

    return check


def _to_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


def _tuple_of_str(value: Any) -> tuple[str, ...]:
    return tuple(value)


class Shift(str, Enum):
    """Where an occurrence that lands on a non-working day goes."""

    PREVIOUS = "previous"
    NEXT = "next"
    KEEP = "keep"


class Period(str, Enum):
    """The calendar period an occurrence belongs to (its label, e.g. ``2025-03``)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    WINDOW = "window"


class DependencyMode(str, Enum):
    """Which occurrences of the predecessor an occurrence waits for.

    ``task``: every occurrence of the predecessor (finish-to-start at task level).
    ``same-period``: the predecessor's occurrences with the same period label
    (March's rebroadcasts wait for March's programme); between two tasks led
    member-by-member by the same group, only the same member's.
    ``all``: every duty's occurrences with the same period label (the consolidated
    Q2 report waits for every unit's Q2 report).
    ``previous``: the predecessor's occurrence with index n-1 (for a task that
    waits for its own previous occurrence).
    """

    TASK = "task"
    SAME_PERIOD = "same-period"
    ALL = "all"
    PREVIOUS = "previous"


class LeadMode(str, Enum):
    """How a task led by a group is carried out.

    ``each``: every member unit has its own duty (C.II.7: each unit integrates the
    topic in its own conferences). ``together``: one collective duty of the group.
    """

    EACH = "each"
    TOGETHER = "together"


class Category(str, Enum):
    """The plan streams of the Bờ Y plan; other plans may use any text."""

    CDS = "CĐS"
    CCHC = "CCHC"


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
class LegalBasis:
    """A document the plan cites in its preamble (``Căn cứ``, ``Thực hiện``)."""

    number: str = field(validator=_non_empty)
    title: str = field(default="", validator=instance_of(str))
    issuer: str = field(default="", validator=instance_of(str))
    date: date | None = field(default=None, validator=optional(instance_of(date)))
    verb: str = field(default="", validator=instance_of(str))
    note: str = field(default="", validator=instance_of(str))


@frozen
class Unit:
    """An agency or unit that leads or coordinates work (``vhxh``: Phòng Văn hóa - Xã hội)."""

    id: str = field(validator=_check_id)
    name: str = field(validator=_non_empty)
    name_en: str = field(default="", validator=instance_of(str))
    aliases: tuple[str, ...] = field(default=(), converter=_tuple_of_str)
    contacts: Mapping[str, str] = field(factory=dict, hash=False, converter=_to_dict)
    channels: Mapping[str, Mapping[str, Any]] = field(factory=dict, hash=False, converter=_to_dict)
    note: str = field(default="", validator=instance_of(str))

    @property
    def email(self) -> str | None:
        """The unit's e-mail address, if its contacts give one."""
        return self.contacts.get("email")


@frozen
class Group(Unit):
    """A named set of units ("all agencies and units in the commune", "the schools").

    A group can lead or coordinate. ``members`` may be empty when the document
    names the collective but not its members; it then acts as one assignee.
    """

    members: tuple[str, ...] = field(default=(), converter=_tuple_of_str)


@frozen
class ReportingPeriod:
    """A period reports are made for (``Q1``, ``6 tháng``, ``9 tháng``, ``năm``)."""

    id: str = field(validator=_check_id)
    name: str = field(validator=_non_empty)
    start: date = field(validator=instance_of(date))
    end: date = field(validator=instance_of(date))
    name_en: str = field(default="", validator=instance_of(str))

    @end.validator
    def _end_after_start(self, attribute: attrs.Attribute[date], value: date) -> None:
        if value < self.start:
            raise ModelError(f"reporting period {self.id} ends before it starts")


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
    notes: str = field(default="", validator=instance_of(str))
    source: Mapping[str, str] = field(factory=dict, hash=False, converter=_to_dict)

    @coordinators.validator
    def _coordinators_ids(self, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
        for unit in value:
            _check_id(self, attribute, unit)
        if self.lead in value:
            raise ModelError(f"unit {self.lead!r} cannot both lead and coordinate task {self.id}")

    @after.validator
    def _after_deps(self, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
        for dep in value:
            if not isinstance(dep, Dependency):
                raise ModelError(f"after must hold Dependency values, got {dep!r}")

    @property
    def recurring(self) -> bool:
        """True if the task has a recurrence rule or explicit dates."""
        return self.recurrence is not None or bool(self.dates)


@frozen
class PlanProblem:
    """A cross-reference problem found in a plan; ``path`` locates it (``("tasks", 4, "lead")``)."""

    path: Path
    message: str
    hint: str | None = None

    @property
    def dotted(self) -> str:
        """The path written as in the docs: ``tasks[4].lead``."""
        return format_path(self.path)


def format_path(path: Path) -> str:
    """``("tasks", 4, "lead")`` → ``tasks[4].lead``."""
    out = ""
    for item in path:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += f".{item}" if out else item
    return out


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

        A group without listed members stands for itself.
        """
        seen: list[str] = []
        self._collect_members(unit_id, seen, set())
        return tuple(seen)

    def _collect_members(self, unit_id: str, out: list[str], visiting: set[str]) -> None:
        unit = self._units_by_id[unit_id]
        if not isinstance(unit, Group) or not unit.members:
            if unit_id not in out:
                out.append(unit_id)
            return
        visiting.add(unit_id)
        for member in unit.members:
            if member not in visiting:
                self._collect_members(member, out, visiting)
        visiting.discard(unit_id)

    def dependencies(self) -> Iterator[tuple[Task, Dependency]]:
        """Every (task, dependency) pair, in file order."""
        for task in self.tasks:
            for dep in task.after:
                yield task, dep


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


def suggest(name: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    """A "did you mean …?" hint for a misspelt id, or None."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def plan_problems(plan: Plan) -> list[PlanProblem]:
    """Every cross-reference problem of a plan, in file order.

    Duplicate ids, unknown units and tasks, group members, windows and explicit
    dates outside the plan year, and dependency cycles.
    """
    problems: list[PlanProblem] = []
    unit_ids: dict[str, int] = {}
    for i, unit in enumerate(plan.units):
        if unit.id in unit_ids:
            problems.append(
                PlanProblem(
                    ("units", i, "id"),
                    f"duplicate unit id {unit.id!r}",
                    f"units[{unit_ids[unit.id]}] already uses it",
                )
            )
        else:
            unit_ids[unit.id] = i
    known_units = tuple(unit_ids)

    def unknown_unit(path: Path, unit_id: str) -> None:
        problems.append(
            PlanProblem(path, f"unknown unit {unit_id!r}", suggest(unit_id, known_units))
        )

    for i, unit in enumerate(plan.units):
        if isinstance(unit, Group):
            for j, member in enumerate(unit.members):
                if member not in unit_ids:
                    unknown_unit(("units", i, "members", j), member)
                elif member == unit.id:
                    problems.append(
                        PlanProblem(
                            ("units", i, "members", j),
                            f"group {unit.id!r} lists itself as a member",
                        )
                    )

    task_ids: dict[str, int] = {}
    for i, task in enumerate(plan.tasks):
        if task.id in task_ids:
            problems.append(
                PlanProblem(
                    ("tasks", i, "id"),
                    f"duplicate task id {task.id!r}",
                    f"tasks[{task_ids[task.id]}] already uses it",
                )
            )
        else:
            task_ids[task.id] = i
    known_tasks = tuple(task_ids)

    year_start, year_end = date(plan.year, 1, 1), date(plan.year, 12, 31)
    for i, task in enumerate(plan.tasks):
        if task.lead not in unit_ids:
            unknown_unit(("tasks", i, "lead"), task.lead)
        for j, unit_id in enumerate(task.coordinators):
            if unit_id not in unit_ids:
                unknown_unit(("tasks", i, "coordinators", j), unit_id)
        if not (year_start <= task.window.start and task.window.end <= year_end):
            problems.append(
                PlanProblem(
                    ("tasks", i, "window"),
                    f"window {task.window.start}..{task.window.end} "
                    f"is outside the plan year {plan.year}",
                    f"plans cover one year; use dates between {year_start} and {year_end}",
                )
            )
        for key, days in (("dates", task.dates), ("except", task.except_dates)):
            for j, day in enumerate(days):
                if day not in task.window:
                    problems.append(
                        PlanProblem(
                            ("tasks", i, key, j),
                            f"date {day} is outside the task's window "
                            f"{task.window.start}..{task.window.end}",
                        )
                    )
        for j, dep in enumerate(task.after):
            if dep.task not in task_ids:
                problems.append(
                    PlanProblem(
                        ("tasks", i, "after", j),
                        f"unknown task {dep.task!r}",
                        suggest(dep.task, known_tasks),
                    )
                )
            elif dep.task == task.id and dep.mode is not DependencyMode.PREVIOUS:
                problems.append(
                    PlanProblem(
                        ("tasks", i, "after", j),
                        f"task {task.id!r} waits for itself",
                        "only 'mode: previous' may name the task itself",
                    )
                )
    if not problems:
        cycle = find_cycle(plan)
        if cycle:
            from planflow.plan.errors import format_cycle

            first = task_ids[cycle[0]]
            problems.append(
                PlanProblem(
                    ("tasks", first, "after"),
                    f"dependency cycle: {format_cycle(cycle)}",
                    "remove one of these dependencies",
                )
            )
    return problems


def find_cycle(plan: Plan) -> list[str] | None:
    """A cycle of task-level dependencies as ``[a, b, c, a]``, or None.

    Self-dependencies with ``mode: previous`` are not cycles: occurrence n waits
    for occurrence n-1.
    """
    edges: dict[str, list[str]] = {t.id: [] for t in plan.tasks}
    for task, dep in plan.dependencies():
        if dep.task != task.id and dep.task in edges:
            edges[task.id].append(dep.task)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in edges:
        if root in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(edges[root]))]
        path = [root]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                # path runs from the root; the cycle starts where child first appears
                cycle = [*path[path.index(child) :], child]
                return list(reversed(cycle))
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(edges[child])))
    return None
