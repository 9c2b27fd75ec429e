"""Whole-plan checks: cross-references, the plan year, dependency cycles.

Run once by :func:`plan_problems`, which both the :class:`~planflow.plan.model.Plan`
validator and the loader use: the loader maps each problem's path back to a line and
column in the file.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypeAlias

from attrs import frozen

from planflow.i18n import _, format_date
from planflow.plan.model.cycles import cycles
from planflow.plan.model.enums import DependencyMode
from planflow.plan.model.places import entry, suggest
from planflow.plan.model.successions import succession_problems
from planflow.plan.model.units import Group

if TYPE_CHECKING:
    from planflow.plan.model.plan import Plan

__all__ = [
    "PlanProblem",
    "cycles",
    "find_cycle",
    "find_group_cycle",
    "format_path",
    "plan_problems",
]

PathItem: TypeAlias = str | int
Path: TypeAlias = tuple[PathItem, ...]


@frozen
class PlanProblem:
    """A cross-reference problem found in a plan; ``path`` locates it (``("tasks", 4, "lead")``)."""

    path: Path
    message: str
    hint: str | None = None
    #: the id the problem names when it is an unknown reference (``unknown unit 'x'``)
    unknown: str | None = None
    #: the problem is a date outside the plan year (not checked when the year is unknown)
    outside_year: bool = False

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


def plan_problems(plan: Plan) -> list[PlanProblem]:
    """Every cross-reference problem of a plan, in file order.

    Duplicate ids, unknown units and tasks, group members, windows and explicit
    dates outside the plan year, and dependency cycles.
    """
    problems: list[PlanProblem] = []
    unit_ids = _first_of_each_id(
        "units", [u.id for u in plan.units], _("duplicate unit id {id!r}"), problems
    )
    known_units = tuple(unit_ids)

    def unknown_unit(path: Path, unit_id: str) -> None:
        problems.append(
            PlanProblem(
                path,
                _("unknown unit {id!r}").format(id=unit_id),
                suggest(unit_id, known_units),
                unknown=unit_id,
            )
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
                            _("group {id!r} lists itself as a member").format(id=unit.id),
                        )
                    )

    group_cycle = find_group_cycle(plan)
    if group_cycle:
        from planflow.plan.errors import format_cycle

        first = unit_ids[group_cycle[0]]
        problems.append(
            PlanProblem(
                ("units", first, "members"),
                _("groups contain each other: {cycle}").format(cycle=format_cycle(group_cycle)),
                _("a group may list groups below it, never one that lists it back"),
            )
        )
    problems.extend(
        PlanProblem(path, message, hint, unknown=unknown)
        for path, message, hint, unknown in succession_problems(plan, unit_ids)
    )

    task_ids = _first_of_each_id(
        "tasks", [t.id for t in plan.tasks], _("duplicate task id {id!r}"), problems
    )
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
                    _("window {start}..{end} is outside the plan year {year}").format(
                        start=format_date(task.window.start),
                        end=format_date(task.window.end),
                        year=plan.year,
                    ),
                    _("plans cover one year; use dates between {first} and {last}").format(
                        first=format_date(year_start), last=format_date(year_end)
                    ),
                    outside_year=True,
                )
            )
        for key, days in (("dates", task.dates), ("except", task.except_dates)):
            for j, day in enumerate(days):
                if day not in task.window:
                    problems.append(
                        PlanProblem(
                            ("tasks", i, key, j),
                            _("date {day} is outside the task's window {start}..{end}").format(
                                day=format_date(day),
                                start=format_date(task.window.start),
                                end=format_date(task.window.end),
                            ),
                        )
                    )
        for j, dep in enumerate(task.after):
            if dep.task not in task_ids:
                problems.append(
                    PlanProblem(
                        ("tasks", i, "after", j),
                        _("unknown task {id!r}").format(id=dep.task),
                        suggest(dep.task, known_tasks),
                        unknown=dep.task,
                    )
                )
            elif dep.task == task.id and dep.mode is not DependencyMode.PREVIOUS:
                problems.append(
                    PlanProblem(
                        ("tasks", i, "after", j),
                        _("task {id!r} waits for itself").format(id=task.id),
                        _("only 'mode: previous' may name the task itself"),
                    )
                )
    problems.extend(_indicator_problems(plan, unit_ids, task_ids))
    if not problems:
        cycle = find_cycle(plan)
        if cycle:
            from planflow.plan.errors import format_cycle

            first = task_ids[cycle[0]]
            problems.append(
                PlanProblem(
                    ("tasks", first, "after"),
                    _("dependency cycle: {cycle}").format(cycle=format_cycle(cycle)),
                    _("remove one of these dependencies"),
                )
            )
    return problems


def _indicator_problems(
    plan: Plan, unit_ids: dict[str, int], task_ids: dict[str, int]
) -> list[PlanProblem]:
    """Sections and indicators: known owners, tasks and sections; checkpoints in the year."""
    problems: list[PlanProblem] = []
    period_ids = [p.id for p in plan.reporting_periods]
    for i, period in enumerate(plan.reporting_periods):
        if period_ids.index(period.id) != i:
            problems.append(
                PlanProblem(
                    ("reporting_periods", i, "id"),
                    _("duplicate reporting period id {id!r}").format(id=period.id),
                    _("{entry} already uses it; occurrences are labelled with these ids").format(
                        entry=entry("reporting_periods", period_ids.index(period.id))
                    ),
                )
            )
    sections = [s.id for s in plan.sections]
    for i, section in enumerate(plan.sections):
        if sections.index(section.id) != i:
            problems.append(
                PlanProblem(
                    ("sections", i, "id"), _("duplicate section id {id!r}").format(id=section.id)
                )
            )

    def unknown_section(path: Path, section: str) -> None:
        problems.append(
            PlanProblem(
                path,
                _("unknown section {id!r}").format(id=section),
                suggest(section, sections) or _("list it under sections:"),
            )
        )

    for i, task in enumerate(plan.tasks):
        if task.section and task.section not in sections:
            unknown_section(("tasks", i, "section"), task.section)
    seen: dict[str, int] = {}
    for i, ind in enumerate(plan.indicators):
        path: Path = ("indicators", i)
        if ind.id in seen:
            problems.append(
                PlanProblem(
                    (*path, "id"),
                    _("duplicate indicator id {id!r}").format(id=ind.id),
                    _("{entry} already uses it").format(entry=entry("indicators", seen[ind.id])),
                )
            )
        seen.setdefault(ind.id, i)
        if ind.owner not in unit_ids:
            problems.append(
                PlanProblem(
                    (*path, "owner"),
                    _("unknown unit {id!r}").format(id=ind.owner),
                    suggest(ind.owner, tuple(unit_ids)),
                    unknown=ind.owner,
                )
            )
        if ind.task and ind.task not in task_ids:
            problems.append(
                PlanProblem(
                    (*path, "task"),
                    _("unknown task {id!r}").format(id=ind.task),
                    suggest(ind.task, tuple(task_ids)),
                    unknown=ind.task,
                )
            )
        if ind.section and ind.section not in sections:
            unknown_section((*path, "section"), ind.section)
        for j, day in enumerate(ind.checkpoints):
            if day.year != plan.year:
                problems.append(
                    PlanProblem(
                        (*path, "checkpoints", j),
                        _("checkpoint {day} is outside the plan year {year}").format(
                            day=format_date(day), year=plan.year
                        ),
                        _(
                            "a plan measures its indicators within its year "
                            "(see 'One plan per year')"
                        ),
                        outside_year=True,
                    )
                )
    return problems


def _first_of_each_id(
    key: str, ids: list[str], duplicate: str, problems: list[PlanProblem]
) -> dict[str, int]:
    """Each id with the index of its first entry under ``key``; each later entry with
    an id already used is a problem (``duplicate``, with ``{id}``), pointing at the first."""
    first: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in first:
            problems.append(
                PlanProblem(
                    (key, i, "id"),
                    duplicate.format(id=ident),
                    _("{entry} already uses it").format(entry=entry(key, first[ident])),
                )
            )
        else:
            first[ident] = i
    return first


def find_cycle(plan: Plan) -> list[str] | None:
    """A cycle of task-level dependencies as ``[a, b, c, a]``, or None.

    Self-dependencies with ``mode: previous`` are not cycles: occurrence n waits
    for occurrence n-1.
    """
    edges: dict[str, list[str]] = {t.id: [] for t in plan.tasks}
    for task, dep in plan.dependencies():
        if dep.task != task.id and dep.task in edges:
            edges[task.id].append(dep.task)
    found = cycles(edges)
    return list(reversed(found[0])) if found else None


def find_group_cycle(plan: Plan) -> list[str] | None:
    """Groups that contain each other, directly or through others: ``[a, b, a]``, or None.

    (A group listing itself is reported on its own.)
    """
    edges: dict[str, list[str]] = {}
    for unit in plan.units:
        if isinstance(unit, Group):
            edges.setdefault(unit.id, []).extend(m for m in unit.members if m != unit.id)
    edges = {node: [c for c in children if c in edges] for node, children in edges.items()}
    found = cycles(edges)
    return found[0] if found else None
