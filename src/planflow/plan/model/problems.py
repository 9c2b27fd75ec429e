"""Whole-plan checks: cross-references, the plan year, dependency cycles.

Run once by :func:`plan_problems`, which both the :class:`~planflow.plan.model.Plan`
validator and the loader use: the loader maps each problem's path back to a line and
column in the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, TypeAlias

from attrs import frozen

from planflow.plan.model.enums import DependencyMode
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
    "suggest",
]

PathItem: TypeAlias = str | int
Path: TypeAlias = tuple[PathItem, ...]


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

    group_cycle = find_group_cycle(plan)
    if group_cycle:
        from planflow.plan.errors import format_cycle

        first = unit_ids[group_cycle[0]]
        problems.append(
            PlanProblem(
                ("units", first, "members"),
                f"groups contain each other: {format_cycle(group_cycle)}",
                "a group may list groups below it, never one that lists it back",
            )
        )
    problems.extend(_succession_problems(plan, unit_ids))

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
    problems.extend(_indicator_problems(plan, unit_ids, task_ids))
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
                    f"duplicate reporting period id {period.id!r}",
                    f"reporting_periods[{period_ids.index(period.id)}] already uses it; "
                    "occurrences are labelled with these ids",
                )
            )
    sections = [s.id for s in plan.sections]
    for i, section in enumerate(plan.sections):
        if sections.index(section.id) != i:
            problems.append(
                PlanProblem(("sections", i, "id"), f"duplicate section id {section.id!r}")
            )

    def unknown_section(path: Path, section: str) -> None:
        problems.append(
            PlanProblem(
                path,
                f"unknown section {section!r}",
                suggest(section, sections) or "list it under sections:",
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
                    f"duplicate indicator id {ind.id!r}",
                    f"indicators[{seen[ind.id]}] already uses it",
                )
            )
        seen.setdefault(ind.id, i)
        if ind.owner not in unit_ids:
            problems.append(
                PlanProblem(
                    (*path, "owner"),
                    f"unknown unit {ind.owner!r}",
                    suggest(ind.owner, tuple(unit_ids)),
                )
            )
        if ind.task and ind.task not in task_ids:
            problems.append(
                PlanProblem(
                    (*path, "task"),
                    f"unknown task {ind.task!r}",
                    suggest(ind.task, tuple(task_ids)),
                )
            )
        if ind.section and ind.section not in sections:
            unknown_section((*path, "section"), ind.section)
        for j, day in enumerate(ind.checkpoints):
            if day.year != plan.year:
                problems.append(
                    PlanProblem(
                        (*path, "checkpoints", j),
                        f"checkpoint {day} is outside the plan year {plan.year}",
                        "a plan measures its indicators within its year (see 'One plan per year')",
                    )
                )
    return problems


def _succession_problems(plan: Plan, unit_ids: dict[str, int]) -> list[PlanProblem]:
    """Successors that do not exist, name the unit itself, or go round in a circle."""
    problems: list[PlanProblem] = []
    circles = _successor_circles(plan, unit_ids)
    for i, unit in enumerate(plan.units):
        if unit.successor is None:
            continue
        path: Path = ("units", i, "successor")
        if unit.successor not in unit_ids:
            problems.append(
                PlanProblem(
                    path,
                    f"unknown unit {unit.successor!r}",
                    suggest(unit.successor, tuple(unit_ids)),
                )
            )
        elif unit.successor == unit.id:
            problems.append(PlanProblem(path, f"unit {unit.id!r} names itself as its successor"))
        elif unit.until is None:
            problems.append(
                PlanProblem(
                    path,
                    f"unit {unit.id!r} has a successor but no end date",
                    "add 'until: YYYY-MM-DD', the last day the unit exists",
                )
            )
        elif unit.id in circles:
            problems.append(
                PlanProblem(
                    path,
                    f"successors go round in a circle: {' → '.join(circles[unit.id])}",
                    "the last unit of a hand-over chain has no successor",
                )
            )
    return problems


def _successor_circles(plan: Plan, unit_ids: dict[str, int]) -> dict[str, list[str]]:
    """Each circle of successors, keyed by its first unit in plan order: the circle from
    that unit back to it, as ``[a, b, a]`` (one error per circle, not per unit on it).

    Linear in the number of units, however long the hand-over chains (see :func:`cycles`).
    A unit naming itself is reported on its own.
    """
    edges = {
        unit.id: [unit.successor]
        for unit in plan.units
        if unit.successor in unit_ids and unit.successor != unit.id
    }
    found = cycles(edges, order=unit_ids.__getitem__)
    return {circle[0]: circle for circle in found}


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


def cycles(
    edges: Mapping[str, Iterable[str]], order: Callable[[str], int] | None = None
) -> list[list[str]]:
    """One cycle through each knot of ``edges`` (nodes that reach each other), each as the
    closed path ``[x, …, x]`` from its first node; knots in the order of their first node.

    "First" is by ``order`` (by default, the order of ``edges``). The shared walk of the
    task, group and successor checks: strongly connected components, then one cycle from
    the first node of each, so linear in nodes plus edges (a chain of thousands of units
    stays cheap). ``order`` must rank every node, targets included (the default ranks
    only the keys: then every target must be a key); self-loops are left to the caller.
    """
    import networkx as nx  # only when a plan is checked: ``import planflow`` stays light

    rank = order or {node: i for i, node in enumerate(edges)}.__getitem__
    graph: nx.DiGraph = nx.DiGraph()
    for node in sorted(edges, key=rank):
        graph.add_node(node)
        graph.add_edges_from((node, child) for child in edges[node])
    knots = [k for k in nx.strongly_connected_components(graph) if len(k) > 1]
    out = []
    for first, knot in sorted(((min(k, key=rank), k) for k in knots), key=lambda f: rank(f[0])):
        # a depth-first walk from the knot's first node, in edge order, as networkx does it
        walked = nx.find_cycle(graph.subgraph(knot), source=first)
        out.append([u for u, _ in walked] + [walked[0][0]])
    return out
