"""Which duties go in a unit's feed, and in which role.

A unit leads a duty that is its own or its group's (a member of a group that leads
together sees the group's duty); it coordinates a duty that names it, or a group it
belongs to, among the coordinators, as long as one of the duty's occurrences falls due
while it exists (or names it as a successor: see :mod:`planflow.timeline.coordination`).
Leading wins over coordinating.

:class:`Index` answers that for every unit in one pass over the duties (a pass per
unit would make a national export quadratic), stored compactly: per unit an array
of ``2 × duty position + role``.
"""

from __future__ import annotations

from array import array
from datetime import date
from enum import StrEnum

from planflow.plan.errors import ModelError
from planflow.plan.model import Plan, suggest
from planflow.timeline.coordination import named_on
from planflow.timeline.occurrences import Duty, Timeline

__all__ = ["Index", "Role", "check_unit"]


class Role(StrEnum):
    """What a unit does for a duty in its feed."""

    LEAD = "lead"
    COORDINATOR = "coordinator"


_ROLES = (Role.LEAD, Role.COORDINATOR)


def check_unit(plan: Plan, unit_id: str) -> None:
    """:raises ModelError: the plan has no such unit (with a suggestion)."""
    try:
        plan.unit(unit_id)
    except KeyError:
        raise ModelError(
            f"unknown unit {unit_id!r}", hint=suggest(unit_id, [u.id for u in plan.units])
        ) from None


class Members:
    """``plan.members``, with each group's members computed once."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._members: dict[str, tuple[str, ...]] = {}

    def of(self, unit_id: str) -> tuple[str, ...]:
        """The member units of a group (recursively), or ``(unit_id,)`` for a plain unit."""
        found = self._members.get(unit_id)
        if found is None:
            found = self._members[unit_id] = self.plan.members(unit_id)
        return found


class Index:
    """unit id → the positions (in ``timeline.duties``) and roles of its duties."""

    def __init__(self, timeline: Timeline, members: Members | None = None) -> None:
        self.duties = timeline.duties
        members = members or Members(timeline.plan)
        found: dict[str, array[int]] = {}
        for position, duty in enumerate(self.duties):
            leads = {duty.unit, *members.of(duty.unit)}
            # who coordinates one of its occurrences (not a unit that ended before them)
            spans = timeline.coordination(duty)
            coordinators = [u for span in spans for u in span.units]
            named = (
                u
                for span in spans
                for u in named_on(timeline.plan, duty.task, span.since or span.until or date.min)
                if u not in coordinators
            )
            for unit_id in leads:
                _append(found, unit_id, 2 * position)
            for unit_id in dict.fromkeys((*coordinators, *named)):
                if unit_id not in leads:
                    _append(found, unit_id, 2 * position + 1)
        self._found = found

    def positions(self, unit_id: str) -> array[int]:
        """``2 × position + role`` (0 lead, 1 coordinator) for each of the unit's duties."""
        return self._found.get(unit_id) or array("q")

    def items(self, unit_id: str) -> list[tuple[Duty, Role]]:
        """The unit's duties, in plan order, with its role in each."""
        duties = self.duties
        return [(duties[code >> 1], _ROLES[code & 1]) for code in self.positions(unit_id)]


def _append(found: dict[str, array[int]], unit_id: str, code: int) -> None:
    codes = found.get(unit_id)
    if codes is None:
        codes = found[unit_id] = array("q")
    codes.append(code)
