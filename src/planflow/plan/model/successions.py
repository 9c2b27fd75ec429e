"""Hand-over checks of a plan: successors that exist, end, and do not go round in a circle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from planflow.i18n import _
from planflow.plan.model.cycles import cycles
from planflow.plan.model.places import suggest

if TYPE_CHECKING:
    from planflow.plan.model.plan import Plan

#: a problem as (path in the model, message, hint, the unknown id it names)
Found = tuple[tuple[str | int, ...], str, str | None, str | None]

__all__ = ["succession_problems"]


def succession_problems(plan: Plan, unit_ids: dict[str, int]) -> list[Found]:
    """Successors that do not exist, name the unit itself, or go round in a circle."""
    problems: list[Found] = []
    circles = _successor_circles(plan, unit_ids)
    for i, unit in enumerate(plan.units):
        if unit.successor is None:
            continue
        path: tuple[str | int, ...] = ("units", i, "successor")
        if unit.successor not in unit_ids:
            message = _("unknown unit {id!r}").format(id=unit.successor)
            hint = suggest(unit.successor, tuple(unit_ids))
            problems.append((path, message, hint, unit.successor))
        elif unit.successor == unit.id:
            message = _("unit {id!r} names itself as its successor").format(id=unit.id)
            problems.append((path, message, None, None))
        elif unit.until is None:
            message = _("unit {id!r} has a successor but no end date").format(id=unit.id)
            hint = _("add 'until: YYYY-MM-DD', the last day the unit exists")
            problems.append((path, message, hint, None))
        elif unit.id in circles:
            message = _("successors go round in a circle: {circle}").format(
                circle=" → ".join(circles[unit.id])
            )
            hint = _("the last unit of a hand-over chain has no successor")
            problems.append((path, message, hint, None))
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
